// Writes NumPy .npy files (format 1.0): how rendered pixels and embeddings leave the CLI
// in a form Python reads with np.load.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace clippo {

// Serialises a C-order array. `dtype` is a NumPy descr such as "|u1" or "<f4";
// `data` holds product(shape) elements of that type.
std::string encode_npy(const std::string& dtype, const std::vector<int64_t>& shape, const void* data,
                       size_t n_bytes);

// Writes encode_npy(...) to `path` atomically (temporary file, then rename).
void write_npy(const std::string& path, const std::string& dtype, const std::vector<int64_t>& shape,
               const void* data, size_t n_bytes);

}  // namespace clippo

// NumPy .npz archives (a zip of .npy files), the native model format: big_vision saves its
// checkpoints with np.savez over the flattened parameter tree, keys joined with '/'.
//
// The reader accepts what NumPy writes (stored or deflated members, zip64 records, which
// np.savez always emits) and validates every size and offset against the file, so a truncated
// or hostile file is an error naming the member, never a crash or an over-read.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace clippo {

enum class DType { kFloat32, kFloat16, kBFloat16, kFloat64, kInt32, kInt64, kUInt8, kInt8, kBool };

size_t dtype_size(DType dtype);
const char* dtype_name(DType dtype);  // "float32", "bfloat16", ...

// One array: C-order elements of `dtype`, little-endian.
struct NpyArray {
  DType dtype = DType::kFloat32;
  std::vector<int64_t> shape;
  std::string data;  // raw bytes, size == numel() * dtype_size(dtype)

  int64_t numel() const;
  std::string shape_string() const;  // "(768, 12, 64)"
  // Converts any floating or integer dtype to float32 values.
  std::vector<float> to_float32() const;
};

// Parses one .npy file's bytes; `name` is used in errors.
NpyArray parse_npy(const std::string& bytes, const std::string& name);
std::string encode_npy_array(const NpyArray& array);

// Reads every member of an .npz; keys drop the ".npy" suffix. Throws NotFound,
// InvalidArgument (corrupt, truncated, unsupported dtype) naming the file and member.
std::map<std::string, NpyArray> read_npz(const std::string& path);
std::map<std::string, NpyArray> parse_npz(const std::string& bytes, const std::string& name);

// Writes an .npz (stored members, as np.savez) atomically.
void write_npz(const std::string& path, const std::map<std::string, NpyArray>& arrays);
std::string encode_npz(const std::map<std::string, NpyArray>& arrays);

// float32 <-> float16 / bfloat16 (round to nearest even).
uint16_t float_to_half(float f);
float half_to_float(uint16_t h);
uint16_t float_to_bfloat16(float f);
float bfloat16_to_float(uint16_t b);

}  // namespace clippo

// Fuzzes the .npz model loader with arbitrary bytes: the zip/npy parser on its own, then the
// whole model-file reader (keys, shapes, dtypes, clippo_meta JSON, config inference). Any
// input either loads or throws clippo::Error; nothing crashes, over-reads or leaks, and what
// loads is self-consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/base/error.h"
#include "core/base/npz.h"
#include "core/model/model_file.h"
#include "fuzz/fuzz_temp_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const auto arrays = clippo::parse_npz(bytes, "fuzz.npz");
    for (const auto& [name, array] : arrays) {
      if (array.numel() < 0) std::abort();
      if (array.data.size() != static_cast<size_t>(array.numel()) * clippo::dtype_size(array.dtype)) std::abort();
      if (array.numel() <= (int64_t{1} << 20) && array.to_float32().size() != static_cast<size_t>(array.numel())) {
        std::abort();
      }
    }
  } catch (const clippo::Error&) {
  }
  try {
    const std::string path = clippo::fuzz::write_scratch_file("model.npz", data, size);
    const clippo::model::ModelFile model = clippo::model::read_model_file(path);
    if (model.config.width <= 0 || model.config.depth <= 0 || model.arrays.empty()) std::abort();
  } catch (const clippo::Error&) {
  }
  return 0;
}

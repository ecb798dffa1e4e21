// Reading and validating CLIPPO model files without LibTorch: official big_vision one-tower
// checkpoints (`params/img/...`, `params/t`) and ours (the same plus `clippo_meta`, JSON bytes
// as a uint8 array that big_vision ignores). Every expected key is checked for presence and
// shape and every unexpected one is refused, each with an error naming the key.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/base/npz.h"
#include "core/model/vit_config.h"

namespace clippo::model {

inline constexpr const char* kMetaKey = "clippo_meta";

struct ModelFile {
  std::string path;
  std::string prefix;           // "params/img/" (big_vision) or "img/"
  std::string temperature_key;  // "params/t", "t", or "" when the file has none
  ViTConfig config;
  nlohmann::json meta;          // our clippo_meta object, or null for big_vision checkpoints
  std::map<std::string, NpyArray> arrays;
  std::string content_hash;     // "fnv1a64:<hex>" of the file bytes: the model's identity
  DType stored_dtype = DType::kFloat32;
};

// Every ViT parameter (per-block layout) with its shape, in a fixed order.
std::vector<std::pair<std::string, std::vector<int64_t>>> expected_param_shapes(const ViTConfig& config);

// The name a per-block parameter has in the stacked (scanned) layout, or itself.
std::string scanned_name(const std::string& per_block_name, int* block_index);

// Reads and validates a model file. Throws NotFound / InvalidArgument naming the key.
// `image_size` (0: from the file) is needed only for sincos2d checkpoints without our meta,
// whose image size no parameter shape records; for others it must agree with the file.
ModelFile read_model_file(const std::string& path, int image_size = 0);

// Writes params (per-block names, float32 values) as a model file in `dtype`, big_vision's
// key layout, stacked blocks when config.scan, plus clippo_meta when `meta` is not null.
void write_model_file(const std::string& path, const ViTConfig& config,
                      const std::map<std::string, std::vector<float>>& params, float log_temperature,
                      const nlohmann::json& meta, DType dtype);

// Converts float32 values to an array of `dtype` (float32, float16 or bfloat16).
NpyArray make_float_array(const std::vector<float>& values, const std::vector<int64_t>& shape, DType dtype);

std::string fnv1a64_hex(const std::string& bytes);

}  // namespace clippo::model

// Whole-file model operations behind a torch-free header: create a random model, convert
// dtype or layout, import a big_vision checkpoint with our metadata.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/base/npz.h"
#include "core/model/model_file.h"
#include "core/model/vit_config.h"

namespace clippo::model {

// Writes a randomly initialised CLIPPO model (big_vision's initialisers, seeded); with `text`, a
// token baseline (1t-clip or clip*, carrying text.tokenizer_model).
void init_model_file(const std::string& out_path, const ViTConfig& config, const nlohmann::json& meta,
                     uint64_t seed, DType dtype = DType::kFloat32, const TextInput& text = {});

struct ConvertOptions {
  DType dtype = DType::kFloat32;
  int scan = -1;                  // -1: keep the layout, 0: per-block, 1: stacked (scanned)
  // Returns a JSON object merged into the model's meta (e.g. a renderer); it sees the file
  // already read, so callers never read a large model twice. Empty: meta unchanged.
  std::function<nlohmann::json(const ModelFile&)> meta_patch;
  int image_size = 0;             // for sincos2d checkpoints without meta (see read_model_file)
};

// Reads any model file and writes it again with the options applied; the weights are unchanged
// up to the target dtype's rounding. Refuses to overwrite the input in place.
void convert_model_file(const std::string& in_path, const std::string& out_path, const ConvertOptions& options);

}  // namespace clippo::model

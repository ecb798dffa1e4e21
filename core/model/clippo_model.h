// The one-tower CLIPPO model (big_vision models/proj/clippo/one_tower.py): one ViT embeds
// images and rendered text into one space; embeddings are L2-normalised (+1e-8), and a learned
// temperature t (exp(t), initialised at 10) scales the contrastive logits in training.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/base/npz.h"
#include "core/model/model_file.h"
#include "core/model/vit.h"

namespace clippo::model {

class ClippoModelImpl : public torch::nn::Module {
 public:
  // A randomly initialised model (big_vision's initialisers; seed with torch::manual_seed).
  explicit ClippoModelImpl(const ViTConfig& config, nlohmann::json meta = nullptr, double temperature_init = 10.0);

  // Loads a validated model file into float32 parameters on the CPU.
  static std::shared_ptr<ClippoModelImpl> load(const ModelFile& file);
  static std::shared_ptr<ClippoModelImpl> load(const std::string& path);

  // images: (N, H, W, 3) in [-1, 1] -> (N, D) unit-norm embeddings, z / (|z| + 1e-8).
  torch::Tensor embed(const torch::Tensor& images);

  // Saves as a model file (big_vision layout + clippo_meta) in float32, float16 or bfloat16.
  void save(const std::string& path, DType dtype = DType::kFloat32);

  const ViTConfig& config() const { return vit->config(); }
  ViT vit{nullptr};
  torch::Tensor log_temperature;  // big_vision's `t`, shape (1,)
  nlohmann::json meta;            // our clippo_meta (renderer, recipe...), null for big_vision files
};
TORCH_MODULE(ClippoModel);

}  // namespace clippo::model

// The one-tower CLIPPO model (big_vision models/proj/clippo/one_tower.py): one ViT embeds
// images and rendered text into one space; embeddings are L2-normalised (+1e-8), and a learned
// temperature t (exp(t), initialised at 10) scales the contrastive logits in training.
//
// The same class holds the paper's tokenised baselines (model_file.h names their parameters):
// 1T-CLIP looks SentencePiece ids up in a token embedding, adds its own positions and runs them
// through the image ViT's blocks and head; CLIP* runs them through a separate text tower.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/base/npz.h"
#include "core/model/model_file.h"
#include "core/model/vit.h"

namespace clippo::model {

class ClippoModelImpl : public torch::nn::Module {
 public:
  // A randomly initialised model (big_vision's initialisers; seed with torch::manual_seed).
  // `text` makes a token baseline (text.kind 1t-clip or clip*, with its tokenizer).
  explicit ClippoModelImpl(const ViTConfig& config, nlohmann::json meta = nullptr, double temperature_init = 10.0,
                           const TextInput& text = {});

  // Loads a validated model file into float32 parameters on the CPU.
  static std::shared_ptr<ClippoModelImpl> load(const ModelFile& file);
  static std::shared_ptr<ClippoModelImpl> load(const std::string& path);

  // images: (N, H, W, 3) in [-1, 1] -> (N, D) unit-norm embeddings, z / (|z| + 1e-8).
  torch::Tensor embed(const torch::Tensor& images);
  // Token baselines: ids (N, seq_len) int64 -> (N, D) unit-norm embeddings.
  torch::Tensor embed_tokens(const torch::Tensor& ids);
  // Text as this model reads it: rendered pixels (CLIPPO) or token ids (baselines).
  torch::Tensor embed_text(const torch::Tensor& text) { return text_input.reads_tokens() ? embed_tokens(text) : embed(text); }

  // Inference: fuses each tower's q/k/v kernels (ViTImpl::fuse_qkv).
  void fuse_qkv();

  // Saves as a model file (big_vision layout + clippo_meta) in float32, float16 or bfloat16.
  void save(const std::string& path, DType dtype = DType::kFloat32);

  // Every trained tensor by its name in the file without "params/" ("img/embedding/kernel",
  // "txt/Embed_0/embedding", "t"), in a fixed order: the optimizer's and checkpoints' keys.
  std::vector<std::pair<std::string, torch::Tensor>> named_tensors() const;

  const ViTConfig& config() const { return vit->config(); }
  ViT vit{nullptr};
  torch::Tensor log_temperature;  // big_vision's `t`, shape (1,)
  nlohmann::json meta;            // our clippo_meta (renderer, recipe...), null for big_vision files
  TextInput text_input;           // kind kClippo: text is rendered pixels

 private:
  // The text side's tensors by name relative to txt/ (model_file.h's expected_text_param_shapes).
  torch::Tensor text_param(const std::string& name) const;

  torch::Tensor token_embedding_;     // txt/Embed_0/embedding (vocab, width)
  torch::Tensor text_pos_embedding_;  // 1t-clip: txt/pos_embedding (1, seq_len, width)
  ViT text_tower_{nullptr};           // clip*: txt/...
};
TORCH_MODULE(ClippoModel);

}  // namespace clippo::model

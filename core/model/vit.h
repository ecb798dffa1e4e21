// big_vision's ViT (models/vit.py) in LibTorch, with big_vision's parameter names and flax
// layouts kept as they are (Dense kernels (in, out), attention kernels (width, heads, head_dim),
// conv kernel HWIO), so checkpoints load without reshuffling and save back unchanged.
//
// Numerics follow vit.py: LayerNorm eps 1e-6, tanh-approximate GELU (flax's default),
// attention scaled by 1/sqrt(head_dim), MAP head with a learned probe.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include <torch/torch.h>

#include "core/model/vit_config.h"

namespace clippo::model {

class ViTImpl : public torch::nn::Module {
 public:
  // Builds the architecture with big_vision's random initialisers (seeded by torch::manual_seed).
  explicit ViTImpl(const ViTConfig& config);

  // images: (N, H, W, 3) float, value range [-1, 1]. Returns (N, embedding_dim), not normalised.
  torch::Tensor forward(const torch::Tensor& images);
  // A token tower (config.seq_len > 0): tokens already looked up in an embedding table,
  // (N, seq_len, width); adds this tower's position embedding. Returns (N, embedding_dim).
  torch::Tensor forward_embedded(const torch::Tensor& tokens);
  // The shared part: (N, L, width) sequences, positions already added -> blocks, encoder norm,
  // pooling, head. 1T-CLIP feeds its embedded text through the image tower here.
  torch::Tensor encode(torch::Tensor x);

  const ViTConfig& config() const { return config_; }

  // Inference only: concatenates each block's query/key/value kernels so one GEMM computes all
  // three. Call once after loading and moving the weights; the fused copies do not follow later
  // parameter updates, so train(true) drops them.
  void fuse_qkv();
  void train(bool on = true) override;

  // Parameter by its big_vision name relative to the model ("head/kernel",
  // "Transformer/encoderblock_3/MlpBlock_0/Dense_0/bias", "Encoder_0/..." in a token tower;
  // always the per-block layout).
  // Returned by value: a handle sharing the parameter's storage (writes through copy_ land).
  torch::Tensor param(const std::string& name) const;
  // Every parameter name in the per-block layout, in registration order.
  const std::vector<std::string>& param_names() const { return names_; }

 private:
  struct Attention {
    torch::Tensor q_kernel, q_bias, k_kernel, k_bias, v_kernel, v_bias, out_kernel, out_bias;
  };
  struct Mlp {
    torch::Tensor kernel0, bias0, kernel1, bias1;
  };
  struct Block {
    torch::Tensor ln0_scale, ln0_bias, ln1_scale, ln1_bias;
    Attention attn;
    Mlp mlp;
    torch::Tensor qkv_kernel, qkv_bias;  // fuse_qkv(): (w, 3 * h * d), (3 * h * d)
  };

  torch::Tensor add(const std::string& name, torch::Tensor value);
  Attention add_attention(const std::string& prefix);
  Mlp add_mlp(const std::string& prefix, int64_t mlp_dim);
  torch::Tensor run_attention(const Attention& a, const torch::Tensor& x_q, const torch::Tensor& x_kv) const;
  torch::Tensor run_self_attention(const Block& b, const torch::Tensor& x) const;
  torch::Tensor attention_output(const Attention& a, const torch::Tensor& o, int64_t n, int64_t lq) const;
  torch::Tensor run_mlp(const Mlp& m, const torch::Tensor& x) const;
  torch::Tensor layer_norm(const torch::Tensor& x, const torch::Tensor& scale, const torch::Tensor& bias) const;

  ViTConfig config_;
  std::vector<std::string> names_;
  std::unordered_map<std::string, torch::Tensor> by_name_;
  torch::Tensor embedding_kernel_, embedding_bias_, pos_embedding_, cls_;
  std::vector<Block> blocks_;
  torch::Tensor norm_scale_, norm_bias_;
  torch::Tensor probe_, map_ln_scale_, map_ln_bias_;
  Attention map_attn_;
  Mlp map_mlp_;
  torch::Tensor pre_logits_kernel_, pre_logits_bias_, head_kernel_, head_bias_;
};
TORCH_MODULE(ViT);

// big_vision's posemb_sincos_2d (MoCo v3): (1, h * w, width), float32.
torch::Tensor posemb_sincos_2d(int64_t h, int64_t w, int64_t width, double temperature = 10000.0);

}  // namespace clippo::model

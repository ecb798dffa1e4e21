#include "core/model/vit.h"

#include <cmath>

#include "core/base/error.h"
#include "core/model/torch_compat.h"

namespace clippo::model {
namespace {

constexpr double kLayerNormEps = 1e-6;  // flax.linen.LayerNorm default

// flax initializers on a kernel whose last axis is "out" and the rest "in" (DenseGeneral
// flattens (width, heads, head_dim) to (width, heads * head_dim) before initialising).
torch::Tensor xavier_uniform(std::vector<int64_t> shape, int64_t fan_in, int64_t fan_out) {
  const double limit = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  return torch::empty(shape).uniform_(-limit, limit);
}
torch::Tensor lecun_normal(std::vector<int64_t> shape, int64_t fan_in) {
  // flax's lecun_normal is a truncated normal rescaled to keep variance 1/fan_in.
  const double stddev = std::sqrt(1.0 / static_cast<double>(fan_in)) / 0.87962566103423978;
  return torch::clamp(torch::randn(shape), -2.0, 2.0) * stddev;
}

}  // namespace

torch::Tensor posemb_sincos_2d(int64_t h, int64_t w, int64_t width, double temperature) {
  CLIPPO_CHECK(width % 4 == 0, kInvalidArgument, "sincos2d posemb needs width % 4 == 0");
  const int64_t q = width / 4;
  auto grid = torch::meshgrid({torch::arange(h, torch::kFloat32), torch::arange(w, torch::kFloat32)}, "ij");
  auto omega = torch::arange(q, torch::kFloat32) / static_cast<float>(std::max<int64_t>(q - 1, 1));
  omega = 1.0 / torch::pow(torch::full({q}, temperature, torch::kFloat32), omega);
  auto y = torch::outer(grid[0].flatten(), omega);
  auto x = torch::outer(grid[1].flatten(), omega);
  return torch::cat({torch::sin(x), torch::cos(x), torch::sin(y), torch::cos(y)}, 1).unsqueeze(0);
}

torch::Tensor ViTImpl::add(const std::string& name, torch::Tensor value) {
  names_.push_back(name);
  torch::Tensor registered = register_parameter(name, std::move(value));
  by_name_.emplace(name, registered);
  return registered;
}

ViTImpl::Attention ViTImpl::add_attention(const std::string& p) {
  const int64_t w = config_.width, h = config_.num_heads, d = config_.head_dim();
  Attention a;
  a.q_kernel = add(p + "query/kernel", xavier_uniform({w, h, d}, w, h * d));
  a.q_bias = add(p + "query/bias", torch::zeros({h, d}));
  a.k_kernel = add(p + "key/kernel", xavier_uniform({w, h, d}, w, h * d));
  a.k_bias = add(p + "key/bias", torch::zeros({h, d}));
  a.v_kernel = add(p + "value/kernel", xavier_uniform({w, h, d}, w, h * d));
  a.v_bias = add(p + "value/bias", torch::zeros({h, d}));
  a.out_kernel = add(p + "out/kernel", xavier_uniform({h, d, w}, h * d, w));
  a.out_bias = add(p + "out/bias", torch::zeros({w}));
  return a;
}

ViTImpl::Mlp ViTImpl::add_mlp(const std::string& p, int64_t mlp_dim) {
  const int64_t w = config_.width;
  Mlp m;
  m.kernel0 = add(p + "Dense_0/kernel", xavier_uniform({w, mlp_dim}, w, mlp_dim));
  m.bias0 = add(p + "Dense_0/bias", torch::randn({mlp_dim}) * 1e-6);
  m.kernel1 = add(p + "Dense_1/kernel", xavier_uniform({mlp_dim, w}, mlp_dim, w));
  m.bias1 = add(p + "Dense_1/bias", torch::randn({w}) * 1e-6);
  return m;
}

ViTImpl::ViTImpl(const ViTConfig& config) : config_(config) {
  config_.validate();
  const int64_t w = config_.width, p = config_.patch_size;
  if (!config_.reads_tokens()) {
    embedding_kernel_ = add("embedding/kernel", lecun_normal({p, p, 3, w}, p * p * 3));
    embedding_bias_ = add("embedding/bias", torch::zeros({w}));
  }
  if (config_.posemb == "learn") {
    // vit.py initialises with normal(1/sqrt(width)); text_transformer.py too.
    pos_embedding_ = add("pos_embedding", torch::randn({1, config_.n_tokens(), w}) / std::sqrt(double(w)));
  } else {
    pos_embedding_ = posemb_sincos_2d(config_.grid(), config_.grid(), w);
    register_buffer("pos_embedding_sincos2d", pos_embedding_);
  }
  if (config_.pool_type == "tok") cls_ = add("cls", torch::zeros({1, 1, w}));
  for (int i = 0; i < config_.depth; ++i) {
    const std::string b = std::string(config_.encoder_prefix()) + "encoderblock_" + std::to_string(i) + "/";
    Block blk;
    blk.ln0_scale = add(b + "LayerNorm_0/scale", torch::ones({w}));
    blk.ln0_bias = add(b + "LayerNorm_0/bias", torch::zeros({w}));
    blk.attn = add_attention(b + "MultiHeadDotProductAttention_0/");
    blk.ln1_scale = add(b + "LayerNorm_1/scale", torch::ones({w}));
    blk.ln1_bias = add(b + "LayerNorm_1/bias", torch::zeros({w}));
    blk.mlp = add_mlp(b + "MlpBlock_0/", config_.mlp_dim);
    blocks_.push_back(std::move(blk));
  }
  norm_scale_ = add(std::string(config_.encoder_prefix()) + "encoder_norm/scale", torch::ones({w}));
  norm_bias_ = add(std::string(config_.encoder_prefix()) + "encoder_norm/bias", torch::zeros({w}));
  if (config_.pool_type == "map") {
    probe_ = add("MAPHead_0/probe", xavier_uniform({1, 1, w}, 1, w));
    map_attn_ = add_attention("MAPHead_0/MultiHeadDotProductAttention_0/");
    map_ln_scale_ = add("MAPHead_0/LayerNorm_0/scale", torch::ones({w}));
    map_ln_bias_ = add("MAPHead_0/LayerNorm_0/bias", torch::zeros({w}));
    map_mlp_ = add_mlp("MAPHead_0/MlpBlock_0/", config_.mlp_dim);
  }
  int64_t features = w;
  if (config_.rep_size > 0) {
    pre_logits_kernel_ = add("pre_logits/kernel", lecun_normal({w, config_.rep_size}, w));
    pre_logits_bias_ = add("pre_logits/bias", torch::zeros({config_.rep_size}));
    features = config_.rep_size;
  }
  if (config_.out_dim > 0) {
    head_kernel_ = add("head/kernel", lecun_normal({features, config_.out_dim}, features));
    head_bias_ = add("head/bias", torch::zeros({config_.out_dim}));
  }
}

torch::Tensor ViTImpl::param(const std::string& name) const {
  const auto it = by_name_.find(name);
  CLIPPO_CHECK(it != by_name_.end(), kNotFound, "the model has no parameter '" + name + "'");
  return it->second;
}

torch::Tensor ViTImpl::layer_norm(const torch::Tensor& x, const torch::Tensor& scale, const torch::Tensor& bias) const {
  return torch::layer_norm(x, {x.size(-1)}, scale, bias, kLayerNormEps);
}

torch::Tensor ViTImpl::run_attention(const Attention& a, const torch::Tensor& x_q, const torch::Tensor& x_kv) const {
  const int64_t n = x_q.size(0), lq = x_q.size(1), lk = x_kv.size(1);
  const int64_t h = config_.num_heads, d = config_.head_dim(), w = config_.width;
  auto project = [&](const torch::Tensor& x, const torch::Tensor& kernel, const torch::Tensor& bias, int64_t len) {
    // (N, L, w) @ (w, h*d) -> (N, L, h, d) -> (N, h, L, d)
    return torch::addmm(bias.reshape({h * d}), x.reshape({n * len, w}), kernel.reshape({w, h * d}))
        .view({n, len, h, d})
        .transpose(1, 2);
  };
  auto q = project(x_q, a.q_kernel, a.q_bias, lq);
  auto k = project(x_kv, a.k_kernel, a.k_bias, lk);
  auto v = project(x_kv, a.v_kernel, a.v_bias, lk);
  return attention_output(a, attention(q, k, v), n, lq);
}

torch::Tensor ViTImpl::attention_output(const Attention& a, const torch::Tensor& o, int64_t n, int64_t lq) const {
  const int64_t h = config_.num_heads, d = config_.head_dim(), w = config_.width;
  // (N, h, Lq, d) -> (N * Lq, h * d) @ (h * d, w)
  return torch::addmm(a.out_bias, o.transpose(1, 2).reshape({n * lq, h * d}), a.out_kernel.reshape({h * d, w}))
      .view({n, lq, w});
}

torch::Tensor ViTImpl::run_self_attention(const Block& b, const torch::Tensor& x) const {
  if (!b.qkv_kernel.defined()) return run_attention(b.attn, x, x);
  const int64_t n = x.size(0), l = x.size(1), h = config_.num_heads, d = config_.head_dim();
  // One GEMM for q, k and v; the views feed attention without copies.
  auto qkv = torch::addmm(b.qkv_bias, x.reshape({n * l, config_.width}), b.qkv_kernel).view({n, l, 3, h, d});
  auto q = qkv.select(2, 0).transpose(1, 2), k = qkv.select(2, 1).transpose(1, 2), v = qkv.select(2, 2).transpose(1, 2);
  return attention_output(b.attn, attention(q, k, v), n, l);
}

void ViTImpl::fuse_qkv() {
  torch::NoGradGuard no_grad;
  const int64_t w = config_.width, hd = config_.num_heads * config_.head_dim();
  for (Block& b : blocks_) {
    b.qkv_kernel = torch::cat({b.attn.q_kernel.reshape({w, hd}), b.attn.k_kernel.reshape({w, hd}),
                               b.attn.v_kernel.reshape({w, hd})}, 1).contiguous();
    b.qkv_bias = torch::cat({b.attn.q_bias.reshape({hd}), b.attn.k_bias.reshape({hd}), b.attn.v_bias.reshape({hd})});
  }
}

void ViTImpl::train(bool on) {
  torch::nn::Module::train(on);
  if (on) {
    for (Block& b : blocks_) b.qkv_kernel = b.qkv_bias = torch::Tensor();
  }
}

torch::Tensor ViTImpl::run_mlp(const Mlp& m, const torch::Tensor& x) const {
  const auto shape = x.sizes().vec();
  const auto x2 = x.reshape({-1, shape.back()});
  torch::Tensor y;
  // The fused op has no derivative: training (grad mode on) takes the two-op path.
  if (x.is_cuda() && !c10::GradMode::is_enabled()) {
    // cuBLASLt's bias + GELU epilogue; its GELU is the tanh approximation, as flax's nn.gelu.
    y = at::_addmm_activation(m.bias0, x2, m.kernel0, 1, 1, /*use_gelu=*/true);
  } else {
    y = torch::gelu(torch::addmm(m.bias0, x2, m.kernel0), "tanh");  // flax nn.gelu: approximate=True
  }
  auto out_shape = shape;
  out_shape.back() = m.kernel1.size(1);
  return torch::addmm(m.bias1, y, m.kernel1).view(out_shape);
}

torch::Tensor ViTImpl::forward(const torch::Tensor& images) {
  CLIPPO_CHECK(!config_.reads_tokens(), kInvalidArgument, "a token tower reads tokens, not images");
  CLIPPO_CHECK(images.dim() == 4 && images.size(1) == config_.image_size && images.size(2) == config_.image_size &&
                   images.size(3) == 3,
               kInvalidArgument,
               "ViT expects (N, " + std::to_string(config_.image_size) + ", " + std::to_string(config_.image_size) +
                   ", 3) images");
  const int64_t n = images.size(0), g = config_.grid(), p = config_.patch_size, w = config_.width;
  // Non-overlapping p x p patches, flattened in the conv kernel's (kh, kw, cin) order.
  auto patches = images.view({n, g, p, g, p, 3}).permute({0, 1, 3, 2, 4, 5}).reshape({n * g * g, p * p * 3});
  auto x = torch::addmm(embedding_bias_, patches, embedding_kernel_.reshape({p * p * 3, w})).view({n, g * g, w});
  x = x + pos_embedding_.to(x.scalar_type());
  return encode(std::move(x));
}

torch::Tensor ViTImpl::forward_embedded(const torch::Tensor& tokens) {
  CLIPPO_CHECK(config_.reads_tokens(), kInvalidArgument, "an image tower reads images, not embedded tokens");
  CLIPPO_CHECK(tokens.dim() == 3 && tokens.size(1) == config_.seq_len && tokens.size(2) == config_.width,
               kInvalidArgument,
               "the token tower expects (N, " + std::to_string(config_.seq_len) + ", " +
                   std::to_string(config_.width) + ") embedded tokens");
  return encode(tokens + pos_embedding_.to(tokens.scalar_type()));
}

torch::Tensor ViTImpl::encode(torch::Tensor x) {
  CLIPPO_CHECK(x.dim() == 3 && x.size(2) == config_.width, kInvalidArgument,
               "the transformer expects (N, L, " + std::to_string(config_.width) + ") sequences");
  const int64_t n = x.size(0), w = config_.width;
  if (config_.pool_type == "tok") x = torch::cat({cls_.expand({n, 1, w}), x}, 1);
  for (const Block& b : blocks_) {
    x = x + run_self_attention(b, layer_norm(x, b.ln0_scale, b.ln0_bias));
    x = x + run_mlp(b.mlp, layer_norm(x, b.ln1_scale, b.ln1_bias));
  }
  x = layer_norm(x, norm_scale_, norm_bias_);
  if (config_.pool_type == "map") {
    auto pooled = run_attention(map_attn_, probe_.expand({n, 1, w}), x);
    pooled = pooled + run_mlp(map_mlp_, layer_norm(pooled, map_ln_scale_, map_ln_bias_));
    x = pooled.select(1, 0);
  } else if (config_.pool_type == "gap") {
    x = x.mean(1);
  } else if (config_.pool_type == "last") {
    x = x.select(1, x.size(1) - 1);
  } else {  // "tok" and "0": the first token
    x = x.select(1, 0);
  }
  if (config_.rep_size > 0) x = torch::tanh(torch::addmm(pre_logits_bias_, x, pre_logits_kernel_));
  if (config_.out_dim > 0) x = torch::addmm(head_bias_, x, head_kernel_);
  return x;
}

}  // namespace clippo::model

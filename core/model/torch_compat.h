// The few places LibTorch 1.13 (Debian) and 2.x (the GPU machine) differ.
#pragma once

#include <cmath>

#include <torch/torch.h>
#include <torch/version.h>
#include <ATen/autocast_mode.h>

namespace clippo::model {

// Softmax attention over (N, H, Lq, D) queries and (N, H, Lk, D) keys/values, scale 1/sqrt(D)
// as flax's dot_product_attention. Fused (flash / memory-efficient) kernels from LibTorch 2.0.
inline torch::Tensor attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
#if TORCH_VERSION_MAJOR >= 2
  return at::scaled_dot_product_attention(q, k, v);
#else
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  auto scores = torch::matmul(q * scale, k.transpose(-2, -1));
  auto weights = torch::softmax(scores.to(torch::kFloat32), -1).to(q.scalar_type());
  return torch::matmul(weights, v);
#endif
}

inline constexpr bool kHasFusedAttention = TORCH_VERSION_MAJOR >= 2;

}  // namespace clippo::model

namespace clippo::model {

// Autocast for CUDA in bfloat16 (training's "precision": "bfloat16") while alive. The API moved in
// LibTorch 2.4 from set_enabled/set_autocast_gpu_dtype to per-device-type functions.
class CudaBf16Autocast {
 public:
  explicit CudaBf16Autocast(bool enabled) : enabled_(enabled) {
    if (!enabled_) return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
    at::autocast::set_autocast_enabled(at::kCUDA, true);
#else
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    at::autocast::set_enabled(true);
#endif
  }
  ~CudaBf16Autocast() {
    if (!enabled_) return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    at::autocast::set_autocast_enabled(at::kCUDA, false);
#else
    at::autocast::set_enabled(false);
#endif
    at::autocast::clear_cache();
  }
  CudaBf16Autocast(const CudaBf16Autocast&) = delete;
  CudaBf16Autocast& operator=(const CudaBf16Autocast&) = delete;

 private:
  bool enabled_;
};

}  // namespace clippo::model

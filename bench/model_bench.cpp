// CLIPPO ViT throughput and latency, with the FLOPs behind them.
//
//   build/bench/bench_model [--device cpu|cuda] [--precision fp32|bf16|fp16]
//                           [--variants Ti/16,S/16,B/16] [--batches 1,32] [--seconds 3]
//
// For each variant and batch: images/s of the model forward on device-resident inputs (what
// timm's numbers measure), achieved TFLOP/s, and on CPU also the single text query latency
// p50/p99 (render + encode through the engine, as a search request does).
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "api/engine/encoder.h"
#include "bench/bench_captions.h"
#include "core/model/clippo_model.h"
#include "core/model/embedder.h"
#include "core/model/model_tools.h"

namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(item);
  return out;
}

// Forward FLOPs per image (2 per multiply-add): patch embedding, per block the QKV/output
// projections, attention scores and weighted sum, MLP; the MAP head and the output head.
double forward_flops(const clippo::model::ViTConfig& c) {
  const double w = c.width, m = c.mlp_dim, l = c.n_patches() + (c.pool_type == "tok" ? 1 : 0);
  const double p = c.patch_size;
  double f = 2 * l * (p * p * 3) * w;
  f += c.depth * (2 * l * 4 * w * w + 2 * 2 * l * l * w + 2 * l * 2 * w * m);
  if (c.pool_type == "map") f += 2 * (3 * w * w) + 2 * l * w * 2 + 2 * l * w * 2 + 2 * 2 * w * m;
  if (c.out_dim > 0) f += 2 * w * c.out_dim;
  return f;
}

void sync(const torch::Device& d) {
  if (d.is_cuda()) torch::cuda::synchronize();
}

}  // namespace

int main(int argc, char** argv) {
  std::string device = "cpu", precision = "fp32", variants = "Ti/16,S/16,B/16", batches = "1,32";
  double seconds = 3.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--device") device = v;
    else if (k == "--precision") precision = v;
    else if (k == "--variants") variants = v;
    else if (k == "--batches") batches = v;
    else if (k == "--seconds") seconds = std::stod(v);
  }
  const torch::Device dev(device);
  const auto dtype = precision == "bf16" ? torch::kBFloat16 : precision == "fp16" ? torch::kFloat16 : torch::kFloat32;
  std::printf("bench_model: LibTorch %s, device %s, %s, %d intra-op threads\n", clippo::model::torch_version().c_str(),
              device.c_str(), precision.c_str(), torch::get_num_threads());
  std::printf("%-8s %6s %12s %12s %10s %12s %12s\n", "variant", "batch", "images/s", "ms/batch", "TFLOP/s",
              "text p50 ms", "text p99 ms");
  for (const std::string& variant : split(variants)) {
    clippo::model::ViTConfig c = clippo::model::vit_variant(variant);
    torch::manual_seed(0);
    clippo::model::ClippoModel model(c);
    if (!dev.is_cuda()) {
      // The Embedder sets the process's allocator policy for CPU inference; measure with it.
      const auto probe = (std::filesystem::temp_directory_path() / "bench_model_probe.npz").string();
      clippo::model::ViTConfig tiny = clippo::model::vit_variant("mu/16");
      tiny.depth = 1;
      clippo::model::init_model_file(probe, tiny, nullptr, 0);
      clippo::model::Embedder{probe};
      std::filesystem::remove(probe);
    }
    model->eval();
    model->to(dev, dtype);
    model->vit->fuse_qkv();  // as the Embedder serves it
    const double flops = forward_flops(c);

    // Text latency (CPU only): one query through the engine's renderer + Embedder.
    std::string p50 = "-", p99 = "-";
    if (!dev.is_cuda()) {
      const auto path = (std::filesystem::temp_directory_path() / ("bench_model_" + std::to_string(c.width) + ".npz")).string();
      clippo::model::init_model_file(path, c, nullptr, 0);
      const clippo::engine::Encoder encoder(path);
      const auto& captions = clippo::bench::mixed_script_captions();
      std::vector<double> ms;
      for (size_t i = 0; i < 3; ++i) encoder.encode_texts({captions[i]});
      const auto until = Clock::now() + std::chrono::duration<double>(seconds);
      for (size_t i = 0; Clock::now() < until || ms.size() < 20; ++i) {
        const auto t0 = Clock::now();
        encoder.encode_texts({captions[i % captions.size()]});
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
      std::sort(ms.begin(), ms.end());
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.2f", ms[ms.size() / 2]);
      p50 = buf;
      std::snprintf(buf, sizeof(buf), "%.2f", ms[std::min(ms.size() - 1, ms.size() * 99 / 100)]);
      p99 = buf;
      std::filesystem::remove(path);
    }

    for (const std::string& b : split(batches)) {
      const int64_t n = std::stoll(b);
      c10::InferenceMode guard;
      auto x = (torch::rand({n, c.image_size, c.image_size, 3}, torch::TensorOptions().device(dev)) * 2 - 1).to(dtype);
      for (int i = 0; i < 3; ++i) model->embed(x);  // warm-up: kernels, allocator, autotuning
      sync(dev);
      int iters = 0;
      const auto t0 = Clock::now();
      double elapsed = 0;
      while (elapsed < seconds || iters < 3) {
        model->embed(x);
        ++iters;
        if (iters % 4 == 0 || !dev.is_cuda()) {
          sync(dev);
          elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
        }
      }
      sync(dev);
      elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
      const double ips = static_cast<double>(iters * n) / elapsed;
      std::printf("%-8s %6lld %12.1f %12.2f %10.2f %12s %12s\n", variant.c_str(), static_cast<long long>(n), ips,
                  1000.0 * elapsed / iters, ips * flops / 1e12, p50.c_str(), p99.c_str());
      std::fflush(stdout);
    }
  }
  return 0;
}

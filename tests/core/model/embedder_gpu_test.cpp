// The CUDA path (label gpu; skipped without a GPU): fp32 on the GPU matches the CPU, bf16 is
// close, and the fused inference kernels (QKV GEMM, bias+GELU epilogue) change nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "core/model/embedder.h"
#include "core/model/embedding_agreement.h"
#include "core/model/model_tools.h"

namespace clippo::model {
namespace {

double min_cosine(const std::vector<float>& a, const std::vector<float>& b, int d) {
  return compare_embeddings(a.data(), b.data(), a.size() / static_cast<size_t>(d), static_cast<size_t>(d)).min_cosine;
}

TEST(EmbedderGpuTest, CudaMatchesCpu) {
  if (!cuda_available()) GTEST_SKIP() << "no CUDA GPU visible to LibTorch " << torch_version();
  const auto path = (std::filesystem::temp_directory_path() / "clippo_gpu_test.npz").string();
  ViTConfig c = vit_variant("S/16");
  c.depth = 4;
  init_model_file(path, c, nullptr, 11);
  std::mt19937 rng(3);
  std::vector<ImageU8> images(9, ImageU8(224, 224, 3));
  for (auto& img : images) {
    for (auto& p : img.pixels) p = static_cast<uint8_t>(rng());
  }
  const std::vector<float> cpu = Embedder(path).embed(images);
  EmbedderOptions gpu32{"cuda", "fp32", 4, 0};
  EmbedderOptions gpu16{"cuda", "bf16", 4, 0};
  const Embedder e32(path, gpu32), e16(path, gpu16);
  EXPECT_EQ(e16.precision(), "bf16");
  EXPECT_GE(min_cosine(cpu, e32.embed(images), e32.dim()), 0.9999);
  EXPECT_GE(min_cosine(cpu, e16.embed(images), e16.dim()), 0.99);
}

}  // namespace
}  // namespace clippo::model

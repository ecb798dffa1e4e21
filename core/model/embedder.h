// The model behind a plain interface: uint8 images in, L2-normalised embeddings out. No
// LibTorch type crosses this header, so the engine, the index and the CLI never see torch.
//
// Thread-safe: embed() may be called from several threads at once (inference only, no
// autograd). CPU by default; CUDA when LibTorch has it and the device asks for it, in bf16 or
// fp16 there.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/base/image.h"
#include "core/model/model_file.h"
#include "core/model/vit_config.h"

namespace clippo::model {

struct EmbedderOptions {
  std::string device = "cpu";       // "cpu", "cuda", "cuda:N", or "auto" (CUDA when available)
  std::string precision = "auto";   // "fp32", "bf16", "fp16"; auto: fp32 on CPU, bf16 on CUDA
  int max_batch = 32;               // images per forward pass
  int image_size = 0;               // 0: from the model; needed for sincos2d big_vision checkpoints
};

class Embedder {
 public:
  // Loads and validates the model file; throws NotFound / InvalidArgument naming the problem.
  explicit Embedder(const std::string& model_path, const EmbedderOptions& options = {});
  ~Embedder();
  Embedder(const Embedder&) = delete;
  Embedder& operator=(const Embedder&) = delete;

  // images: each image_size() x image_size() x 3 uint8, before value_range (applied here).
  // Returns images.size() x dim() floats, row-major, each row L2-normalised.
  std::vector<float> embed(const std::vector<const ImageU8*>& images) const;
  std::vector<float> embed(const std::vector<ImageU8>& images) const;

  // Token baselines (1t-clip, clip*; see model_file.h): each row exactly text_input().seq_len
  // ids in [0, vocab_size) (the SentencePiece tokenizer inside the model file makes them;
  // api/engine/encoder.h tokenize()). Returns rows x dim().
  // Throws FailedPrecondition for a CLIPPO model, whose text is rendered pixels.
  std::vector<float> embed_tokens(const std::vector<std::vector<int32_t>>& ids) const;
  bool reads_tokens() const;
  const TextInput& text_input() const;  // kind, sizes and the tokenizer's bytes

  int dim() const;
  int image_size() const;
  const ViTConfig& config() const;
  const nlohmann::json& meta() const;  // clippo_meta, or null for big_vision checkpoints
  const std::string& content_hash() const;
  const std::string& path() const;
  std::string device() const;
  std::string precision() const;
  float temperature() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True when LibTorch was built with CUDA and sees a GPU.
bool cuda_available();
// "1.13.1", "2.11.0": the LibTorch this binary was built against.
std::string torch_version();
// True when that LibTorch is a CUDA build (whether or not a GPU is present now).
bool torch_built_with_cuda();

}  // namespace clippo::model

// The threaded input pipeline: turns the recipe's streams into ready model inputs ahead of the
// training step. A producer thread takes each global batch's examples in a fixed order (image/
// alt-text pairs first, then text/text pairs, at the recipe's fraction), keeps this process's
// slice, and decodes, augments and renders it on a pool of worker threads; ready batches wait in
// a short queue so the model never waits on input while the pipeline keeps up.
//
// Every process reads the same example sequence and prepares only its own slice of each global
// batch, so the global batch, and with it the whole run, does not depend on the number of
// processes. Batch `s` is a function of the recipe and `s` alone (augmentation draws from a
// generator seeded by (seed, step, position)), which is what makes resuming exact.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <torch/torch.h>

#include "core/train/train_recipe.h"
#include "render/text_renderer.h"
#include "tokenizer_baselines/sentencepiece_tokenizer.h"

namespace clippo::train {

// Text comes rendered, (m, H, W, 3) uint8 pixels (CLIPPO), or as token ids, (m, seq_len) int64
// (the token baselines). Pixels become the model's [-1, 1] input on the training device
// (pixels_to_model_input). The contrastive pairs are rows of [images; text_a] against texts.
struct TrainBatch {
  int64_t step = 0;
  torch::Tensor images;      // (n_image_text, H, W, 3) uint8
  torch::Tensor text_a;      // the text pairs' first sides (n - n_image_text rows)
  torch::Tensor texts;       // the images' captions, then the text pairs' second sides (n rows)
  torch::Tensor mask;        // (n,) bool: false where an image could not be decoded
  int64_t n_image_text = 0;  // rows [0, n_image_text) are image/text, the rest text/text
};

struct PipelineCounts {
  size_t n_examples = 0;         // examples prepared by this process
  size_t n_decode_failures = 0;  // images that could not be read (masked out of the loss)
  size_t n_skipped_records = 0;  // corrupt records the readers skipped
};

// How a global batch splits: image/text rows first, then text pairs.
struct BatchComposition {
  int64_t image_text = 0, text_pairs = 0;
};
BatchComposition batch_composition(const TrainRecipe& recipe);

// uint8 pixels (any shape) -> float32 in [-1, 1] on `device`, bit for bit what value_range
// (core/base/image.h) gives on the CPU: a 256-entry table looked up where the pixels are.
torch::Tensor pixels_to_model_input(const torch::Tensor& pixels, const torch::Device& device);

// A token model's ids for `text` into row `row` of `ids`, an (n, seq_len) int64 tensor
// (SentencePieceTokenizer::encode_padded): what the pipeline feeds and the evaluation embeds.
void write_token_ids(const tokenizer_baselines::SentencePieceTokenizer& tokenizer, const std::string& text,
                     torch::Tensor& ids, int64_t row);

class BatchPipeline {
 public:
  // Starts the producer at `start_step` (skipping the examples of earlier steps). Text is
  // tokenised to recipe.model.seq_len ids when `tokenizer` is given, rendered otherwise.
  BatchPipeline(const TrainRecipe& recipe, const render::TextRenderer& renderer,
                const tokenizer_baselines::SentencePieceTokenizer* tokenizer, int rank, int world_size,
                int64_t start_step);
  ~BatchPipeline();
  BatchPipeline(const BatchPipeline&) = delete;
  BatchPipeline& operator=(const BatchPipeline&) = delete;

  // The next batch, waiting for it; rethrows a producer failure (e.g. a source that ran dry).
  TrainBatch next();
  PipelineCounts counts() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace clippo::train

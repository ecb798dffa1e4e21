// Runs the Crossmodal-3600 retrieval protocol (retrieval_metrics.h) on a dataset: embeds its
// images and each language's captions through functions, then scores them. The model is reached
// only through those functions, so the trainer (its live model) and `clippo eval` (a model file)
// share this code and evaluation/ never sees LibTorch.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "core/base/image.h"
#include "datasets/retrieval_dataset.h"
#include "evaluation/retrieval_metrics.h"
#include "render/image_preprocessor.h"
#include "render/text_renderer.h"

namespace clippo::evaluation {

// n images (image_size x image_size x 3, before value_range) -> n x dim floats, L2-normalised.
using EmbedPixelsFn = std::function<std::vector<float>(const std::vector<const ImageU8*>&)>;
// n texts -> n x dim floats, L2-normalised: rendered and embedded (CLIPPO), or tokenised (baselines).
using EmbedTextsFn = std::function<std::vector<float>(const std::vector<std::string>&)>;

// CLIPPO's text side: render each text, embed the pixels.
EmbedTextsFn render_then_embed(const render::TextRenderer& renderer, EmbedPixelsFn embed);

struct RetrievalEvalOptions {
  size_t max_images = 0;   // the first max_images images (and their captions); 0: all
  size_t batch_size = 64;  // images per embedding call
  render::ImagePreprocessSpec image_spec;
  // Called with (items embedded, items in total) as images and captions are embedded.
  std::function<void(size_t, size_t)> on_progress;
};

// Throws InvalidArgument when the dataset has no images or no captions; an image that cannot be
// decoded is an error naming it (datasets/ already lists files that are missing).
ModelRetrieval evaluate_retrieval(const datasets::RetrievalDataset& data, const EmbedPixelsFn& embed_images,
                                  const EmbedTextsFn& embed_texts, const RetrievalEvalOptions& options = {});

}  // namespace clippo::evaluation

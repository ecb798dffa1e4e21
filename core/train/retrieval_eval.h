// Image<->text retrieval evaluation as the Crossmodal-3600 protocol runs it, per language:
//  - text->image: every caption of the language ranks every image; a hit when its own image is in
//    the top k;
//  - image->text: every image with at least one caption in the language ranks that language's
//    captions; a hit when any of its own captions is in the top k. Images without a caption in a
//    language are left out of that language's image->text (so sparse datasets work).
// The mean is over languages. Torch-free: the model is reached through an embedding function, so
// the trainer (its live model) and `clippo eval` (a model file) share this code.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>


#include "core/base/image.h"
#include "datasets/retrieval_dataset.h"
#include "render/image_preprocessor.h"
#include "render/text_renderer.h"
#include "tokenizer_baselines/retrieval_report.h"

namespace clippo::train {

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
tokenizer_baselines::ModelRetrieval evaluate_retrieval(const datasets::RetrievalDataset& data,
                                                       const EmbedPixelsFn& embed_images,
                                                       const EmbedTextsFn& embed_texts,
                                                       const RetrievalEvalOptions& options = {});

// Sets model.mean_i2t / mean_t2i to the unweighted mean of its per-language figures.
void average_over_languages(tokenizer_baselines::ModelRetrieval& model);

// The recall figures from precomputed embeddings (unit vectors, row-major): the protocol above
// for one language. `caption_image[c]` is caption c's image index in [0, n_images).
tokenizer_baselines::LanguageRetrieval score_language(const std::vector<float>& image_embeddings,
                                                      const std::vector<float>& caption_embeddings,
                                                      const std::vector<size_t>& caption_image, size_t dim);

}  // namespace clippo::train

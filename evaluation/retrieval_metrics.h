// Recall figures of image<->text retrieval as the Crossmodal-3600 protocol defines them, per
// language, from precomputed embeddings:
//  - text->image: every caption of the language ranks every image; a hit when its own image is in
//    the top k;
//  - image->text: every image with at least one caption in the language ranks that language's
//    captions; a hit when any of its own captions is in the top k. Images without a caption in a
//    language are left out of that language's image->text (so sparse datasets work).
// The mean is over languages. Plain data and arithmetic: the trainer, `clippo eval`, the reports
// and the baselines all share these types.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace clippo::evaluation {

// Recall at k, as fractions in [0, 1].
struct RecallAtK {
  double r1 = 0, r5 = 0, r10 = 0;
};

struct LanguageRetrieval {
  std::string language;  // XM3600 language code ("en", "zh", ...)
  RecallAtK i2t, t2i;
  size_t n_images = 0, n_captions = 0;
};

struct ModelRetrieval {
  std::string model;  // display name ("CLIPPO B/16", "1T-CLIP", ...)
  RecallAtK mean_i2t, mean_t2i;
  std::vector<LanguageRetrieval> per_language;
};

// Text->image recall@{1,5,10} of a random ranking: each caption has one image among n_images.
RecallAtK chance_t2i(size_t n_images);

// The 0-based rank of candidate `truth` among n candidates scored by score(i). A tie counts
// against the truth only when the rival comes first, so ranks never depend on luck and a
// constant model scores as badly as it should.
template <class Score>
size_t rank_of_truth(size_t truth, size_t n, const Score& score) {
  const auto s = score(truth);
  size_t rank = 0;
  for (size_t i = 0; i < n; ++i) {
    const auto v = score(i);
    rank += v > s || (v == s && i < truth);
  }
  return rank;
}

// The share of `ranks` below 1, 5 and 10.
RecallAtK recall_at_k(const std::vector<size_t>& ranks);

// The protocol above for one language, from unit vectors (row-major, `dim` floats each).
// `caption_image[c]` is caption c's image index in [0, n_images).
LanguageRetrieval score_language(const std::vector<float>& image_embeddings,
                                 const std::vector<float>& caption_embeddings,
                                 const std::vector<size_t>& caption_image, size_t dim);

// Sets model.mean_i2t / mean_t2i to the unweighted mean of its per-language figures.
void average_over_languages(ModelRetrieval& model);

}  // namespace clippo::evaluation

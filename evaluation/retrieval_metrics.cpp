#include "evaluation/retrieval_metrics.h"

#include <algorithm>
#include <limits>

#include "core/base/error.h"

namespace clippo::evaluation {
namespace {

float dot(const float* a, const float* b, size_t dim) {
  float s = 0.0f;
  for (size_t i = 0; i < dim; ++i) s += a[i] * b[i];
  return s;
}

}  // namespace

RecallAtK chance_t2i(size_t n_images) {
  if (n_images == 0) return {};
  auto at = [&](double k) { return std::min(1.0, k / static_cast<double>(n_images)); };
  return {at(1), at(5), at(10)};
}

RecallAtK recall_at_k(const std::vector<size_t>& ranks) {
  RecallAtK r;
  if (ranks.empty()) return r;
  for (size_t rank : ranks) {
    r.r1 += rank < 1;
    r.r5 += rank < 5;
    r.r10 += rank < 10;
  }
  const double n = static_cast<double>(ranks.size());
  r.r1 /= n;
  r.r5 /= n;
  r.r10 /= n;
  return r;
}

LanguageRetrieval score_language(const std::vector<float>& images, const std::vector<float>& captions,
                                 const std::vector<size_t>& caption_image, size_t dim) {
  const size_t n_images = images.size() / dim, n_captions = caption_image.size();
  CLIPPO_CHECK(captions.size() == n_captions * dim, kInternal, "caption embeddings do not match the captions");
  // sim[c * n_images + i]: caption c against image i.
  std::vector<float> sim(n_captions * n_images);
  for (size_t c = 0; c < n_captions; ++c) {
    for (size_t i = 0; i < n_images; ++i) sim[c * n_images + i] = dot(&captions[c * dim], &images[i * dim], dim);
  }
  std::vector<size_t> t2i;
  t2i.reserve(n_captions);
  for (size_t c = 0; c < n_captions; ++c) {
    t2i.push_back(rank_of_truth(caption_image[c], n_images, [&](size_t i) { return sim[c * n_images + i]; }));
  }
  // Image->text: each image's best-ranked own caption among all captions.
  std::vector<size_t> best(n_images, std::numeric_limits<size_t>::max());
  for (size_t c = 0; c < n_captions; ++c) {
    const size_t img = caption_image[c];
    const size_t rank = rank_of_truth(c, n_captions, [&](size_t other) { return sim[other * n_images + img]; });
    best[img] = std::min(best[img], rank);
  }
  std::vector<size_t> i2t;
  for (size_t rank : best) {
    if (rank != std::numeric_limits<size_t>::max()) i2t.push_back(rank);
  }
  LanguageRetrieval out;
  out.i2t = recall_at_k(i2t);
  out.t2i = recall_at_k(t2i);
  out.n_images = i2t.size();
  out.n_captions = n_captions;
  return out;
}

void average_over_languages(ModelRetrieval& model) {
  model.mean_i2t = {};
  model.mean_t2i = {};
  const double n = static_cast<double>(model.per_language.size());
  for (const auto& l : model.per_language) {
    for (auto [mean, value] : {std::pair{&model.mean_i2t, &l.i2t}, std::pair{&model.mean_t2i, &l.t2i}}) {
      mean->r1 += value->r1 / n;
      mean->r5 += value->r5 / n;
      mean->r10 += value->r10 / n;
    }
  }
}

}  // namespace clippo::evaluation

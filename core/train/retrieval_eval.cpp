#include "core/train/retrieval_eval.h"

#include <algorithm>
#include <limits>

#include "core/base/error.h"

namespace clippo::train {
namespace {

float dot(const float* a, const float* b, size_t dim) {
  float s = 0.0f;
  for (size_t i = 0; i < dim; ++i) s += a[i] * b[i];
  return s;
}

// Embeds `n` items made on demand by `make(i)` (images or texts), batch by batch, reporting progress.
template <class Make, class EmbedBatch>
std::vector<float> embed_all(size_t n, const Make& make, const EmbedBatch& embed_batch, const RetrievalEvalOptions& o,
                             size_t& done, size_t total) {
  std::vector<float> out;
  const size_t batch = std::max<size_t>(1, o.batch_size);
  for (size_t start = 0; start < n; start += batch) {
    const size_t end = std::min(n, start + batch);
    std::vector<decltype(make(start))> items;
    items.reserve(end - start);
    for (size_t i = start; i < end; ++i) items.push_back(make(i));
    const std::vector<float> z = embed_batch(items);
    out.insert(out.end(), z.begin(), z.end());
    done += end - start;
    if (o.on_progress) o.on_progress(done, total);
  }
  return out;
}

// Pixels to the embedding function's views of them.
std::vector<float> embed_pixels(const EmbedPixelsFn& embed, const std::vector<ImageU8>& pixels) {
  std::vector<const ImageU8*> views;
  views.reserve(pixels.size());
  for (const auto& p : pixels) views.push_back(&p);
  return embed(views);
}

// 1 when rank < k, the share of hits over `ranks`.
tokenizer_baselines::RecallAtK recall(const std::vector<size_t>& ranks) {
  tokenizer_baselines::RecallAtK r;
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

}  // namespace

tokenizer_baselines::LanguageRetrieval score_language(const std::vector<float>& images,
                                                      const std::vector<float>& captions,
                                                      const std::vector<size_t>& caption_image, size_t dim) {
  const size_t n_images = images.size() / dim, n_captions = caption_image.size();
  CLIPPO_CHECK(captions.size() == n_captions * dim, kInternal, "caption embeddings do not match the captions");
  // sim[c * n_images + i]: caption c against image i.
  std::vector<float> sim(n_captions * n_images);
  for (size_t c = 0; c < n_captions; ++c) {
    for (size_t i = 0; i < n_images; ++i) sim[c * n_images + i] = dot(&captions[c * dim], &images[i * dim], dim);
  }
  // A tie counts against the true item only when the rival comes first: ranks never depend on
  // luck and a constant model scores as badly as it should.
  std::vector<size_t> t2i;
  t2i.reserve(n_captions);
  for (size_t c = 0; c < n_captions; ++c) {
    const size_t truth = caption_image[c];
    const float s = sim[c * n_images + truth];
    size_t rank = 0;
    for (size_t i = 0; i < n_images; ++i) {
      const float v = sim[c * n_images + i];
      rank += v > s || (v == s && i < truth);
    }
    t2i.push_back(rank);
  }
  std::vector<size_t> best(n_images, std::numeric_limits<size_t>::max());
  for (size_t c = 0; c < n_captions; ++c) {
    const size_t img = caption_image[c];
    const float s = sim[c * n_images + img];
    size_t rank = 0;
    for (size_t other = 0; other < n_captions; ++other) {
      const float v = sim[other * n_images + img];
      rank += v > s || (v == s && other < c);
    }
    best[img] = std::min(best[img], rank);
  }
  std::vector<size_t> i2t;
  for (size_t rank : best) {
    if (rank != std::numeric_limits<size_t>::max()) i2t.push_back(rank);
  }
  tokenizer_baselines::LanguageRetrieval out;
  out.i2t = recall(i2t);
  out.t2i = recall(t2i);
  out.n_images = i2t.size();
  out.n_captions = n_captions;
  return out;
}

EmbedTextsFn render_then_embed(const render::TextRenderer& renderer, EmbedPixelsFn embed) {
  return [&renderer, embed = std::move(embed)](const std::vector<std::string>& texts) {
    std::vector<ImageU8> pixels;
    pixels.reserve(texts.size());
    for (const auto& t : texts) pixels.push_back(renderer.render(t));
    return embed_pixels(embed, pixels);
  };
}

tokenizer_baselines::ModelRetrieval evaluate_retrieval(const datasets::RetrievalDataset& data,
                                                       const EmbedPixelsFn& embed, const EmbedTextsFn& embed_texts,
                                                       const RetrievalEvalOptions& o) {
  const size_t n_images = o.max_images > 0 ? std::min(o.max_images, data.image_paths.size()) : data.image_paths.size();
  if (n_images == 0) throw Error(ErrorCode::kInvalidArgument, "retrieval evaluation: the dataset has no images");
  size_t total = n_images, done = 0;
  std::map<std::string, std::vector<const datasets::RetrievalDataset::Caption*>> kept;
  for (const auto& [language, captions] : data.captions_by_language) {
    for (const auto& c : captions) {
      if (c.image_index < n_images) kept[language].push_back(&c);
    }
    total += kept[language].size();
  }
  const auto image_at = [&](size_t i) {
    try {
      return render::preprocess_image_file(data.image_paths[i], o.image_spec);
    } catch (const Error& e) {
      throw Error(e.code(), "retrieval evaluation: image '" + data.image_keys[i] + "': " + e.what());
    }
  };
  const auto embed_images = [&](const std::vector<ImageU8>& pixels) { return embed_pixels(embed, pixels); };
  const std::vector<float> image_z = embed_all(n_images, image_at, embed_images, o, done, total);
  const size_t dim = image_z.size() / n_images;
  tokenizer_baselines::ModelRetrieval result;
  for (const auto& [language, captions] : kept) {
    if (captions.empty()) continue;
    const auto text_at = [&](size_t i) { return captions[i]->text; };
    const std::vector<float> text_z = embed_all(captions.size(), text_at, embed_texts, o, done, total);
    std::vector<size_t> caption_image;
    for (const auto* c : captions) caption_image.push_back(c->image_index);
    auto scores = score_language(image_z, text_z, caption_image, dim);
    scores.language = language;
    result.per_language.push_back(scores);
  }
  if (result.per_language.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "retrieval evaluation: the dataset has no captions for its images");
  }
  average_over_languages(result);
  return result;
}

void average_over_languages(tokenizer_baselines::ModelRetrieval& model) {
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

}  // namespace clippo::train

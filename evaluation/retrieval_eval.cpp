#include "evaluation/retrieval_eval.h"

#include <algorithm>
#include <map>

#include "core/base/error.h"

namespace clippo::evaluation {
namespace {

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

}  // namespace

EmbedTextsFn render_then_embed(const render::TextRenderer& renderer, EmbedPixelsFn embed) {
  return [&renderer, embed = std::move(embed)](const std::vector<std::string>& texts) {
    std::vector<ImageU8> pixels;
    pixels.reserve(texts.size());
    for (const auto& t : texts) pixels.push_back(renderer.render(t));
    return embed_pixels(embed, pixels);
  };
}

ModelRetrieval evaluate_retrieval(const datasets::RetrievalDataset& data, const EmbedPixelsFn& embed,
                                  const EmbedTextsFn& embed_texts, const RetrievalEvalOptions& o) {
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
  ModelRetrieval result;
  for (const auto& [language, language_captions] : kept) {
    const auto& captions = language_captions;  // a lambda cannot capture a structured binding in clang 14
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

}  // namespace clippo::evaluation

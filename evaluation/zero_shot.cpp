#include "evaluation/zero_shot.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/base/error.h"

namespace clippo::evaluation {
namespace {

void normalise(float* v, size_t dim) {
  double norm = 0;
  for (size_t i = 0; i < dim; ++i) norm += static_cast<double>(v[i]) * v[i];
  const float inv = norm > 0 ? static_cast<float>(1.0 / std::sqrt(norm)) : 0.0f;
  for (size_t i = 0; i < dim; ++i) v[i] *= inv;
}

std::string fill(const std::string& tmpl, const std::string& label) {
  const size_t at = tmpl.find("{}");
  return tmpl.substr(0, at) + label + tmpl.substr(at + 2);
}

}  // namespace

namespace {

// One template per language. Where a language inflects the noun after "of" (Slavic, Finnish,
// Hungarian, Greek), a colon keeps the label in the form the user typed.
const std::map<std::string, std::vector<std::string>>& language_templates() {
  static const std::map<std::string, std::vector<std::string>> templates = {
      {"ar", {"صورة {}."}},
      {"bn", {"{}-এর একটি ছবি।"}},
      {"cs", {"fotografie: {}."}},
      {"da", {"et foto af {}."}},
      {"de", {"ein Foto von {}."}},
      {"el", {"φωτογραφία: {}."}},
      {"en", {"a photo of a {}."}},
      {"es", {"una foto de {}."}},
      {"fa", {"عکسی از {}."}},
      {"fi", {"valokuva: {}."}},
      {"fr", {"une photo de {}."}},
      {"he", {"תמונה של {}."}},
      {"hi", {"{} की एक तस्वीर।"}},
      {"hu", {"fénykép: {}."}},
      {"id", {"foto {}."}},
      {"it", {"una foto di {}."}},
      {"ja", {"{}の写真。"}},
      {"ko", {"{} 사진."}},
      {"nb", {"et bilde av {}."}},
      {"nl", {"een foto van {}."}},
      {"pl", {"zdjęcie: {}."}},
      {"pt", {"uma foto de {}."}},
      {"ru", {"фотография: {}."}},
      {"sv", {"ett foto av {}."}},
      {"sw", {"picha ya {}."}},
      {"th", {"ภาพถ่ายของ{}"}},
      {"tr", {"bir {} fotoğrafı."}},
      {"uk", {"фотографія: {}."}},
      {"vi", {"một bức ảnh về {}."}},
      {"zh", {"一张{}的照片。"}},
  };
  return templates;
}

}  // namespace

const std::vector<std::string>& templates_for_language(const std::string& language) {
  if (language.empty()) return kDefaultTemplates;
  std::string primary = language.substr(0, language.find_first_of("-_"));
  std::transform(primary.begin(), primary.end(), primary.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (primary == "no" || primary == "nn") primary = "nb";  // Norwegian: one template for both written forms
  const auto& all = language_templates();
  const auto it = all.find(primary);
  if (it != all.end()) return it->second;
  std::string known;
  for (const std::string& lang : template_languages()) known += (known.empty() ? "" : " ") + lang;
  throw Error(ErrorCode::kInvalidArgument, "no built-in template for language '" + language + "' (built in: " +
                                               known + "); give your own template, e.g. '{}'");
}

std::vector<std::string> template_languages() {
  std::vector<std::string> out;
  for (const auto& [lang, templates] : language_templates()) out.push_back(lang);
  return out;
}

ZeroShotClassifier build_zero_shot_classifier(const std::vector<std::string>& labels,
                                              const std::vector<std::string>& templates,
                                              const EmbedTextsFn& embed_texts) {
  CLIPPO_CHECK(!labels.empty(), kInvalidArgument, "zero-shot classification needs at least one label");
  CLIPPO_CHECK(!templates.empty(), kInvalidArgument, "zero-shot classification needs at least one template");
  std::set<std::string> seen;
  for (const std::string& l : labels) {
    CLIPPO_CHECK(!l.empty(), kInvalidArgument, "a label is empty");
    CLIPPO_CHECK(seen.insert(l).second, kInvalidArgument, "the label '" + l + "' is given twice");
  }
  for (const std::string& t : templates) {
    const size_t at = t.find("{}");
    CLIPPO_CHECK(at != std::string::npos && t.find("{}", at + 2) == std::string::npos, kInvalidArgument,
                 "a template holds '{}' exactly once, where the label goes: '" + t + "'");
  }
  std::vector<std::string> texts;
  for (const std::string& l : labels) {
    for (const std::string& t : templates) texts.push_back(fill(t, l));
  }
  const std::vector<float> z = embed_texts(texts);
  ZeroShotClassifier c;
  c.labels = labels;
  c.dim = z.size() / texts.size();
  c.class_embeddings.assign(labels.size() * c.dim, 0.0f);
  for (size_t i = 0; i < labels.size(); ++i) {
    float* row = &c.class_embeddings[i * c.dim];
    for (size_t t = 0; t < templates.size(); ++t) {
      const float* src = &z[(i * templates.size() + t) * c.dim];
      for (size_t d = 0; d < c.dim; ++d) row[d] += src[d];
    }
    normalise(row, c.dim);
  }
  return c;
}

std::vector<LabelScore> classify(const ZeroShotClassifier& c, const float* image, size_t k, float temperature) {
  const size_t n = c.labels.size();
  std::vector<LabelScore> all(n);
  double max_logit = -1e30;
  for (size_t i = 0; i < n; ++i) {
    float s = 0;
    for (size_t d = 0; d < c.dim; ++d) s += image[d] * c.class_embeddings[i * c.dim + d];
    all[i] = {i, s, 0.0f};
    max_logit = std::max(max_logit, static_cast<double>(temperature) * s);
  }
  double sum = 0;
  for (LabelScore& l : all) sum += std::exp(static_cast<double>(temperature) * l.score - max_logit);
  for (LabelScore& l : all) l.probability = static_cast<float>(std::exp(static_cast<double>(temperature) * l.score - max_logit) / sum);
  // Best first; equal scores keep label order, so results never depend on sort internals.
  std::stable_sort(all.begin(), all.end(), [](const LabelScore& a, const LabelScore& b) { return a.score > b.score; });
  all.resize(std::min(k, n));
  return all;
}

ZeroShotResult evaluate_zero_shot(const datasets::ClassFolders& data, const EmbedPixelsFn& embed_images,
                                  const EmbedTextsFn& embed_texts, const ZeroShotEvalOptions& o) {
  const ZeroShotClassifier c = build_zero_shot_classifier(data.class_names, o.templates, embed_texts);
  const size_t n_classes = data.class_names.size();
  std::vector<size_t> seen(n_classes, 0), hit1(n_classes, 0), hit5(n_classes, 0);
  const size_t batch = std::max<size_t>(1, o.batch_size);
  for (size_t start = 0; start < data.images.size(); start += batch) {
    const size_t end = std::min(data.images.size(), start + batch);
    std::vector<ImageU8> pixels;
    for (size_t i = start; i < end; ++i) {
      try {
        pixels.push_back(render::preprocess_image_file(data.images[i].path, o.image_spec));
      } catch (const Error& e) {
        throw Error(e.code(), "zero-shot evaluation: image '" + data.images[i].path + "': " + e.what());
      }
    }
    std::vector<const ImageU8*> views;
    for (const ImageU8& p : pixels) views.push_back(&p);
    const std::vector<float> z = embed_images(views);
    for (size_t i = start; i < end; ++i) {
      const size_t truth = data.images[i].label;
      // Ranks use the tie rule of the retrieval protocol: a tie counts against the truth when
      // the rival comes first.
      const float* img = &z[(i - start) * c.dim];
      const size_t rank = rank_of_truth(truth, n_classes, [&](size_t l) {
        float s = 0;
        for (size_t d = 0; d < c.dim; ++d) s += img[d] * c.class_embeddings[l * c.dim + d];
        return s;
      });
      ++seen[truth];
      hit1[truth] += rank < 1;
      hit5[truth] += rank < 5;
    }
    if (o.on_progress) o.on_progress(end, data.images.size());
  }
  ZeroShotResult r;
  r.n_images = data.images.size();
  r.n_classes = n_classes;
  r.chance_top1 = 1.0 / static_cast<double>(n_classes);
  r.chance_top5 = std::min<double>(5, static_cast<double>(n_classes)) / static_cast<double>(n_classes);
  size_t total1 = 0, total5 = 0;
  for (size_t l = 0; l < n_classes; ++l) {
    ClassAccuracy a;
    a.name = data.class_names[l];
    a.n_images = seen[l];
    a.top1 = seen[l] ? static_cast<double>(hit1[l]) / static_cast<double>(seen[l]) : 0;
    a.top5 = seen[l] ? static_cast<double>(hit5[l]) / static_cast<double>(seen[l]) : 0;
    r.mean_per_class_top1 += a.top1 / static_cast<double>(n_classes);
    total1 += hit1[l];
    total5 += hit5[l];
    r.per_class.push_back(a);
  }
  r.top1 = static_cast<double>(total1) / static_cast<double>(r.n_images);
  r.top5 = static_cast<double>(total5) / static_cast<double>(r.n_images);
  return r;
}

nlohmann::json to_json(const ZeroShotResult& r) {
  nlohmann::json per_class = nlohmann::json::array();
  for (const ClassAccuracy& a : r.per_class) {
    per_class.push_back({{"class", a.name}, {"n_images", a.n_images}, {"top1", a.top1}, {"top5", a.top5}});
  }
  return {{"top1", r.top1},
          {"top5", r.top5},
          {"mean_per_class_top1", r.mean_per_class_top1},
          {"chance_top1", r.chance_top1},
          {"chance_top5", r.chance_top5},
          {"n_images", r.n_images},
          {"n_classes", r.n_classes},
          {"per_class", per_class}};
}

}  // namespace clippo::evaluation

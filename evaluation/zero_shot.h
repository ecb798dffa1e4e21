// Zero-shot classification as CLIP and the CLIPPO paper run it: each class name is put into one
// or more templates ("a photo of a {}."), the texts are embedded (rendered, for CLIPPO), averaged
// per class and renormalised; an image's classes rank by cosine to those class embeddings.
// Probabilities are the softmax of temperature x cosine over the label set. Torch-free: the model
// is reached through embedding functions (retrieval_eval.h).
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "datasets/class_folders.h"
#include "evaluation/retrieval_eval.h"

namespace clippo::evaluation {

inline const std::vector<std::string> kDefaultTemplates = {"a photo of a {}."};

// The built-in template for labels in `language` (a BCP-47 tag; its primary subtag decides:
// "pt-BR" -> "pt"): "a photo of a {}." as that language says it, in a form that needs no
// agreement with the label where the grammar would ("фотография: {}."). English when `language`
// is empty. InvalidArgument naming the languages it knows otherwise: pass your own template then.
const std::vector<std::string>& templates_for_language(const std::string& language);
std::vector<std::string> template_languages();  // sorted

struct ZeroShotClassifier {
  std::vector<std::string> labels;
  std::vector<float> class_embeddings;  // labels.size() x dim, unit rows
  size_t dim = 0;
};

struct LabelScore {
  size_t label;       // index into the classifier's labels
  float score;        // cosine
  float probability;  // softmax over all labels of temperature x cosine
};

// `templates` each hold "{}" once (InvalidArgument otherwise); labels must be distinct and non-empty.
ZeroShotClassifier build_zero_shot_classifier(const std::vector<std::string>& labels,
                                              const std::vector<std::string>& templates,
                                              const EmbedTextsFn& embed_texts);

// The k best labels for one image embedding (dim floats, unit), best first.
std::vector<LabelScore> classify(const ZeroShotClassifier& classifier, const float* image_embedding, size_t k,
                                 float temperature);

struct ClassAccuracy {
  std::string name;
  size_t n_images = 0;
  double top1 = 0, top5 = 0;
};

struct ZeroShotResult {
  double top1 = 0, top5 = 0;       // over images
  double mean_per_class_top1 = 0;  // the mean of the per-class figures
  size_t n_images = 0, n_classes = 0;
  double chance_top1 = 0, chance_top5 = 0;  // 1/classes, min(5, classes)/classes
  std::vector<ClassAccuracy> per_class;
};

struct ZeroShotEvalOptions {
  std::vector<std::string> templates = kDefaultTemplates;
  size_t batch_size = 64;
  render::ImagePreprocessSpec image_spec;
  std::function<void(size_t, size_t)> on_progress;  // (images embedded, images in total)
};

// Every image of the dataset classified among all its classes. An image that cannot be decoded
// is an error naming it.
ZeroShotResult evaluate_zero_shot(const datasets::ClassFolders& data, const EmbedPixelsFn& embed_images,
                                  const EmbedTextsFn& embed_texts, const ZeroShotEvalOptions& options = {});

nlohmann::json to_json(const ZeroShotResult& result);

}  // namespace clippo::evaluation

// `clippo classify`: zero-shot classification of image files among labels in any language, as
// POST /v1/classify answers it (both build on evaluation/zero_shot.h).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

#include "api/cli/commands.h"
#include "api/cli/model_arg.h"
#include "api/engine/encoder.h"
#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/strings.h"
#include "evaluation/zero_shot.h"

namespace clippo::cli {
namespace {

struct ClassifyOptions {
  std::string model = "default", labels, lang, device = "cpu";
  std::vector<std::string> templates, images;
  int k = 5;
  bool json = false;
};

int run_classify(const ClassifyOptions& o) {
  std::vector<std::string> labels;
  for (const std::string& l : split_fields(o.labels, ',')) {
    if (!trim(l).empty()) labels.emplace_back(trim(l));
  }
  CLIPPO_CHECK(o.k >= 1, kInvalidArgument, "k must be at least 1");
  engine::EncoderOptions eo;
  eo.embedder.device = o.device;
  const engine::Encoder encoder(resolve_model_arg(o.model), eo);
  const evaluation::ZeroShotClassifier classifier = evaluation::build_zero_shot_classifier(
      labels, o.templates.empty() ? evaluation::templates_for_language(o.lang) : o.templates,
      [&](const std::vector<std::string>& texts) { return encoder.encode_texts(texts); });
  const float temperature = encoder.embedder().temperature();
  nlohmann::json out = nlohmann::json::array();
  int failed = 0;
  for (const std::string& path : o.images) {
    std::vector<float> z;
    try {
      z = encoder.encode_images({read_file(path, size_t{64} << 20)});
    } catch (const Error& e) {
      std::cerr << "warning: skipping " << path << ": " << e.what() << "\n";
      ++failed;
      continue;
    }
    const auto best = evaluation::classify(classifier, z.data(), static_cast<size_t>(o.k), temperature);
    nlohmann::json labels_json = nlohmann::json::array();
    for (const evaluation::LabelScore& s : best) {
      labels_json.push_back({{"label", classifier.labels[s.label]}, {"score", s.score}, {"probability", s.probability}});
      if (!o.json) {
        std::printf("%s\t%s\t%.4f\t%.4f\n", path.c_str(), classifier.labels[s.label].c_str(),
                    static_cast<double>(s.score), static_cast<double>(s.probability));
      }
    }
    out.push_back({{"image", path}, {"labels", labels_json}});
  }
  if (o.json) std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return failed == 0 ? 0 : 1;
}

}  // namespace

CommandAction add_classify_command(CLI::App& app) {
  auto o = std::make_shared<ClassifyOptions>();
  CLI::App* cmd = app.add_subcommand("classify", "Zero-shot classification of images among labels in any language");
  cmd->add_option("images", o->images, "Image files")->required();
  cmd->add_option("--labels", o->labels, "Comma-separated labels, e.g. \"cat,dog,bird\"")->required();
  cmd->add_option("--template", o->templates, "Text around each label, {} where it goes (repeatable; averaged)");
  cmd->add_option("--lang", o->lang, "The labels' language (BCP-47): its built-in template instead of English");
  cmd->add_option("--model", o->model, "Model: a .npz, a known name, a URL, or default (the shipped model)");
  cmd->add_option("-k", o->k, "Labels per image")->check(CLI::Range(1, 1000));
  cmd->add_option("--device", o->device, "cpu, cuda or auto");
  cmd->add_flag("--json", o->json, "Print [{\"image\", \"labels\": [{\"label\", \"score\", \"probability\"}]}]");
  cmd->footer(
      "Prints image, label, cosine and probability (softmax over the labels at the model's temperature),\n"
      "best first. Templates in the labels' language help: --lang fr uses 'une photo de {}.', or give\n"
      "your own with --template.\n"
      "Examples:\n"
      "  clippo classify --labels \"cat,dog,car\" photo.jpg\n"
      "  clippo classify --model clippo_b16_yfcc100m --labels \"Katze,Hund\" --lang de *.jpg\n"
      "  clippo classify --labels \"قطة,كلب\" --template \"{}\" photo.jpg");
  return [cmd, o]() -> int {
    if (!cmd->parsed()) return -1;
    return run_classify(*o);
  };
}

}  // namespace clippo::cli

// `clippo eval retrieval`: image->text and text->image recall@1/5/10 per language, on any dataset
// in the Crossmodal-3600 layout or a Karpathy JSON, with the protocol of evaluation/retrieval_eval.h.
// `clippo eval pairs`: text->text recall on translation pairs. `clippo eval zeroshot`: zero-shot
// top-1/top-5 on a folder-per-class dataset (evaluation/zero_shot.h).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>
#include <iostream>
#include <memory>

#include "api/cli/commands.h"
#include "api/cli/model_arg.h"
#include "api/cli/retrieval_run.h"
#include "api/engine/encoder.h"
#include "core/base/error.h"
#include "datasets/source_spec.h"
#include "datasets/class_folders.h"
#include "evaluation/retrieval_eval.h"
#include "evaluation/zero_shot.h"
#include "api/cli/progress_bar.h"

namespace clippo::cli {
namespace {

struct EvalRetrievalOptions {
  std::string model, data, format = "xm3600", split, image_root, device = "cpu", precision = "auto";
  std::vector<std::string> languages;
  size_t max_images = 0;
  int batch = 64;
  bool json = false;
};

int run_eval_retrieval(const EvalRetrievalOptions& o) {
  datasets::SourceSpec spec;
  spec.format = o.format;
  spec.paths = {o.data};
  spec.split = o.split;
  spec.languages = o.languages;
  spec.image_root = o.image_root;
  const datasets::RetrievalDataset data = load_retrieval_dataset_with_warnings(spec);
  RetrievalRunOptions run;
  run.device = o.device;
  run.precision = o.precision;
  run.max_images = o.max_images;
  run.batch = o.batch;
  const auto result = evaluate_model_file(resolve_model_arg(o.model), data, run);
  if (o.json) {
    std::cout << evaluation::retrieval_to_json(result).dump() << "\n";
    return 0;
  }
  std::printf("%-10s %8s %8s %8s %8s %8s %8s %8s %8s\n", "language", "images", "captions", "i2t@1", "i2t@5", "i2t@10",
              "t2i@1", "t2i@5", "t2i@10");
  for (const auto& l : result.per_language) {
    std::printf("%-10s %8zu %8zu %8.4f %8.4f %8.4f %8.4f %8.4f %8.4f\n", l.language.c_str(), l.n_images, l.n_captions,
                l.i2t.r1, l.i2t.r5, l.i2t.r10, l.t2i.r1, l.t2i.r5, l.t2i.r10);
  }
  std::printf("%-10s %8s %8s %8.4f %8.4f %8.4f %8.4f %8.4f %8.4f\n", "mean", "", "", result.mean_i2t.r1,
              result.mean_i2t.r5, result.mean_i2t.r10, result.mean_t2i.r1, result.mean_t2i.r5, result.mean_t2i.r10);
  return 0;
}


struct EvalPairsOptions {
  std::string model, data, device = "cpu";
  int batch = 64;
  bool json = false;
};

// Cross-lingual sentence retrieval on a text-pairs TSV: per language of text_b, every text_a
// ranks that language's text_b (a->b) and back (b->a); R@1/5/10 as the image<->text protocol.
int run_eval_pairs(const EvalPairsOptions& o) {
  datasets::SourceSpec spec;
  spec.format = "text_pairs_tsv";
  spec.paths = {o.data};
  auto stream = datasets::open_text_pair_stream(spec, {});
  std::map<std::string, std::vector<datasets::TextPairExample>> by_language;
  for (datasets::TextPairExample ex; stream->next(ex);) by_language[ex.language_b].push_back(ex);
  CLIPPO_CHECK(!by_language.empty(), kInvalidArgument, o.data + " holds no text pair");
  engine::EncoderOptions eo;
  eo.embedder.device = o.device;
  eo.embedder.max_batch = o.batch;
  const engine::Encoder encoder(resolve_model_arg(o.model), eo);
  const size_t dim = static_cast<size_t>(encoder.dim());
  evaluation::ModelRetrieval result;
  for (const auto& [language, pairs] : by_language) {
    std::vector<std::string> a, b;
    std::vector<size_t> identity;
    for (const auto& p : pairs) {
      a.push_back(p.text_a);
      b.push_back(p.text_b);
      identity.push_back(identity.size());
    }
    // "images" = the text_b side, "captions" = the text_a side: t2i is a->b, i2t is b->a.
    auto scores = evaluation::score_language(encoder.encode_texts(b), encoder.encode_texts(a), identity, dim);
    scores.language = language.empty() ? "und" : language;
    result.per_language.push_back(scores);
  }
  evaluation::average_over_languages(result);
  nlohmann::json j = evaluation::retrieval_to_json(result);
  j["directions"] = {{"t2i", "text_a -> text_b"}, {"i2t", "text_b -> text_a"}};
  if (o.json) {
    std::cout << j.dump() << "\n";
  } else {
    std::printf("%zu languages; mean R@1 a->b %.4f, b->a %.4f; R@10 a->b %.4f, b->a %.4f\n",
                result.per_language.size(), result.mean_t2i.r1, result.mean_i2t.r1, result.mean_t2i.r10,
                result.mean_i2t.r10);
  }
  return 0;
}

struct EvalZeroShotOptions {
  std::string model, data, lang, device = "cpu";
  std::vector<std::string> templates;
  int batch = 64;
  bool json = false;
};

int run_eval_zeroshot(const EvalZeroShotOptions& o) {
  const datasets::ClassFolders data = datasets::read_class_folders(o.data);
  engine::EncoderOptions eo;
  eo.embedder.device = o.device;
  eo.embedder.max_batch = o.batch;
  const engine::Encoder encoder(resolve_model_arg(o.model), eo);
  evaluation::ZeroShotEvalOptions zo;
  zo.templates = o.templates.empty() ? evaluation::templates_for_language(o.lang) : o.templates;
  zo.batch_size = static_cast<size_t>(o.batch);
  zo.image_spec.image_size = encoder.embedder().image_size();
  std::unique_ptr<ProgressBar> bar;
  zo.on_progress = [&](size_t done, size_t total) {
    if (!bar) bar = std::make_unique<ProgressBar>("zeroshot", total);
    bar->update(done);
  };
  const evaluation::ZeroShotResult r = evaluation::evaluate_zero_shot(
      data, [&](const std::vector<const ImageU8*>& images) { return encoder.encode_pixels(images); },
      [&](const std::vector<std::string>& texts) { return encoder.encode_texts(texts); }, zo);
  if (o.json) {
    std::cout << evaluation::to_json(r).dump() << "\n";
    return 0;
  }
  std::printf("%zu images, %zu classes: top-1 %.2f%% (chance %.2f%%), top-5 %.2f%% (chance %.2f%%), "
              "mean per-class top-1 %.2f%%\n",
              r.n_images, r.n_classes, 100 * r.top1, 100 * r.chance_top1, 100 * r.top5, 100 * r.chance_top5,
              100 * r.mean_per_class_top1);
  for (const evaluation::ClassAccuracy& a : r.per_class) {
    std::printf("  %-32s %5zu images  top-1 %6.2f%%  top-5 %6.2f%%\n", a.name.c_str(), a.n_images, 100 * a.top1,
                100 * a.top5);
  }
  return 0;
}

}  // namespace

CommandAction add_eval_command(CLI::App& app) {
  auto o = std::make_shared<EvalRetrievalOptions>();
  CLI::App* cmd = app.add_subcommand("eval", "Evaluate a model");
  cmd->require_subcommand(1);
  CLI::App* retrieval = cmd->add_subcommand("retrieval", "Image<->text recall@1/5/10 per language (XM3600 protocol)");
  retrieval->footer(
      "Per language: every image is a candidate for text->image; image->text ranks that language's\n"
      "captions and leaves out images without a caption in it. The mean is over languages.\n"
      "--json prints {\"mean\": {\"i2t\": {\"r1\",\"r5\",\"r10\"}, \"t2i\": {...}}, \"per_language\": {...}}.\n"
      "Examples:\n"
      "  clippo eval retrieval --model models/default.npz --data data/emoji --split heldout\n"
      "  clippo eval retrieval --model m.npz --data dataset_coco.json --format karpathy --split test "
      "--images coco/ --json");
  retrieval->add_option("--model", o->model, "Model: a .npz, a known name or a URL")->required();
  retrieval->add_option("--data", o->data, "Crossmodal-3600 folder or Karpathy JSON")->required();
  retrieval->add_option("--format", o->format, "xm3600 or karpathy")
      ->check(CLI::IsMember({"xm3600", "karpathy"}))
      ->capture_default_str();
  retrieval->add_option("--split", o->split, "xm3600: a split.json key (train, heldout); karpathy: train/val/test");
  retrieval->add_option("--images", o->image_root, "karpathy: the images folder (default: the JSON's folder)");
  retrieval->add_option("--languages", o->languages, "Only these languages, comma-separated")->delimiter(',');
  retrieval->add_option("--max-images", o->max_images, "Only the first N images (0: all)")->capture_default_str();
  retrieval->add_option("--device", o->device, "cpu, cuda or auto")->capture_default_str();
  retrieval->add_option("--precision", o->precision, "fp32, bf16, fp16 (CUDA) or auto")
      ->check(CLI::IsMember({"auto", "fp32", "bf16", "fp16"}));
  retrieval->add_option("--batch", o->batch, "Inputs per forward pass")->check(CLI::Range(1, 4096));
  retrieval->add_flag("--json", o->json, "Print the figures as JSON");
  auto po = std::make_shared<EvalPairsOptions>();
  CLI::App* pairs = cmd->add_subcommand("pairs", "Cross-lingual text retrieval R@1/5/10 on a text-pairs TSV, per language");
  pairs->footer(
      "Per language of text_b: every text_a ranks that language's text_b (a->b, reported as t2i) and back\n"
      "(b->a, as i2t). E.g. the held-out UDHR articles of `clippo dataset udhr`.\n"
      "Example:\n"
      "  clippo eval pairs --model models/default.npz --data data/udhr/udhr_pairs_heldout.tsv --json");
  pairs->add_option("--model", po->model, "Model: a .npz, a known name or a URL")->required();
  pairs->add_option("--data", po->data, "text_a<TAB>text_b<TAB>lang_a<TAB>lang_b file")->required();
  pairs->add_option("--device", po->device, "cpu, cuda or auto")->capture_default_str();
  pairs->add_option("--batch", po->batch, "Inputs per forward pass")->check(CLI::Range(1, 4096));
  pairs->add_flag("--json", po->json, "Print the figures as JSON");
  auto zo = std::make_shared<EvalZeroShotOptions>();
  CLI::App* zeroshot = cmd->add_subcommand("zeroshot", "Zero-shot top-1/top-5 on a folder-per-class dataset (ImageNet layout)");
  zeroshot->footer(
      "DIR/<class>/<images>; a class is named by its folder ('_' as spaces) or by DIR/classes.tsv\n"
      "(folder<TAB>name). Each name goes into every --template (default \"a photo of a {}.\"); their\n"
      "embeddings are averaged per class. Every image is classified among all classes.\n"
      "Example:\n"
      "  clippo eval zeroshot --model clippo_b16_yfcc100m --data imagenet/val --template 'a photo of a {}.' --json");
  zeroshot->add_option("--model", zo->model, "Model: a .npz, a known name or a URL")->required();
  zeroshot->add_option("--data", zo->data, "Folder with one subfolder of images per class")->required();
  zeroshot->add_option("--template", zo->templates, "Text around each class name, {} where it goes (repeatable)");
  zeroshot->add_option("--lang", zo->lang, "The class names' language (BCP-47): its built-in template instead of English");
  zeroshot->add_option("--device", zo->device, "cpu, cuda or auto")->capture_default_str();
  zeroshot->add_option("--batch", zo->batch, "Inputs per forward pass")->check(CLI::Range(1, 4096));
  zeroshot->add_flag("--json", zo->json, "Print the figures as JSON");
  return [retrieval, o, pairs, po, zeroshot, zo]() -> int {
    if (retrieval->parsed()) return run_eval_retrieval(*o);
    if (pairs->parsed()) return run_eval_pairs(*po);
    if (zeroshot->parsed()) return run_eval_zeroshot(*zo);
    return -1;
  };
}

}  // namespace clippo::cli

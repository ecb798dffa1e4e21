// `clippo dataset`: builds evaluation collections from data already on the machine
// (DESIGN.md, Datasets). `clippo dataset emoji` writes the Noto Color Emoji / CLDR collection
// in the Crossmodal-3600 layout; see datasets/emoji_collection.h for the files.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

#include "api/cli/commands.h"
#include "api/cli/progress_bar.h"
#include "core/base/error.h"
#include "datasets/emoji_collection.h"

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

}  // namespace

CommandAction add_dataset_command(CLI::App& app) {
  auto o = std::make_shared<EmojiDatasetOptions>();
  CLI::App* cmd =
      app.add_subcommand("dataset", "Build evaluation collections from data installed on this machine");
  cmd->require_subcommand(1);
  CLI::App* emoji = cmd->add_subcommand(
      "emoji", "Noto Color Emoji images captioned with CLDR names and keywords (Crossmodal-3600 layout)");
  emoji->footer(
      "Writes DIR/images/<key>.png, DIR/captions.jsonl, DIR/index.tsv and DIR/split.json.\n"
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
  return [emoji, o]() -> int { return emoji->parsed() ? run_dataset_emoji(*o) : -1; };
}

}  // namespace clippo::cli

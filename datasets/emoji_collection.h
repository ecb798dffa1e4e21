// The emoji collection: an image/caption benchmark in ~147 locales built from what Debian ships,
// Noto Color Emoji pictures captioned by their Unicode CLDR names and keywords.
//
// It is written in the Crossmodal-3600 layout (README, Datasets) so the same evaluation
// report runs on it: `captions.jsonl` holds one line per image,
//   {"image/key": "1f600", "de": {"caption": ["grinsendes Gesicht", "Gesicht", ...]}, ...}
// with, for every locale that names the emoji, its name first and then its keywords. Beside it:
// `images/<key>.png` (size x size RGB, emoji on white), `index.tsv` (`images/<key>.png<TAB>name`,
// the English name where there is one), `split.json` ({"train": [keys], "heldout": [keys]}), and
// the split as training TSVs (datasets/tsv_format.h), `train.tsv` and `heldout.tsv`: one line
// `images/<key>.png<TAB>caption<TAB>locale` per caption of every locale of the split's emoji, in
// the order of captions.jsonl (emoji by code point, locales sorted, name before keywords).
// Only single-code-point emoji are drawn (see emoji_renderer.h); the others are counted.
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "datasets/cldr_annotations.h"
#include "datasets/emoji_renderer.h"

namespace clippo::datasets {

struct EmojiCollectionOptions {
  std::string out_dir;  // created when missing; files there are replaced atomically
  std::string font_path = kNotoColorEmojiPath;
  std::vector<std::string> cldr_dirs = {kCldrAnnotationsDir, kCldrAnnotationsDerivedDir};
  std::vector<std::string> locales;  // CLDR file names without .xml ("en", "zh_Hant"); empty: all
  size_t limit = 0;                  // the first `limit` renderable emoji in code point order; 0: all
  int image_size_px = 160;           // Noto's glyphs are ~136 px: 160 keeps them unscaled
  // Share of emoji held out (for zero-shot evaluation of a model tuned on the rest). Each emoji's
  // side depends on its key alone, so it stays put when the limit or the locales change.
  double heldout_fraction = 0.1;
  bool include_unconfirmed = false;  // see CldrReadOptions
  // Called after each image with (images done, images in total); e.g. a progress line.
  std::function<void(size_t, size_t)> on_progress;
};

struct EmojiCollectionSummary {
  size_t n_emoji = 0;  // images written = lines in captions.jsonl
  // Emoji named by the chosen locales that were not drawn, over all of them (not cut by `limit`):
  size_t n_skipped_multi_codepoint = 0;  // sequences: ZWJ, skin tone, flag, keycap
  size_t n_skipped_no_glyph = 0;  // one code point the font lacks (CLDR also names symbols such as '{')
  size_t n_locales = 0;           // locales with at least one caption in captions.jsonl
  size_t n_captions = 0;          // caption strings over all images and locales
  size_t n_train = 0;
  size_t n_heldout = 0;
};

// {"n_emoji": ..., ...}, snake_case fields as in the struct.
nlohmann::json to_json(const EmojiCollectionSummary& summary);

// Whether `key` falls in the held-out share: a 64-bit hash of the key (FNV-1a, then
// MurmurHash3's finalizer), as a fraction of 2^64, below `fraction`. Fixed by the key alone so splits agree
// across builds and machines.
bool is_heldout_key(const std::string& key, double fraction);

// Builds the collection into options.out_dir. Throws InvalidArgument (bad options), NotFound
// (font, CLDR folder or requested locale missing, naming it), Unavailable (cannot write).
// Output is a function of the inputs only: two builds give identical bytes.
EmojiCollectionSummary build_emoji_collection(const EmojiCollectionOptions& options);

}  // namespace clippo::datasets

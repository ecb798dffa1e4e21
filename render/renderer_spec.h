// Which text renderer a model reads with, and its options: part of the model, stored as JSON
// in our model files' `clippo_meta`. The defaults are big_vision's `render_unifont` as
// train_clippo.py calls it, so an official checkpoint gets exactly the pixels it was trained on.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace clippo::render {

// How text is lower-cased before rendering.
enum class LowerCase {
  kAscii,    // A-Z only, byte-wise: tf.strings.lower with its default empty encoding (big_vision)
  kUnicode,  // full Unicode lower-casing (ICU, root locale)
  kNone,
};

struct RendererSpec {
  std::string kind = "unifont";  // "unifont" (big_vision-exact) or "shaped" (HarfBuzz + ICU)
  int image_size = 224;          // canvas is image_size x image_size x 3
  int max_chars = 768;           // code points rendered at most (0: no limit)
  int background = 127;          // brightness of the background, 0..255
  int text = 0;                  // brightness of ink, 0..255
  LowerCase lower = LowerCase::kAscii;

  // kind == "unifont"
  bool monospace = false;  // false: trim each glyph to its inked columns (big_vision default)
  int spacing = 1;         // blank columns kept left of a trimmed glyph
  int min_width = 4;       // narrowest trimmed glyph, so spaces do not vanish
  std::string unifont_hex;    // plane-0 .hex; empty: CLIPPO_UNIFONT_HEX (Debian's unifont)
  std::string unifont_upper;  // planes 1-16, .hex or .otf; empty: Debian's unifont_upper.otf; "none": skip

  // kind == "shaped"
  int line_height_px = 16;         // pixels per text line (Unifont rows are 16 too)
  int font_size_px = 13;           // em size the fonts are rasterised at
  std::vector<std::string> fonts;  // font files in fallback order; empty: the Noto chain

  // Throws InvalidArgument naming the first impossible value.
  void validate() const;
};

// JSON object with every field; unknown keys and wrong types are InvalidArgument.
nlohmann::json to_json(const RendererSpec& spec);
RendererSpec renderer_spec_from_json(const nlohmann::json& j);

LowerCase parse_lower_case(const std::string& name);  // "ascii" | "unicode" | "none"
std::string lower_case_name(LowerCase lower);

}  // namespace clippo::render

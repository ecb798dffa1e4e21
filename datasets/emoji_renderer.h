// One emoji -> an RGB picture of it, from a colour emoji font (Noto Color Emoji by default).
//
// Noto Color Emoji stores PNG bitmaps in one fixed strike (CBDT/CBLC tables, 109 ppem, glyphs
// about 136 x 128 px); FreeType hands them out as premultiplied BGRA with FT_LOAD_COLOR. A glyph
// is looked up by code point through the cmap, so only emoji that are ONE code point (U+FE0F,
// the emoji presentation selector, may follow) are drawn here: ZWJ sequences, skin tones,
// keycaps and flags are ligatures that need a shaper (HarfBuzz) to find their glyph.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/image.h"

namespace clippo::datasets {

// Where Debian's `fonts-noto-color-emoji` installs the font.
inline constexpr const char* kNotoColorEmojiPath = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf";

// The code point of an emoji that is one code point, optionally followed by U+FE0F; nullopt for
// anything else (sequences, empty or ill-formed UTF-8).
std::optional<char32_t> single_code_point(std::string_view emoji);

// The file key of an emoji: its code points in lowercase hex joined by '_', U+FE0F left out
// (CLDR leaves it out too): "😀" -> "1f600", "👍🏽" -> "1f44d_1f3fd".
std::string emoji_key(std::string_view emoji);

class EmojiRenderer {
 public:
  // Opens the font. Throws NotFound (no such file, naming it), InvalidArgument (FreeType cannot
  // read it, with FreeType's message).
  explicit EmojiRenderer(const std::string& font_path = kNotoColorEmojiPath);
  ~EmojiRenderer();
  EmojiRenderer(const EmojiRenderer&) = delete;
  EmojiRenderer& operator=(const EmojiRenderer&) = delete;

  // True when `emoji` is a single code point (see single_code_point) that the font has a glyph for.
  bool can_render(std::string_view emoji) const;

  // The glyph as size_px x size_px x 3 RGB, composited over white and centred. A glyph larger
  // than size_px is first padded to a square and then shrunk with an area (box) filter; a
  // smaller one is drawn at its native size, never enlarged (the model's own resize does that,
  // and enlarging a bitmap adds no detail). Throws InvalidArgument when size_px is not in
  // [8, 4096] or `emoji` is not one code point, NotFound when the font lacks it, Internal on a
  // FreeType failure (with its message). Not thread-safe: one renderer per thread.
  ImageU8 render(std::string_view emoji, int size_px) const;

  const std::string& font_path() const { return font_path_; }

 private:
  struct Impl;  // FreeType handles; kept out of the header so FreeType stays private
  std::string font_path_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace clippo::datasets

// GNU Unifont glyph table: 16x16 binary glyphs by code point, as big_vision's render_unifont
// builds its `bit_embedding` from unifont-*.hex files.
//
// Sources: `.hex` files (`CODEPOINT:HEXBITS`, 32 hex digits for 8-wide glyphs which occupy the
// left half of the cell, 64 for 16-wide), and Unifont's OpenType builds rasterised at 16 px
// (Debian ships planes 1-16 only as unifont_upper.otf). Later sources override earlier ones,
// as big_vision loads unifont_upper after unifont. Code points with no glyph render as blank.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace clippo::render {

// One 16x16 glyph; rows[y] bit 15 is the leftmost column.
struct UnifontGlyph {
  std::array<uint16_t, 16> rows{};
  bool operator==(const UnifontGlyph&) const = default;
};

class UnifontGlyphs {
 public:
  UnifontGlyphs();

  // Adds every glyph of a .hex file. Throws NotFound, or InvalidArgument naming path:line.
  void load_hex(const std::string& path);

  // Rasterises every glyph of a Unifont OpenType/TrueType file at 16 px, monochrome, for code
  // points >= min_codepoint. Throws NotFound / InvalidArgument.
  void load_opentype(const std::string& path, char32_t min_codepoint = 0);

  // Loads a .hex or an OpenType file, chosen by its extension.
  void load(const std::string& path, char32_t min_codepoint_for_opentype = 0);

  void set(char32_t cp, const UnifontGlyph& glyph);
  const UnifontGlyph& glyph(char32_t cp) const;  // all-zero when absent
  bool has(char32_t cp) const;
  size_t size() const { return n_glyphs_; }

 private:
  std::vector<UnifontGlyph> plane0_;  // dense: 65536 glyphs, 2 MiB
  std::vector<bool> plane0_present_;
  std::unordered_map<char32_t, UnifontGlyph> upper_;
  size_t n_glyphs_ = 0;
};

}  // namespace clippo::render

#include "render/unifont_glyphs.h"

#include <ft2build.h>
#include FT_FREETYPE_H

#include <filesystem>
#include <fstream>
#include <memory>

#include "core/base/error.h"

namespace clippo::render {
namespace {

const UnifontGlyph kBlankGlyph{};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Unifont's OpenType builds draw each bitmap pixel as a square; at 16 px per em one unit
// square is one pixel, the cell top is 14 px above the baseline (ascent 14, descent 2).
constexpr int kUnifontAscentPx = 14;

}  // namespace

UnifontGlyphs::UnifontGlyphs() : plane0_(0x10000), plane0_present_(0x10000, false) {}

void UnifontGlyphs::set(char32_t cp, const UnifontGlyph& glyph) {
  if (cp < 0x10000) {
    if (!plane0_present_[cp]) ++n_glyphs_;
    plane0_[cp] = glyph;
    plane0_present_[cp] = true;
  } else {
    if (upper_.insert_or_assign(cp, glyph).second) ++n_glyphs_;
  }
}

const UnifontGlyph& UnifontGlyphs::glyph(char32_t cp) const {
  if (cp < 0x10000) return plane0_[cp];
  const auto it = upper_.find(cp);
  return it == upper_.end() ? kBlankGlyph : it->second;
}

bool UnifontGlyphs::has(char32_t cp) const {
  return cp < 0x10000 ? static_cast<bool>(plane0_present_[cp]) : upper_.count(cp) > 0;
}

void UnifontGlyphs::load_hex(const std::string& path) {
  std::ifstream f(path);
  CLIPPO_CHECK(f.good(), kNotFound, "cannot open Unifont file '" + path + "'");
  std::string line;
  size_t line_no = 0;
  while (std::getline(f, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const auto where = [&] { return path + ":" + std::to_string(line_no); };
    const size_t colon = line.find(':');
    CLIPPO_CHECK(colon != std::string::npos && colon >= 1 && colon <= 6, kInvalidArgument,
                 "malformed Unifont .hex line at " + where() + " (expected CODEPOINT:HEXBITS)");
    char32_t cp = 0;
    for (size_t i = 0; i < colon; ++i) {
      const int v = hex_value(line[i]);
      CLIPPO_CHECK(v >= 0, kInvalidArgument, "bad code point at " + where());
      cp = cp * 16 + static_cast<char32_t>(v);
    }
    CLIPPO_CHECK(cp <= 0x10FFFF, kInvalidArgument, "code point beyond U+10FFFF at " + where());
    const std::string_view bits = std::string_view(line).substr(colon + 1);
    CLIPPO_CHECK(bits.size() == 32 || bits.size() == 64, kInvalidArgument,
                 "glyph at " + where() + " has " + std::to_string(bits.size()) +
                     " hex digits; expected 32 (8x16) or 64 (16x16)");
    const size_t digits_per_row = bits.size() / 16;  // 2 or 4
    UnifontGlyph g;
    for (size_t y = 0; y < 16; ++y) {
      uint32_t row = 0;
      for (size_t k = 0; k < digits_per_row; ++k) {
        const int v = hex_value(bits[y * digits_per_row + k]);
        CLIPPO_CHECK(v >= 0, kInvalidArgument, "bad hex digit in glyph at " + where());
        row = row * 16 + static_cast<uint32_t>(v);
      }
      // 8-wide glyphs fill the left byte of each row (big_vision's colpattern[32]).
      g.rows[y] = static_cast<uint16_t>(digits_per_row == 2 ? row << 8 : row);
    }
    set(cp, g);
  }
  CLIPPO_CHECK(!f.bad(), kUnavailable, "read error on '" + path + "'");
}

void UnifontGlyphs::load_opentype(const std::string& path, char32_t min_codepoint) {
  CLIPPO_CHECK(std::filesystem::is_regular_file(path), kNotFound,
               "cannot open Unifont file '" + path + "'");
  FT_Library lib = nullptr;
  CLIPPO_CHECK(FT_Init_FreeType(&lib) == 0, kInternal, "FreeType failed to initialise");
  std::unique_ptr<FT_LibraryRec_, decltype(&FT_Done_FreeType)> lib_guard(lib, &FT_Done_FreeType);
  FT_Face face = nullptr;
  CLIPPO_CHECK(FT_New_Face(lib, path.c_str(), 0, &face) == 0, kInvalidArgument,
               "'" + path + "' is not a font FreeType can read");
  std::unique_ptr<FT_FaceRec_, decltype(&FT_Done_Face)> face_guard(face, &FT_Done_Face);
  CLIPPO_CHECK(FT_Set_Pixel_Sizes(face, 0, 16) == 0, kInvalidArgument,
               "'" + path + "' cannot be sized to 16 px");
  FT_UInt glyph_index = 0;
  for (FT_ULong cp = FT_Get_First_Char(face, &glyph_index); glyph_index != 0;
       cp = FT_Get_Next_Char(face, cp, &glyph_index)) {
    if (cp < min_codepoint || cp > 0x10FFFF) continue;
    if (FT_Load_Glyph(face, glyph_index, FT_LOAD_RENDER | FT_LOAD_TARGET_MONO | FT_LOAD_NO_HINTING) != 0) {
      continue;  // a glyph FreeType cannot draw stays blank, as a missing one
    }
    const FT_Bitmap& bm = face->glyph->bitmap;
    UnifontGlyph g;
    for (unsigned int by = 0; by < bm.rows; ++by) {
      const int y = kUnifontAscentPx - face->glyph->bitmap_top + static_cast<int>(by);
      if (y < 0 || y >= 16) continue;
      const unsigned char* src = bm.buffer + static_cast<ptrdiff_t>(by) * bm.pitch;
      for (unsigned int bx = 0; bx < bm.width; ++bx) {
        const bool ink = bm.pixel_mode == FT_PIXEL_MODE_MONO ? (src[bx >> 3] >> (7 - (bx & 7))) & 1
                                                             : src[bx] >= 128;
        const int x = face->glyph->bitmap_left + static_cast<int>(bx);
        if (ink && x >= 0 && x < 16) g.rows[y] |= static_cast<uint16_t>(0x8000u >> x);
      }
    }
    set(static_cast<char32_t>(cp), g);
  }
}

void UnifontGlyphs::load(const std::string& path, char32_t min_codepoint_for_opentype) {
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".hex") {
    load_hex(path);
  } else {
    load_opentype(path, min_codepoint_for_opentype);
  }
}

}  // namespace clippo::render

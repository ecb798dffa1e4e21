#include "render/unifont_glyphs.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/base/error.h"

namespace clippo::render {
namespace {

std::string write_temp(const std::string& name, const std::string& content) {
  const auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << content;
  return path.string();
}

TEST(UnifontGlyphsTest, ParsesNarrowAndWideGlyphsAndUpperPlanes) {
  UnifontGlyphs g;
  g.load_hex(write_temp("glyphs_ok.hex",
                        "0041:0000000018242442427E424242420000\n"
                        "4E2D:01000100010001003FF8210821082108210821083FF821080100010001000100\r\n"
                        "1F600:" + std::string(64, 'F')));  // no final newline, 5-digit code point
  EXPECT_EQ(g.size(), 3u);
  EXPECT_EQ(g.glyph(U'A').rows[4], 0x1800);  // 8-wide glyphs fill the left byte
  EXPECT_EQ(g.glyph(0x4E2D).rows[4], 0x3FF8);
  EXPECT_EQ(g.glyph(0x1F600).rows[15], 0xFFFF);
  EXPECT_FALSE(g.has(U'B'));
  EXPECT_EQ(g.glyph(U'B'), UnifontGlyph{});
}

TEST(UnifontGlyphsTest, MalformedLinesNameFileAndLine) {
  UnifontGlyphs g;
  const std::string path = write_temp("glyphs_bad.hex", "0041:0000000018242442427E424242420000\n0042:XYZ\n");
  try {
    g.load_hex(path);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find(path + ":2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(g.load_hex(write_temp("glyphs_bad2.hex", "110000:" + std::string(32, '0') + "\n")), Error);
  try {
    g.load_hex("/nonexistent/unifont.hex");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  }
}

TEST(UnifontGlyphsTest, OpenTypeBuildMatchesHexForPlaneZero) {
  // Debian's unifont.otf and unifont.hex come from the same Unifont release, so rasterising
  // the OpenType build at 16 px must give the .hex bitmaps: this pins our placement of the
  // OpenType glyphs that we rely on for planes 1-16.
  UnifontGlyphs hex, otf;
  hex.load_hex(CLIPPO_UNIFONT_HEX);
  otf.load_opentype("/usr/share/fonts/opentype/unifont/unifont.otf");
  int compared = 0, differing = 0;
  for (char32_t cp : {U'A', U'a', U'g', U'@', char32_t{0xE9}, char32_t{0x416}, char32_t{0x5D0},
                      char32_t{0x627}, char32_t{0x915}, char32_t{0xE01}, char32_t{0x4E2D},
                      char32_t{0x3042}, char32_t{0xAC00}}) {
    if (!hex.has(cp) || !otf.has(cp)) continue;
    ++compared;
    differing += !(hex.glyph(cp) == otf.glyph(cp));
  }
  EXPECT_GE(compared, 12);
  EXPECT_EQ(differing, 0);
}

}  // namespace
}  // namespace clippo::render

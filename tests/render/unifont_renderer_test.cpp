// The Unifont renderer against hand-checked glyph geometry and against goldens made by a
// NumPy transliteration of big_vision's render_unifont (tests/data/make_unifont_goldens.py).
#include "render/unifont_renderer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <thread>

#include "core/base/file_io.h"

namespace clippo::render {
namespace {

constexpr uint8_t kBg = 127, kInk = 0;

RendererSpec plane0_spec() {
  RendererSpec spec;
  spec.unifont_hex = CLIPPO_UNIFONT_HEX;
  spec.unifont_upper = "none";  // the goldens use plane 0 only
  return spec;
}

const UnifontRenderer& renderer() {
  static const UnifontRenderer r(plane0_spec());
  return r;
}

// Inked columns of a 16-px text row band [row*16, row*16+16).
int last_ink_column(const ImageU8& img, int row) {
  int last = -1;
  for (int y = row * 16; y < row * 16 + 16 && y < img.height; ++y)
    for (int x = 0; x < img.width; ++x)
      if (img.at(y, x) == kInk) last = std::max(last, x);
  return last;
}
bool band_has_ink(const ImageU8& img, int row) { return last_ink_column(img, row) >= 0; }

TEST(UnifontRendererTest, EmptyTextIsBlankCanvas) {
  const ImageU8 img = renderer().render("");
  ASSERT_EQ(img.height, 224);
  ASSERT_EQ(img.width, 224);
  ASSERT_EQ(img.channels, 3);
  for (uint8_t v : img.pixels) ASSERT_EQ(v, kBg);
}

TEST(UnifontRendererTest, TrimsGlyphsAsBigVision) {
  // Hand-checked against unifont.hex: 'a' inks columns 1..6 -> keeps [0, 7);
  // 'i' inks 2..6 -> [1, 7); '.' inks 3..4 -> [2, 6) (min width 4); ' ' -> [0, 4);
  // U+4E2D inks 2..12 -> [1, 13).
  const auto& r = renderer();
  auto span = [&](char32_t cp) { return r.trimmed_span(r.glyphs().glyph(cp)); };
  EXPECT_EQ(span(U'a').start, 0);
  EXPECT_EQ(span(U'a').width, 7);
  EXPECT_EQ(span(U'i').start, 1);
  EXPECT_EQ(span(U'i').width, 6);
  EXPECT_EQ(span(U'.').start, 2);
  EXPECT_EQ(span(U'.').width, 4);
  EXPECT_EQ(span(U' ').start, 0);
  EXPECT_EQ(span(U' ').width, 4);
  EXPECT_EQ(span(0x4E2D).start, 1);
  EXPECT_EQ(span(0x4E2D).width, 12);
}

TEST(UnifontRendererTest, GlyphPixelsLandWhereTheHexSays) {
  // 'a' = 0000000000003C42023E4242463A0000: row 6 is 0x3C = ..####.. -> columns 2..5 inked.
  const ImageU8 img = renderer().render("a");
  for (int x = 0; x < 8; ++x) EXPECT_EQ(img.at(6, x), (x >= 2 && x <= 5) ? kInk : kBg) << x;
  EXPECT_EQ(img.at(5, 3), kBg);
  for (int c = 0; c < 3; ++c) EXPECT_EQ(img.at(6, 2, c), kInk);  // grey -> RGB
}

TEST(UnifontRendererTest, WrapsAfterThirtyLetters) {
  // Each 'a' is 7 wide; divisor 224 - 7 = 217; glyph k (1-based) sits on row floor(7k / 217)
  // = floor(k / 31), because big_vision uses the inclusive running width: 30 letters on row 0
  // (210 px), then 31 on each later row (217 px); the 31st starts row 1 at x = 0.
  const ImageU8 thirty = renderer().render(std::string(30, 'a'));
  EXPECT_TRUE(band_has_ink(thirty, 0));
  EXPECT_FALSE(band_has_ink(thirty, 1));
  EXPECT_EQ(last_ink_column(thirty, 0), 29 * 7 + 6);
  const ImageU8 thirty_one = renderer().render(std::string(31, 'a'));
  EXPECT_TRUE(band_has_ink(thirty_one, 1));
  EXPECT_EQ(last_ink_column(thirty_one, 1), 6);
}

TEST(UnifontRendererTest, CropsAtTheCanvasBottom) {
  // 30 + 13 x 31 = 433 letters fill the 14 rows; more are cropped away.
  const ImageU8 full = renderer().render(std::string(433, 'a'));
  EXPECT_TRUE(band_has_ink(full, 13));
  EXPECT_EQ(last_ink_column(full, 13), 30 * 7 + 6);
  EXPECT_NE(renderer().render(std::string(432, 'a')).pixels, full.pixels);
  EXPECT_EQ(renderer().render(std::string(434, 'a')).pixels, full.pixels);
  EXPECT_EQ(renderer().render(std::string(700, 'a')).pixels, full.pixels);
}

TEST(UnifontRendererTest, MaxCharsCutsCodePoints) {
  RendererSpec spec = plane0_spec();
  spec.max_chars = 3;
  const UnifontRenderer r(spec);
  EXPECT_EQ(r.render("\xE4\xB8\xAD\xE6\x96\x87\xE5\xAD\x97xyz").pixels,
            r.render("\xE4\xB8\xAD\xE6\x96\x87\xE5\xAD\x97").pixels);
}

TEST(UnifontRendererTest, WideGlyphsUseTheWholeCell) {
  // U+4E2D's vertical stroke is cell column 7 in every row and its box spans columns 2..12;
  // trimmed to start at column 1, they land at x = 6 and x = 1..11.
  const ImageU8 img = renderer().render("\xE4\xB8\xAD");
  for (int y = 0; y < 16; ++y) EXPECT_EQ(img.at(y, 6), kInk) << y;
  EXPECT_EQ(img.at(4, 1), kInk);
  EXPECT_EQ(img.at(4, 11), kInk);
  EXPECT_EQ(img.at(4, 12), kBg);
  EXPECT_EQ(img.at(4, 0), kBg);
}

TEST(UnifontRendererTest, LowerCasesAsciiOnly) {
  const auto& r = renderer();
  EXPECT_EQ(r.render("HELLO").pixels, r.render("hello").pixels);
  // "Ä" (U+00C4) is not changed by tf.strings.lower, so it differs from "ä".
  EXPECT_NE(r.render("\xC3\x84").pixels, r.render("\xC3\xA4").pixels);
  RendererSpec spec = plane0_spec();
  spec.lower = LowerCase::kUnicode;
  const UnifontRenderer unicode(spec);
  EXPECT_EQ(unicode.render("\xC3\x84").pixels, unicode.render("\xC3\xA4").pixels);
}

TEST(UnifontRendererTest, InvalidUtf8RendersReplacementCharacters) {
  const auto& r = renderer();
  EXPECT_EQ(r.render("x\xFFy").pixels, r.render("x\xEF\xBF\xBDy").pixels);
}

TEST(UnifontRendererTest, MonospaceKeepsFullCells) {
  RendererSpec spec = plane0_spec();
  spec.monospace = true;
  const UnifontRenderer r(spec);
  // 'i' in a full cell: its ink starts at column 2 of the second cell for "ii".
  const ImageU8 img = r.render("ii");
  EXPECT_EQ(img.at(13, 16 + 2), kInk);
  EXPECT_EQ(last_ink_column(img, 0), 16 + 6);
}

TEST(UnifontRendererTest, UpperPlanesComeFromTheOpenTypeBuild) {
  // Debian ships planes 1-16 only as OpenType; U+1F600 (grinning face) must have ink.
  RendererSpec spec;
  const UnifontRenderer r(spec);
  EXPECT_TRUE(r.glyphs().has(0x1F600));
  const ImageU8 img = r.render("\xF0\x9F\x98\x80");
  EXPECT_TRUE(band_has_ink(img, 0));
  EXPECT_FALSE(renderer().glyphs().has(0x1F600));
}

TEST(UnifontRendererTest, ThreadsRenderIdentically) {
  const std::string text = "Thread safety: \xE4\xB8\xAD\xE6\x96\x87 \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D";
  const ImageU8 expected = renderer().render(text);
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      bool same = true;
      for (int i = 0; i < 50; ++i) same = same && renderer().render(text).pixels == expected.pixels;
      ok[t] = same;
    });
  }
  for (auto& th : threads) th.join();
  for (int v : ok) EXPECT_TRUE(v);
}

TEST(UnifontRendererTest, MatchesBigVisionTransliterationGoldens) {
  const std::string dir = std::string(CLIPPO_TEST_DATA_DIR) + "/render/";
  const auto manifest = nlohmann::json::parse(read_file(dir + "goldens.json"));
  ASSERT_GE(manifest.size(), 7u);
  for (const auto& [name, hex] : manifest.items()) {
    std::string text;
    const std::string h = hex.get<std::string>();
    for (size_t i = 0; i < h.size(); i += 2) text.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
    const std::string golden = read_file(dir + name + ".gray");
    ASSERT_EQ(golden.size(), 224u * 224u);
    const ImageU8 img = renderer().render(text);
    int mismatches = 0;
    for (int y = 0; y < 224; ++y)
      for (int x = 0; x < 224; ++x)
        mismatches += img.at(y, x) != static_cast<uint8_t>(golden[y * 224 + x]);
    EXPECT_EQ(mismatches, 0) << "golden '" << name << "'";
  }
}

}  // namespace
}  // namespace clippo::render

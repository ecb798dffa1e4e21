// Tests of the shaped renderer (HarfBuzz + FreeType + ICU) over Debian's Noto fonts: canvas and
// colour conventions, line layout, bidi alignment, Arabic joining, Indic conjuncts, fallback to
// CJK and Thai fonts, wrapping and cropping, ill-formed UTF-8, determinism under threads.
#include "render/shaped_renderer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/base/error.h"

namespace clippo::render {
namespace {

constexpr int kSize = 224;

RendererSpec shaped_spec() {
  RendererSpec spec;
  spec.kind = "shaped";
  return spec;
}

// One renderer for the whole suite: the default Noto chain opens fonts lazily, so sharing it
// also exercises the caches across tests.
const ShapedRenderer& renderer() {
  static const ShapedRenderer r(shaped_spec());
  return r;
}

struct InkBox {  // bounding box of pixels that differ from the background; empty: x1 < x0
  int x0 = kSize, y0 = kSize, x1 = -1, y1 = -1;
  int width() const { return x1 < x0 ? 0 : x1 - x0 + 1; }
  bool empty() const { return x1 < x0; }
};

InkBox ink_box(const ImageU8& image, int background = 127, int row_begin = 0, int row_end = kSize) {
  InkBox box;
  for (int y = row_begin; y < std::min(row_end, image.height); ++y)
    for (int x = 0; x < image.width; ++x)
      if (image.at(y, x) != background) {
        box.x0 = std::min(box.x0, x);
        box.x1 = std::max(box.x1, x);
        box.y0 = std::min(box.y0, y);
        box.y1 = std::max(box.y1, y);
      }
  return box;
}

TEST(ShapedRendererTest, EmptyTextIsBlankCanvas) {
  const ImageU8 image = renderer().render("");
  EXPECT_EQ(image.height, kSize);
  EXPECT_EQ(image.width, kSize);
  EXPECT_EQ(image.channels, 3);
  ASSERT_EQ(image.size(), static_cast<size_t>(kSize) * kSize * 3);
  EXPECT_TRUE(std::all_of(image.pixels.begin(), image.pixels.end(), [](uint8_t p) { return p == 127; }));
}

TEST(ShapedRendererTest, HelloInksFirstLineLeftAlignedInGrey) {
  const ImageU8 image = renderer().render("hello");
  const InkBox box = ink_box(image);
  ASSERT_FALSE(box.empty());
  EXPECT_LT(box.y1, 16) << "ink below the first line";
  EXPECT_LE(box.x0, 4) << "not left-aligned";
  EXPECT_LT(box.x1, 60);
  bool full_ink = false;
  for (int y = 0; y < kSize; ++y)
    for (int x = 0; x < kSize; ++x) {
      ASSERT_EQ(image.at(y, x, 0), image.at(y, x, 1));
      ASSERT_EQ(image.at(y, x, 0), image.at(y, x, 2));
      const int v = image.at(y, x);
      ASSERT_TRUE(v >= 0 && v <= 127) << "between text (0) and background (127)";
      full_ink = full_ink || v == 0;
    }
  EXPECT_TRUE(full_ink) << "no pixel reaches the text brightness";
}

TEST(ShapedRendererTest, BrightnessAndLowerCasingFollowTheSpec) {
  RendererSpec spec = shaped_spec();
  spec.background = 255;
  spec.text = 40;
  const ShapedRenderer r(spec);
  const ImageU8 image = r.render("HELLO");
  EXPECT_EQ(image.at(200, 200), 255);
  EXPECT_EQ(*std::min_element(image.pixels.begin(), image.pixels.end()), 40);
  EXPECT_EQ(image.pixels, r.render("hello").pixels) << "spec.lower = ascii lower-cases";
  spec.lower = LowerCase::kNone;
  EXPECT_NE(ShapedRenderer(spec).render("HELLO").pixels, image.pixels);
}

TEST(ShapedRendererTest, HebrewIsRightAligned) {
  const ImageU8 image = renderer().render("שלום עולם");
  const InkBox box = ink_box(image);
  ASSERT_FALSE(box.empty());
  EXPECT_GE(box.x1, kSize - 6) << "right-to-left paragraph not right-aligned";
  EXPECT_GE(box.x0, 100);
  EXPECT_LT(box.y1, 16);
}

TEST(ShapedRendererTest, RightToLeftWordsRunFromTheRight) {
  // In visual order the first logical word sits at the right: rendering it alone gives the same
  // pixels as the right end of the sentence (both right-aligned at the same edge). The second
  // pair mixes Hebrew and Arabic fonts inside one right-to-left run.
  for (const auto& [sentence, word] : {std::pair<std::string, std::string>{"שלום עולם", "שלום"},
                                       std::pair<std::string, std::string>{"שלום مرحبا", "שלום"}}) {
    const ImageU8 both = renderer().render(sentence);
    const ImageU8 first = renderer().render(word);
    const InkBox box = ink_box(first);
    ASSERT_FALSE(box.empty());
    for (int y = 0; y < 16; ++y)
      for (int x = box.x0; x < kSize; ++x) ASSERT_EQ(both.at(y, x), first.at(y, x)) << sentence << " " << y << "," << x;
  }
}

TEST(ShapedRendererTest, ArabicLettersJoin) {
  const int isolated = ink_box(renderer().render("ب")).width();
  const int joined = ink_box(renderer().render("بببب")).width();
  ASSERT_GT(isolated, 0);
  // Initial and medial beh are short connected teeth; unshaped, four isolated forms would take
  // about four times the width of one.
  EXPECT_LT(joined, 3 * isolated) << "isolated " << isolated << " joined " << joined;
  EXPECT_GE(ink_box(renderer().render("بببب")).x1, kSize - 6) << "Arabic not right-aligned";
}

TEST(ShapedRendererTest, DevanagariFormsConjunct) {
  const ImageU8 conjunct = renderer().render("क्ष");
  const ImageU8 spaced = renderer().render("क् ष");
  EXPECT_NE(conjunct.pixels, spaced.pixels);
  const int width_conjunct = ink_box(conjunct).width();
  const int width_parts = ink_box(renderer().render("क्")).width() + ink_box(renderer().render("ष")).width();
  ASSERT_GT(width_conjunct, 0);
  EXPECT_LT(width_conjunct, width_parts) << "क्ष should be one conjunct glyph, narrower than क् + ष";
}

TEST(ShapedRendererTest, FallsBackToCjkAndThaiFonts) {
  // Distinct characters give distinct pixels only when a font has them (.notdef boxes are alike).
  const ImageU8 zhong = renderer().render("中");
  const ImageU8 wen = renderer().render("文");
  EXPECT_FALSE(ink_box(zhong).empty());
  EXPECT_NE(zhong.pixels, wen.pixels);
  EXPECT_FALSE(ink_box(renderer().render("中文")).empty());
  const ImageU8 thai = renderer().render("ภาษาไทย");
  EXPECT_FALSE(ink_box(thai).empty());
  EXPECT_NE(renderer().render("ภ").pixels, renderer().render("ษ").pixels);
}

TEST(ShapedRendererTest, LongTextWrapsAndIsCropped) {
  RendererSpec spec = shaped_spec();
  spec.max_chars = 0;
  const ShapedRenderer r(spec);
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "a ";
  const ImageU8 image = r.render(text);
  ASSERT_EQ(image.size(), static_cast<size_t>(kSize) * kSize * 3);
  for (int line = 0; line < kSize / 16; ++line) {
    const InkBox band = ink_box(image, 127, line * 16, line * 16 + 16);
    ASSERT_FALSE(band.empty()) << "no ink on line " << line;
    EXPECT_GT(band.x1, kSize - 20) << "line " << line << " not filled";
  }
}

TEST(ShapedRendererTest, LongWordBreaksAtGraphemes) {
  // 40 "m" (~12 px each) are over two lines wide: lines fill up, then the word continues below.
  const ImageU8 image = renderer().render(std::string(40, 'm'));
  EXPECT_GT(ink_box(image, 127, 0, 16).x1, kSize - 20) << "first line not filled";
  EXPECT_GT(ink_box(image, 127, 16, 32).x1, kSize - 20) << "second line not filled";
  EXPECT_FALSE(ink_box(image, 127, 32, 48).empty());
  EXPECT_TRUE(ink_box(image, 127, 48, kSize).empty());
}

TEST(ShapedRendererTest, HardLineBreakStartsNewLine) {
  const ImageU8 image = renderer().render("one\n\nthree");
  EXPECT_FALSE(ink_box(image, 127, 0, 16).empty());
  EXPECT_TRUE(ink_box(image, 127, 16, 32).empty()) << "empty second line";
  EXPECT_FALSE(ink_box(image, 127, 32, 48).empty());
  EXPECT_LE(ink_box(image, 127, 32, 48).x0, 4);
}

TEST(ShapedRendererTest, OverlappingGlyphsKeepTheDarkerInk) {
  // Kerned "AV" pairs overlap their bitmaps; adding a glyph never lightens a pixel already inked.
  RendererSpec spec = shaped_spec();
  spec.lower = LowerCase::kNone;
  const ShapedRenderer r(spec);
  const ImageU8 shorter = r.render("AVAVAVA");
  const ImageU8 longer = r.render("AVAVAVAV");
  for (size_t i = 0; i < shorter.size(); ++i) ASSERT_LE(longer.pixels[i], shorter.pixels[i]) << "pixel " << i;
}

TEST(ShapedRendererTest, ControlCharactersRenderAsSpaces) {
  // Some fallback fonts draw C0 controls as visible pictures; the model should see a space.
  EXPECT_EQ(renderer().render("a\tb").pixels, renderer().render("a b").pixels);
  EXPECT_EQ(renderer().render("a\x01" "b").pixels, renderer().render("a b").pixels);
}

TEST(ShapedRendererTest, VariationSelectorStaysWithItsBase) {
  // Noto Sans CJK maps 葛 + VS17 (U+E0100) to a variant glyph through its cmap format 14. The
  // selector is in no font's plain cmap, so only keeping it in the base's run selects the variant.
  const ImageU8 plain = renderer().render("\u845B");
  EXPECT_FALSE(ink_box(plain).empty());
  EXPECT_NE(renderer().render("\u845B\U000E0100").pixels, plain.pixels);
  EXPECT_EQ(renderer().render("\u845B\U000E0101").pixels, plain.pixels) << "VS18 selects the default glyph";
}

TEST(ShapedRendererTest, MaxCharsKeepsLeadingCodePoints) {
  RendererSpec spec = shaped_spec();
  spec.max_chars = 3;
  const ShapedRenderer r(spec);
  EXPECT_EQ(r.render("abcdefghij").pixels, r.render("abc").pixels);
  EXPECT_EQ(r.render("שלוםabc").pixels, r.render("שלו").pixels) << "code points, not bytes";
  EXPECT_NE(r.render("abcdefghij").pixels, renderer().render("abcdefghij").pixels);
}

TEST(ShapedRendererTest, IllFormedUtf8RendersReplacementCharacters) {
  ImageU8 image;
  EXPECT_NO_THROW(image = renderer().render("\xff\xfe abc"));
  EXPECT_EQ(image.pixels, renderer().render("\xEF\xBF\xBD\xEF\xBF\xBD abc").pixels);
  EXPECT_NE(image.pixels, renderer().render(" abc").pixels);
}

TEST(ShapedRendererTest, DeterministicAcrossCallsAndThreads) {
  const std::vector<std::string> texts = {
      "a dog playing in the park", "שלום עולם", "مرحبا بالعالم", "नमस्ते दुनिया", "中文 日本語",
      "ภาษาไทย", "Hello مرحبا world 123", "Привет, мир!", "한국어", "বাংলা ভাষা"};
  std::vector<ImageU8> serial;
  for (const auto& t : texts) serial.push_back(renderer().render(t));
  for (size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(renderer().render(texts[i]).pixels, serial[i].pixels);

  // A fresh renderer, so the threads race on lazy font opening and glyph cache insertion too.
  const ShapedRenderer fresh(shaped_spec());
  std::vector<std::vector<ImageU8>> results(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round)
        for (size_t i = 0; i < texts.size(); ++i)
          results[t].push_back(fresh.render(texts[(i + static_cast<size_t>(t)) % texts.size()]));
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t)
    for (size_t k = 0; k < results[t].size(); ++k)
      EXPECT_EQ(results[t][k].pixels, serial[(k + static_cast<size_t>(t)) % texts.size()].pixels)
          << "thread " << t << " text " << (k + static_cast<size_t>(t)) % texts.size();
}

TEST(ShapedRendererTest, ExplicitFontListIsUsedAlone) {
  const std::string noto = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf";
  if (!std::filesystem::exists(noto)) GTEST_SKIP() << noto << " not installed";
  RendererSpec spec = shaped_spec();
  spec.fonts = {noto};
  const ShapedRenderer r(spec);
  EXPECT_EQ(r.spec().fonts, spec.fonts);
  EXPECT_EQ(r.render("hello").pixels, renderer().render("hello").pixels) << "NotoSans heads the default chain";
  // No Han in NotoSans: both characters fall to its .notdef box.
  EXPECT_EQ(r.render("中").pixels, r.render("文").pixels);
}

TEST(ShapedRendererTest, MissingFontFileIsNotFound) {
  RendererSpec spec = shaped_spec();
  spec.fonts = {"/nonexistent.ttf"};
  try {
    ShapedRenderer r(spec);
    FAIL() << "expected clippo::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("/nonexistent.ttf"), std::string::npos) << e.what();
  }
}

TEST(ShapedRendererTest, MakeTextRendererBuildsShaped) {
  const auto r = make_text_renderer(shaped_spec());
  EXPECT_EQ(r->spec().kind, "shaped");
  EXPECT_EQ(r->render("hello").pixels, renderer().render("hello").pixels);
}

}  // namespace
}  // namespace clippo::render

// The emoji renderer on the installed Noto Color Emoji: colour, placement, sizes and errors.
#include "datasets/emoji_renderer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/base/error.h"
#include "tests/datasets/temp_dir.h"

namespace clippo::datasets {
namespace {

// The tests that draw need the font the project's setup installs; without it they skip.
#define REQUIRE_EMOJI_FONT()                                                                   \
  if (!std::filesystem::exists(kNotoColorEmojiPath)) {                                         \
    GTEST_SKIP() << kNotoColorEmojiPath << " missing: apt-get install fonts-noto-color-emoji"; \
  }

struct PixelStats {
  int n = 0;
  int n_non_white = 0;
  int n_coloured = 0;  // R, G, B not all equal
  double mean_r = 0, mean_g = 0, mean_b = 0;
};

PixelStats stats(const ImageU8& img, int y0, int x0, int y1, int x1) {
  PixelStats s;
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) {
      const int r = img.at(y, x, 0), g = img.at(y, x, 1), b = img.at(y, x, 2);
      ++s.n;
      s.n_non_white += (r < 240 || g < 240 || b < 240) ? 1 : 0;
      s.n_coloured += (r != g || g != b) ? 1 : 0;
      s.mean_r += r;
      s.mean_g += g;
      s.mean_b += b;
    }
  }
  s.mean_r /= s.n;
  s.mean_g /= s.n;
  s.mean_b /= s.n;
  return s;
}

TEST(EmojiRendererTest, SingleCodePointAndKey) {
  EXPECT_EQ(single_code_point("😀"), U'\U0001F600');
  EXPECT_EQ(single_code_point("☺\xEF\xB8\x8F"), U'\u263A');  // U+263A U+FE0F
  EXPECT_EQ(single_code_point("👍🏽"), std::nullopt);
  EXPECT_EQ(single_code_point("👩‍💻"), std::nullopt);
  EXPECT_EQ(single_code_point(""), std::nullopt);
  EXPECT_EQ(single_code_point("\xEF\xB8\x8F"), std::nullopt);
  EXPECT_EQ(single_code_point("\xF0\x9F"), std::nullopt);  // truncated UTF-8
  EXPECT_EQ(emoji_key("😀"), "1f600");
  EXPECT_EQ(emoji_key("☺\xEF\xB8\x8F"), "263a");
  EXPECT_EQ(emoji_key("👍🏽"), "1f44d_1f3fd");
  EXPECT_EQ(emoji_key("#"), "23");
}

TEST(EmojiRendererTest, GrinningFaceIsAYellowFaceOnWhite) {
  REQUIRE_EMOJI_FONT();
  const EmojiRenderer renderer;
  const ImageU8 img = renderer.render("😀", 160);
  ASSERT_EQ(img.height, 160);
  ASSERT_EQ(img.width, 160);
  ASSERT_EQ(img.channels, 3);
  // The middle of the face is painted, in colour, and yellow: red and green high, blue low.
  const PixelStats middle = stats(img, 50, 50, 110, 110);
  EXPECT_GT(middle.n_non_white, middle.n * 9 / 10);
  EXPECT_GT(middle.n_coloured, middle.n * 8 / 10);
  EXPECT_GT(middle.mean_r, 180);
  EXPECT_GT(middle.mean_g, 130);
  EXPECT_LT(middle.mean_b, 110);
  // The 136 x 128 glyph is drawn unscaled and centred: the border stays white.
  EXPECT_EQ(stats(img, 0, 0, 8, 160).n_non_white, 0);
  EXPECT_EQ(stats(img, 152, 0, 160, 160).n_non_white, 0);
  EXPECT_EQ(stats(img, 0, 0, 160, 8).n_non_white, 0);
  EXPECT_EQ(stats(img, 0, 152, 160, 160).n_non_white, 0);
}

TEST(EmojiRendererTest, SmallSizesShrinkTheWholeGlyph) {
  REQUIRE_EMOJI_FONT();
  const EmojiRenderer renderer;
  const ImageU8 img = renderer.render("😀", 32);
  ASSERT_EQ(img.height, 32);
  ASSERT_EQ(img.width, 32);
  const PixelStats middle = stats(img, 10, 10, 22, 22);
  EXPECT_GT(middle.n_non_white, middle.n * 9 / 10);
  EXPECT_GT(middle.mean_r, 180);
  EXPECT_LT(middle.mean_b, 110);
  // The face (about 90% of the glyph box) now nearly fills the image: the area filter
  // shrank the whole square, it did not crop it.
  const PixelStats all = stats(img, 0, 0, 32, 32);
  EXPECT_GT(all.n_non_white, all.n / 2);
  // A different emoji gives a different picture (a red heart: red, little green).
  const PixelStats heart = stats(renderer.render("❤\xEF\xB8\x8F", 32), 12, 12, 20, 20);
  EXPECT_GT(heart.mean_r, 150);
  EXPECT_LT(heart.mean_g, 100);
}

TEST(EmojiRendererTest, WhatCannotBeDrawnIsAnError) {
  REQUIRE_EMOJI_FONT();
  const EmojiRenderer renderer;
  EXPECT_TRUE(renderer.can_render("😀"));
  EXPECT_FALSE(renderer.can_render("{"));         // CLDR names it; Noto Color Emoji has no glyph
  EXPECT_FALSE(renderer.can_render("👍🏽"));  // a sequence
  try {
    renderer.render("{", 64);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("U+007B"), std::string::npos) << e.what();
  }
  EXPECT_THROW(
      try { renderer.render("👍🏽", 64); } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
        throw;
      },
      Error);
  EXPECT_THROW(
      try { renderer.render("😀", 4); } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
        throw;
      },
      Error);
}

TEST(EmojiRendererTest, MissingOrBadFont) {
  try {
    EmojiRenderer renderer("/nonexistent/NotoColorEmoji.ttf");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/NotoColorEmoji.ttf"), std::string::npos);
  }
  // Not a font: FreeType's complaint comes back as InvalidArgument naming the file.
  testing::TempDir dir;
  testing::write_text(dir / "not_a_font.ttf", "plain text, not a font");
  try {
    EmojiRenderer renderer(dir / "not_a_font.ttf");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("not_a_font.ttf"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace clippo::datasets

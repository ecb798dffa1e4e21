// The emoji collection builder: exact output on hand-made CLDR data, and a 20-emoji build from
// the installed CLDR and Noto Color Emoji (images decode, captions, split and the split's TSVs
// cover every key, two builds give the same bytes).
#include "datasets/emoji_collection.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "render/image_decoder.h"
#include "tests/datasets/temp_dir.h"

namespace clippo::datasets {
namespace {

using testing::TempDir;
using testing::write_text;

bool have_installed_data() {
  return std::filesystem::exists(kNotoColorEmojiPath) && std::filesystem::is_directory(kCldrAnnotationsDir) &&
         std::filesystem::is_directory(kCldrAnnotationsDerivedDir);
}

#define REQUIRE_INSTALLED_DATA()                                                                 \
  if (!have_installed_data()) {                                                                  \
    GTEST_SKIP() << "needs fonts-noto-color-emoji and unicode-cldr-core (apt-get install them)"; \
  }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string ldml(const std::string& body) { return "<ldml><annotations>" + body + "</annotations></ldml>"; }

// Two locales naming: 😀 (drawn), 👍🏽 (a sequence), '{' (no glyph), 🐈 (German only),
// ☺ (written with U+FE0F in one file: still one emoji).
void write_small_cldr(const TempDir& dir) {
  write_text(dir / "cldr/en.xml",
             ldml("<annotation cp=\"😀\">face | grin | grinning face</annotation>"
                  "<annotation cp=\"😀\" type=\"tts\">grinning face</annotation>"
                  "<annotation cp=\"👍🏽\" type=\"tts\">thumbs up: medium skin tone</annotation>"
                  "<annotation cp=\"{\" type=\"tts\">left curly bracket</annotation>"
                  "<annotation cp=\"☺️\" type=\"tts\">smiling face</annotation>"
                  "<annotation cp=\"🐕\">keywords but no name</annotation>"));
  write_text(dir / "cldr/de.xml", ldml("<annotation cp=\"😀\" type=\"tts\">grinsendes Gesicht</annotation>"
                                       "<annotation cp=\"😀\">Gesicht | lol</annotation>"
                                       "<annotation cp=\"🐈\" type=\"tts\">Katze</annotation>"
                                       "<annotation cp=\"☺\" type=\"tts\">lächelndes Gesicht</annotation>"));
}

TEST(EmojiCollectionTest, ExactOutputOnSmallData) {
  if (!std::filesystem::exists(kNotoColorEmojiPath)) GTEST_SKIP() << "needs fonts-noto-color-emoji";
  TempDir dir;
  write_small_cldr(dir);
  EmojiCollectionOptions o;
  o.out_dir = dir / "out";
  o.cldr_dirs = {dir / "cldr"};
  o.image_size_px = 64;
  o.heldout_fraction = 0.0;
  size_t progress_calls = 0;
  o.on_progress = [&](size_t done, size_t total) {
    ++progress_calls;
    EXPECT_EQ(total, 3u);
    EXPECT_EQ(done, progress_calls);
  };
  const EmojiCollectionSummary s = build_emoji_collection(o);
  EXPECT_EQ(s.n_emoji, 3u);  // in code point order: ☺ U+263A, 🐈 U+1F408, 😀 U+1F600
  EXPECT_EQ(s.n_skipped_multi_codepoint, 1u);
  EXPECT_EQ(s.n_skipped_no_glyph, 1u);
  EXPECT_EQ(s.n_locales, 2u);
  EXPECT_EQ(s.n_captions, 2u + 3u + 3u + 1u);  // ☺ en+de; 😀 en 3 (name once), de 3; 🐈 de
  EXPECT_EQ(s.n_train, 3u);
  EXPECT_EQ(s.n_heldout, 0u);
  EXPECT_EQ(progress_calls, 3u);
  EXPECT_EQ(read_file(dir / "out/captions.jsonl"),
            "{\"image/key\":\"263a\",\"de\":{\"caption\":[\"lächelndes Gesicht\"]},"
            "\"en\":{\"caption\":[\"smiling face\"]}}\n"
            "{\"image/key\":\"1f408\",\"de\":{\"caption\":[\"Katze\"]}}\n"
            "{\"image/key\":\"1f600\",\"de\":{\"caption\":[\"grinsendes Gesicht\",\"Gesicht\",\"lol\"]},"
            "\"en\":{\"caption\":[\"grinning face\",\"face\",\"grin\"]}}\n");
  EXPECT_EQ(read_file(dir / "out/index.tsv"),
            "images/263a.png\tsmiling face\nimages/1f408.png\tKatze\nimages/1f600.png\tgrinning face\n");
  const auto split = nlohmann::json::parse(read_file(dir / "out/split.json"));
  EXPECT_EQ(split["train"], (nlohmann::json{"263a", "1f408", "1f600"}));
  EXPECT_EQ(split["heldout"], nlohmann::json::array());
  EXPECT_EQ(read_file(dir / "out/train.tsv"),
            "images/263a.png\tlächelndes Gesicht\tde\nimages/263a.png\tsmiling face\ten\n"
            "images/1f408.png\tKatze\tde\n"
            "images/1f600.png\tgrinsendes Gesicht\tde\nimages/1f600.png\tGesicht\tde\n"
            "images/1f600.png\tlol\tde\nimages/1f600.png\tgrinning face\ten\n"
            "images/1f600.png\tface\ten\nimages/1f600.png\tgrin\ten\n");
  EXPECT_EQ(read_file(dir / "out/heldout.tsv"), "");
  const ImageU8 img = render::decode_image_file(dir / "out/images/1f600.png");
  EXPECT_EQ(img.height, 64);
  EXPECT_EQ(img.width, 64);
  EXPECT_FALSE(std::filesystem::exists(dir / "out/images/7b.png"));
}

TEST(EmojiCollectionTest, HeldoutSplitIsByKey) {
  size_t n_heldout = 0;
  for (int i = 0; i < 10000; ++i) {
    const std::string key = std::to_string(i);
    EXPECT_FALSE(is_heldout_key(key, 0.0));
    EXPECT_TRUE(is_heldout_key(key, 1.0));
    n_heldout += is_heldout_key(key, 0.1) ? 1 : 0;
    // Monotone in the fraction: a key held out at 10% stays held out at 20%.
    if (is_heldout_key(key, 0.1)) {
      EXPECT_TRUE(is_heldout_key(key, 0.2));
    }
  }
  EXPECT_GT(n_heldout, 900u);
  EXPECT_LT(n_heldout, 1100u);
}

TEST(EmojiCollectionTest, TwentyEmojiInThreeLocales) {
  REQUIRE_INSTALLED_DATA();
  TempDir dir;
  EmojiCollectionOptions o;
  o.out_dir = dir / "emoji";
  o.locales = {"en", "de", "ja"};
  o.limit = 20;
  o.heldout_fraction = 0.25;
  const EmojiCollectionSummary s = build_emoji_collection(o);
  EXPECT_EQ(s.n_emoji, 20u);
  EXPECT_EQ(s.n_locales, 3u);
  EXPECT_GT(s.n_skipped_multi_codepoint, 1000u);  // skin tones, families, flags...
  EXPECT_EQ(s.n_train + s.n_heldout, 20u);

  size_t n_png = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "emoji/images")) {
    ++n_png;
    const ImageU8 img = render::decode_image_file(entry.path().string());
    EXPECT_EQ(img.height, 160);
    EXPECT_EQ(img.width, 160);
  }
  EXPECT_EQ(n_png, 20u);

  const std::vector<std::string> lines = lines_of(read_file(dir / "emoji/captions.jsonl"));
  ASSERT_EQ(lines.size(), 20u);
  std::set<std::string> keys;
  for (const std::string& line : lines) {
    const auto j = nlohmann::ordered_json::parse(line);
    ASSERT_TRUE(j.contains("image/key")) << line;
    EXPECT_EQ(j.begin().key(), "image/key");
    const std::string key = j["image/key"];
    EXPECT_TRUE(keys.insert(key).second) << "duplicate " << key;
    EXPECT_TRUE(std::filesystem::exists(dir / ("emoji/images/" + key + ".png"))) << key;
    ASSERT_TRUE(j.contains("en")) << line;
    ASSERT_TRUE(j["en"]["caption"].is_array());
    ASSERT_FALSE(j["en"]["caption"].empty());
    EXPECT_FALSE(j["en"]["caption"][0].get<std::string>().empty());
    for (const auto& [locale, value] : j.items()) {
      if (locale != "image/key") {
        EXPECT_TRUE(locale == "en" || locale == "de" || locale == "ja") << locale;
      }
    }
  }
  EXPECT_EQ(lines_of(read_file(dir / "emoji/index.tsv")).size(), 20u);

  const auto split = nlohmann::json::parse(read_file(dir / "emoji/split.json"));
  // train.tsv / heldout.tsv: every caption of their split, and only of it.
  for (const std::string name : {"train", "heldout"}) {
    std::set<std::string> tsv_keys;
    for (const std::string& line : lines_of(read_file(dir / ("emoji/" + name + ".tsv")))) {
      const size_t dot = line.find(".png\t");
      ASSERT_EQ(line.rfind("images/", 0), 0u) << line;
      ASSERT_NE(dot, std::string::npos) << line;
      tsv_keys.insert(line.substr(7, dot - 7));
      const std::string locale = line.substr(line.rfind('\t') + 1);
      EXPECT_TRUE(locale == "en" || locale == "de" || locale == "ja") << line;
    }
    std::set<std::string> split_side;
    for (const auto& k : split[name]) split_side.insert(k.get<std::string>());
    EXPECT_EQ(tsv_keys, split_side) << name;
  }
  std::set<std::string> split_keys;
  for (const auto& k : split["train"]) EXPECT_TRUE(split_keys.insert(k.get<std::string>()).second);
  for (const auto& k : split["heldout"]) EXPECT_TRUE(split_keys.insert(k.get<std::string>()).second);
  EXPECT_EQ(split_keys, keys);
  EXPECT_EQ(split["heldout"].size(), s.n_heldout);
}

TEST(EmojiCollectionTest, TwoBuildsGiveTheSameBytes) {
  REQUIRE_INSTALLED_DATA();
  TempDir dir;
  EmojiCollectionOptions o;
  o.locales = {"en", "fr", "zh_Hant"};
  o.limit = 30;
  o.image_size_px = 72;
  o.out_dir = dir / "a";
  build_emoji_collection(o);
  o.out_dir = dir / "b";
  build_emoji_collection(o);
  std::vector<std::string> names = {"captions.jsonl", "index.tsv", "split.json", "train.tsv", "heldout.tsv"};
  for (const auto& entry : std::filesystem::directory_iterator(dir / "a/images")) {
    names.push_back("images/" + entry.path().filename().string());
  }
  EXPECT_EQ(names.size(), 5u + 30u);
  for (const std::string& name : names) {
    const std::string a = read_file(dir / ("a/" + name));
    EXPECT_FALSE(a.empty()) << name;
    EXPECT_EQ(a, read_file(dir / ("b/" + name))) << name;
  }
}

TEST(EmojiCollectionTest, MissingInputsAreNotFound) {
  TempDir dir;
  write_small_cldr(dir);
  EmojiCollectionOptions o;
  o.out_dir = dir / "out";
  o.cldr_dirs = {dir / "cldr"};
  o.font_path = dir / "no_such_font.ttf";
  const auto expect_not_found = [&](const std::string& needle) {
    try {
      build_emoji_collection(o);
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kNotFound) << e.what();
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_not_found("no_such_font.ttf");
  if (!std::filesystem::exists(kNotoColorEmojiPath)) return;
  o.font_path = kNotoColorEmojiPath;
  o.cldr_dirs = {dir / "no_such_cldr"};
  expect_not_found("no_such_cldr");
  o.cldr_dirs = {dir / "cldr"};
  o.locales = {"en", "xx"};
  expect_not_found("'xx'");
  EXPECT_FALSE(std::filesystem::exists(dir / "out/captions.jsonl"));
}

TEST(EmojiCollectionTest, BadOptionsAreInvalidArgument) {
  EmojiCollectionOptions o;
  EXPECT_THROW(build_emoji_collection(o), Error);  // no output folder
  o.out_dir = "/tmp/unused";
  o.heldout_fraction = 1.5;
  try {
    build_emoji_collection(o);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  }
  o.heldout_fraction = 0.1;
  o.image_size_px = 2;
  try {
    build_emoji_collection(o);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace clippo::datasets

// Token report: sample splitting, the paper's CLIPPO length, statistics, and the three outputs.
#include "evaluation/token_report.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/base/utf8.h"
#include "render/text_renderer.h"

namespace clippo::evaluation {
namespace {

// Counts whitespace-separated words: a stand-in tokenizer with known answers.
class WordCounter final : public TokenCounter {
 public:
  explicit WordCounter(std::string name, size_t scale = 1) : name_(std::move(name)), scale_(scale) {}
  const std::string& name() const override { return name_; }
  size_t count(std::string_view text) const override {
    size_t n = 0;
    bool in_word = false;
    for (const char c : text) {
      const bool space = c == ' ';
      if (!space && !in_word) ++n;
      in_word = !space;
    }
    return n * scale_;
  }

 private:
  std::string name_;
  size_t scale_;
};

TEST(TokenReportTest, SplitsSentencesAndBoundsTheirLength) {
  EXPECT_EQ(split_into_samples("One two. Three four! Five? Six"),
            (std::vector<std::string>{"One two.", "Three four!", "Five?", "Six"}));
  EXPECT_EQ(split_into_samples("Art. 1.5 stays"), (std::vector<std::string>{"Art.", "1.5 stays"}));
  // Ideographic full stops end a sentence without a following space.
  EXPECT_EQ(split_into_samples("\xE4\xBA\xBA\xE3\x80\x82\xE4\xBA\xBA\xE3\x80\x82"),
            (std::vector<std::string>{"\xE4\xBA\xBA\xE3\x80\x82", "\xE4\xBA\xBA\xE3\x80\x82"}));
  // A long sentence is cut at spaces; one without spaces at the bound.
  const auto words = split_into_samples("aaaa bbbb cccc dddd", 10);
  EXPECT_EQ(words, (std::vector<std::string>{"aaaa bbbb", "cccc dddd"}));
  const auto cjk = split_into_samples(std::string(30, 'x'), 12);
  EXPECT_EQ(cjk, (std::vector<std::string>{std::string(12, 'x'), std::string(12, 'x'), std::string(6, 'x')}));
  EXPECT_TRUE(split_into_samples("   ").empty());
  for (const std::string& s : split_into_samples(std::string(500, 'y') + ". z", 160)) {
    EXPECT_LE(decode_utf8(s).size(), 160u);
  }
}

TEST(TokenReportTest, ClippoLengthIsTheLastInkedPatchInRowMajorOrder) {
  std::vector<uint8_t> img(224 * 224 * 3, 127);
  EXPECT_EQ(clippo_sequence_length(img.data(), 224, 16, 127), 0u);
  img[0] = 0;  // patch 0
  EXPECT_EQ(clippo_sequence_length(img.data(), 224, 16, 127), 1u);
  // A pixel in patch row 2, column 3 (y = 40, x = 50): index 2 * 14 + 3 = 31, length 32.
  img[(40 * 224 + 50) * 3 + 1] = 0;
  EXPECT_EQ(clippo_sequence_length(img.data(), 224, 16, 127), 32u);
  img[(223 * 224 + 223) * 3] = 0;
  EXPECT_EQ(clippo_sequence_length(img.data(), 224, 16, 127), 196u);
  EXPECT_THROW(clippo_sequence_length(img.data(), 224, 15, 127), Error);
}

TEST(TokenReportTest, RenderedTextLengthsGrowWithTheText) {
  const auto renderer = render::make_text_renderer({});
  const auto len = [&](const std::string& text) {
    const ImageU8 image = renderer->render(text);
    return clippo_sequence_length(image.data(), 224, 16, 127);
  };
  EXPECT_EQ(len(""), 0u);
  EXPECT_EQ(len("a"), 1u);  // one glyph in the first patch
  // Unifont glyphs are at most 16 px: the first row of patches holds 14, so a 20-letter word
  // wraps to the next row and lands beyond patch 14.
  EXPECT_GT(len(std::string(60, 'm')), 14u);
  EXPECT_LT(len("hello"), len("hello world, this is a longer sentence"));
}

TEST(TokenReportTest, ComputesPerLanguageStatsAndSummary) {
  const std::vector<LanguageSamples> languages = {
      {"en", "English", "test", {"a", "a b c d e f g h i j k l m n o p q r s t"}},
      {"xx", "Empty", "test", {}},
  };
  const WordCounter words("words");
  const WordCounter many("many", 1000);
  const TokenReport r = build_token_report(languages, {&words, &many}, {});
  ASSERT_EQ(r.languages.size(), 1u);
  ASSERT_EQ(r.without_text.size(), 1u);
  EXPECT_EQ(r.without_text[0].first, "xx");
  const LanguageTokenStats& en = r.languages[0];
  EXPECT_EQ(en.n_samples, 2u);
  EXPECT_EQ(en.clippo.min, 1u);
  ASSERT_EQ(en.tokenizers.size(), 2u);
  EXPECT_DOUBLE_EQ(en.tokenizers[0].tokens.mean, 10.5);
  // "a": CLIPPO 1 vs 1 word (not shorter); "a b ... t": 20 words, 2-3 patches (shorter).
  EXPECT_DOUBLE_EQ(en.tokenizers[0].clippo_shorter_fraction, 0.5);
  EXPECT_DOUBLE_EQ(en.tokenizers[0].clippo_shorter_or_equal_fraction, 1.0);
  EXPECT_DOUBLE_EQ(en.tokenizers[1].clippo_shorter_fraction, 1.0);

  const nlohmann::json j = to_json(r);
  EXPECT_EQ(j["languages"]["en"]["n_samples"], 2);
  EXPECT_TRUE(j["languages"]["en"].contains("clippo"));
  EXPECT_DOUBLE_EQ(j["languages"]["en"]["words"]["mean"].get<double>(), 10.5);
  EXPECT_EQ(j["summary"]["tokenizers"]["many"]["n_languages_clippo_shorter_over_75pct"], 1);
  EXPECT_EQ(j["summary"]["tokenizers"]["words"]["n_languages_clippo_shorter_over_75pct"], 0);
  EXPECT_EQ(j["summary"]["languages_without_text"]["xx"], "no sample text");

  const std::string md = token_report_markdown(r);
  EXPECT_NE(md.find("| English | en | 2 |"), std::string::npos) << md;
  EXPECT_NE(md.find("1 of 1 languages"), std::string::npos) << md;
  const std::string svg = token_report_svg(r);
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("many (tokens)"), std::string::npos);
}

TEST(TokenReportTest, WorksWithoutTokenizersAndInParallel) {
  std::vector<LanguageSamples> languages;
  for (int i = 0; i < 9; ++i) {
    languages.push_back({"l" + std::to_string(i), "L", "test", {std::string(static_cast<size_t>(i + 1) * 10, 'w')}});
  }
  TokenReportOptions serial;
  serial.n_threads = 1;
  TokenReportOptions parallel;
  parallel.n_threads = 4;
  const TokenReport a = build_token_report(languages, {}, serial);
  const TokenReport b = build_token_report(languages, {}, parallel);
  ASSERT_EQ(a.languages.size(), 9u);
  for (size_t i = 0; i < 9; ++i) {
    EXPECT_EQ(a.languages[i].code, b.languages[i].code);
    EXPECT_EQ(a.languages[i].clippo.mean, b.languages[i].clippo.mean);
  }
  EXPECT_TRUE(to_json(a)["summary"]["tokenizers"].empty());
}

TEST(TokenReportTest, RejectsReservedAndDuplicateTokenizerNames) {
  const WordCounter clippo("clippo"), a("a"), a2("a");
  EXPECT_THROW(build_token_report({}, {&clippo}, {}), Error);
  EXPECT_THROW(build_token_report({}, {&a, &a2}, {}), Error);
}

}  // namespace
}  // namespace clippo::evaluation

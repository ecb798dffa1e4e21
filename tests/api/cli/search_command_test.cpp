// `clippo search` end to end with the real binary: the ranking the engine (and /v1/search)
// gives, by text or by image, as text lines or the API's JSON.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "api/engine/search_engine.h"
#include "core/base/file_io.h"
#include "tests/api/cli/run_clippo.h"

namespace clippo::cli {
namespace {

namespace fs = std::filesystem;

TEST(SearchCommandTest, TextAndImageQueriesRankAsTheEngineDoes) {
  const fs::path dir = temp_dir() / "search";
  remove_tree(dir.string());
  fs::create_directories(dir / "images");
  for (const char* f : {"photo.png", "gray.png", "palette.png"}) {
    fs::copy(std::string(CLIPPO_TEST_DATA_DIR) + "/images/" + f, dir / "images" / f);
  }
  const std::string model = (dir / "m.npz").string(), store = (dir / "store").string();
  ASSERT_EQ(run_clippo("model init --variant mu/16 --out-dim 16 --seed 2 -o " + model).exit_code, 0);
  ASSERT_EQ(run_clippo("index build --model " + model + " --images " + (dir / "images").string() + " --out " + store).exit_code, 0);

  const CommandResult by_image = run_clippo("search --store " + store + " --image " + (dir / "images" / "gray.png").string() + " -k 1 --json");
  ASSERT_EQ(by_image.exit_code, 0) << by_image.err;
  const auto hits = nlohmann::json::parse(by_image.out)["results"];
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(fs::path(hits[0]["uri"].get<std::string>()).filename(), "gray.png");
  EXPECT_GT(hits[0]["score"].get<double>(), 0.999);

  const CommandResult by_text = run_clippo("search --store " + store + " 'ein graues Quadrat' -k 3 --json");
  ASSERT_EQ(by_text.exit_code, 0) << by_text.err;
  const auto ranked = nlohmann::json::parse(by_text.out);
  ASSERT_EQ(ranked["results"].size(), 3u);
  EXPECT_TRUE(ranked["took_ms"].contains("total"));
  {
    const engine::SearchEngine engine(model, store);
    const auto want = engine.search_text("ein graues Quadrat", 3);
    for (size_t i = 0; i < 3; ++i) EXPECT_EQ(ranked["results"][i]["id"], want.results[i].id) << i;
  }
  const CommandResult lines = run_clippo("search --store " + store + " 'ein graues Quadrat' -k 2");
  ASSERT_EQ(lines.exit_code, 0) << lines.err;
  EXPECT_EQ(std::count(lines.out.begin(), lines.out.end(), '\n'), 2);
  EXPECT_EQ(lines.out.rfind("  1  ", 0), 0u) << lines.out;

  const CommandResult neither = run_clippo("search --store " + store);
  EXPECT_EQ(neither.exit_code, 1);
  EXPECT_NE(neither.err.find("give a text query or --image"), std::string::npos) << neither.err;
  const CommandResult bad_k = run_clippo("search --store " + store + " cat -k 0");
  EXPECT_EQ(bad_k.exit_code, 1);
  EXPECT_NE(bad_k.err.find("k must be in [1, 1000]"), std::string::npos) << bad_k.err;
}

}  // namespace
}  // namespace clippo::cli

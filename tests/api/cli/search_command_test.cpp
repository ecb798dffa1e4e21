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

TEST(SearchCommandTest, TextItemsFromTheCliAndTheKindsFilter) {
  const fs::path dir = temp_dir() / "search_texts";
  remove_tree(dir.string());
  fs::create_directories(dir / "images");
  fs::copy(std::string(CLIPPO_TEST_DATA_DIR) + "/images/gray.png", dir / "images" / "gray.png");
  const std::string model = (dir / "m.npz").string(), store = (dir / "store").string();
  const std::string texts = (dir / "texts.tsv").string();
  write_file_atomically(texts, "a grey square\nein graues Quadrat\tde\n");
  ASSERT_EQ(run_clippo("model init --variant mu/16 --out-dim 16 --seed 2 -o " + model).exit_code, 0);
  // Neither --images nor --texts: one clear error, no store.
  const CommandResult nothing = run_clippo("index build --model " + model + " --out " + store);
  EXPECT_EQ(nothing.exit_code, 1);
  EXPECT_NE(nothing.err.find("give --images"), std::string::npos) << nothing.err;
  const CommandResult built = run_clippo("index build --model " + model + " --images " + (dir / "images").string() +
                                         " --texts " + texts + " --lang en --out " + store + " --json");
  ASSERT_EQ(built.exit_code, 0) << built.err;
  const auto summary = nlohmann::json::parse(built.out);
  EXPECT_EQ(summary["items"], 3);
  EXPECT_EQ(summary["texts"]["added"], 2);
  const CommandResult added = run_clippo("index add --store " + store + " --text 'un carré gris' --lang fr");
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_NE(run_clippo("index add --store " + store + " --text x --image " + (dir / "images" / "gray.png").string()).exit_code, 0);
  const CommandResult info = run_clippo("index info --store " + store + " --json");
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_EQ(nlohmann::json::parse(info.out)["kinds"], (nlohmann::json{{"image", 1}, {"text", 3}}));

  // text -> text: the same text comes back first, at 1, with its language.
  const CommandResult t2t = run_clippo("search --store " + store + " 'ein graues Quadrat' --kinds text -k 3 --json");
  ASSERT_EQ(t2t.exit_code, 0) << t2t.err;
  const auto hits = nlohmann::json::parse(t2t.out)["results"];
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0]["kind"], "text");
  EXPECT_EQ(hits[0]["text"], "ein graues Quadrat");
  EXPECT_EQ(hits[0]["lang"], "de");
  EXPECT_GT(hits[0]["score"].get<double>(), 0.999);
  for (const auto& hit : hits) EXPECT_EQ(hit["kind"], "text");
  // image -> image only; the line format names the kind.
  const CommandResult i2i = run_clippo("search --store " + store + " --image " + (dir / "images" / "gray.png").string() +
                                       " --kinds image -k 5");
  ASSERT_EQ(i2i.exit_code, 0) << i2i.err;
  EXPECT_EQ(std::count(i2i.out.begin(), i2i.out.end(), '\n'), 1) << i2i.out;
  EXPECT_NE(i2i.out.find("  image  "), std::string::npos) << i2i.out;
  EXPECT_NE(run_clippo("search --store " + store + " x --kinds video").exit_code, 0);
}

}  // namespace
}  // namespace clippo::cli

// `clippo index build --shard` and `clippo index merge` as processes: three sharded builds
// merged give the items, vectors and rankings of one build; a part resumes only as the shard
// it was started as; --shard-from-env reads Slurm's and Kubernetes' variables; parts of
// different models are refused by name; --max-memory chooses the index.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "api/engine/indexer.h"
#include "core/base/error.h"
#include "core/base/file_io.h"
#include "index/collection_store.h"
#include "tests/api/cli/run_clippo.h"

namespace clippo::cli {
namespace {

namespace fs = std::filesystem;

// A folder of 12 distinct pictures (words drawn by the renderer) in two subfolders, and a model.
struct Collection {
  fs::path dir, images;
  std::string model;
};

Collection make_collection(const std::string& name) {
  Collection c;
  c.dir = temp_dir() / name;
  remove_tree(c.dir.string());
  c.images = c.dir / "images";
  const char* words[] = {"cat", "dog", "bird", "fish", "tree", "house", "car", "boat", "sun", "moon", "star", "rain"};
  for (int i = 0; i < 12; ++i) {
    const fs::path folder = c.images / (i % 2 ? "a" : "b");
    fs::create_directories(folder);
    EXPECT_EQ(run_clippo(std::string("render ") + words[i] + " -o " + (folder / (std::string(words[i]) + ".png")).string())
                  .exit_code, 0);
  }
  c.model = (c.dir / "m.npz").string();
  EXPECT_EQ(run_clippo("model init --variant mu/16 --out-dim 16 --seed 3 -o " + c.model).exit_code, 0);
  return c;
}

nlohmann::json run_json(const std::string& args) {
  const CommandResult r = run_clippo(args);
  EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
  return r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json::object();
}

std::vector<std::string> ranked_uris(const std::string& store, const std::string& query) {
  std::vector<std::string> uris;
  for (const auto& hit : run_json("search --store " + store + " '" + query + "' -k 10 --json")["results"]) {
    uris.push_back(hit["uri"]);
  }
  return uris;
}

TEST(IndexCommandTest, ThreeShardsMergedEqualOneBuild) {
  const Collection c = make_collection("shards");
  const std::string whole = (c.dir / "whole").string(), merged = (c.dir / "merged").string();
  run_json("index build --model " + c.model + " --images " + c.images.string() + " --out " + whole + " --json");
  std::string parts;
  size_t added = 0;
  for (int i = 0; i < 3; ++i) {
    const std::string part = (c.dir / ("part" + std::to_string(i))).string();
    const auto s = run_json("index build --model " + c.model + " --images " + c.images.string() + " --out " + part +
                            " --shard " + std::to_string(i) + "/3 --json");
    EXPECT_EQ(s["shard"], std::to_string(i) + "/3");
    EXPECT_EQ(s["added"].get<size_t>() + s["other_shards"].get<size_t>(), 12u);
    added += s["added"].get<size_t>();
    // Run again, it resumes: nothing to add.
    EXPECT_EQ(run_json("index build --model " + c.model + " --images " + c.images.string() + " --out " + part +
                       " --shard " + std::to_string(i) + "/3 --json")["added"], 0);
    parts += " " + part;
  }
  EXPECT_EQ(added, 12u);
  const auto m = run_json("index merge" + parts + " -o " + merged + " --json");
  EXPECT_EQ(m["items"], 12);
  EXPECT_EQ(m["duplicates"], 0);
  EXPECT_TRUE(m["warnings"].empty()) << m.dump();

  // The same items with the same vectors (by uri), and the same ranking for text queries.
  auto a = index::CollectionStore::open(whole, nullptr, true), b = index::CollectionStore::open(merged, nullptr, true);
  ASSERT_EQ(a->size(), b->size());
  std::map<std::string, int64_t> merged_ids;
  for (const index::Item& item : b->items()) merged_ids[item.uri] = item.id;
  for (const index::Item& item : a->items()) {
    ASSERT_TRUE(merged_ids.count(item.uri)) << item.uri;
    const std::vector<float> va = a->vector(item.id), vb = b->vector(merged_ids[item.uri]);
    ASSERT_EQ(va.size(), vb.size());
    for (size_t j = 0; j < va.size(); ++j) EXPECT_NEAR(va[j], vb[j], 1e-5) << item.uri;
  }
  for (const char* query : {"cat", "a small boat", "звезда"}) EXPECT_EQ(ranked_uris(whole, query), ranked_uris(merged, query));
  // The merged store serves the parts' pictures.
  const auto info = run_json("index info --store " + merged + " --json");
  EXPECT_EQ(info["image_roots"].size(), 1u) << info.dump();
}

TEST(IndexCommandTest, APartResumesOnlyAsItsShard) {
  const Collection c = make_collection("resume_shard");
  const std::string part = (c.dir / "part").string();
  run_json("index build --model " + c.model + " --images " + c.images.string() + " --out " + part + " --shard 0/3 --json");
  const CommandResult other = run_clippo("index build --model " + c.model + " --images " + c.images.string() + " --out " +
                                         part + " --shard 1/3");
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("holds shard 0/3, not shard 1/3"), std::string::npos) << other.err;
  const CommandResult whole = run_clippo("index build --model " + c.model + " --images " + c.images.string() + " --out " + part);
  EXPECT_EQ(whole.exit_code, 1);
  EXPECT_NE(whole.err.find("not a whole build"), std::string::npos) << whole.err;
  const CommandResult bad = run_clippo("index build --model " + c.model + " --images " + c.images.string() + " --out " +
                                       (c.dir / "bad").string() + " --shard 3/3");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("the index must be in [0, n)"), std::string::npos) << bad.err;
}

TEST(IndexCommandTest, ShardFromTheSchedulersEnvironment) {
  const Collection c = make_collection("env_shard");
  setenv("SLURM_ARRAY_TASK_ID", "2", 1);
  setenv("SLURM_ARRAY_TASK_COUNT", "4", 1);
  auto s = run_json("index build --model " + c.model + " --images " + c.images.string() + " --out " +
                    (c.dir / "slurm").string() + " --shard-from-env --json");
  EXPECT_EQ(s["shard"], "2/4");
  unsetenv("SLURM_ARRAY_TASK_ID");
  unsetenv("SLURM_ARRAY_TASK_COUNT");
  const CommandResult none = run_clippo("index build --model " + c.model + " --images " + c.images.string() + " --out " +
                                        (c.dir / "none").string() + " --shard-from-env");
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("JOB_COMPLETION_INDEX"), std::string::npos) << none.err;
  setenv("JOB_COMPLETION_INDEX", "1", 1);
  setenv("CLIPPO_SHARD_COUNT", "2", 1);
  s = run_json("index build --model " + c.model + " --images " + c.images.string() + " --out " +
               (c.dir / "k8s").string() + " --shard-from-env --json");
  EXPECT_EQ(s["shard"], "1/2");
  unsetenv("JOB_COMPLETION_INDEX");
  unsetenv("CLIPPO_SHARD_COUNT");
}

TEST(IndexCommandTest, ShardsFromTheEnvironmentAsParsed) {
  std::map<std::string, std::string> env;
  const auto lookup = [&](const char* name) -> const char* {
    const auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  env = {{"SLURM_ARRAY_TASK_ID", "5"}, {"SLURM_ARRAY_TASK_COUNT", "2"}, {"CLIPPO_SHARD_COUNT", "64"}};
  EXPECT_EQ(engine::shard_from_environment(lookup).label(), "5/64");  // re-running task 5 of 64
  env = {{"SLURM_ARRAY_TASK_ID", "5"}, {"SLURM_ARRAY_TASK_COUNT", "2"}};
  EXPECT_THROW(engine::shard_from_environment(lookup), Error);  // --array=5,17 without the count
  env = {{"JOB_COMPLETION_INDEX", "x"}, {"CLIPPO_SHARD_COUNT", "4"}};
  EXPECT_THROW(engine::shard_from_environment(lookup), Error);
  env = {{"JOB_COMPLETION_INDEX", "3"}};
  EXPECT_THROW(engine::shard_from_environment(lookup), Error);
  for (const char* bad : {"1", "1/", "/2", "a/b", "2/2", "0/0", "-1/3", "1/3x"}) {
    EXPECT_THROW(engine::parse_shard(bad), Error) << bad;
  }
  EXPECT_EQ(engine::parse_shard("0/1").label(), "");
  // Stable: a file's shard depends on its path alone.
  const engine::Shard s = engine::parse_shard("1/7");
  EXPECT_EQ(s.takes("a/b/c.jpg"), engine::parse_shard("1/7").takes("a/b/c.jpg"));
  size_t taken = 0;
  for (int i = 0; i < 7000; ++i) taken += s.takes("img" + std::to_string(i) + ".jpg");
  EXPECT_NEAR(static_cast<double>(taken), 1000.0, 150.0);
}

TEST(IndexCommandTest, MergeRefusesPartsOfAnotherModelAndSizesToMemory) {
  const Collection c = make_collection("merge_models");
  const std::string other_model = (c.dir / "other.npz").string();
  ASSERT_EQ(run_clippo("model init --variant mu/16 --out-dim 16 --seed 4 -o " + other_model).exit_code, 0);
  const std::string a = (c.dir / "a").string(), b = (c.dir / "b").string();
  run_json("index build --model " + c.model + " --images " + c.images.string() + " --out " + a + " --json");
  run_json("index build --model " + other_model + " --images " + c.images.string() + " --out " + b + " --json");
  const CommandResult r = run_clippo("index merge " + a + " " + b + " -o " + (c.dir / "ab").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(b + ": fnv1a64:"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(c.dir / "ab"));
  // 12 vectors of 16 floats need 768 bytes flat.
  EXPECT_EQ(run_json("index merge " + a + " -o " + (c.dir / "flat").string() + " --max-memory 1K --json")["factory"], "Flat");
  const CommandResult tight = run_clippo("index merge " + a + " -o " + (c.dir / "tight").string() + " --max-memory 100");
  EXPECT_EQ(tight.exit_code, 1);
  EXPECT_NE(tight.err.find("cannot hold an index of 12 vectors"), std::string::npos) << tight.err;
  const CommandResult both = run_clippo("index merge " + a + " -o " + (c.dir / "both").string() + " --max-memory 1K --factory HNSW32");
  EXPECT_NE(both.exit_code, 0);
  // index build sizes its new store from the images it will hold (its shard of them).
  const std::string sized = (c.dir / "sized").string();
  run_json("index build --model " + c.model + " --images " + c.images.string() + " --out " + sized +
           " --max-memory 1K --json");
  EXPECT_EQ(index::CollectionStore::recorded_options(sized).factory, "Flat");
  const CommandResult small = run_clippo("index build --model " + c.model + " --images " + c.images.string() +
                                         " --out " + (c.dir / "small").string() + " --shard 0/2 --max-memory 100");
  EXPECT_EQ(small.exit_code, 1);
  EXPECT_NE(small.err.find("cannot hold an index of "), std::string::npos) << small.err;
}

}  // namespace
}  // namespace clippo::cli

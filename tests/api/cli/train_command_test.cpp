// `clippo train` and `clippo eval retrieval` through the real binary: data parallel over two
// processes matches one process with the same global batch; bad recipes fail before any work.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/base/npz.h"
#include "tests/api/cli/run_clippo.h"
#include "tests/core/train/train_fixtures.h"

namespace clippo::cli {
namespace {

using train::testing::TempDir;

std::string write_recipe(const TempDir& dir, const nlohmann::json& recipe, const std::string& name) {
  const std::string path = dir / name;
  train::testing::write_text(path, recipe.dump(2));
  return path;
}

TEST(TrainCommand, TwoProcessesMatchOneWithTheSameGlobalBatch) {
  TempDir dir;
  train::testing::write_tiny_xm3600(dir / "data", 12);
  auto recipe = train::testing::tiny_recipe(dir / "data", dir / "one");
  // A large epsilon: Adam (and Adafactor, more so) turn a near-zero gradient into a full-size
  // step whose sign float summation order may flip; this keeps the comparison about the gradients.
  recipe["optimizer"] = {{"name", "adamw"}, {"lr", 1e-3}, {"adam_eps", 1e-2}};
  recipe["schedule"] = {{"decay_type", "constant"}, {"warmup_steps", 0}, {"cooldown_steps", 0}};
  recipe["total_steps"] = 4;
  const std::string path = write_recipe(dir, recipe, "recipe.json");
  const auto one = run_clippo("train --config " + path + " --threads 1 --json");
  ASSERT_EQ(one.exit_code, 0) << one.err;

  const std::string rdv = "file:" + (dir / "rendezvous");
  CommandResult ranks[2];
  std::thread other([&] {
    ranks[1] = run_clippo("train --config " + path + " --out " + (dir / "two") +
                          " --threads 1 --rank 1 --world-size 2 --rendezvous " + rdv);
  });
  ranks[0] = run_clippo("train --config " + path + " --out " + (dir / "two") +
                        " --threads 1 --rank 0 --world-size 2 --rendezvous " + rdv + " --json");
  other.join();
  ASSERT_EQ(ranks[0].exit_code, 0) << ranks[0].err;
  ASSERT_EQ(ranks[1].exit_code, 0) << ranks[1].err;

  auto a = read_npz(dir / "one/model.npz"), b = read_npz(dir / "two/model.npz");
  a.erase("clippo_meta");
  b.erase("clippo_meta");
  ASSERT_EQ(a.size(), b.size());
  double max_diff = 0;
  for (const auto& [name, array] : a) {
    const auto x = array.to_float32(), y = b.at(name).to_float32();
    ASSERT_EQ(x.size(), y.size()) << name;
    for (size_t i = 0; i < x.size(); ++i) max_diff = std::max(max_diff, static_cast<double>(std::fabs(x[i] - y[i])));
  }
  // Same global batch, same loss: only the order of float sums differs.
  EXPECT_LT(max_diff, 1e-5);
  // The global-batch loss of every step agrees too (rank 0 logs it).
  std::ifstream log_one(dir / "one/log.jsonl"), log_two(dir / "two/log.jsonl");
  std::string a_line, b_line;
  int steps = 0;
  while (std::getline(log_one, a_line) && std::getline(log_two, b_line)) {
    const auto ja = nlohmann::json::parse(a_line), jb = nlohmann::json::parse(b_line);
    if (!ja.contains("loss")) continue;
    EXPECT_NEAR(ja["loss"].get<double>(), jb["loss"].get<double>(), 1e-5) << a_line << " vs " << b_line;
    ++steps;
  }
  EXPECT_EQ(steps, 4);
  // And the runs did train: the weights moved from their initial values.
  EXPECT_NE(nlohmann::json::parse(one.out)["last_loss"].get<double>(), 0.0);
}

TEST(TrainCommand, BadRecipesFailWithOneLineBeforeAnyWork) {
  TempDir dir;
  const auto unknown = run_clippo("train --config " + write_recipe(dir, {{"optimiser", {}}}, "a.json"));
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("optimiser"), std::string::npos) << unknown.err;
  const auto missing = run_clippo("train --config " + (dir / "nope.json"));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("nope.json"), std::string::npos) << missing.err;
  train::testing::write_text(dir / "broken.json", "{\"model\": ");
  const auto broken = run_clippo("train --config " + (dir / "broken.json"));
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.err.find("not valid JSON"), std::string::npos) << broken.err;
  auto recipe = train::testing::tiny_recipe(dir / "no-such-data", dir / "run");
  const auto no_data = run_clippo("train --config " + write_recipe(dir, recipe, "b.json"));
  EXPECT_EQ(no_data.exit_code, 1);
  EXPECT_NE(no_data.err.find("no-such-data"), std::string::npos) << no_data.err;
}

TEST(EvalCommand, ReportsRecallPerLanguageAsJson) {
  TempDir dir;
  train::testing::write_tiny_xm3600(dir / "data", 6, /*heldout=*/6);
  auto recipe = train::testing::tiny_recipe(dir / "data", dir / "run");
  recipe["data"]["image_text"][0].erase("split");
  recipe["total_steps"] = 2;
  ASSERT_EQ(run_clippo("train --config " + write_recipe(dir, recipe, "r.json")).exit_code, 0);
  const auto r = run_clippo("eval retrieval --model " + (dir / "run/model.npz") + " --data " + (dir / "data") +
                            " --split heldout --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  for (const char* dir_name : {"i2t", "t2i"}) {
    for (const char* k : {"r1", "r5", "r10"}) {
      const double v = j["mean"][dir_name][k];
      EXPECT_GE(v, 0.0);
      EXPECT_LE(v, 1.0);
    }
    EXPECT_DOUBLE_EQ(j["per_language"]["en"][dir_name]["r10"].get<double>(), 1.0);  // 6 candidates < 10
  }
  EXPECT_EQ(j["per_language"]["fr"]["n_captions"], 12);
  EXPECT_EQ(j["per_language"]["en"]["n_images"], 6);
  train::testing::write_tiny_pairs(dir / "pairs.tsv", 5);
  const auto pairs = run_clippo("eval pairs --model " + (dir / "run/model.npz") + " --data " + (dir / "pairs.tsv") + " --json");
  ASSERT_EQ(pairs.exit_code, 0) << pairs.err;
  const auto pj = nlohmann::json::parse(pairs.out);
  EXPECT_DOUBLE_EQ(pj["per_language"]["fr"]["t2i"]["r5"].get<double>(), 1.0);  // 5 candidates
  EXPECT_EQ(pj["per_language"]["fr"]["n_captions"], 5);
  const auto missing = run_clippo("eval retrieval --model " + (dir / "run/model.npz") + " --data " + (dir / "void"));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("void"), std::string::npos) << missing.err;
}

TEST(ReportXm3600, PutsModelsSideBySideAndNamesWhatIsMissing) {
  TempDir dir;
  train::testing::write_tiny_xm3600(dir / "data", 6);
  auto recipe = train::testing::tiny_recipe(dir / "data", dir / "run");
  recipe["data"]["image_text"][0].erase("split");
  recipe["total_steps"] = 2;
  ASSERT_EQ(run_clippo("train --config " + write_recipe(dir, recipe, "r.json")).exit_code, 0);
  std::filesystem::remove(dir / "data/images/k5.png");  // an incomplete download
  const std::string model = dir / "run/model.npz";
  const auto r = run_clippo("report xm3600 --model a=" + model + " --model b=" + model + " --data " + (dir / "data") +
                            " --out " + (dir / "report") + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("k5"), std::string::npos) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["n_images"], 5);
  EXPECT_EQ(j["models"]["a"]["mean"], j["models"]["b"]["mean"]);
  for (const char* f : {"xm3600.md", "xm3600.svg", "xm3600.json"}) EXPECT_TRUE(std::filesystem::exists(dir / ("report/" + std::string(f)))) << f;
  const std::string md = read_file(dir / "report/xm3600.md");
  EXPECT_NE(md.find("fr"), std::string::npos);
  const auto twice = run_clippo("report xm3600 --model " + model + " --model " + model + " --data " + (dir / "data") +
                                " --out " + (dir / "r2"));
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_NE(twice.err.find("NAME=PATH"), std::string::npos) << twice.err;
}

}  // namespace
}  // namespace clippo::cli

namespace clippo::cli {
namespace {

// The paper's comparison through the same commands: a CLIPPO and a 1T-CLIP trained by `clippo
// train`, side by side in `clippo report xm3600`; token models made, converted and inspected by
// `clippo model`, and encoded by `clippo encode`.
TEST(ReportXm3600, ComparesClippoWithTokenBaselines) {
  TempDir dir;
  train::testing::write_tiny_xm3600(dir / "data", 6);
  const std::string tokenizer = train::testing::write_tiny_tokenizer(dir / "spm");
  auto recipe = train::testing::tiny_recipe(dir / "data", dir / "clippo");
  recipe["data"]["image_text"][0].erase("split");
  recipe["total_steps"] = 2;
  ASSERT_EQ(run_clippo("train --config " + write_recipe(dir, recipe, "clippo.json")).exit_code, 0);
  recipe["out_dir"] = dir / "1t";
  recipe["model"]["kind"] = "1t-clip";
  recipe["model"]["tokenizer"] = tokenizer;
  recipe["model"]["seq_len"] = 8;
  const auto trained = run_clippo("train --config " + write_recipe(dir, recipe, "1t.json"));
  ASSERT_EQ(trained.exit_code, 0) << trained.err;

  const auto r = run_clippo("report xm3600 --model clippo=" + (dir / "clippo/model.npz") + " --model 1t-clip=" +
                            (dir / "1t/model.npz") + " --data " + (dir / "data") + " --out " + (dir / "report") + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  for (const char* m : {"clippo", "1t-clip"}) EXPECT_EQ(j["models"][m]["per_language"]["fr"]["n_captions"], 12) << m;
  EXPECT_TRUE(j["languages_left_out"].empty());
  // Every language covers all 6 images: asking for 7 leaves none, which is said, not reported as zeros.
  const auto sparse = run_clippo("report xm3600 --model " + (dir / "1t/model.npz") + " --data " + (dir / "data") +
                                 " --min-images 7 --out " + (dir / "sparse"));
  EXPECT_EQ(sparse.exit_code, 1);
  EXPECT_NE(sparse.err.find("no language has captions for 7 images"), std::string::npos) << sparse.err;

  const auto info = run_clippo("model info --json " + (dir / "1t/model.npz"));
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const auto ij = nlohmann::json::parse(info.out);
  EXPECT_EQ(ij["kind"], "1t-clip");
  EXPECT_EQ(ij["text"]["seq_len"], 8);

  // A CLIP* from `model init`, converted to the scanned layout: its text embedding is unchanged.
  const auto init = run_clippo("model init --variant mu/8 --image-size 32 --kind 'clip*' --tokenizer " + tokenizer +
                               " --seq-len 8 -o " + (dir / "clipstar.npz"));
  ASSERT_EQ(init.exit_code, 0) << init.err;
  const auto conv = run_clippo("model convert " + (dir / "clipstar.npz") + " --layout scanned -o " + (dir / "scanned.npz"));
  ASSERT_EQ(conv.exit_code, 0) << conv.err;
  EXPECT_EQ(read_npz(dir / "scanned.npz").count("params/txt/Encoder_0/encoderblock/LayerNorm_0/scale"), 1u);
  const auto a = run_clippo("encode --model " + (dir / "clipstar.npz") + " --text \"chose 3\" --json");
  const auto b = run_clippo("encode --model " + (dir / "scanned.npz") + " --text \"chose 3\" --json");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(nlohmann::json::parse(a.out)["embedding"], nlohmann::json::parse(b.out)["embedding"]);
  const auto no_tokenizer = run_clippo("model init --kind 1t-clip -o " + (dir / "x.npz"));
  EXPECT_EQ(no_tokenizer.exit_code, 1);
  EXPECT_NE(no_tokenizer.err.find("--tokenizer"), std::string::npos) << no_tokenizer.err;
}

}  // namespace
}  // namespace clippo::cli

#include "core/train/trainer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/npz.h"
#include "tests/core/train/train_fixtures.h"

namespace clippo::train {
namespace {

using testing::TempDir;

std::vector<nlohmann::json> read_log(const std::string& out_dir) {
  std::vector<nlohmann::json> lines;
  std::ifstream in(out_dir + "/log.jsonl");
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

// Every parameter array of a model file (the metadata names the run folder, so it differs).
std::map<std::string, NpyArray> weights(const std::string& path) {
  auto arrays = read_npz(path);
  arrays.erase("clippo_meta");
  return arrays;
}

TrainOptions quiet_options() {
  TrainOptions o;
  o.torch_threads = 1;
  return o;
}

TEST(Trainer, LossFallsOnATinyDataset) {
  TempDir dir;
  testing::write_tiny_xm3600(dir / "data", 8);
  auto j = testing::tiny_recipe(dir / "data", dir / "run");
  j["total_steps"] = 60;
  const TrainSummary s = run_training(train_recipe_from_json(j), quiet_options());
  EXPECT_TRUE(s.finished);
  EXPECT_EQ(s.end_step, 60);
  const auto log = read_log(dir / "run");
  ASSERT_GE(log.size(), 60u);
  double first = 0, last = 0;
  for (int i = 0; i < 5; ++i) first += log[i]["loss"].get<double>() / 5;
  for (int i = 55; i < 60; ++i) last += log[i]["loss"].get<double>() / 5;
  EXPECT_LT(last, first * 0.7) << "first " << first << " last " << last;
  // The exported model is an ordinary model file that names its renderer.
  const auto arrays = read_npz(s.model_path);
  EXPECT_EQ(arrays.count("params/img/head/kernel"), 1u);
  const auto meta = nlohmann::json::parse(arrays.at("clippo_meta").data);
  EXPECT_EQ(meta["renderer"]["image_size"], 32);
}

TEST(Trainer, AnInterruptedRunEndsWithTheSameWeightsAsAStraightOne) {
  TempDir dir;
  testing::write_tiny_xm3600(dir / "data", 12);
  auto straight = testing::tiny_recipe(dir / "data", dir / "straight");
  straight["data"]["augment"] = {{"flip_lr", true}, {"crop_min_area", 0.5}};
  straight["optimizer"] = {{"name", "adafactor"}, {"lr", 1e-3}};  // exercises the optimizer state
  straight["schedule"] = {{"decay_type", "rsqrt"}, {"warmup_steps", 2}, {"cooldown_steps", 2}, {"timescale", 2}};
  auto chunked = straight;
  chunked["out_dir"] = dir / "chunked";
  const TrainSummary a = run_training(train_recipe_from_json(straight), quiet_options());
  TrainOptions o = quiet_options();
  o.max_steps_this_run = 4;
  const TrainSummary first = run_training(train_recipe_from_json(chunked), o);
  EXPECT_FALSE(first.finished);
  EXPECT_EQ(first.end_step, 4);
  EXPECT_TRUE(std::filesystem::exists(dir / "chunked/checkpoint.json"));
  const TrainSummary second = run_training(train_recipe_from_json(chunked), o);
  EXPECT_EQ(second.start_step, 4);
  EXPECT_TRUE(second.finished);
  const auto wa = weights(a.model_path), wb = weights(second.model_path);
  ASSERT_EQ(wa.size(), wb.size());
  for (const auto& [name, array] : wa) EXPECT_EQ(array.data, wb.at(name).data) << name;
}

TEST(Trainer, ATimeLimitStopsAfterOneStepWithACheckpointAndTheRunResumes) {
  TempDir dir;
  testing::write_tiny_xm3600(dir / "data", 8);
  const auto j = testing::tiny_recipe(dir / "data", dir / "run");
  TrainOptions o = quiet_options();
  o.max_seconds_this_run = 1e-9;  // already past when the first step ends
  const TrainSummary first = run_training(train_recipe_from_json(j), o);
  EXPECT_FALSE(first.finished);
  EXPECT_EQ(first.end_step, 1);
  EXPECT_TRUE(std::filesystem::exists(dir / "run/step-00000001/model.npz"));
  const TrainSummary second = run_training(train_recipe_from_json(j), quiet_options());
  EXPECT_EQ(second.start_step, 1);
  EXPECT_TRUE(second.finished);
}

TEST(Trainer, RefusesToResumeUnderAnotherRecipe) {
  TempDir dir;
  testing::write_tiny_xm3600(dir / "data", 8);
  auto j = testing::tiny_recipe(dir / "data", dir / "run");
  TrainOptions o = quiet_options();
  o.max_steps_this_run = 2;
  run_training(train_recipe_from_json(j), o);
  j["optimizer"]["lr"] = 0.5;
  try {
    run_training(train_recipe_from_json(j), o);
    FAIL() << "resumed under another recipe";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kFailedPrecondition);
    EXPECT_NE(std::string(e.what()).find("another recipe"), std::string::npos);
  }
  o.resume = false;  // starting over is allowed when asked for
  EXPECT_EQ(run_training(train_recipe_from_json(j), o).start_step, 0);
}

TEST(Trainer, ResumesARunWhoseRecipeJsonPredatesASettingLeftAtItsDefault) {
  // A run folder written before the colour-augmentation settings existed has no such keys in its
  // recipe.json; it is the same recipe, and must resume.
  TempDir dir;
  testing::write_tiny_xm3600(dir / "data", 8);
  const auto j = testing::tiny_recipe(dir / "data", dir / "run");
  TrainOptions o = quiet_options();
  o.max_steps_this_run = 2;
  run_training(train_recipe_from_json(j), o);
  auto stored = nlohmann::json::parse(read_file(dir / "run/recipe.json"));
  for (const char* key : {"brightness", "contrast", "saturation", "hue", "grayscale"}) stored["data"]["augment"].erase(key);
  write_file_atomically(dir / "run/recipe.json", stored.dump(2));
  EXPECT_EQ(run_training(train_recipe_from_json(j), o).start_step, 2);
}

TEST(Trainer, MixesTextPairsEvaluatesAndCountsUnreadableImages) {
  TempDir dir;
  testing::write_tiny_xm3600(dir / "data", 10, /*heldout=*/3);
  testing::write_text(dir / "data/images/k1.png", "not a png at all");
  testing::write_tiny_pairs(dir / "pairs.tsv", 10);
  auto j = testing::tiny_recipe(dir / "data", dir / "run");
  j["data"]["text_pairs"] = {{"format", "text_pairs_tsv"}, {"paths", {dir / "pairs.tsv"}}};
  j["data"]["text_pair_fraction"] = 0.25;
  j["eval"] = {{"data", {{{"format", "xm3600"}, {"paths", {dir / "data"}}, {"split", "heldout"}}}}, {"every_steps", 3}};
  const TrainSummary s = run_training(train_recipe_from_json(j), quiet_options());
  EXPECT_TRUE(s.finished);
  EXPECT_GT(s.decode_failures, 0u);
  ASSERT_TRUE(s.last_eval.is_array());
  const auto& e = s.last_eval[0];
  EXPECT_TRUE(e["per_language"].contains("en"));
  EXPECT_TRUE(e["per_language"].contains("fr"));
  EXPECT_EQ(e["per_language"]["fr"]["n_captions"], 6);  // 3 held-out images x 2 captions
  size_t evals = 0;
  for (const auto& line : read_log(dir / "run")) evals += line.contains("eval");
  EXPECT_EQ(evals, 2u);  // step 3 and the end
}

}  // namespace
}  // namespace clippo::train

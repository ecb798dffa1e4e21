// The memorisation check: a few dozen image/caption pairs must be learnt by heart quickly. It
// guards the whole training path (input pipeline, rendering, loss, gradients, optimiser,
// schedule) against regressions that a falling loss alone would not show: a model that cannot
// overfit 32 pairs cannot learn anything larger.
#include <gtest/gtest.h>

#include <chrono>

#include "core/train/trainer.h"
#include "tests/core/train/train_fixtures.h"

namespace clippo::train {
namespace {

using testing::TempDir;

TEST(Memorisation, ThirtyTwoPairsReachTrainSetRecallAtOneOfNinetyPercentInUnderAMinute) {
  TempDir dir;
  constexpr int kPairs = 32;
  testing::write_tiny_xm3600(dir / "data", kPairs);
  auto j = testing::tiny_recipe(dir / "data", dir / "run");
  // 64 px: the canvas must show the whole caption; at 32 px "thing 17" wraps to "thi / ng 1" and
  // the last digit falls off, so "thing 1" and "thing 17" look the same.
  j["model"] = {{"variant", "Ti/16"}, {"width", 64},      {"depth", 2},      {"mlp_dim", 128},
                {"num_heads", 2},     {"patch_size", 16}, {"image_size", 64}};
  j["data"]["image_text"][0]["languages"] = {"en"};
  j["data"]["augment"] = {{"crop_min_area", 1.0}};
  j["batch_size"] = kPairs;
  j["total_steps"] = 300;
  j["optimizer"] = {{"name", "adamw"}, {"lr", 3e-3}, {"weight_decay", 0.0}, {"grad_clip_norm", 1.0}};
  j["schedule"] = {{"decay_type", "cosine"}, {"warmup_steps", 20}, {"cooldown_steps", 0}};
  j["log_every_steps"] = 50;
  j["eval"] = {{"data", {{{"format", "xm3600"}, {"paths", {dir / "data"}}, {"split", "train"}, {"languages", {"en"}}}}},
               {"every_steps", 1000}};
  TrainOptions o;
  o.torch_threads = 1;
  const auto start = std::chrono::steady_clock::now();
  const TrainSummary s = run_training(train_recipe_from_json(j), o);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(s.finished);
  ASSERT_TRUE(s.last_eval.is_array());
  const auto& mean = s.last_eval[0]["mean"];
  EXPECT_GE(mean["t2i"]["r1"].get<double>(), 0.9) << s.last_eval.dump();
  EXPECT_GE(mean["i2t"]["r1"].get<double>(), 0.9) << s.last_eval.dump();
  EXPECT_LT(seconds, 60.0);
}

}  // namespace
}  // namespace clippo::train

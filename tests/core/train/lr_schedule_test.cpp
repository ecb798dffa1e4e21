#include "core/train/lr_schedule.h"

#include <gtest/gtest.h>

#include <cmath>

namespace clippo::train {
namespace {

TEST(LrSchedule, RsqrtWithWarmupAndCooldownAsBigVision) {
  ScheduleRecipe s;  // train_clippo.py's shape, scaled down: warmup 100, timescale 100, cooldown 100
  s.warmup_steps = 100;
  s.timescale = 100;
  s.cooldown_steps = 100;
  EXPECT_DOUBLE_EQ(schedule_multiplier(s, 400, 0), 0.0);
  EXPECT_DOUBLE_EQ(schedule_multiplier(s, 400, 50), 0.5);
  EXPECT_DOUBLE_EQ(schedule_multiplier(s, 400, 100), 1.0);
  EXPECT_DOUBLE_EQ(schedule_multiplier(s, 400, 200), 1.0 / std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(schedule_multiplier(s, 400, 350), 1.0 / std::sqrt(1.0 + 2.5) * 0.5);
  EXPECT_DOUBLE_EQ(schedule_multiplier(s, 400, 400), 0.0);
}

TEST(LrSchedule, CosineLinearConstant) {
  ScheduleRecipe s;
  s.warmup_steps = 0;
  s.cooldown_steps = 0;
  s.decay_type = "cosine";
  EXPECT_DOUBLE_EQ(schedule_multiplier(s, 100, 0), 1.0);
  EXPECT_NEAR(schedule_multiplier(s, 100, 50), 0.5, 1e-12);
  EXPECT_NEAR(schedule_multiplier(s, 100, 100), 0.0, 1e-12);
  s.decay_type = "linear";
  s.linear_end = 0.1;
  EXPECT_NEAR(schedule_multiplier(s, 100, 50), 0.55, 1e-12);
  s.decay_type = "constant";
  EXPECT_DOUBLE_EQ(schedule_multiplier(s, 100, 77), 1.0);
}

}  // namespace
}  // namespace clippo::train

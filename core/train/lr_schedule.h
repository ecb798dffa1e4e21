// big_vision's create_learning_rate_schedule (utils.py) as a multiplier of the base rate:
// warmup (linear from 0), then the decay type, times a linear cooldown to 0 at total_steps.
#pragma once

#include <cstdint>

#include "core/train/train_recipe.h"

namespace clippo::train {

// The schedule's value at `step` (0-based; the first update uses step 0, as optax's count).
double schedule_multiplier(const ScheduleRecipe& schedule, int64_t total_steps, int64_t step);

}  // namespace clippo::train

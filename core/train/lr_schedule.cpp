#include "core/train/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace clippo::train {

double schedule_multiplier(const ScheduleRecipe& s, int64_t total_steps, int64_t step) {
  const double warmup = static_cast<double>(s.warmup_steps);
  const double t = static_cast<double>(step);
  const double span = std::max(1.0, static_cast<double>(total_steps) - warmup);
  const double progress = std::clamp((t - warmup) / span, 0.0, 1.0);
  double lr = 1.0;
  if (s.decay_type == "linear") {
    lr = s.linear_end + (1.0 - s.linear_end) * (1.0 - progress);
  } else if (s.decay_type == "cosine") {
    lr = 0.5 * (1.0 + std::cos(M_PI * progress));
  } else if (s.decay_type == "rsqrt") {
    // Without big_vision's `shift` (0): 1/sqrt(1 + (step - warmup) / timescale) once warm.
    lr = t >= warmup ? 1.0 / std::sqrt(1.0 + (t - warmup) / static_cast<double>(s.timescale)) : 1.0;
  }
  if (s.warmup_steps > 0) lr *= std::min(1.0, t / warmup);
  if (s.cooldown_steps > 0) {
    lr *= std::min(1.0, (static_cast<double>(total_steps) - t) / static_cast<double>(s.cooldown_steps));
  }
  return lr;
}

}  // namespace clippo::train

// The update rules of big_vision's optax chain (optax.py `make`):
//   clip_by_global_norm(grad_clip_norm) -> scale_by_adafactor | scale_by_adam -> scale(lr)
//   -> add_decayed_weights(wd, on */kernel) -> scale_by_schedule -> scale(-1)
// so weight decay is decoupled: it follows the schedule but not the base learning rate.
// Adafactor is big_vision's variant: factored second moments (optax.scale_by_factored_rms with
// decay 1 - (step+1)^-0.8 capped at beta2_cap) followed by momentum 0.9 kept in bfloat16.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/train/train_recipe.h"

namespace clippo::train {

struct NamedParameter {
  std::string name;     // big_vision name relative to the model, e.g. "img/head/kernel", "t"
  torch::Tensor value;  // a leaf with requires_grad; its .grad() feeds step()
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;

  // One update from the parameters' gradients; `schedule` is the schedule's multiplier at this
  // update's count (lr_schedule.h). Parameters without a gradient are left alone.
  virtual void step(double schedule) = 0;

  // Every state tensor by a stable name ("<param>/v_row", ...) and the update count, for
  // checkpoints; load_state() restores them exactly (missing or mis-shaped: InvalidArgument).
  virtual std::map<std::string, torch::Tensor> state() const = 0;
  virtual void load_state(const std::map<std::string, torch::Tensor>& state) = 0;

  int64_t count() const { return count_; }

 protected:
  int64_t count_ = 0;
};

std::unique_ptr<Optimizer> make_optimizer(const OptimizerRecipe& recipe, std::vector<NamedParameter> params);

// optax.clip_by_global_norm: scales every gradient by max_norm / norm when the global norm exceeds
// max_norm. Returns the norm before clipping.
double clip_gradients_by_global_norm(const std::vector<NamedParameter>& params, double max_norm);

// big_vision's default wd_mults [(".*/kernel$", 1.0)]: only Dense/conv kernels decay.
bool is_weight_decayed(const std::string& name);

}  // namespace clippo::train

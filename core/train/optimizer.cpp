#include "core/train/optimizer.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

#include "core/base/error.h"

namespace clippo::train {
namespace {

// The shared tail of big_vision's chain: update * lr + wd * param (kernels), times the schedule,
// subtracted from the parameter.
void apply_update(const NamedParameter& p, const torch::Tensor& direction, const OptimizerRecipe& r, double schedule) {
  auto delta = direction * r.lr;
  if (r.weight_decay > 0 && is_weight_decayed(p.name)) delta = delta + p.value.detach() * r.weight_decay;
  p.value.detach().sub_(delta * schedule);
}

const torch::Tensor& require_state(const std::map<std::string, torch::Tensor>& state, const std::string& key,
                                   const torch::Tensor& like) {
  auto it = state.find(key);
  if (it == state.end()) throw Error(ErrorCode::kInvalidArgument, "optimizer state lacks '" + key + "'");
  if (it->second.sizes() != like.sizes()) {
    throw Error(ErrorCode::kInvalidArgument, "optimizer state '" + key + "' has the wrong shape");
  }
  return it->second;
}

int64_t read_count(const std::map<std::string, torch::Tensor>& state) {
  auto it = state.find("count");
  if (it == state.end() || it->second.numel() != 1) {
    throw Error(ErrorCode::kInvalidArgument, "optimizer state lacks its update count");
  }
  return it->second.to(torch::kInt64).item<int64_t>();
}

// optax's _factored_dims: the two largest dimensions (second largest first) when the second
// largest reaches min_dim; ties keep index order as numpy's argsort does on short arrays.
std::optional<std::pair<int64_t, int64_t>> factored_dims(torch::IntArrayRef shape, int min_dim) {
  if (shape.size() < 2) return std::nullopt;
  std::vector<int64_t> order(shape.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return shape[a] < shape[b]; });
  const int64_t d1 = order[order.size() - 2], d0 = order.back();
  if (shape[d1] < min_dim) return std::nullopt;
  return std::make_pair(d1, d0);
}

class Adafactor final : public Optimizer {
 public:
  Adafactor(const OptimizerRecipe& r, std::vector<NamedParameter> params) : r_(r), params_(std::move(params)) {
    torch::NoGradGuard no_grad;
    const auto momentum_dtype = r_.momentum_dtype == "bfloat16" ? torch::kBFloat16 : torch::kFloat32;
    for (const auto& p : params_) {
      Slots s;
      const auto opts = p.value.options().dtype(torch::kFloat32);
      s.dims = factored_dims(p.value.sizes(), r_.min_dim_size_to_factor);
      if (s.dims) {
        auto shape = p.value.sizes().vec();
        auto row_shape = shape, col_shape = shape;
        row_shape.erase(row_shape.begin() + s.dims->second);
        col_shape.erase(col_shape.begin() + s.dims->first);
        s.v_row = torch::zeros(row_shape, opts);
        s.v_col = torch::zeros(col_shape, opts);
      } else {
        s.v = torch::zeros(p.value.sizes(), opts);
      }
      if (r_.momentum > 0) s.m = torch::zeros(p.value.sizes(), opts.dtype(momentum_dtype));
      slots_.push_back(std::move(s));
    }
  }

  void step(double schedule) override {
    torch::NoGradGuard no_grad;
    const double decay = std::min(r_.beta2_cap, 1.0 - std::pow(static_cast<double>(count_) + 1.0, -r_.decay_rate));
    for (size_t i = 0; i < params_.size(); ++i) {
      const auto& p = params_[i];
      const auto& grad = p.value.grad();
      if (!grad.defined()) continue;
      Slots& s = slots_[i];
      const auto g = grad.to(torch::kFloat32);
      const auto g2 = g * g + r_.epsilon;
      torch::Tensor u;
      if (s.dims) {
        const auto [d1, d0] = *s.dims;
        s.v_row.mul_(decay).add_(g2.mean(d0), 1.0 - decay);
        s.v_col.mul_(decay).add_(g2.mean(d1), 1.0 - decay);
        const int64_t reduced_d1 = d1 > d0 ? d1 - 1 : d1;
        const auto row_factor = (s.v_row / s.v_row.mean(reduced_d1, /*keepdim=*/true)).rsqrt();
        const auto col_factor = s.v_col.rsqrt();
        u = g * row_factor.unsqueeze(d0) * col_factor.unsqueeze(d1);
      } else {
        s.v.mul_(decay).add_(g2, 1.0 - decay);
        u = g * s.v.rsqrt();
      }
      if (s.m.defined()) {  // optax.ema(debias=False): the update is the fp32 average, the state is rounded
        u = u * (1.0 - r_.momentum) + s.m.to(torch::kFloat32) * r_.momentum;
        s.m.copy_(u);
      }
      apply_update(p, u, r_, schedule);
    }
    ++count_;
  }

  std::map<std::string, torch::Tensor> state() const override {
    std::map<std::string, torch::Tensor> out{{"count", torch::tensor(count_, torch::kInt64)}};
    for (size_t i = 0; i < params_.size(); ++i) {
      const auto& s = slots_[i];
      const std::string& n = params_[i].name;
      if (s.dims) {
        out[n + "/v_row"] = s.v_row;
        out[n + "/v_col"] = s.v_col;
      } else {
        out[n + "/v"] = s.v;
      }
      if (s.m.defined()) out[n + "/m"] = s.m;
    }
    return out;
  }

  void load_state(const std::map<std::string, torch::Tensor>& state) override {
    torch::NoGradGuard no_grad;
    count_ = read_count(state);
    for (size_t i = 0; i < params_.size(); ++i) {
      Slots& s = slots_[i];
      const std::string& n = params_[i].name;
      if (s.dims) {
        s.v_row.copy_(require_state(state, n + "/v_row", s.v_row));
        s.v_col.copy_(require_state(state, n + "/v_col", s.v_col));
      } else {
        s.v.copy_(require_state(state, n + "/v", s.v));
      }
      if (s.m.defined()) s.m.copy_(require_state(state, n + "/m", s.m));
    }
  }

 private:
  struct Slots {
    std::optional<std::pair<int64_t, int64_t>> dims;  // (d1, d0) when factored
    torch::Tensor v_row, v_col, v, m;
  };
  OptimizerRecipe r_;
  std::vector<NamedParameter> params_;
  std::vector<Slots> slots_;
};

class AdamW final : public Optimizer {
 public:
  AdamW(const OptimizerRecipe& r, std::vector<NamedParameter> params) : r_(r), params_(std::move(params)) {
    for (const auto& p : params_) {
      mu_.push_back(torch::zeros_like(p.value, p.value.options().dtype(torch::kFloat32)));
      nu_.push_back(torch::zeros_like(p.value, p.value.options().dtype(torch::kFloat32)));
    }
  }

  void step(double schedule) override {
    torch::NoGradGuard no_grad;
    const double t = static_cast<double>(count_ + 1);
    const double c1 = 1.0 - std::pow(r_.b1, t), c2 = 1.0 - std::pow(r_.b2, t);
    for (size_t i = 0; i < params_.size(); ++i) {
      const auto& grad = params_[i].value.grad();
      if (!grad.defined()) continue;
      const auto g = grad.to(torch::kFloat32);
      mu_[i].mul_(r_.b1).add_(g, 1.0 - r_.b1);
      nu_[i].mul_(r_.b2).add_(g * g, 1.0 - r_.b2);
      const auto u = (mu_[i] / c1) / ((nu_[i] / c2).sqrt() + r_.adam_eps);
      apply_update(params_[i], u, r_, schedule);
    }
    ++count_;
  }

  std::map<std::string, torch::Tensor> state() const override {
    std::map<std::string, torch::Tensor> out{{"count", torch::tensor(count_, torch::kInt64)}};
    for (size_t i = 0; i < params_.size(); ++i) {
      out[params_[i].name + "/mu"] = mu_[i];
      out[params_[i].name + "/nu"] = nu_[i];
    }
    return out;
  }

  void load_state(const std::map<std::string, torch::Tensor>& state) override {
    torch::NoGradGuard no_grad;
    count_ = read_count(state);
    for (size_t i = 0; i < params_.size(); ++i) {
      mu_[i].copy_(require_state(state, params_[i].name + "/mu", mu_[i]));
      nu_[i].copy_(require_state(state, params_[i].name + "/nu", nu_[i]));
    }
  }

 private:
  OptimizerRecipe r_;
  std::vector<NamedParameter> params_;
  std::vector<torch::Tensor> mu_, nu_;
};

}  // namespace

bool is_weight_decayed(const std::string& name) {
  static const std::string kSuffix = "/kernel";
  return name.size() >= kSuffix.size() && name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0;
}

std::unique_ptr<Optimizer> make_optimizer(const OptimizerRecipe& recipe, std::vector<NamedParameter> params) {
  if (recipe.name == "adafactor") return std::make_unique<Adafactor>(recipe, std::move(params));
  if (recipe.name == "adamw") return std::make_unique<AdamW>(recipe, std::move(params));
  throw Error(ErrorCode::kInvalidArgument, "unknown optimizer '" + recipe.name + "' (adafactor, adamw)");
}

double clip_gradients_by_global_norm(const std::vector<NamedParameter>& params, double max_norm) {
  torch::NoGradGuard no_grad;
  torch::Tensor total;
  for (const auto& p : params) {
    const auto& g = p.value.grad();
    if (!g.defined()) continue;
    const auto sq = g.to(torch::kFloat32).pow(2).sum();
    total = total.defined() ? total + sq : sq;
  }
  if (!total.defined()) return 0.0;
  const double norm = std::sqrt(total.item<double>());
  if (max_norm > 0 && norm > max_norm) {
    for (const auto& p : params) {
      if (p.value.grad().defined()) p.value.mutable_grad().mul_(max_norm / norm);
    }
  }
  return norm;
}

}  // namespace clippo::train

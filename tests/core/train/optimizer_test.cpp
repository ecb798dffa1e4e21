#include "core/train/optimizer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/base/error.h"

namespace clippo::train {
namespace {

// One leaf parameter with a given gradient.
NamedParameter make_param(const std::string& name, torch::Tensor value, const torch::Tensor& grad) {
  value = value.clone().set_requires_grad(true);
  value.mutable_grad() = grad.clone();
  return {name, value};
}

OptimizerRecipe adafactor_recipe() {
  OptimizerRecipe r;
  r.lr = 0.01;
  r.weight_decay = 0.1;
  r.min_dim_size_to_factor = 2;  // factor the small test matrix
  r.momentum_dtype = "float32";  // exact comparison; bfloat16 is checked separately
  return r;
}

// optax's scale_by_factored_rms + ema + big_vision's lr/wd/schedule chain, written out with loops
// in double for a 3x4 kernel (factored: rows d1 = 0, columns d0 = 1) over two steps.
TEST(Adafactor, FactoredKernelMatchesTheWrittenOutRule) {
  const OptimizerRecipe r = adafactor_recipe();
  const auto p0 = torch::arange(12, torch::kFloat32).reshape({3, 4}) / 10.0 - 0.5;
  const auto g1 = torch::tensor({0.3f, -0.1f, 0.2f, 0.05f, -0.4f, 0.1f, 0.0f, 0.25f, 0.2f, 0.2f, -0.3f, 0.1f}).reshape({3, 4});
  const auto g2 = g1.flip({1}) * 0.5;
  auto param = make_param("blk/kernel", p0, g1);
  auto opt = make_optimizer(r, {param});
  opt->step(1.0);
  param.value.mutable_grad().copy_(g2);
  opt->step(0.5);

  double p[3][4], vr[3] = {0, 0, 0}, vc[4] = {0, 0, 0, 0}, m[3][4] = {};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) p[i][j] = p0[i][j].item<double>();
  const torch::Tensor grads[2] = {g1, g2};
  const double schedules[2] = {1.0, 0.5};
  for (int step = 0; step < 2; ++step) {
    const double decay = std::min(r.beta2_cap, 1.0 - std::pow(step + 1.0, -0.8));
    double g[3][4], rows[3] = {0, 0, 0}, cols[4] = {0, 0, 0, 0};
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 4; ++j) {
        g[i][j] = grads[step][i][j].item<double>();
        rows[i] += (g[i][j] * g[i][j] + r.epsilon) / 4;
        cols[j] += (g[i][j] * g[i][j] + r.epsilon) / 3;
      }
    double mean_row = 0;
    for (int i = 0; i < 3; ++i) {
      vr[i] = decay * vr[i] + (1 - decay) * rows[i];
      mean_row += vr[i] / 3;
    }
    for (int j = 0; j < 4; ++j) vc[j] = decay * vc[j] + (1 - decay) * cols[j];
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 4; ++j) {
        const double u = g[i][j] / std::sqrt(vr[i] / mean_row) / std::sqrt(vc[j]);
        m[i][j] = 0.1 * u + 0.9 * m[i][j];
        p[i][j] -= schedules[step] * (r.lr * m[i][j] + r.weight_decay * p[i][j]);
      }
  }
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) EXPECT_NEAR(param.value[i][j].item<double>(), p[i][j], 1e-6) << i << "," << j;
  EXPECT_EQ(opt->count(), 2);
  EXPECT_EQ(opt->state().at("blk/kernel/v_row").sizes(), torch::IntArrayRef({3}));
  EXPECT_EQ(opt->state().at("blk/kernel/v_col").sizes(), torch::IntArrayRef({4}));
}

TEST(Adafactor, VectorsKeepFullSecondMomentsAndBiasesDoNotDecay) {
  OptimizerRecipe r = adafactor_recipe();
  r.momentum = 0;
  const auto p0 = torch::tensor({1.0f, -2.0f, 3.0f});
  const auto g = torch::tensor({0.5f, -0.25f, 0.0f});
  auto param = make_param("blk/bias", p0, g);
  auto opt = make_optimizer(r, {param});
  opt->step(1.0);
  // First step: v = g^2 + eps, u = g / sqrt(v) ~ sign(g); no weight decay on a bias.
  EXPECT_NEAR(param.value[0].item<double>(), 1.0 - 0.01, 1e-6);
  EXPECT_NEAR(param.value[1].item<double>(), -2.0 + 0.01, 1e-6);
  EXPECT_NEAR(param.value[2].item<double>(), 3.0, 1e-6);
  EXPECT_EQ(opt->state().count("blk/bias/v"), 1u);
}

TEST(Adafactor, MomentumIsKeptInBfloat16ByDefault) {
  OptimizerRecipe r;
  auto param = make_param("w/kernel", torch::zeros({4, 64}), torch::randn({4, 64}));
  auto opt = make_optimizer(r, {param});
  opt->step(1.0);
  EXPECT_EQ(opt->state().at("w/kernel/m").scalar_type(), torch::kBFloat16);
}

TEST(AdamW, MatchesBiasCorrectedAdamWithDecoupledDecay) {
  OptimizerRecipe r;
  r.name = "adamw";
  r.lr = 0.1;
  r.weight_decay = 0.5;
  auto param = make_param("w/kernel", torch::tensor({2.0f}), torch::tensor({0.3f}));
  auto opt = make_optimizer(r, {param});
  opt->step(1.0);
  // Step 1: mu_hat = g, nu_hat = g^2, u = g / (|g| + eps) = 1 (up to eps).
  const double u = 0.3 / (0.3 + 1e-8);
  EXPECT_NEAR(param.value[0].item<double>(), 2.0 - (0.1 * u + 0.5 * 2.0), 1e-6);
}

TEST(Optimizer, StateRoundTripsExactly) {
  for (const std::string name : {"adafactor", "adamw"}) {
    OptimizerRecipe r;
    r.name = name;
    torch::manual_seed(1);
    const auto p0 = torch::randn({8, 40});
    const auto g1 = torch::randn({8, 40}), g2 = torch::randn({8, 40});
    auto a = make_param("w/kernel", p0, g1), b = make_param("w/kernel", p0, g1);
    auto opt_a = make_optimizer(r, {a});
    opt_a->step(1.0);
    // b takes a's state after one step, then both take the same second step.
    {
      torch::NoGradGuard no_grad;
      b.value.copy_(a.value);
    }
    auto opt_b = make_optimizer(r, {b});
    opt_b->load_state(opt_a->state());
    a.value.mutable_grad().copy_(g2);
    b.value.mutable_grad().copy_(g2);
    opt_a->step(0.7);
    opt_b->step(0.7);
    EXPECT_TRUE(torch::equal(a.value, b.value)) << name;
    auto broken = opt_a->state();
    broken.erase(broken.begin()->first == "count" ? std::next(broken.begin())->first : broken.begin()->first);
    EXPECT_THROW(opt_b->load_state(broken), Error) << name;
  }
}

TEST(Optimizer, ClipsByGlobalNorm) {
  auto a = make_param("a", torch::zeros({2}), torch::tensor({3.0f, 0.0f}));
  auto b = make_param("b", torch::zeros({1}), torch::tensor({4.0f}));
  EXPECT_NEAR(clip_gradients_by_global_norm({a, b}, 1.0), 5.0, 1e-6);
  EXPECT_NEAR(a.value.grad()[0].item<double>(), 0.6, 1e-6);
  EXPECT_NEAR(b.value.grad()[0].item<double>(), 0.8, 1e-6);
  EXPECT_NEAR(clip_gradients_by_global_norm({a, b}, 2.0), 1.0, 1e-6);  // below the limit: unchanged
  EXPECT_NEAR(a.value.grad()[0].item<double>(), 0.6, 1e-6);
  EXPECT_TRUE(is_weight_decayed("img/Transformer/encoderblock_0/MlpBlock_0/Dense_0/kernel"));
  EXPECT_FALSE(is_weight_decayed("img/Transformer/encoderblock_0/MlpBlock_0/Dense_0/bias"));
  EXPECT_FALSE(is_weight_decayed("t"));
}

}  // namespace
}  // namespace clippo::train

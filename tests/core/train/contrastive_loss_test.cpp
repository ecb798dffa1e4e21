#include "core/train/contrastive_loss.h"

#include <gtest/gtest.h>

#include <cmath>

namespace clippo::train {
namespace {

TEST(ContrastiveLoss, MatchesTheSoftmaxFormulaByHand) {
  // Two pairs on orthogonal axes, temperature 2: logits [[2, 0], [0, 2]] both ways.
  const auto left = torch::tensor({{1.0f, 0.0f}, {0.0f, 1.0f}});
  const auto right = left.clone();
  const auto out = bidirectional_contrastive_loss(left, right, torch::tensor(2.0f));
  const double expected = -std::log(std::exp(2.0) / (std::exp(2.0) + 1.0));
  EXPECT_NEAR(out.loss.item<double>(), expected, 1e-6);
  EXPECT_DOUBLE_EQ(out.accuracy.item<double>(), 1.0);
  // Swapped partners: accuracy 0 and a larger loss.
  const auto swapped = bidirectional_contrastive_loss(left, right.flip({0}), torch::tensor(2.0f));
  EXPECT_DOUBLE_EQ(swapped.accuracy.item<double>(), 0.0);
  EXPECT_GT(swapped.loss.item<double>(), out.loss.item<double>());
}

TEST(ContrastiveLoss, MaskedRowsLeaveTheSoftmaxAndTheMean) {
  torch::manual_seed(0);
  auto left = torch::nn::functional::normalize(torch::randn({3, 4}), torch::nn::functional::NormalizeFuncOptions().dim(1));
  auto right = torch::nn::functional::normalize(torch::randn({3, 4}), torch::nn::functional::NormalizeFuncOptions().dim(1));
  left.set_requires_grad(true);
  const auto t = torch::tensor(5.0f);
  const auto masked = bidirectional_contrastive_loss(left, right, t, torch::tensor({true, false, true}));
  const auto idx = torch::tensor({0, 2});
  const auto only_two = bidirectional_contrastive_loss(left.index_select(0, idx), right.index_select(0, idx), t);
  EXPECT_NEAR(masked.loss.item<double>(), only_two.loss.item<double>(), 1e-6);
  masked.loss.backward();
  EXPECT_TRUE(torch::isfinite(left.grad()).all().item<bool>());
  EXPECT_EQ(left.grad()[1].abs().sum().item<double>(), 0.0);
}

}  // namespace
}  // namespace clippo::train

#include "core/train/contrastive_loss.h"

#include <limits>

namespace clippo::train {

ContrastiveLoss bidirectional_contrastive_loss(const torch::Tensor& left, const torch::Tensor& right,
                                               const torch::Tensor& temperature, const torch::Tensor& mask) {
  auto logits = torch::matmul(left.to(torch::kFloat32), right.to(torch::kFloat32).t()) * temperature;
  torch::Tensor keep;
  if (mask.defined()) {
    keep = mask.to(torch::kBool);
    const auto exclude = (~keep).unsqueeze(1) | (~keep).unsqueeze(0);
    logits = logits.masked_fill(exclude, -std::numeric_limits<float>::infinity());
  }
  const auto l1 = -torch::log_softmax(logits, 1).diagonal();
  const auto l2 = -torch::log_softmax(logits, 0).diagonal();
  auto per_pair = 0.5 * (l1 + l2);
  const auto n = logits.size(0);
  auto correct = (logits.argmax(1) == torch::arange(n, logits.options().dtype(torch::kLong))).to(torch::kFloat32);
  ContrastiveLoss out;
  if (keep.defined()) {
    // A masked row is all -inf: its own loss is nan, so select rather than multiply.
    const auto weights = keep.to(torch::kFloat32);
    per_pair = torch::where(keep, per_pair, torch::zeros_like(per_pair));
    const auto denom = weights.sum() + 1e-8;
    out.loss = per_pair.sum() / denom;
    out.accuracy = ((correct * weights).sum() / denom).detach();
  } else {
    out.loss = per_pair.mean();
    out.accuracy = correct.mean().detach();
  }
  return out;
}

}  // namespace clippo::train

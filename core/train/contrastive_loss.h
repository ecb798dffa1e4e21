// big_vision's bidirectional_contrastive_loss (utils.py): softmax cross-entropy over
// temperature-scaled cosine logits, image->text and text->image averaged, masked examples
// (e.g. an image that failed to decode) excluded from both the softmax and the mean.
#pragma once

#include <torch/torch.h>

namespace clippo::train {

struct ContrastiveLoss {
  torch::Tensor loss;      // scalar
  torch::Tensor accuracy;  // share of rows whose argmax is their own pair (no gradient)
};

// left, right: (N, D) unit vectors, row i of each a positive pair; temperature: exp(t), a scalar
// tensor; mask: (N,) bool, or undefined for all valid.
ContrastiveLoss bidirectional_contrastive_loss(const torch::Tensor& left, const torch::Tensor& right,
                                               const torch::Tensor& temperature, const torch::Tensor& mask = {});

}  // namespace clippo::train

// How closely two sets of embeddings agree: the parity checks against big_vision, the GPU
// test and the model_parity tool all report it the same way.
#pragma once

#include <cstddef>

namespace clippo::model {

struct EmbeddingAgreement {
  double min_cosine = 1;    // worst row's cosine similarity
  double max_abs_diff = 0;  // largest element-wise |a - b|
};

// a, b: n x d, row-major.
EmbeddingAgreement compare_embeddings(const float* a, const float* b, size_t n, size_t d);

}  // namespace clippo::model

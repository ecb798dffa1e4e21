#include "core/model/embedding_agreement.h"

#include <algorithm>
#include <cmath>

namespace clippo::model {

EmbeddingAgreement compare_embeddings(const float* a, const float* b, size_t n, size_t d) {
  EmbeddingAgreement r;
  for (size_t i = 0; i < n; ++i) {
    double dot = 0, aa = 0, bb = 0;
    for (size_t j = 0; j < d; ++j) {
      const double x = a[i * d + j], y = b[i * d + j];
      dot += x * y;
      aa += x * x;
      bb += y * y;
      r.max_abs_diff = std::max(r.max_abs_diff, std::abs(x - y));
    }
    r.min_cosine = std::min(r.min_cosine, dot / std::sqrt(aa * bb));
  }
  return r;
}

}  // namespace clippo::model

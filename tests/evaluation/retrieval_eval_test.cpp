#include "evaluation/retrieval_eval.h"

#include <gtest/gtest.h>

namespace clippo::evaluation {
namespace {

TEST(RetrievalEval, RanksFollowTheXm3600Protocol) {
  // Three images on the axes of R^3. Captions: c0 -> image 0 (exact), c1 -> image 1 but closest
  // to image 2, c2 -> image 1 (exact). Image 2 has no caption: left out of image->text.
  const std::vector<float> images = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  const std::vector<float> captions = {1, 0, 0, 0, 0.6f, 0.8f, 0, 1, 0};
  const auto r = score_language(images, captions, {0, 1, 1}, 3);
  // t2i ranks: c0 0, c1 1 (image 2 first), c2 0.
  EXPECT_NEAR(r.t2i.r1, 2.0 / 3.0, 1e-12);
  EXPECT_DOUBLE_EQ(r.t2i.r5, 1.0);
  // i2t: image 0's best caption c0 rank 0; image 1's best c2 rank 0.
  EXPECT_DOUBLE_EQ(r.i2t.r1, 1.0);
  EXPECT_EQ(r.n_images, 2u);
  EXPECT_EQ(r.n_captions, 3u);
}

TEST(RetrievalEval, TiesCountAgainstTheTruthSoAConstantModelScoresLow) {
  const std::vector<float> images(4 * 2, 0.5f), captions(4 * 2, 0.5f);
  const auto r = score_language(images, captions, {0, 1, 2, 3}, 2);
  EXPECT_DOUBLE_EQ(r.t2i.r1, 0.25);  // only caption 0 -> image 0 wins its tie
  EXPECT_DOUBLE_EQ(r.i2t.r1, 0.25);
}

}  // namespace
}  // namespace clippo::evaluation

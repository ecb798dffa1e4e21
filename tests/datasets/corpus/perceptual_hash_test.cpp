// Near-duplicate detection: the same picture redrawn (resized, re-encoded) is found, different
// pictures are not, even sparse line drawings on white or one shape in two colours.
#include "datasets/corpus/perceptual_hash.h"

#include <gtest/gtest.h>

#include "core/base/error.h"
#include "render/image_resize.h"

namespace clippo::datasets {
namespace {

// A filled disc of `rgb` at (cy, cx) radius r on white, size x size.
ImageU8 disc(int size, int cy, int cx, int r, uint8_t red, uint8_t green, uint8_t blue) {
  ImageU8 img(size, size, 3, 255);
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x)
      if ((y - cy) * (y - cy) + (x - cx) * (x - cx) <= r * r) {
        img.at(y, x, 0) = red, img.at(y, x, 1) = green, img.at(y, x, 2) = blue;
      }
  return img;
}

// A one-pixel line from the top-left to `end_x` on the bottom row: sparse line art.
ImageU8 line(int size, int end_x) {
  ImageU8 img(size, size, 3, 255);
  for (int y = 0; y < size; ++y) {
    const int x = y * end_x / (size - 1);
    for (int c = 0; c < 3; ++c) img.at(y, x, c) = 0;
  }
  return img;
}

TEST(PerceptualHash, ResizedCopyIsANearDuplicate) {
  const ImageU8 a = disc(64, 30, 24, 14, 200, 40, 40);
  const ImageU8 b = render::resize_bilinear(render::resize_bilinear(a, 48, 48, true), 64, 64, true);
  EXPECT_TRUE(are_near_duplicates(fingerprint(a), fingerprint(b)));
}

TEST(PerceptualHash, DifferentShapesColoursAndSparseDrawingsAreKeptApart) {
  const ImageU8 a = disc(64, 30, 24, 14, 200, 40, 40);
  EXPECT_FALSE(are_near_duplicates(fingerprint(a), fingerprint(disc(64, 40, 44, 12, 200, 40, 40))));
  // Same shape, another colour (an emoji's skin tones, a flag's colours).
  EXPECT_FALSE(are_near_duplicates(fingerprint(a), fingerprint(disc(64, 30, 24, 14, 40, 40, 200))));
  // Two different thin lines: nearly all white, still two pictures.
  EXPECT_FALSE(are_near_duplicates(fingerprint(line(64, 10)), fingerprint(line(64, 60))));
}

TEST(PerceptualHash, IndexReturnsTheFirstTwinAndAddsNewPictures) {
  NearDuplicateIndex index;
  const ImageU8 a = disc(64, 30, 24, 14, 200, 40, 40);
  EXPECT_EQ(index.find_or_add(fingerprint(a), 7), -1);
  EXPECT_EQ(index.find_or_add(fingerprint(disc(64, 40, 44, 12, 20, 140, 40)), 8), -1);
  EXPECT_EQ(index.find_or_add(fingerprint(render::resize_bilinear(a, 64, 64)), 9), 7);
  EXPECT_EQ(index.size(), 2u);
  EXPECT_THROW(NearDuplicateIndex(NearDuplicateRule{4, 10.0, 0.15}), Error);
}

}  // namespace
}  // namespace clippo::datasets

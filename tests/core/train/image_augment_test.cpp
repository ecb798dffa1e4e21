// The training-time augmentation: deterministic per seed, off when its settings are at their
// defaults, and each photometric setting doing what its name says and nothing else.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "core/base/image.h"
#include "core/train/image_augment.h"
#include "render/image_resize.h"

namespace clippo::train {
namespace {

// A colourful picture: red, green, blue and gray quarters with a gradient.
ImageU8 quarters(int size = 32) {
  ImageU8 img(size, size, 3);
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      const auto shade = static_cast<uint8_t>(80 + 4 * ((x + y) % 32));
      const int q = (y < size / 2 ? 0 : 2) + (x < size / 2 ? 0 : 1);
      for (int c = 0; c < 3; ++c) img.at(y, x, c) = q == 3 ? shade : (c == q ? shade : 20);
    }
  }
  return img;
}

double luma(const ImageU8& img, int y, int x) {
  return 0.299 * img.at(y, x, 0) + 0.587 * img.at(y, x, 1) + 0.114 * img.at(y, x, 2);
}

double mean(const ImageU8& img) {
  double s = 0;
  for (uint8_t v : img.pixels) s += v;
  return s / static_cast<double>(img.pixels.size());
}

TEST(ImageAugmentTest, DefaultSettingsOnlyResize) {
  const ImageU8 in = quarters(48);
  const ImageU8 out = augment_picture(in, AugmentRecipe{}, 32, 7);
  EXPECT_EQ(out.pixels, render::resize_bilinear(in, 32, 32).pixels);
}

TEST(ImageAugmentTest, SameSeedSamePixelsOtherSeedOtherPixels) {
  AugmentRecipe aug;
  aug.crop_min_area = 0.5;
  aug.flip_lr = true;
  aug.brightness = aug.contrast = aug.saturation = 0.4;
  aug.hue = 0.1;
  aug.grayscale = 0.2;
  const ImageU8 in = quarters();
  EXPECT_EQ(augment_picture(in, aug, 24, 11).pixels, augment_picture(in, aug, 24, 11).pixels);
  int differing = 0;
  for (uint64_t seed = 12; seed < 20; ++seed) differing += augment_picture(in, aug, 24, seed).pixels != augment_picture(in, aug, 24, 11).pixels;
  EXPECT_GE(differing, 7);
}

TEST(ImageAugmentTest, ColourSettingsLeaveTheGeometricDrawsAlone) {
  // Adding photometric jitter must not move the crop or the flip that a seed gives: the colours
  // are drawn after them, so a recipe that only adds jitter still sees the same framing.
  AugmentRecipe geometric;
  geometric.crop_min_area = 0.5;
  geometric.flip_lr = true;
  AugmentRecipe gray = geometric;
  gray.grayscale = 1.0;
  const ImageU8 in = quarters();
  for (uint64_t seed = 0; seed < 6; ++seed) {
    const ImageU8 a = augment_picture(in, geometric, 24, seed), b = augment_picture(in, gray, 24, seed);
    for (int y = 0; y < 24; ++y) {
      for (int x = 0; x < 24; ++x) EXPECT_NEAR(b.at(y, x, 0), luma(a, y, x), 0.51) << seed << " " << y << " " << x;
    }
  }
}

TEST(ImageAugmentTest, GrayscaleOneMakesEveryPixelGray) {
  AugmentRecipe aug;
  aug.grayscale = 1.0;
  const ImageU8 out = augment_picture(quarters(), aug, 32, 3);
  for (int y = 0; y < 32; ++y) {
    for (int x = 0; x < 32; ++x) {
      EXPECT_EQ(out.at(y, x, 0), out.at(y, x, 1));
      EXPECT_EQ(out.at(y, x, 1), out.at(y, x, 2));
    }
  }
}

TEST(ImageAugmentTest, BrightnessScalesThePicture) {
  AugmentRecipe aug;
  aug.brightness = 0.5;
  const ImageU8 in = quarters();
  double lowest = 1e9, highest = 0;
  for (uint64_t seed = 0; seed < 40; ++seed) {
    const ImageU8 out = augment_picture(in, aug, 32, seed);
    const double ratio = mean(out) / mean(in);
    lowest = std::min(lowest, ratio);
    highest = std::max(highest, ratio);
    EXPECT_GE(ratio, 0.49);
    EXPECT_LE(ratio, 1.51);
  }
  EXPECT_LT(lowest, 0.8);  // the draws reach both ends of [0.5, 1.5]
  EXPECT_GT(highest, 1.2);
}

TEST(ImageAugmentTest, HueAndSaturationLeaveGrayPixelsGray) {
  // Chroma jitter moves colours; a gray pixel has none, so it must not turn coloured.
  AugmentRecipe aug;
  aug.hue = 0.5;
  aug.saturation = 1.0;
  const ImageU8 in = quarters();
  bool coloured_moved = false;
  for (uint64_t seed = 0; seed < 10; ++seed) {
    const ImageU8 out = augment_picture(in, aug, 32, seed);
    for (int y = 16; y < 32; ++y) {
      for (int x = 16; x < 32; ++x) {
        EXPECT_NEAR(out.at(y, x, 0), in.at(y, x, 0), 1);
        EXPECT_NEAR(out.at(y, x, 1), in.at(y, x, 0), 1);
        EXPECT_NEAR(out.at(y, x, 2), in.at(y, x, 0), 1);
      }
    }
    coloured_moved |= out.at(4, 4, 0) != in.at(4, 4, 0) || out.at(4, 4, 1) != in.at(4, 4, 1);
  }
  EXPECT_TRUE(coloured_moved);
}

TEST(ImageAugmentTest, HueKeepsLumaAndCanTurnRedAway) {
  AugmentRecipe aug;
  aug.hue = 0.5;
  ImageU8 red(8, 8, 3);
  for (int y = 0; y < 8; ++y) {
    for (int x = 0; x < 8; ++x) {
      red.at(y, x, 0) = 150;  // a muted red: no hue it turns to leaves [0, 255]
      red.at(y, x, 1) = red.at(y, x, 2) = 80;
    }
  }
  bool no_longer_red = false;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const ImageU8 out = augment_picture(red, aug, 8, seed);
    // YIQ rotation keeps luma up to rounding (and clipping, which this red never reaches).
    EXPECT_NEAR(luma(out, 3, 3), luma(red, 3, 3), 1.5) << seed;
    no_longer_red |= out.at(3, 3, 0) < std::max(out.at(3, 3, 1), out.at(3, 3, 2));
  }
  EXPECT_TRUE(no_longer_red);
}

TEST(ImageAugmentTest, ContrastCanFlattenThePictureTowardsItsMeanGray) {
  AugmentRecipe aug;
  aug.contrast = 1.0;  // factors in [0, 2]: some draws flatten the picture towards its mean gray
  const ImageU8 in = quarters();
  double spread_in = 0;
  for (uint8_t v : in.pixels) spread_in += std::abs(v - mean(in));
  double smallest = 1e18;
  for (uint64_t seed = 0; seed < 40; ++seed) {
    const ImageU8 out = augment_picture(in, aug, 32, seed);
    double spread = 0;
    const double m = mean(out);
    for (uint8_t v : out.pixels) spread += std::abs(v - m);
    smallest = std::min(smallest, spread);
  }
  EXPECT_LT(smallest, 0.3 * spread_in);
}

TEST(ImageAugmentTest, GrayPicturesWithOneChannelSkipTheColourPart) {
  AugmentRecipe aug;
  aug.brightness = 1.0;
  aug.grayscale = 1.0;
  ImageU8 gray(16, 16, 1, 100);
  const ImageU8 out = augment_picture(gray, aug, 16, 5);
  EXPECT_EQ(out.pixels, gray.pixels);
}

}  // namespace
}  // namespace clippo::train

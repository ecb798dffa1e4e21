#include "render/image_resize.h"

#include <gtest/gtest.h>

#include "core/base/file_io.h"
#include "render/image_decoder.h"
#include "render/image_preprocessor.h"

namespace clippo::render {
namespace {

std::string fixture(const std::string& name) { return std::string(CLIPPO_TEST_DATA_DIR) + "/images/" + name; }

ImageU8 raw_rgb(const std::string& name, int h, int w) {
  const std::string bytes = read_file(fixture(name));
  ImageU8 img(h, w, 3);
  EXPECT_EQ(bytes.size(), img.size());
  std::copy(bytes.begin(), bytes.end(), img.pixels.begin());
  return img;
}

TEST(ImageResizeTest, HandCheckedTwoByTwoUpsample) {
  // 1x2 grey [0, 100] -> 1x4 with half-pixel centres: sources -0.25, 0.25, 0.75, 1.25
  // -> clamped/lerped values 0, 25, 75, 100.
  ImageU8 in(1, 2, 1);
  in.pixels = {0, 100};
  const ImageU8 out = resize_bilinear(in, 1, 4);
  EXPECT_EQ(out.pixels, (std::vector<uint8_t>{0, 25, 75, 100}));
}

TEST(ImageResizeTest, CastTruncatesLikeTf) {
  // [0, 3] -> 4 samples: 0, 0.75, 2.25, 3 -> truncated to 0, 0, 2, 3 (not rounded).
  ImageU8 in(1, 2, 1);
  in.pixels = {0, 3};
  EXPECT_EQ(resize_bilinear(in, 1, 4).pixels, (std::vector<uint8_t>{0, 0, 2, 3}));
}

TEST(ImageResizeTest, SameSizeIsIdentity) {
  const ImageU8 noise = raw_rgb("noise_300x200.rgb", 300, 200);
  EXPECT_EQ(resize_bilinear(noise, 300, 200).pixels, noise.pixels);
}

TEST(ImageResizeTest, MatchesTfKernelPortUpAndDown) {
  const ImageU8 photo = decode_image_file(fixture("photo.png"));
  EXPECT_EQ(resize_bilinear(photo, 224, 224).pixels, raw_rgb("photo_resized_224.rgb", 224, 224).pixels);
  const ImageU8 noise = raw_rgb("noise_300x200.rgb", 300, 200);
  EXPECT_EQ(resize_bilinear(noise, 224, 224).pixels, raw_rgb("noise_resized_224.rgb", 224, 224).pixels);
}

TEST(ImageResizeTest, AntialiasSmoothsDownscaledNoise) {
  const ImageU8 noise = raw_rgb("noise_300x200.rgb", 300, 200);
  auto variance = [](const ImageU8& img) {
    double sum = 0, sq = 0;
    for (uint8_t v : img.pixels) { sum += v; sq += double(v) * v; }
    const double n = static_cast<double>(img.size());
    return sq / n - (sum / n) * (sum / n);
  };
  const ImageU8 plain = resize_bilinear(noise, 50, 50, false);
  const ImageU8 smooth = resize_bilinear(noise, 50, 50, true);
  EXPECT_LT(variance(smooth), variance(plain) * 0.5);
  // A constant image stays constant, up to TF's float weights summing to 1 - epsilon before
  // the truncating cast (200 may become 199, as in TF).
  ImageU8 flat(37, 91, 3, 200);
  for (uint8_t v : resize_bilinear(flat, 224, 224, true).pixels) ASSERT_TRUE(v == 200 || v == 199);
  for (uint8_t v : resize_bilinear(flat, 10, 13, true).pixels) ASSERT_TRUE(v == 200 || v == 199);
  for (uint8_t v : resize_bilinear(flat, 224, 224, false).pixels) ASSERT_EQ(v, 200);
}

TEST(ImagePreprocessorTest, DecodesAndResizesTo224) {
  const ImageU8 img = preprocess_image_file(fixture("photo.png"));
  EXPECT_EQ(img.height, 224);
  EXPECT_EQ(img.width, 224);
  EXPECT_EQ(img.pixels, raw_rgb("photo_resized_224.rgb", 224, 224).pixels);
  float out[3];
  ImageU8 px(1, 1, 3);
  px.pixels = {0, 255, 51};
  value_range(px, out);
  EXPECT_FLOAT_EQ(out[0], -1.0f);
  EXPECT_FLOAT_EQ(out[1], 1.0f);
  EXPECT_FLOAT_EQ(out[2], -1.0f + (51.0f / 255.0f) * 2.0f);
}

}  // namespace
}  // namespace clippo::render

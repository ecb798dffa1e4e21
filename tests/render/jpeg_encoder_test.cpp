// JPEG encoding: what `clippo dataset pack` writes must decode back close to the original, in
// colour and grey, and bad arguments are one clear error.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "core/base/error.h"
#include "render/image_decoder.h"
#include "render/jpeg_encoder.h"

namespace clippo::render {
namespace {

// A drawing like the corpus's: white ground, a red disc with a blue bar.
ImageU8 drawing(int size) {
  ImageU8 img(size, size, 3, 255);
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      const double dx = x - size / 2.0, dy = y - size / 2.0;
      if (dx * dx + dy * dy < size * size / 9.0) img.at(y, x, 1) = img.at(y, x, 2) = 40;
      if (y > size * 3 / 4 && y < size * 7 / 8) img.at(y, x, 0) = img.at(y, x, 1) = 30;
    }
  }
  return img;
}

double mean_abs_difference(const ImageU8& a, const ImageU8& b) {
  double sum = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) sum += std::abs(int(a.pixels[i]) - int(b.pixels[i]));
  return sum / static_cast<double>(a.pixels.size());
}

TEST(JpegEncoderTest, RoundTripsCloseAtHighQualityAndShrinksAtLowQuality) {
  const ImageU8 img = drawing(112);
  const std::string high = encode_jpeg(img, 95), low = encode_jpeg(img, 40);
  const ImageU8 back = decode_image(high);
  ASSERT_EQ(back.height, 112);
  ASSERT_EQ(back.width, 112);
  ASSERT_EQ(back.channels, 3);
  EXPECT_LT(mean_abs_difference(img, back), 4.0);  // 4:2:0 halves the colour's resolution
  EXPECT_LT(low.size(), high.size());
  EXPECT_LT(high.size(), img.pixels.size() / 4);  // the point of packing
  const std::string full = encode_jpeg(img, 95, /*full_chroma=*/true);
  EXPECT_GT(full.size(), high.size());
  EXPECT_LT(mean_abs_difference(img, decode_image(full)), 2.0);
  EXPECT_LT(mean_abs_difference(img, decode_image(full)), mean_abs_difference(img, back));
}

TEST(JpegEncoderTest, GreyStaysGrey) {
  ImageU8 grey(16, 24, 1, 0);
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 24; ++x) grey.at(y, x) = static_cast<uint8_t>(x * 10);
  const ImageU8 back = decode_image(encode_jpeg(grey, 90));
  ASSERT_EQ(back.channels, 3);  // the decoder expands grey to RGB, as TF does
  for (int x = 0; x < 24; ++x) EXPECT_NEAR(back.at(8, x, 0), x * 10, 6) << x;
}

TEST(JpegEncoderTest, BadArgumentsAreInvalidArgument) {
  for (const auto& [img, quality] : {std::pair{ImageU8(), 90}, std::pair{ImageU8(4, 4, 4, 0), 90},
                                     std::pair{ImageU8(4, 4, 3, 0), 0}, std::pair{ImageU8(4, 4, 3, 0), 101}}) {
    try {
      encode_jpeg(img, quality);
      FAIL() << "accepted channels " << img.channels << " quality " << quality;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace clippo::render

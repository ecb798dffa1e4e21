#include "render/image_decoder.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "render/png_codec.h"

namespace clippo::render {
namespace {

std::string fixture(const std::string& name) { return std::string(CLIPPO_TEST_DATA_DIR) + "/images/" + name; }

ErrorCode decode_error_code(const std::string& bytes, const DecodeOptions& options = {}) {
  try {
    decode_image(bytes, options);
  } catch (const Error& e) {
    return e.code();
  }
  ADD_FAILURE() << "decode succeeded";
  return ErrorCode::kInternal;
}

TEST(ImageDecoderTest, LosslessFormatsGiveTheSamePixels) {
  const ImageU8 png = decode_image_file(fixture("photo.png"));
  const ImageU8 webp = decode_image_file(fixture("photo.webp"));
  ASSERT_EQ(png.height, 48);
  ASSERT_EQ(png.width, 64);
  ASSERT_EQ(png.channels, 3);
  EXPECT_EQ(png.pixels, webp.pixels);
}

TEST(ImageDecoderTest, JpegAccurateDctMatchesPil) {
  // PIL decodes with libjpeg's ISLOW DCT, which is big_vision's decode(precise=True).
  DecodeOptions accurate;
  accurate.accurate_dct = true;
  const ImageU8 jpg = decode_image_file(fixture("photo.jpg"), accurate);
  EXPECT_EQ(std::string(jpg.pixels.begin(), jpg.pixels.end()), read_file(fixture("photo_jpg_islow.rgb")));
  // TF's default (IFAST) is close to it, but not equal.
  const ImageU8 fast = decode_image_file(fixture("photo.jpg"));
  int max_diff = 0;
  for (size_t i = 0; i < jpg.size(); ++i) max_diff = std::max(max_diff, std::abs(jpg.pixels[i] - fast.pixels[i]));
  EXPECT_GT(max_diff, 0);
  EXPECT_LT(max_diff, 16);
}

TEST(ImageDecoderTest, GreyPaletteAlphaAndSixteenBitBecomeRgb) {
  const ImageU8 photo = decode_image_file(fixture("photo.png"));
  const ImageU8 rgba = decode_image_file(fixture("rgba.png"));
  EXPECT_EQ(rgba.pixels, photo.pixels);  // alpha dropped, not composited (TF channels=3)
  const ImageU8 gray = decode_image_file(fixture("gray.png"));
  ASSERT_EQ(gray.channels, 3);
  EXPECT_EQ(gray.at(5, 7, 0), gray.at(5, 7, 1));
  EXPECT_EQ(gray.at(5, 7, 1), gray.at(5, 7, 2));
  const ImageU8 gray16 = decode_image_file(fixture("gray16.png"));
  EXPECT_EQ(gray16.at(3, 4, 0), photo.at(3, 4, 0));  // x * 257 -> high byte x
  EXPECT_EQ(decode_image_file(fixture("palette.png")).height, 48);
}

TEST(ImageDecoderTest, UnsupportedFormatsAreNamed) {
  try {
    decode_image_file(fixture("photo.gif"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupportedFormat);
    EXPECT_NE(std::string(e.what()).find("GIF"), std::string::npos);
  }
  EXPECT_EQ(decode_error_code(read_file(fixture("photo.bmp"))), ErrorCode::kUnsupportedFormat);
  EXPECT_EQ(decode_error_code("just some text"), ErrorCode::kUnsupportedFormat);
  EXPECT_EQ(decode_error_code(""), ErrorCode::kInvalidArgument);
}

TEST(ImageDecoderTest, TruncatedAndCorruptDataAreInvalidArgument) {
  EXPECT_EQ(decode_error_code(read_file(fixture("truncated.jpg"))), ErrorCode::kInvalidArgument);
  EXPECT_EQ(decode_error_code(read_file(fixture("truncated.png"))), ErrorCode::kInvalidArgument);
  EXPECT_EQ(decode_error_code(read_file(fixture("corrupt.jpg"))), ErrorCode::kInvalidArgument);
  EXPECT_EQ(decode_error_code(std::string("\xFF\xD8\xFF", 3)), ErrorCode::kInvalidArgument);
  EXPECT_EQ(decode_error_code(std::string("\x89PNG\r\n\x1A\n", 8)), ErrorCode::kInvalidArgument);
  EXPECT_EQ(decode_error_code(std::string("RIFF\0\0\0\0WEBPVP8 ", 16)), ErrorCode::kInvalidArgument);
}

TEST(ImageDecoderTest, PixelBudgetIsCheckedBeforeDecoding) {
  DecodeOptions tiny;
  tiny.max_pixels = 1000;  // the fixtures are 48x64 = 3072 pixels
  for (const char* name : {"photo.jpg", "photo.png", "photo.webp"}) {
    EXPECT_EQ(decode_error_code(read_file(fixture(name)), tiny), ErrorCode::kResourceExhausted) << name;
  }
  // A PNG header claiming 100000 x 100000 pixels with no data behind it: refused from the
  // header alone (a decompression bomb), never allocated.
  ImageU8 one(1, 1, 3, 9);
  std::string png = encode_png(one);
  // IHDR width/height live at bytes 16..23; the CRC no longer matches, so libpng must not
  // get far enough to check it.
  const unsigned char big[8] = {0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0};
  for (int i = 0; i < 8; ++i) png[16 + i] = static_cast<char>(big[i]);
  const ErrorCode code = decode_error_code(png);
  EXPECT_TRUE(code == ErrorCode::kResourceExhausted || code == ErrorCode::kInvalidArgument);
}

TEST(PngCodecTest, EncodeDecodeRoundTrip) {
  ImageU8 img(5, 7, 3);
  for (size_t i = 0; i < img.size(); ++i) img.pixels[i] = static_cast<uint8_t>(i * 37);
  EXPECT_EQ(decode_png(encode_png(img), 1 << 20).pixels, img.pixels);
}

TEST(PngCodecTest, RgbaDecodingKeepsAlphaAndGivesOpaqueImagesAlpha255) {
  // A fixture written by PIL with real transparency: its colour matches photo.png, its alpha is kept.
  const ImageU8 photo = decode_image_file(fixture("photo.png"));
  const ImageU8 rgba = decode_png_rgba(read_file(fixture("rgba.png"), 1 << 20), 1 << 20);
  ASSERT_EQ(rgba.channels, 4);
  ASSERT_EQ(rgba.height, photo.height);
  bool some_translucent = false;
  for (int y = 0; y < rgba.height; ++y) {
    for (int x = 0; x < rgba.width; ++x) {
      for (int c = 0; c < 3; ++c) ASSERT_EQ(rgba.at(y, x, c), photo.at(y, x, c));
      some_translucent |= rgba.at(y, x, 3) != 255;
    }
  }
  EXPECT_TRUE(some_translucent);
  // Grey, palette and RGB files come back with alpha 255 everywhere.
  for (const char* name : {"gray.png", "gray16.png", "palette.png", "photo.png"}) {
    const ImageU8 opaque = decode_png_rgba(read_file(fixture(name), 1 << 20), 1 << 20);
    ASSERT_EQ(opaque.channels, 4) << name;
    for (size_t i = 3; i < opaque.pixels.size(); i += 4) ASSERT_EQ(opaque.pixels[i], 255) << name;
  }
  // Our own RGBA encoding round-trips, and the pixel budget holds as for RGB.
  ImageU8 img(4, 6, 4);
  for (size_t i = 0; i < img.size(); ++i) img.pixels[i] = static_cast<uint8_t>(i * 53);
  EXPECT_EQ(decode_png_rgba(encode_png(img), 1 << 20).pixels, img.pixels);
  EXPECT_THROW(decode_png_rgba(encode_png(img), 10), Error);
}

TEST(ImageDecoderTest, MediaTypesAndExtensionsFollowTheBytes) {
  const struct {
    const char* file;
    const char* type;
    const char* ext;
  } cases[] = {{"photo.jpg", "image/jpeg", "jpg"}, {"photo.png", "image/png", "png"},
               {"photo.webp", "image/webp", "webp"}, {"photo.gif", "application/octet-stream", "bin"}};
  for (const auto& c : cases) {
    const ImageFormat f = detect_image_format(read_file(fixture(c.file)));
    EXPECT_STREQ(image_media_type(f), c.type) << c.file;
    EXPECT_STREQ(image_file_extension(f), c.ext) << c.file;
  }
}

}  // namespace
}  // namespace clippo::render

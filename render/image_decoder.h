// Image files -> RGB pixels: JPEG (libjpeg-turbo), PNG (libpng), WebP (libwebp).
//
// Semantics follow `tf.io.decode_image(channels=3)` as big_vision's `decode` calls it: JPEG
// with libjpeg's fast integer DCT (TF's default dct_method), grey expanded to RGB, alpha
// dropped (not composited), 16-bit PNG reduced to its high byte. A truncated JPEG is an error,
// as in TF. The pixel budget is checked from the header, before any pixel is decoded, so a
// decompression bomb costs nothing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/image.h"

namespace clippo::render {

enum class ImageFormat { kUnknown, kJpeg, kPng, kWebp, kGif, kBmp, kTiff };

// Sniffs the format from the first bytes.
ImageFormat detect_image_format(std::string_view bytes);
const char* image_format_name(ImageFormat format);
// For the decodable formats: "image/jpeg" and "jpg", "image/png" and "png", "image/webp" and
// "webp"; any other format: "application/octet-stream" and "bin".
const char* image_media_type(ImageFormat format);
const char* image_file_extension(ImageFormat format);

struct DecodeOptions {
  int64_t max_pixels = 64'000'000;  // width * height above this is ResourceExhausted
  bool accurate_dct = false;        // big_vision decode(precise=True): JDCT_ISLOW
};

// Decodes an encoded image to height x width x 3. Throws UnsupportedFormat (GIF, BMP, TIFF,
// anything else), InvalidArgument (corrupt or truncated data), ResourceExhausted (over budget).
ImageU8 decode_image(std::string_view bytes, const DecodeOptions& options = {});

// Reads and decodes a file; errors name the path.
ImageU8 decode_image_file(const std::string& path, const DecodeOptions& options = {});

}  // namespace clippo::render

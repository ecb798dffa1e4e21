// PNG through libpng: encoding (rendered text for the CLI and GET /v1/render) and decoding.
#pragma once

#include <string>
#include <string_view>

#include "core/base/image.h"

namespace clippo::render {

// Encodes a 1-, 3- or 4-channel (straight RGBA) image as PNG bytes.
std::string encode_png(const ImageU8& image);

// Decodes PNG bytes to RGB (see image_decoder.h for the rules). Throws InvalidArgument on
// corrupt data and ResourceExhausted when width * height > max_pixels.
ImageU8 decode_png(std::string_view bytes, int64_t max_pixels);
// Decodes PNG bytes to straight RGBA (4 channels): gray and palette expanded, a tRNS chunk turned
// into alpha, opaque images given alpha 255. For pictures drawn over a background of our own.
ImageU8 decode_png_rgba(std::string_view bytes, int64_t max_pixels);

}  // namespace clippo::render

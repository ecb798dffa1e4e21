// PNG through libpng: encoding (rendered text for the CLI and GET /v1/render) and decoding.
#pragma once

#include <string>
#include <string_view>

#include "core/base/image.h"

namespace clippo::render {

// Encodes a 1- or 3-channel image as PNG bytes.
std::string encode_png(const ImageU8& image);

// Decodes PNG bytes to RGB (see image_decoder.h for the rules). Throws InvalidArgument on
// corrupt data and ResourceExhausted when width * height > max_pixels.
ImageU8 decode_png(std::string_view bytes, int64_t max_pixels);

}  // namespace clippo::render

// Image file -> the model's input pixels: big_vision's `decode|resize(224)` (value_range is
// applied by the encoder on the returned uint8 pixels).
#pragma once

#include <string>
#include <string_view>

#include "core/base/image.h"
#include "render/image_decoder.h"

namespace clippo::render {

struct ImagePreprocessSpec {
  int image_size = 224;
  bool antialias = false;  // big_vision's resize default
  DecodeOptions decode;
};

// Decodes, resizes to image_size x image_size x 3 (aspect ratio not kept, as big_vision).
ImageU8 preprocess_image(std::string_view encoded, const ImagePreprocessSpec& spec = {});
ImageU8 preprocess_image_file(const std::string& path, const ImagePreprocessSpec& spec = {});

}  // namespace clippo::render

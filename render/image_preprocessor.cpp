#include "render/image_preprocessor.h"

#include "core/base/error.h"
#include "render/image_resize.h"

namespace clippo::render {

ImageU8 preprocess_image(std::string_view encoded, const ImagePreprocessSpec& spec) {
  CLIPPO_CHECK(spec.image_size > 0 && spec.image_size <= 4096, kInvalidArgument,
               "image_size must be in [1, 4096]");
  return resize_bilinear(decode_image(encoded, spec.decode), spec.image_size, spec.image_size, spec.antialias);
}

ImageU8 preprocess_image_file(const std::string& path, const ImagePreprocessSpec& spec) {
  CLIPPO_CHECK(spec.image_size > 0 && spec.image_size <= 4096, kInvalidArgument,
               "image_size must be in [1, 4096]");
  return resize_bilinear(decode_image_file(path, spec.decode), spec.image_size, spec.image_size, spec.antialias);
}

}  // namespace clippo::render

// JPEG encoding through libjpeg: what `clippo dataset pack` writes, so a training corpus travels
// several times smaller than as PNG (render/image_decoder.h reads it back).
#pragma once

#include <string>

#include "core/base/image.h"

namespace clippo::render {

// Encodes an RGB or grey image at `quality` (1-100), chroma at half resolution both ways (4:2:0,
// libjpeg's default) or, with `full_chroma`, at full resolution (4:4:4: sharper coloured edges,
// about a third larger). Throws InvalidArgument for an empty image, another channel count or a
// quality outside 1-100.
std::string encode_jpeg(const ImageU8& image, int quality, bool full_chroma = false);

}  // namespace clippo::render

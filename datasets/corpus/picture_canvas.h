// Pictures of any size and shape onto the corpus's square training canvas.
//
// The corpus stores every picture as size x size RGB over white, the picture centred and scaled
// to fit (aspect kept), so a ViT sees each source the same way whatever its native size. Alpha
// (SVG renders, transparent PNGs) is composited over white first: the model never sees alpha.
#pragma once

#include <cstdint>
#include <vector>

#include "core/base/image.h"

namespace clippo::datasets {

// Straight (not premultiplied) RGBA -> RGB over white. rgba: height x width x 4, HWC.
ImageU8 composite_over_white(const ImageU8& rgba);

// An RGB picture scaled to fit size_px x size_px (aspect kept, antialiased when shrinking, never
// enlarged past the canvas) and centred on white. Throws InvalidArgument for an empty picture, a
// channel count other than 3, or size_px outside [8, 4096].
ImageU8 fit_on_square(const ImageU8& rgb, int size_px);

// True when every pixel is within `tolerance` of the first one: an empty render (an SVG that
// draws nothing, a blank PNG), which is a broken item, not a picture.
bool is_blank(const ImageU8& image, int tolerance = 8);

}  // namespace clippo::datasets

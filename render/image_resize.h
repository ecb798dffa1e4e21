// Resizing with TensorFlow 2 `tf.image.resize` semantics, as big_vision's `resize` op uses it.
#pragma once

#include "core/base/image.h"

namespace clippo::render {

// Bilinear resize of an HWC uint8 image to out_height x out_width, then clip and cast to
// uint8 (truncating, as tf.cast does).
//  antialias = false (big_vision's default): TF's ResizeBilinear kernel with half-pixel
//    centres: src = (dst + 0.5) * (in / out) - 0.5 in float32, neighbours clamped to the
//    image, lerp as a + (b - a) * t; a same-size resize is the identity.
//  antialias = true: TF's ScaleAndTranslate with a triangle kernel widened by the
//    downscaling factor (what tf.image.resize(antialias=True) runs), separable.
ImageU8 resize_bilinear(const ImageU8& in, int out_height, int out_width, bool antialias = false);

}  // namespace clippo::render

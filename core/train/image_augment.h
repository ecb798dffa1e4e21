// Training-time augmentation of a decoded picture, before it becomes a model input: the
// geometric part (inception-style crop, resize, left-right flip, as big_vision's
// decode|inception_crop|resize|flip_lr) and a photometric part (brightness, contrast, saturation
// and hue jitter and random grayscale, as torchvision's ColorJitter and RandomGrayscale), meant to
// make a small corpus's few art styles teach shapes rather than one palette. Only pictures go
// through here: rendered text never does, so it stays legible.
//
// Deterministic: the same picture, recipe and seed give the same pixels, which is what makes a
// resumed run exact. A setting left at its default draws nothing from the generator, so a recipe
// without the photometric fields augments exactly as before they existed.
#pragma once

#include <cstdint>

#include "core/base/image.h"

namespace clippo::train {

struct AugmentRecipe {
  bool flip_lr = false;
  double crop_min_area = 1.0;  // < 1: random crop covering this share of the image or more (inception-style)
  // Photometric jitter, applied in this order after the resize; each factor is drawn uniformly.
  double brightness = 0.0;  // pixels times a factor in [1 - b, 1 + b]; b in [0, 1]
  double contrast = 0.0;    // blend with the picture's mean gray, factor in [1 - c, 1 + c]; c in [0, 1]
  double saturation = 0.0;  // blend with the picture's own gray, factor in [1 - s, 1 + s]; s in [0, 1]
  double hue = 0.0;         // rotate the chroma by up to +-h of a full turn (YIQ); h in [0, 0.5]
  double grayscale = 0.0;   // probability of turning the picture gray (after the jitter)

  bool photometric() const { return brightness > 0 || contrast > 0 || saturation > 0 || hue > 0 || grayscale > 0; }
};

// crop -> resize to size x size -> flip -> photometric jitter, drawing from a generator seeded by
// `seed`. Pictures that are not 3-channel skip the photometric part.
ImageU8 augment_picture(const ImageU8& decoded, const AugmentRecipe& aug, int size, uint64_t seed);

}  // namespace clippo::train

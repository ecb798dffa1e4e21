// Plain image types shared by every module: owned uint8 pixels in HWC order.
//
// The model's inputs are 224x224x3 uint8 images (rendered text or preprocessed photos);
// value_range() maps them to float as big_vision's `value_range(-1, 1)` does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace clippo {

// An owned image: height x width x channels, row-major, channels interleaved (HWC).
struct ImageU8 {
  int height = 0;
  int width = 0;
  int channels = 0;
  std::vector<uint8_t> pixels;  // size height * width * channels

  ImageU8() = default;
  ImageU8(int h, int w, int c, uint8_t fill = 0)
      : height(h), width(w), channels(c), pixels(static_cast<size_t>(h) * w * c, fill) {}

  size_t size() const { return pixels.size(); }
  uint8_t* data() { return pixels.data(); }
  const uint8_t* data() const { return pixels.data(); }
  uint8_t& at(int y, int x, int c = 0) { return pixels[(static_cast<size_t>(y) * width + x) * channels + c]; }
  uint8_t at(int y, int x, int c = 0) const {
    return pixels[(static_cast<size_t>(y) * width + x) * channels + c];
  }
};

// big_vision `value_range(vmin, vmax)` on uint8 input, in float32 exactly as TF computes it:
// out = vmin + (x / 255) * (vmax - vmin). `out` holds in.size() floats.
inline void value_range(const ImageU8& in, float* out, float vmin = -1.0f, float vmax = 1.0f) {
  const float span = vmax - vmin;
  for (size_t i = 0; i < in.pixels.size(); ++i) {
    const float unit = static_cast<float>(in.pixels[i]) / 255.0f;
    out[i] = vmin + unit * span;
  }
}

}  // namespace clippo

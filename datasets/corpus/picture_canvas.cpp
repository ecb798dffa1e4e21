// Fitting and compositing for the corpus canvas (picture_canvas.h).
#include "datasets/corpus/picture_canvas.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

#include "core/base/error.h"
#include "render/image_resize.h"

namespace clippo::datasets {

ImageU8 composite_over_white(const ImageU8& rgba) {
  CLIPPO_CHECK(rgba.channels == 4, kInvalidArgument,
               "composite_over_white: expected 4 channels, got " + std::to_string(rgba.channels));
  ImageU8 out(rgba.height, rgba.width, 3);
  const size_t n = static_cast<size_t>(rgba.height) * rgba.width;
  for (size_t i = 0; i < n; ++i) {
    const int a = rgba.pixels[i * 4 + 3];
    for (int c = 0; c < 3; ++c) {
      // Rounded a*x + (255-a)*255 over 255: exact for a = 0 and a = 255.
      const int v = rgba.pixels[i * 4 + c] * a + 255 * (255 - a);
      out.pixels[i * 3 + c] = static_cast<uint8_t>((v + 127) / 255);
    }
  }
  return out;
}

ImageU8 fit_on_square(const ImageU8& rgb, int size_px) {
  CLIPPO_CHECK(size_px >= 8 && size_px <= 4096, kInvalidArgument,
               "canvas size must be in [8, 4096] px, got " + std::to_string(size_px));
  CLIPPO_CHECK(rgb.height > 0 && rgb.width > 0, kInvalidArgument, "cannot fit an empty picture");
  CLIPPO_CHECK(rgb.channels == 3, kInvalidArgument,
               "fit_on_square: expected RGB, got " + std::to_string(rgb.channels) + " channels");
  const double scale = std::min(static_cast<double>(size_px) / rgb.height, static_cast<double>(size_px) / rgb.width);
  const int h = std::clamp(static_cast<int>(std::lround(rgb.height * scale)), 1, size_px);
  const int w = std::clamp(static_cast<int>(std::lround(rgb.width * scale)), 1, size_px);
  // Antialiased when shrinking: a plain bilinear resize drops thin strokes of line art.
  const ImageU8 scaled = (h == rgb.height && w == rgb.width) ? rgb : render::resize_bilinear(rgb, h, w, true);
  ImageU8 out(size_px, size_px, 3, 255);
  const int y0 = (size_px - h) / 2, x0 = (size_px - w) / 2;
  for (int y = 0; y < h; ++y) {
    std::copy_n(&scaled.pixels[static_cast<size_t>(y) * w * 3], static_cast<size_t>(w) * 3,
                &out.pixels[(static_cast<size_t>(y + y0) * size_px + x0) * 3]);
  }
  return out;
}

bool is_blank(const ImageU8& image, int tolerance) {
  if (image.pixels.empty()) return true;
  const int c = image.channels;
  for (size_t i = 0; i < image.pixels.size(); ++i) {
    if (std::abs(static_cast<int>(image.pixels[i]) - image.pixels[i % c]) > tolerance) return false;
  }
  return true;
}

}  // namespace clippo::datasets

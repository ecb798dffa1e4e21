#include "core/train/image_augment.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <vector>

#include "render/image_resize.h"

namespace clippo::train {
namespace {

double uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0); }

// A factor drawn from [1 - spread, 1 + spread].
double factor(std::mt19937_64& rng, double spread) { return 1.0 + spread * (2.0 * uniform(rng) - 1.0); }

ImageU8 crop(const ImageU8& in, int y0, int x0, int h, int w) {
  ImageU8 out(h, w, in.channels);
  for (int y = 0; y < h; ++y) {
    const uint8_t* src = &in.pixels[(static_cast<size_t>(y0 + y) * in.width + x0) * in.channels];
    std::copy(src, src + static_cast<size_t>(w) * in.channels, &out.pixels[static_cast<size_t>(y) * w * in.channels]);
  }
  return out;
}

void flip_lr(ImageU8& img) {
  for (int y = 0; y < img.height; ++y) {
    for (int x = 0; x < img.width / 2; ++x) {
      for (int c = 0; c < img.channels; ++c) std::swap(img.at(y, x, c), img.at(y, img.width - 1 - x, c));
    }
  }
}

// ITU-R 601 luma, the gray torchvision's rgb_to_grayscale uses.
double luma(const float* p) { return 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]; }

void clamp_all(std::vector<float>& px) {
  for (float& v : px) v = std::clamp(v, 0.0f, 255.0f);
}

// Rotating the (I, Q) chroma plane of YIQ by `turns` of a circle keeps luma and saturation and
// moves the hue; folded into one RGB -> RGB matrix.
std::array<double, 9> hue_rotation(double turns) {
  const double a = 2.0 * M_PI * turns, c = std::cos(a), s = std::sin(a);
  constexpr double to_yiq[9] = {0.299, 0.587, 0.114, 0.596, -0.274, -0.322, 0.211, -0.523, 0.312};
  constexpr double to_rgb[9] = {1.0, 0.956, 0.621, 1.0, -0.272, -0.647, 1.0, -1.106, 1.703};
  const double rot[9] = {1, 0, 0, 0, c, -s, 0, s, c};
  double tmp[9] = {};  // rot x to_yiq
  std::array<double, 9> m{};  // to_rgb x tmp
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) tmp[i * 3 + j] += rot[i * 3 + k] * to_yiq[k * 3 + j];
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) m[i * 3 + j] += to_rgb[i * 3 + k] * tmp[k * 3 + j];
  return m;
}

void jitter_colors(ImageU8& img, const AugmentRecipe& aug, std::mt19937_64& rng) {
  const size_t n = static_cast<size_t>(img.height) * img.width;
  std::vector<float> px(img.pixels.begin(), img.pixels.end());
  if (aug.brightness > 0) {
    const double f = factor(rng, aug.brightness);
    for (float& v : px) v = static_cast<float>(v * f);
    clamp_all(px);
  }
  if (aug.contrast > 0) {
    const double f = factor(rng, aug.contrast);
    double mean = 0;
    for (size_t i = 0; i < n; ++i) mean += luma(&px[3 * i]);
    mean /= static_cast<double>(std::max<size_t>(n, 1));
    for (float& v : px) v = static_cast<float>(f * v + (1.0 - f) * mean);
    clamp_all(px);
  }
  if (aug.saturation > 0) {
    const double f = factor(rng, aug.saturation);
    for (size_t i = 0; i < n; ++i) {
      const double g = luma(&px[3 * i]);
      for (int c = 0; c < 3; ++c) px[3 * i + c] = static_cast<float>(f * px[3 * i + c] + (1.0 - f) * g);
    }
    clamp_all(px);
  }
  if (aug.hue > 0) {
    const auto m = hue_rotation(aug.hue * (2.0 * uniform(rng) - 1.0));
    for (size_t i = 0; i < n; ++i) {
      const double r = px[3 * i], g = px[3 * i + 1], b = px[3 * i + 2];
      for (int c = 0; c < 3; ++c) px[3 * i + c] = static_cast<float>(m[3 * c] * r + m[3 * c + 1] * g + m[3 * c + 2] * b);
    }
    clamp_all(px);
  }
  if (aug.grayscale > 0 && uniform(rng) < aug.grayscale) {
    for (size_t i = 0; i < n; ++i) {
      const auto g = static_cast<float>(luma(&px[3 * i]));
      px[3 * i] = px[3 * i + 1] = px[3 * i + 2] = g;
    }
  }
  for (size_t i = 0; i < px.size(); ++i) img.pixels[i] = static_cast<uint8_t>(std::lround(px[i]));
}

}  // namespace

ImageU8 augment_picture(const ImageU8& decoded, const AugmentRecipe& aug, int size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const ImageU8* src = &decoded;
  ImageU8 cropped;
  if (aug.crop_min_area < 1.0) {
    const double area = decoded.height * static_cast<double>(decoded.width);
    for (int attempt = 0; attempt < 10; ++attempt) {
      const double target = area * (aug.crop_min_area + (1.0 - aug.crop_min_area) * uniform(rng));
      const double ratio = std::exp(std::log(3.0 / 4.0) + (std::log(4.0 / 3.0) - std::log(3.0 / 4.0)) * uniform(rng));
      const int w = static_cast<int>(std::lround(std::sqrt(target * ratio)));
      const int h = static_cast<int>(std::lround(std::sqrt(target / ratio)));
      if (w < 1 || h < 1 || w > decoded.width || h > decoded.height) continue;
      const int y0 = static_cast<int>(uniform(rng) * (decoded.height - h + 1));
      const int x0 = static_cast<int>(uniform(rng) * (decoded.width - w + 1));
      cropped = crop(decoded, y0, x0, h, w);
      src = &cropped;
      break;
    }
  }
  ImageU8 img = render::resize_bilinear(*src, size, size);
  if (aug.flip_lr && (rng() & 1)) flip_lr(img);
  if (aug.photometric() && img.channels == 3) jitter_colors(img, aug, rng);
  return img;
}

}  // namespace clippo::train

#include "render/image_resize.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/base/error.h"

namespace clippo::render {
namespace {

uint8_t clip_cast(float v) {
  // tf.clip_by_value to [0, 255] then tf.cast to uint8, which truncates toward zero.
  return static_cast<uint8_t>(std::min(std::max(v, 0.0f), 255.0f));
}

struct Interpolation {
  int64_t lower;
  int64_t upper;
  float lerp;
};

// TF's compute_interpolation_weights with HalfPixelScaler.
std::vector<Interpolation> interpolation_weights(int64_t out_size, int64_t in_size) {
  const float scale = static_cast<float>(in_size) / static_cast<float>(out_size);
  std::vector<Interpolation> w(static_cast<size_t>(out_size));
  for (int64_t i = 0; i < out_size; ++i) {
    const float in = (static_cast<float>(i) + 0.5f) * scale - 0.5f;
    const float in_f = std::floor(in);
    w[i].lower = std::max(static_cast<int64_t>(in_f), int64_t{0});
    w[i].upper = std::min(static_cast<int64_t>(std::ceil(in)), in_size - 1);
    w[i].lerp = in - in_f;
  }
  return w;
}

ImageU8 resize_plain(const ImageU8& in, int out_h, int out_w) {
  ImageU8 out(out_h, out_w, in.channels);
  const auto ys = interpolation_weights(out_h, in.height);
  const auto xs = interpolation_weights(out_w, in.width);
  const int c_n = in.channels;
  const size_t in_row = static_cast<size_t>(in.width) * c_n;
  for (int y = 0; y < out_h; ++y) {
    const uint8_t* top_row = in.data() + ys[y].lower * in_row;
    const uint8_t* bottom_row = in.data() + ys[y].upper * in_row;
    const float y_lerp = ys[y].lerp;
    uint8_t* dst = out.data() + static_cast<size_t>(y) * out_w * c_n;
    for (int x = 0; x < out_w; ++x) {
      const int64_t l = xs[x].lower * c_n, r = xs[x].upper * c_n;
      const float x_lerp = xs[x].lerp;
      for (int c = 0; c < c_n; ++c) {
        const float top_left = top_row[l + c], top_right = top_row[r + c];
        const float bottom_left = bottom_row[l + c], bottom_right = bottom_row[r + c];
        // TF's compute_lerp, operation for operation (this file is built without FMA contraction).
        const float top = top_left + (top_right - top_left) * x_lerp;
        const float bottom = bottom_left + (bottom_right - bottom_left) * x_lerp;
        dst[x * c_n + c] = clip_cast(top + (bottom - top) * y_lerp);
      }
    }
  }
  return out;
}

// One output sample's contributing input range and normalised weights.
struct Span {
  int64_t start = 0;
  std::vector<float> weights;
};

// TF's ComputeSpansCore for the triangle kernel (radius 1) with antialias: the kernel is
// widened by 1/scale when downsampling.
std::vector<Span> antialias_spans(int64_t out_size, int64_t in_size) {
  const float scale = static_cast<float>(out_size) / static_cast<float>(in_size);
  const float inv_scale = 1.0f / scale;
  const float kernel_scale = std::max(inv_scale, 1.0f);
  const float radius = 1.0f * kernel_scale;
  std::vector<Span> spans(static_cast<size_t>(out_size));
  for (int64_t x = 0; x < out_size; ++x) {
    const float sample_f = (static_cast<float>(x) + 0.5f) * inv_scale;
    Span& s = spans[x];
    if (sample_f < 0 || sample_f > static_cast<float>(in_size)) continue;
    int64_t start = static_cast<int64_t>(std::ceil(sample_f - radius - 0.5f));
    int64_t end = static_cast<int64_t>(std::floor(sample_f + radius - 0.5f));
    start = std::clamp<int64_t>(start, 0, in_size - 1);
    end = std::clamp<int64_t>(end, 0, in_size - 1) + 1;
    s.start = start;
    float total = 0;
    for (int64_t src = start; src < end; ++src) {
      const float pos = static_cast<float>(src) + 0.5f - sample_f;
      const float t = std::abs(pos / kernel_scale);
      const float w = t < 1.0f ? 1.0f - t : 0.0f;
      s.weights.push_back(w);
      total += w;
    }
    if (std::abs(total) >= 1000.0f * std::numeric_limits<float>::min()) {
      for (float& w : s.weights) w /= total;
    }
  }
  return spans;
}

ImageU8 resize_antialias(const ImageU8& in, int out_h, int out_w) {
  const int c_n = in.channels;
  const auto x_spans = antialias_spans(out_w, in.width);
  const auto y_spans = antialias_spans(out_h, in.height);
  // Columns first into a float intermediate (in.height x out_w), then rows.
  std::vector<float> mid(static_cast<size_t>(in.height) * out_w * c_n, 0.0f);
  for (int y = 0; y < in.height; ++y) {
    const uint8_t* src = in.data() + static_cast<size_t>(y) * in.width * c_n;
    float* dst = mid.data() + static_cast<size_t>(y) * out_w * c_n;
    for (int x = 0; x < out_w; ++x) {
      const Span& s = x_spans[x];
      for (size_t k = 0; k < s.weights.size(); ++k) {
        const uint8_t* p = src + (s.start + static_cast<int64_t>(k)) * c_n;
        for (int c = 0; c < c_n; ++c) dst[x * c_n + c] += s.weights[k] * static_cast<float>(p[c]);
      }
    }
  }
  ImageU8 out(out_h, out_w, c_n);
  std::vector<float> acc(static_cast<size_t>(out_w) * c_n);
  for (int y = 0; y < out_h; ++y) {
    std::fill(acc.begin(), acc.end(), 0.0f);
    const Span& s = y_spans[y];
    for (size_t k = 0; k < s.weights.size(); ++k) {
      const float* row = mid.data() + (s.start + static_cast<int64_t>(k)) * out_w * c_n;
      for (size_t i = 0; i < acc.size(); ++i) acc[i] += s.weights[k] * row[i];
    }
    uint8_t* dst = out.data() + static_cast<size_t>(y) * out_w * c_n;
    for (size_t i = 0; i < acc.size(); ++i) dst[i] = clip_cast(acc[i]);
  }
  return out;
}

}  // namespace

ImageU8 resize_bilinear(const ImageU8& in, int out_height, int out_width, bool antialias) {
  CLIPPO_CHECK(in.height > 0 && in.width > 0 && in.channels > 0, kInvalidArgument, "cannot resize an empty image");
  CLIPPO_CHECK(out_height > 0 && out_width > 0, kInvalidArgument, "resize target must be positive");
  if (in.height == out_height && in.width == out_width) return in;  // TF: no-op resize
  return antialias ? resize_antialias(in, out_height, out_width) : resize_plain(in, out_height, out_width);
}

}  // namespace clippo::render

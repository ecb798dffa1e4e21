// dHash + colour thumbnail fingerprints and the banded near-duplicate index (perceptual_hash.h).
#include "datasets/corpus/perceptual_hash.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <string>

#include "core/base/error.h"

namespace clippo::datasets {
namespace {

// Box-filtered mean of channel c over the cell [y0, y1) x [x0, x1), at least one pixel.
double cell_mean(const ImageU8& img, int y0, int y1, int x0, int x1, int c) {
  y1 = std::max(y1, y0 + 1);
  x1 = std::max(x1, x0 + 1);
  double sum = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) sum += img.at(y, x, c);
  return sum / ((y1 - y0) * (x1 - x0));
}

// A grid of rows x cols cells over the image: cell (i, j) spans [i*H/rows, (i+1)*H/rows).
template <class F>
void for_cells(const ImageU8& img, int rows, int cols, F&& f) {
  for (int i = 0; i < rows; ++i) {
    const int y0 = i * img.height / rows, y1 = (i + 1) * img.height / rows;
    for (int j = 0; j < cols; ++j) {
      const int x0 = j * img.width / cols, x1 = (j + 1) * img.width / cols;
      f(i, j, std::min(y0, img.height - 1), y1, std::min(x0, img.width - 1), x1);
    }
  }
}

}  // namespace

PictureFingerprint fingerprint(const ImageU8& rgb) {
  CLIPPO_CHECK(rgb.channels == 3 && rgb.height > 0 && rgb.width > 0, kInvalidArgument,
               "fingerprint: expected a non-empty RGB picture");
  PictureFingerprint fp;
  double grey[8][9];
  for_cells(rgb, 8, 9, [&](int i, int j, int y0, int y1, int x0, int x1) {
    // ITU-R BT.601 luma, as PIL's convert("L").
    grey[i][j] = 0.299 * cell_mean(rgb, y0, y1, x0, x1, 0) + 0.587 * cell_mean(rgb, y0, y1, x0, x1, 1) +
                 0.114 * cell_mean(rgb, y0, y1, x0, x1, 2);
  });
  // A bit needs a real step: flat canvas resampled differs by fractions of a level, and strict
  // ">" would turn that noise into bits (a resized copy then differed in 11 of 64).
  constexpr double kMinStep = 1.0;
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j)
      if (grey[i][j] > grey[i][j + 1] + kMinStep) fp.dhash |= uint64_t{1} << (i * 8 + j);
  for_cells(rgb, 8, 8, [&](int i, int j, int y0, int y1, int x0, int x1) {
    for (int c = 0; c < 3; ++c)
      fp.thumbnail[(i * 8 + j) * 3 + c] = static_cast<uint8_t>(cell_mean(rgb, y0, y1, x0, x1, c) + 0.5);
  });
  return fp;
}

bool are_near_duplicates(const PictureFingerprint& a, const PictureFingerprint& b, const NearDuplicateRule& rule) {
  if (std::popcount(a.dhash ^ b.dhash) > rule.max_hamming) return false;
  long diff = 0, ink_a = 0, ink_b = 0;
  for (size_t k = 0; k < a.thumbnail.size(); ++k) {
    diff += std::abs(int{a.thumbnail[k]} - int{b.thumbnail[k]});
    ink_a += 255 - a.thumbnail[k];
    ink_b += 255 - b.thumbnail[k];
  }
  // Line art is mostly white canvas: two different sparse drawings differ little in absolute
  // terms. The difference is therefore also measured against the ink the pictures hold.
  const double n = static_cast<double>(a.thumbnail.size());
  const double ink = static_cast<double>(std::max(ink_a, ink_b)) / n;
  return diff / n <= rule.max_mean_abs_diff && diff / n <= rule.max_ink_fraction * ink;
}

NearDuplicateIndex::NearDuplicateIndex(NearDuplicateRule rule) : rule_(rule) {
  CLIPPO_CHECK(rule.max_hamming >= 0 && rule.max_hamming <= 3, kInvalidArgument,
               "near-duplicate rule: max_hamming must be in [0, 3] for the banded index, got " +
                   std::to_string(rule.max_hamming));
}

long long NearDuplicateIndex::find_or_add(const PictureFingerprint& fp, long long id) {
  for (int b = 0; b < 4; ++b) {
    const auto it = bands_[b].find(static_cast<uint16_t>(fp.dhash >> (16 * b)));
    if (it == bands_[b].end()) continue;
    for (const size_t e : it->second) {
      if (are_near_duplicates(entries_[e].first, fp, rule_)) return entries_[e].second;
    }
  }
  const size_t e = entries_.size();
  entries_.emplace_back(fp, id);
  for (int b = 0; b < 4; ++b) bands_[b][static_cast<uint16_t>(fp.dhash >> (16 * b))].push_back(e);
  return -1;
}

}  // namespace clippo::datasets

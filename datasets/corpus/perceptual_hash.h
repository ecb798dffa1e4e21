// Near-duplicate pictures across sources: a perceptual fingerprint and an index that finds a
// fingerprint's near twins without comparing every pair.
//
// The same emoji drawn by two packages from one upstream (Noto in two Iconify sets, say) or a
// clip-art drawing shipped twice must count once, or the held-out split leaks into training.
// The fingerprint is a difference hash (dHash: 64 bits, each "is this cell brighter than its
// right neighbour" on a 9x8 grey thumbnail) plus an 8x8 colour thumbnail: dHash finds the same
// shape, the thumbnail keeps apart pictures that differ only in colour (an emoji's skin tones).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "core/base/image.h"

namespace clippo::datasets {

struct PictureFingerprint {
  uint64_t dhash = 0;
  std::array<uint8_t, 8 * 8 * 3> thumbnail{};  // 8x8 RGB box-filtered, HWC
};

// The fingerprint of an RGB picture (any size >= 1 x 1). Throws InvalidArgument for another
// channel count or an empty picture.
PictureFingerprint fingerprint(const ImageU8& rgb);

// Near duplicates: dHashes within `max_hamming` bits, and a mean absolute thumbnail difference
// within `max_mean_abs_diff` (of 255) and within `max_ink_fraction` of the pictures' ink (their
// mean distance from white), so sparse line drawings on white are compared by what they draw.
struct NearDuplicateRule {
  int max_hamming = 3;  // <= 3 so that the 4-band index below finds every pair (pigeonhole)
  double max_mean_abs_diff = 10.0;
  double max_ink_fraction = 0.15;
};
bool are_near_duplicates(const PictureFingerprint& a, const PictureFingerprint& b, const NearDuplicateRule& rule = {});

// Fingerprints seen so far, banded for lookup: the 64-bit dHash is cut into four 16-bit bands,
// and two hashes within 3 bits agree on at least one band, so only fingerprints sharing a band
// are compared.
class NearDuplicateIndex {
 public:
  explicit NearDuplicateIndex(NearDuplicateRule rule = {});
  // The id of an earlier fingerprint that is a near duplicate of `fp`, or -1; when none, `fp`
  // is added under `id`.
  long long find_or_add(const PictureFingerprint& fp, long long id);
  size_t size() const { return entries_.size(); }

 private:
  NearDuplicateRule rule_;
  std::vector<std::pair<PictureFingerprint, long long>> entries_;
  std::array<std::unordered_map<uint16_t, std::vector<size_t>>, 4> bands_;
};

}  // namespace clippo::datasets

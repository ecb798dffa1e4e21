// Small, stable (same value on every build and machine) non-cryptographic hashes: FNV-1a for
// bytes, MurmurHash3's fmix64 and splitmix64's finalizer for mixing 64-bit values. Used for
// content hashes, dataset splits and seeds, where the exact value is part of a file or a result.
#pragma once

#include <cstdint>
#include <string_view>

namespace clippo {

// FNV-1a's 64-bit offset basis.
inline constexpr uint64_t kFnv1aOffsetBasis = 14695981039346656037ull;
// The same number missing its last digit. Model content hashes ("fnv1a64:..." in model metadata
// and in every store's store.json) and the UDHR builder's pair choice were made with it; it stays
// so that existing stores open and datasets rebuild byte for byte.
inline constexpr uint64_t kLegacyFnv1aOffsetBasis = 1469598103934665603ull;

inline uint64_t fnv1a64(std::string_view bytes, uint64_t basis = kFnv1aOffsetBasis) {
  uint64_t h = basis;
  for (const unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;  // FNV-1a's 64-bit prime
  }
  return h;
}

// MurmurHash3's finalizer: spreads the poorly mixed high bits FNV-1a leaves on short keys.
inline uint64_t fmix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

// splitmix64's output function: independent-looking 64-bit values from nearby inputs (seeds).
inline uint64_t splitmix64_mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// splitmix64's increment (the golden ratio), for stepping a seed before mixing.
inline constexpr uint64_t kSplitmix64Increment = 0x9e3779b97f4a7c15ull;

}  // namespace clippo

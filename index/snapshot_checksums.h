// Checksums of a store snapshot's files, so a damaged `vectors.f32` or `items.jsonl` is reported
// when the store opens, naming the file and the bytes, instead of being served as wrong results.
// Each file is covered by one CRC-32 per 64 KiB block (`checksums.json` in the snapshot folder):
// a flipped bit is located to its block, and checking costs one pass at zlib's CRC speed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace clippo::index {

inline constexpr size_t kChecksumBlockBytes = size_t{64} << 10;

// {"bytes": N, "block_bytes": 65536, "crc32": [one per block]} for `bytes`.
nlohmann::json block_checksums(std::string_view bytes);

// The same record for a file written in pieces (a snapshot streamed to disk): feed every byte
// in order, then take the record.
class BlockChecksummer {
 public:
  void update(std::string_view bytes);
  nlohmann::json finish();

 private:
  std::vector<uint32_t> crcs_;
  uint32_t crc_ = 0;
  size_t in_block_ = 0;
  uint64_t bytes_ = 0;
};

// Throws Internal "<path>: damaged at bytes A-B (checksum mismatch)..." at the first block whose
// CRC differs, or "<path>: N bytes where M were written" when the length differs;
// InvalidArgument when `expected` is not a checksum record.
void verify_block_checksums(const std::string& path, std::string_view bytes, const nlohmann::json& expected);

}  // namespace clippo::index

// Checksums of a store snapshot's files, so a damaged `vectors.f32` or `items.jsonl` is reported
// when the store opens, naming the file and the bytes, instead of being served as wrong results.
// Each file is covered by one CRC-32 per 64 KiB block (`checksums.json` in the snapshot folder):
// a flipped bit is located to its block, and checking costs one pass at zlib's CRC speed.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace clippo::index {

inline constexpr size_t kChecksumBlockBytes = size_t{64} << 10;

// {"bytes": N, "block_bytes": 65536, "crc32": [one per block]} for `bytes`.
nlohmann::json block_checksums(const std::string& bytes);

// Throws Internal "<path>: damaged at bytes A-B (checksum mismatch)..." at the first block whose
// CRC differs, or "<path>: N bytes where M were written" when the length differs;
// InvalidArgument when `expected` is not a checksum record.
void verify_block_checksums(const std::string& path, const std::string& bytes, const nlohmann::json& expected);

}  // namespace clippo::index

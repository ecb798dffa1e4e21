#include "index/snapshot_checksums.h"

#include <zlib.h>

#include <algorithm>
#include <vector>

#include "core/base/error.h"
#include "core/base/json_integer.h"

namespace clippo::index {
namespace {

uint32_t block_crc(std::string_view bytes, size_t at, size_t n, uint32_t crc = 0) {
  return static_cast<uint32_t>(crc32(crc, reinterpret_cast<const Bytef*>(bytes.data() + at), static_cast<uInt>(n)));
}

}  // namespace

nlohmann::json block_checksums(std::string_view bytes) {
  std::vector<uint32_t> crcs;
  for (size_t at = 0; at < bytes.size(); at += kChecksumBlockBytes) {
    const size_t n = std::min(kChecksumBlockBytes, bytes.size() - at);
    crcs.push_back(block_crc(bytes, at, n));
  }
  return {{"bytes", bytes.size()}, {"block_bytes", kChecksumBlockBytes}, {"crc32", crcs}};
}

void BlockChecksummer::update(std::string_view bytes) {
  bytes_ += bytes.size();
  size_t at = 0;
  while (at < bytes.size()) {
    const size_t n = std::min(kChecksumBlockBytes - in_block_, bytes.size() - at);
    crc_ = block_crc(bytes, at, n, crc_);
    at += n;
    in_block_ += n;
    if (in_block_ == kChecksumBlockBytes) {
      crcs_.push_back(crc_);
      crc_ = 0;
      in_block_ = 0;
    }
  }
}

nlohmann::json BlockChecksummer::finish() {
  if (in_block_ > 0) crcs_.push_back(crc_);
  nlohmann::json record{{"bytes", bytes_}, {"block_bytes", kChecksumBlockBytes}, {"crc32", crcs_}};
  *this = BlockChecksummer();
  return record;
}

void verify_block_checksums(const std::string& path, std::string_view bytes, const nlohmann::json& expected) {
  size_t size = 0, block = 0;
  std::vector<uint32_t> crcs;
  try {
    size = json_integer_field<size_t>(expected, "bytes");
    block = json_integer_field<size_t>(expected, "block_bytes");
    for (const nlohmann::json& crc : expected.at("crc32")) crcs.push_back(json_integer<uint32_t>(crc, "a CRC-32"));
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::kInvalidArgument, path + ": its checksum record is malformed: " + e.what());
  }
  CLIPPO_CHECK(block > 0 && crcs.size() == (size + block - 1) / block, kInvalidArgument,
               path + ": its checksum record is malformed (block count)");
  CLIPPO_CHECK(bytes.size() == size, kInternal,
               path + ": " + std::to_string(bytes.size()) + " bytes where " + std::to_string(size) +
                   " were written (the file is damaged or truncated)");
  for (size_t i = 0; i < crcs.size(); ++i) {
    const size_t at = i * block, n = std::min(block, size - at);
    CLIPPO_CHECK(block_crc(bytes, at, n) == crcs[i], kInternal,
                 path + ": damaged at bytes " + std::to_string(at) + "-" + std::to_string(at + n - 1) +
                     " (checksum mismatch); restore the store from a copy, or rebuild it with `clippo index build`");
  }
}

}  // namespace clippo::index

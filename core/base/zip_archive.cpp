#include "core/base/zip_archive.h"

#include <zlib.h>

#include <algorithm>
#include <utility>

#include "core/base/error.h"
#include "core/base/file_io.h"

namespace clippo {
namespace {

constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr uint32_t kCentralHeaderSig = 0x02014b50;
constexpr uint32_t kEndOfCentralDirSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;

// Bounds-checked little-endian reads over the whole archive.
class Reader {
 public:
  Reader(const std::string& bytes, const std::string& name) : b_(bytes), name_(name) {}
  void need(uint64_t offset, uint64_t n, const char* what) const {
    CLIPPO_CHECK(offset <= b_.size() && n <= b_.size() - offset, kInvalidArgument,
                 name_ + ": truncated or corrupt archive (" + what + " at offset " + std::to_string(offset) +
                     " runs past the end of the " + std::to_string(b_.size()) + "-byte file)");
  }
  uint64_t u(uint64_t offset, int n_bytes, const char* what) const {
    need(offset, static_cast<uint64_t>(n_bytes), what);
    uint64_t v = 0;
    for (int i = n_bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b_[offset + i]);
    return v;
  }

 private:
  const std::string& b_;
  const std::string& name_;
};

// Inflates in 1 MiB steps, growing the output as data arrives: the member's claimed size is
// only trusted as a bound, so a small file claiming gigabytes is refused once its data ends,
// not after gigabytes are zero-filled. 32-bit zlib counters are fed in slices.
std::string inflate_raw(const char* data, uint64_t n, uint64_t out_size, const std::string& where) {
  constexpr uint64_t kStep = uint64_t{1} << 20;
  std::string out;
  out.reserve(static_cast<size_t>(std::min<uint64_t>(out_size, uint64_t{64} << 20)));
  z_stream zs{};
  CLIPPO_CHECK(inflateInit2(&zs, -MAX_WBITS) == Z_OK, kInternal, "zlib failed to initialise");
  uint64_t consumed = 0;
  int rc = Z_OK;
  while (rc == Z_OK) {
    if (zs.avail_in == 0 && consumed < n) {
      const uint64_t slice = std::min<uint64_t>(n - consumed, uint64_t{1} << 30);
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data + consumed));
      zs.avail_in = static_cast<uInt>(slice);
      consumed += slice;
    }
    const uint64_t room = std::min<uint64_t>(kStep, out_size - out.size() + 1);  // +1: notice overlong data
    const size_t before = out.size();
    out.resize(before + room);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + before);
    zs.avail_out = static_cast<uInt>(room);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.resize(before + (room - zs.avail_out));
    if (out.size() > out_size) break;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && consumed == n) break;  // input ended early
    if (rc == Z_BUF_ERROR) rc = Z_OK;  // no progress this call only because a buffer was full
  }
  inflateEnd(&zs);
  CLIPPO_CHECK(rc == Z_STREAM_END && out.size() == out_size, kInvalidArgument, where + ": corrupt compressed data");
  return out;
}

}  // namespace

ZipArchive::ZipArchive(std::string bytes, std::string name)
    : ZipArchive(std::make_shared<const std::string>(std::move(bytes)), std::move(name)) {}

ZipArchive ZipArchive::over(const std::string& bytes, std::string name) {
  // A non-owning pointer: the caller keeps `bytes` alive.
  return ZipArchive(std::shared_ptr<const std::string>(&bytes, [](const std::string*) {}), std::move(name));
}

ZipArchive::ZipArchive(std::shared_ptr<const std::string> bytes, std::string name)
    : bytes_(std::move(bytes)), name_(std::move(name)) {
  const std::string& b = *bytes_;
  const Reader r(b, name_);
  CLIPPO_CHECK(b.size() >= 22, kInvalidArgument, name_ + ": not a zip archive (too short)");
  // The end-of-central-directory record is within the last 22 + 65535 bytes.
  int64_t eocd = -1;
  const int64_t lowest = std::max<int64_t>(0, static_cast<int64_t>(b.size()) - 22 - 65535);
  for (int64_t pos = static_cast<int64_t>(b.size()) - 22; pos >= lowest; --pos) {
    if (r.u(static_cast<uint64_t>(pos), 4, "end record") == kEndOfCentralDirSig) { eocd = pos; break; }
  }
  CLIPPO_CHECK(eocd >= 0, kInvalidArgument, name_ + ": not a zip archive (no zip directory; truncated?)");
  uint64_t n_entries = r.u(eocd + 10, 2, "end record");
  uint64_t cd_offset = r.u(eocd + 16, 4, "end record");
  if (n_entries == 0xFFFF || cd_offset == 0xFFFFFFFF) {
    CLIPPO_CHECK(eocd >= 20 && r.u(eocd - 20, 4, "zip64 locator") == kZip64LocatorSig, kInvalidArgument,
                 name_ + ": zip64 archive without its locator");
    const uint64_t z64 = r.u(eocd - 20 + 8, 8, "zip64 locator");
    CLIPPO_CHECK(r.u(z64, 4, "zip64 end record") == kZip64EndSig, kInvalidArgument, name_ + ": corrupt zip64 record");
    n_entries = r.u(z64 + 32, 8, "zip64 end record");
    cd_offset = r.u(z64 + 48, 8, "zip64 end record");
  }
  CLIPPO_CHECK(n_entries < 1'000'000, kInvalidArgument, name_ + ": implausible member count");

  uint64_t pos = cd_offset;
  for (uint64_t i = 0; i < n_entries; ++i) {
    CLIPPO_CHECK(r.u(pos, 4, "directory entry") == kCentralHeaderSig, kInvalidArgument,
                 name_ + ": corrupt zip directory (entry " + std::to_string(i) + ")");
    Member m;
    m.method = r.u(pos + 10, 2, "directory entry");
    m.crc = r.u(pos + 16, 4, "directory entry");
    m.compressed_size = r.u(pos + 20, 4, "directory entry");
    m.size = r.u(pos + 24, 4, "directory entry");
    const uint64_t name_len = r.u(pos + 28, 2, "directory entry");
    const uint64_t extra_len = r.u(pos + 30, 2, "directory entry");
    const uint64_t comment_len = r.u(pos + 32, 2, "directory entry");
    uint64_t local = r.u(pos + 42, 4, "directory entry");
    r.need(pos + 46, name_len + extra_len, "member name");
    std::string member = b.substr(pos + 46, name_len);
    // Zip64 extended information: the 8-byte values replace those stored as 0xFFFFFFFF.
    for (uint64_t e = pos + 46 + name_len; e + 4 <= pos + 46 + name_len + extra_len;) {
      const uint64_t id = r.u(e, 2, "extra field"), len = r.u(e + 2, 2, "extra field");
      uint64_t f = e + 4;
      if (id == 0x0001) {
        if (m.size == 0xFFFFFFFF) { m.size = r.u(f, 8, "zip64 extra"); f += 8; }
        if (m.compressed_size == 0xFFFFFFFF) { m.compressed_size = r.u(f, 8, "zip64 extra"); f += 8; }
        if (local == 0xFFFFFFFF) { local = r.u(f, 8, "zip64 extra"); f += 8; }
      }
      e += 4 + len;
    }
    pos += 46 + name_len + extra_len + comment_len;

    const std::string where = name_ + ":" + member;
    CLIPPO_CHECK(r.u(local, 4, "member header") == kLocalHeaderSig, kInvalidArgument, where + ": corrupt member header");
    m.data_start = local + 30 + r.u(local + 26, 2, "member header") + r.u(local + 28, 2, "member header");
    r.need(m.data_start, m.compressed_size, member.c_str());
    CLIPPO_CHECK(members_.emplace(member, m).second, kInvalidArgument, where + ": the member appears twice");
    order_.push_back(std::move(member));
  }
}

ZipArchive ZipArchive::open(const std::string& path, uint64_t max_bytes) {
  return ZipArchive(read_file(path, max_bytes), path);
}

std::string ZipArchive::read(const std::string& member, uint64_t max_bytes) const {
  const auto it = members_.find(member);
  const std::string where = name_ + ":" + member;
  CLIPPO_CHECK(it != members_.end(), kNotFound, name_ + ": no member '" + member + "'");
  const Member& m = it->second;
  CLIPPO_CHECK(m.size <= max_bytes, kResourceExhausted, where + ": member too large");
  std::string out;
  if (m.method == 0) {
    CLIPPO_CHECK(m.compressed_size == m.size, kInvalidArgument, where + ": inconsistent sizes");
    out = bytes_->substr(m.data_start, m.size);
  } else if (m.method == 8) {
    // Deflate expands at most 1032:1 (zlib's documented bound). A member claiming more is
    // corrupt or hostile: refused before its claimed size is allocated (found by fuzzing).
    CLIPPO_CHECK(m.size <= m.compressed_size * 1032 + 64, kInvalidArgument,
                 where + ": claims " + std::to_string(m.size) + " bytes from " + std::to_string(m.compressed_size) +
                     " compressed, more than deflate can produce (corrupt file)");
    out = inflate_raw(bytes_->data() + m.data_start, m.compressed_size, m.size, where);
  } else {
    throw Error(ErrorCode::kInvalidArgument, where + ": unsupported compression method " + std::to_string(m.method));
  }
  const uLong actual_crc = crc32_z(0L, reinterpret_cast<const Bytef*>(out.data()), out.size());
  CLIPPO_CHECK(actual_crc == m.crc, kInvalidArgument, where + ": CRC mismatch (corrupt file)");
  return out;
}

std::string encode_zip(const std::vector<std::pair<std::string, std::string>>& members) {
  std::string out, directory;
  auto put = [](std::string& s, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  };
  for (const auto& [member, data] : members) {
    const uint64_t crc = crc32_z(0L, reinterpret_cast<const Bytef*>(data.data()), data.size());
    const uint64_t offset = out.size();
    CLIPPO_CHECK(data.size() < 0xFFFFFFFFull && offset < 0xFFFFFFFFull && member.size() < 0xFFFF, kResourceExhausted,
                 "'" + member + "' does not fit a zip archive without zip64");
    // Local header: version 20, no flags, stored, DOS date 1980-01-01.
    put(out, kLocalHeaderSig, 4); put(out, 20, 2); put(out, 0, 2); put(out, 0, 2);
    put(out, 0, 2); put(out, 0x21, 2); put(out, crc, 4); put(out, data.size(), 4); put(out, data.size(), 4);
    put(out, member.size(), 2); put(out, 0, 2);
    out += member;
    out += data;
    put(directory, kCentralHeaderSig, 4); put(directory, 20, 2); put(directory, 20, 2); put(directory, 0, 2);
    put(directory, 0, 2); put(directory, 0, 2); put(directory, 0x21, 2); put(directory, crc, 4);
    put(directory, data.size(), 4); put(directory, data.size(), 4); put(directory, member.size(), 2);
    put(directory, 0, 2); put(directory, 0, 2); put(directory, 0, 2); put(directory, 0, 2);
    put(directory, 0, 4); put(directory, offset, 4);
    directory += member;
  }
  const uint64_t cd_offset = out.size();
  CLIPPO_CHECK(members.size() < 0xFFFF && cd_offset < 0xFFFFFFFFull, kResourceExhausted,
               "too many members or bytes for a zip archive without zip64");
  out += directory;
  put(out, kEndOfCentralDirSig, 4); put(out, 0, 2); put(out, 0, 2);
  put(out, members.size(), 2); put(out, members.size(), 2);
  put(out, directory.size(), 4); put(out, cd_offset, 4); put(out, 0, 2);
  return out;
}

std::string gunzip(const std::string& bytes, const std::string& name, uint64_t max_bytes) {
  CLIPPO_CHECK(bytes.size() >= 18 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
                   static_cast<unsigned char>(bytes[1]) == 0x8b,
               kInvalidArgument, name + ": not a gzip file");
  z_stream zs{};
  CLIPPO_CHECK(inflateInit2(&zs, 16 + MAX_WBITS) == Z_OK, kInternal, "zlib failed to initialise");
  std::string out;
  size_t in_pos = 0;
  int rc = Z_OK;
  char buffer[1 << 16];
  while (true) {
    if (zs.avail_in == 0 && in_pos < bytes.size()) {
      const size_t n = std::min<size_t>(bytes.size() - in_pos, 1 << 30);
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data() + in_pos));
      zs.avail_in = static_cast<uInt>(n);
      in_pos += n;
    }
    zs.next_out = reinterpret_cast<Bytef*>(buffer);
    zs.avail_out = sizeof(buffer);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buffer, sizeof(buffer) - zs.avail_out);
    if (out.size() > max_bytes) {
      inflateEnd(&zs);
      throw Error(ErrorCode::kResourceExhausted,
                  name + ": expands past " + std::to_string(max_bytes) + " bytes");
    }
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0 && in_pos == bytes.size()) break;
      // Zero padding after the last member (tape and tar copies have it) ends the data, as for gzip(1).
      const size_t rest = bytes.size() - in_pos + zs.avail_in;
      const size_t rest_start = bytes.size() - rest;
      if (bytes.find_first_not_of('\0', rest_start) == std::string::npos) break;
      inflateReset(&zs);  // another member follows (gzip allows concatenation)
      continue;
    }
    if (rc != Z_OK || (zs.avail_in == 0 && in_pos == bytes.size() && zs.avail_out != 0)) {
      inflateEnd(&zs);
      throw Error(ErrorCode::kInvalidArgument, name + ": corrupt or truncated gzip data");
    }
  }
  inflateEnd(&zs);
  return out;
}

}  // namespace clippo

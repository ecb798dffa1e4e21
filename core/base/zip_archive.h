// Reading zip archives held in memory: NumPy's .npz model files and the zip-packed catalogues
// the corpus reads (Sweet Home 3D's .sh3f furniture libraries).
//
// The directory is parsed once, with every size and offset checked against the bytes, so a
// truncated or hostile archive is an error naming the archive and member, never a crash or an
// over-read. Members may be stored or deflated; zip64 records (np.savez always writes them) are
// read. read() is const and safe to call from several threads at once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace clippo {

class ZipArchive {
 public:
  // Parses the directory of `bytes`; `name` (the file's path) prefixes every error. Throws
  // InvalidArgument when the bytes are not a zip archive or its directory is corrupt.
  ZipArchive(std::string bytes, std::string name);
  // The same over bytes the caller owns and keeps alive (and unchanged) while the archive is
  // used: no copy of a multi-gigabyte model file.
  static ZipArchive over(const std::string& bytes, std::string name);
  // Reads the file whole (at most `max_bytes`). Throws NotFound, ResourceExhausted, InvalidArgument.
  static ZipArchive open(const std::string& path, uint64_t max_bytes = uint64_t{1} << 36);

  const std::string& name() const { return name_; }
  // Member names in directory order.
  const std::vector<std::string>& member_names() const { return order_; }
  bool contains(const std::string& member) const { return members_.count(member) != 0; }
  // The member's bytes, inflated and CRC-checked. Throws NotFound (no such member),
  // InvalidArgument (corrupt data, unsupported method), ResourceExhausted (over `max_bytes`).
  std::string read(const std::string& member, uint64_t max_bytes = uint64_t{1} << 36) const;

 private:
  struct Member {
    uint64_t method = 0, crc = 0, compressed_size = 0, size = 0, data_start = 0;
  };
  std::shared_ptr<const std::string> bytes_;
  std::string name_;
  std::vector<std::string> order_;
  std::map<std::string, Member> members_;

  ZipArchive(std::shared_ptr<const std::string> bytes, std::string name);
};

// A zip archive of stored (uncompressed) members, in the given order, as np.savez writes them
// (no zip64: ResourceExhausted when a member or the archive reaches 4 GiB).
std::string encode_zip(const std::vector<std::pair<std::string, std::string>>& members);

// The contents of a gzip stream (RFC 1952; concatenated members joined), at most `max_bytes`.
// Throws InvalidArgument naming `name` when the bytes are not gzip or are corrupt,
// ResourceExhausted past `max_bytes`.
std::string gunzip(const std::string& bytes, const std::string& name, uint64_t max_bytes);

}  // namespace clippo

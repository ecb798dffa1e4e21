// A streaming reader of tar archives, enough for WebDataset shards: POSIX ustar, GNU long names
// ('L'), and pax extended headers ('x' per member, 'g' global; `path` and `size` honoured).
// Members are visited in order and their data read only on request, so a shard is never held
// in memory whole. Written here rather than taken from libarchive: the subset is small and the
// error reporting (which member, which offset) is what the dataset readers need.
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <string>

namespace clippo::datasets {

struct TarMember {
  std::string name;     // full path inside the archive (long-name and pax headers applied)
  uint64_t size = 0;    // data bytes
  uint64_t offset = 0;  // offset of the header in the file, for messages
};

class TarReader {
 public:
  // Throws NotFound (no such file), Unavailable (cannot open).
  explicit TarReader(const std::string& path);

  // Moves to the next regular-file member (directories, links and other entries are passed
  // over). False at the end of the archive: two zero blocks, one zero block at the end of the
  // file, or the end of the file at a header boundary. Throws InvalidArgument naming the file
  // and offset on a corrupt archive (bad header checksum, bad number field, malformed pax record,
  // header or data cut short); after that the reader is unusable.
  bool next(TarMember& member);

  // The current member's data; at most once per member. Throws InvalidArgument when the file
  // ends inside it.
  std::string read_data();

  const std::string& path() const { return path_; }

 private:
  bool read_block(char* block, uint64_t offset);
  void skip_to(uint64_t offset);
  std::string read_bytes(uint64_t size, const std::string& what);
  [[noreturn]] void corrupt(uint64_t offset, const std::string& why) const;

  std::string path_;
  std::ifstream in_;
  uint64_t file_size_ = 0;
  uint64_t position_ = 0;     // where the stream is
  uint64_t next_header_ = 0;  // offset of the next header
  uint64_t data_offset_ = 0;  // current member's data
  uint64_t data_size_ = 0;
  bool data_pending_ = false;
  std::map<std::string, std::string> global_pax_;  // from 'g' headers, for all later members
};

}  // namespace clippo::datasets

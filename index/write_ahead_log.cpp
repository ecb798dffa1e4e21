#include "index/write_ahead_log.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/base/error.h"
#include "core/base/file_io.h"

namespace clippo::index {
namespace {

// "CLPWAL02" logs are written by stores that end every write's records with a commit record
// (CollectionStore); "CLPWAL01" logs came before and are read as they were.
constexpr char kMagicV1[8] = {'C', 'L', 'P', 'W', 'A', 'L', '0', '1'};
constexpr char kMagic[8] = {'C', 'L', 'P', 'W', 'A', 'L', '0', '2'};
constexpr size_t kHeaderBytes = 16;  // magic + u64 first sequence
constexpr size_t kRecordHeaderBytes = 8;
constexpr uint32_t kMaxRecordBytes = 64u << 20;

void put_u32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void put_u64(std::string& s, uint64_t v) {
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
uint64_t get_le(const std::string& s, size_t at, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}
uint32_t crc(const std::string& s) { return static_cast<uint32_t>(crc32_z(0L, reinterpret_cast<const Bytef*>(s.data()), s.size())); }

void write_all(int fd, const std::string& bytes, const std::string& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    CLIPPO_CHECK(n > 0, kUnavailable, "cannot write '" + path + "': " + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
}

std::string header(uint64_t first_sequence) {
  std::string h(kMagic, sizeof(kMagic));
  put_u64(h, first_sequence);
  return h;
}

}  // namespace

WriteAheadLog::WriteAheadLog(const std::string& path, bool read_only) : path_(path), read_only_(read_only) {
  if (read_only_) {
    CLIPPO_CHECK(std::filesystem::exists(path_), kNotFound, "no write-ahead log at '" + path_ + "'");
    size_bytes_ = static_cast<uint64_t>(std::filesystem::file_size(path_));
    return;
  }
  if (!std::filesystem::exists(path_)) {
    write_file_atomically(path_, header(0));
    grouped_ = true;
  }
  open_for_append();
}

void WriteAheadLog::check_writable() const {
  CLIPPO_CHECK(!read_only_, kFailedPrecondition, "the write-ahead log '" + path_ + "' is open read-only");
}

WriteAheadLog::~WriteAheadLog() {
  if (fd_ >= 0) ::close(fd_);
}

void WriteAheadLog::open_for_append() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd_ < 0) {
    const int e = errno;
    throw Error(ErrorCode::kUnavailable, "cannot open '" + path_ + "' for writing: " + std::strerror(e) +
                                             (e == EROFS || e == EACCES ? " (a read-only store opens with read_only)" : ""));
  }
  size_bytes_ = static_cast<uint64_t>(std::filesystem::file_size(path_));
}

size_t WriteAheadLog::replay(const std::function<void(uint64_t, const std::string&)>& visit) {
  const std::string bytes = read_file(path_, uint64_t{1} << 40);
  CLIPPO_CHECK(bytes.size() >= kHeaderBytes &&
                   (bytes.compare(0, 8, kMagic, 8) == 0 || bytes.compare(0, 8, kMagicV1, 8) == 0),
               kInternal, "'" + path_ + "' is not a clippo write-ahead log (bad header)");
  grouped_ = bytes.compare(0, 8, kMagic, 8) == 0;
  first_sequence_ = get_le(bytes, 8, 8);
  record_ends_.clear();
  uint64_t seq = first_sequence_;
  size_t pos = kHeaderBytes, count = 0;
  while (pos < bytes.size()) {
    const bool header_fits = bytes.size() - pos >= kRecordHeaderBytes;
    const uint64_t length = header_fits ? get_le(bytes, pos, 4) : 0;
    const bool fits = header_fits && length <= kMaxRecordBytes && bytes.size() - pos - kRecordHeaderBytes >= length;
    const bool intact = fits && get_le(bytes, pos + 4, 4) == crc(bytes.substr(pos + kRecordHeaderBytes, length));
    if (!intact) {
      const bool at_tail = !fits || pos + kRecordHeaderBytes + length == bytes.size();
      CLIPPO_CHECK(at_tail, kInternal,
                   "'" + path_ + "' is corrupt at byte " + std::to_string(pos) +
                       " (a damaged record with intact data after it); refusing to guess");
      // Torn tail from a crash mid-append: keep everything before it (a reader only skips it).
      if (read_only_) break;
      CLIPPO_CHECK(::truncate(path_.c_str(), static_cast<off_t>(pos)) == 0, kUnavailable,
                   "cannot truncate the torn tail of '" + path_ + "': " + std::strerror(errno));
      break;
    }
    visit(seq++, bytes.substr(pos + kRecordHeaderBytes, length));
    pos += kRecordHeaderBytes + length;
    record_ends_.push_back(pos);
    ++count;
  }
  next_sequence_ = seq;
  if (!read_only_) open_for_append();
  return count;
}

uint64_t WriteAheadLog::append(const std::vector<std::string>& payloads) {
  check_writable();
  std::string batch;
  for (const std::string& p : payloads) {
    CLIPPO_CHECK(p.size() <= kMaxRecordBytes, kResourceExhausted, "write-ahead log record too large");
    put_u32(batch, static_cast<uint32_t>(p.size()));
    put_u32(batch, crc(p));
    batch += p;
  }
  CLIPPO_CHECK(!broken_, kUnavailable,
               "the write-ahead log '" + path_ + "' could not be repaired after a failed write (" + broken_reason_ +
                   "); no write is accepted until the store is reopened");
  try {
    write_all(fd_, batch, path_);
    CLIPPO_CHECK(::fdatasync(fd_) == 0, kUnavailable, "cannot sync '" + path_ + "': " + std::strerror(errno));
  } catch (const Error& e) {
    // A full disk, a file size limit or an I/O error part-way leaves part of the batch at the
    // end of the log. Left there, the next good record would follow garbage and the log would
    // read as corrupt: cut it back to the last acknowledged record. If even that fails the log
    // takes no more writes (a later record after the torn one would be unreadable).
    if (::ftruncate(fd_, static_cast<off_t>(size_bytes_)) != 0 || ::fdatasync(fd_) != 0) {
      broken_ = true;
      broken_reason_ = e.what();
    }
    throw;
  }
  uint64_t end = size_bytes_;
  for (const std::string& p : payloads) record_ends_.push_back(end += kRecordHeaderBytes + p.size());
  size_bytes_ += batch.size();
  const uint64_t first = next_sequence_;
  next_sequence_ += payloads.size();
  return first;
}

void WriteAheadLog::truncate_to(uint64_t next_sequence) {
  check_writable();
  CLIPPO_CHECK(next_sequence >= first_sequence_ && next_sequence <= next_sequence_, kInvalidArgument,
               "no record boundary before sequence " + std::to_string(next_sequence) + " in '" + path_ + "'");
  if (next_sequence == next_sequence_) return;
  const size_t kept = static_cast<size_t>(next_sequence - first_sequence_);
  const uint64_t size = kept == 0 ? kHeaderBytes : record_ends_.at(kept - 1);
  CLIPPO_CHECK(::ftruncate(fd_, static_cast<off_t>(size)) == 0 && ::fdatasync(fd_) == 0, kUnavailable,
               "cannot cut back '" + path_ + "': " + std::strerror(errno));
  record_ends_.resize(kept);
  size_bytes_ = size;
  next_sequence_ = next_sequence;
}

void WriteAheadLog::reset(uint64_t next_sequence) {
  check_writable();
  write_file_atomically(path_, header(next_sequence));
  grouped_ = true;
  record_ends_.clear();
  broken_ = false;  // a new file: whatever the old one held is gone
  first_sequence_ = next_sequence_ = next_sequence;
  open_for_append();
}

}  // namespace clippo::index

// Whole-file reads and atomic whole-file writes, with errors that name the path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace clippo {

// Writes `bytes` to `path` via a temporary file in the same folder and a rename, so a reader
// never sees a half-written file.
void write_file_atomically(const std::string& path, const std::string& bytes);

// fsyncs the folder holding `path`, so a rename or creation in it is durable.
void sync_directory_of(const std::string& path);

// Deletes `path` and everything under it, like std::filesystem::remove_all, which must not be
// used here: PyTorch's pip libtorch.so exports its own std::filesystem::remove_all, which
// interposes on the standard library's in any process linked with it and crashes (seen on the
// GPU build, 2026-11-22). A missing path is not an error.
void remove_tree(const std::string& path);

// Creates the folder `path` and any missing parents (nothing to do when it exists). One
// Unavailable error naming the folder and the system's reason when it cannot (a full disk, a
// read-only mount, a file in the way): the throwing std::filesystem overload's filesystem_error
// would reach a user as an internal error.
void make_directories(const std::string& path);

// A file written in pieces and published whole: bytes go to a temporary file beside `path`;
// commit() fsyncs it, renames it over `path` and fsyncs the folder, so a reader finds the old
// file or the complete new one. Destroyed uncommitted (an error part-way), the temporary file is
// removed. For files too large to hold in memory (a store's vectors); small files use
// write_file_atomically.
class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(std::string path);  // NotFound (no folder) / Unavailable
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;
  void append(std::string_view bytes);  // Unavailable when the disk refuses (full, read-only)
  void commit();
  uint64_t bytes_written() const { return written_; }

 private:
  void flush();
  std::string path_, tmp_;
  int fd_ = -1;
  std::string buffer_;
  uint64_t written_ = 0;
};

// A whole file mapped read-only into memory: its pages are read from disk when touched and can
// be dropped by the kernel under memory pressure, so a file larger than RAM can be used in
// place. The mapping stays valid after the file is unlinked. Throws NotFound / Unavailable.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  const char* data() const { return data_; }
  size_t size() const { return size_; }
  std::string_view bytes() const { return {data_, size_}; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

// Reads a whole file; throws NotFound / Unavailable with the path in the message.
std::string read_file(const std::string& path, size_t max_bytes = static_cast<size_t>(1) << 32);

}  // namespace clippo

#include "core/base/file_io.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/base/error.h"

namespace clippo {

namespace {

[[noreturn]] void throw_write_error(const std::string& path, int e) {
  // A missing folder is NotFound; a full or read-only disk, or no permission, is Unavailable.
  throw Error(e == ENOENT ? ErrorCode::kNotFound : ErrorCode::kUnavailable,
              "cannot write '" + path + "': " + std::strerror(e));
}

constexpr size_t kWriterBufferBytes = size_t{4} << 20;

}  // namespace

AtomicFileWriter::AtomicFileWriter(std::string path) : path_(std::move(path)) {
  // A temporary name of its own per writer: concurrent writers of one path must not share it.
  static std::atomic<uint64_t> counter{0};
  tmp_ = path_ + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw_write_error(path_, errno);
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(tmp_.c_str());
  }
}

void AtomicFileWriter::flush() {
  size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw_write_error(path_, n < 0 ? errno : ENOSPC);
    done += static_cast<size_t>(n);
  }
  buffer_.clear();
}

void AtomicFileWriter::append(std::string_view bytes) {
  CLIPPO_CHECK(fd_ >= 0, kFailedPrecondition, "'" + path_ + "' is already committed");
  written_ += bytes.size();
  if (buffer_.size() + bytes.size() > kWriterBufferBytes) flush();
  if (bytes.size() >= kWriterBufferBytes) {
    buffer_.assign(bytes);
    flush();
  } else {
    buffer_.append(bytes);
  }
}

void AtomicFileWriter::commit() {
  // fsync, then rename, then fsync the folder: after a crash a reader finds the old file or the
  // new one, never a mix, and the new one survives power loss.
  flush();
  if (::fsync(fd_) != 0) throw_write_error(path_, errno);
  ::close(fd_);
  fd_ = -1;
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp_.c_str());
    throw_write_error(path_, e);
  }
  sync_directory_of(path_);
}

void write_file_atomically(const std::string& path, const std::string& bytes) {
  AtomicFileWriter writer(path);
  writer.append(bytes);
  writer.commit();
}

MappedFile::MappedFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    throw Error(e == ENOENT ? ErrorCode::kNotFound : ErrorCode::kUnavailable,
                "cannot read '" + path + "': " + std::strerror(e));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(ErrorCode::kUnavailable, "cannot read '" + path + "': not a regular file");
  }
  size_ = static_cast<size_t>(st.st_size);
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
      const int e = errno;
      ::close(fd);
      throw Error(ErrorCode::kUnavailable, "cannot map '" + path + "': " + std::strerror(e));
    }
    data_ = static_cast<const char*>(p);
  }
  ::close(fd);  // the mapping holds the file
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
}

void sync_directory_of(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

void remove_tree(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return;
  // Depth-first (FTW_DEPTH), not following symlinks (FTW_PHYS): files before their folders.
  const int rc = ::nftw(
      path.c_str(), [](const char* p, const struct stat*, int, struct FTW*) { return ::remove(p); }, 16,
      FTW_DEPTH | FTW_PHYS);
  CLIPPO_CHECK(rc == 0, kUnavailable, "cannot delete '" + path + "': " + std::strerror(errno));
}

void make_directories(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  CLIPPO_CHECK(!ec, kUnavailable, "cannot create '" + path + "': " + ec.message());
}

std::string read_file(const std::string& path, size_t max_bytes) {
  std::error_code ec;
  CLIPPO_CHECK(std::filesystem::is_regular_file(path, ec), kNotFound, "no such file: '" + path + "'");
  const auto size = std::filesystem::file_size(path, ec);
  CLIPPO_CHECK(!ec, kUnavailable, "cannot read '" + path + "': " + ec.message());
  CLIPPO_CHECK(size <= max_bytes, kResourceExhausted,
               "'" + path + "' is " + std::to_string(size) + " bytes, over the limit of " +
                   std::to_string(max_bytes));
  std::ifstream f(path, std::ios::binary);
  CLIPPO_CHECK(f.good(), kUnavailable, "cannot open '" + path + "': " + std::strerror(errno));
  std::string bytes(size, '\0');
  f.read(bytes.data(), static_cast<std::streamsize>(size));
  CLIPPO_CHECK(static_cast<size_t>(f.gcount()) == size, kUnavailable, "short read on '" + path + "'");
  return bytes;
}

}  // namespace clippo

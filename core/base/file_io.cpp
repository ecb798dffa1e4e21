#include "core/base/file_io.h"

#include <fcntl.h>
#include <ftw.h>
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

void write_file_atomically(const std::string& path, const std::string& bytes) {
  // Write a temporary file, fsync it, rename it over `path`, fsync the folder: after a crash a
  // reader finds the old file or the new one, never a mix, and the new one survives power loss.
  // A temporary name of its own per call: concurrent writers of one path must not share it.
  static std::atomic<uint64_t> counter{0};
  const std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    // A missing folder is NotFound; a full or read-only disk, or no permission, is Unavailable.
    const int e = errno;
    throw Error(e == ENOENT ? ErrorCode::kNotFound : ErrorCode::kUnavailable,
                "cannot write '" + path + "': " + std::strerror(e));
  }
  size_t done = 0;
  bool ok = true;
  while (ok && done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const int saved_errno = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(tmp.c_str());
    throw Error(ErrorCode::kUnavailable, "cannot write '" + path + "': " + std::strerror(saved_errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    throw Error(ErrorCode::kUnavailable, "cannot write '" + path + "': " + std::strerror(e));
  }
  sync_directory_of(path);
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

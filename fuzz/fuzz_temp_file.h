// For fuzz targets whose parser reads a file by path (the model loader, the write-ahead log,
// the tar reader): one scratch file per process, on tmpfs when the machine has one, so each
// input costs a write and a read of memory rather than of disk.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace clippo::fuzz {

// A fresh private folder for this process, made once ("/dev/shm/clippo-fuzz-XXXXXX") and removed
// when the process exits through exit(); a crash, timeout or memory kill (libFuzzer's _Exit)
// leaves it behind.
inline const std::string& scratch_dir() {
  static const std::string dir = [] {
    std::string pattern = (access("/dev/shm", W_OK) == 0 ? std::string("/dev/shm") : std::string("/tmp")) +
                          "/clippo-fuzz-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    return pattern;
  }();
  static const bool cleanup_registered = [] {
    return std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(scratch_dir(), ignored);
    }) == 0;
  }();
  (void)cleanup_registered;
  return dir;
}

// Replaces the scratch file `name` with `data` and returns its path.
inline std::string write_scratch_file(const std::string& name, const uint8_t* data, size_t size) {
  const std::string path = scratch_dir() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) std::abort();  // the scratch space itself failed: not a finding about the parser
  return path;
}

}  // namespace clippo::fuzz

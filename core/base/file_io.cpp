#include "core/base/file_io.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/base/error.h"

namespace clippo {

void write_file_atomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    CLIPPO_CHECK(f.good(), kNotFound, "cannot write '" + path + "': " + std::strerror(errno));
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    f.flush();
    if (!f.good()) {
      std::remove(tmp.c_str());
      throw_error(ErrorCode::kUnavailable, "cannot write '" + path + "': " + std::strerror(errno));
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw_error(ErrorCode::kUnavailable, "cannot write '" + path + "': " + ec.message());
  }
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

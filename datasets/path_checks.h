// Non-throwing file-system tests for the dataset readers and builders: a path that cannot be
// inspected (permissions, a dangling link) counts as absent, and the caller reports it by name.
#pragma once

#include <filesystem>

namespace clippo::datasets {

inline bool is_file(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec);
}

inline bool is_dir(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::is_directory(p, ec);
}

inline bool path_exists(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::exists(p, ec);
}

}  // namespace clippo::datasets

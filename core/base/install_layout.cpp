#include "core/base/install_layout.h"

#include <filesystem>

namespace clippo {

namespace fs = std::filesystem;

std::string executable_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

std::string installed_or(const std::string& relative, const std::string& fallback) {
  const std::string dir = executable_dir();
  if (dir.empty() || fs::path(dir).filename() != "bin") return fallback;
  const fs::path candidate = fs::path(dir).parent_path() / relative;
  std::error_code ec;
  return fs::exists(candidate, ec) ? candidate.string() : fallback;
}

}  // namespace clippo

#include "api/engine/image_roots.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/base/error.h"
#include "core/base/file_io.h"

namespace clippo::engine {
namespace fs = std::filesystem;

std::vector<std::string> read_image_roots(const std::string& store_dir) {
  const auto path = fs::path(store_dir) / "image_roots.json";
  if (!fs::exists(path)) return {};
  try {
    return nlohmann::json::parse(read_file(path.string(), 1 << 20)).get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::kInternal, path.string() + " is damaged: " + e.what());
  }
}

void add_image_root(const std::string& store_dir, const std::string& folder) {
  const std::string canonical = fs::canonical(folder).string();
  std::vector<std::string> roots = read_image_roots(store_dir);
  for (const auto& r : roots) {
    if (r == canonical) return;
  }
  roots.push_back(canonical);
  write_file_atomically((fs::path(store_dir) / "image_roots.json").string(), nlohmann::json(roots).dump(1) + "\n");
}

std::string resolve_under_roots(const std::string& uri, const std::vector<std::string>& roots) {
  std::error_code ec;
  const fs::path file = fs::canonical(uri, ec);  // resolves "..", symlinks: no escaping a root
  if (ec || !fs::is_regular_file(file, ec)) return "";
  const std::string f = file.string();
  for (const auto& root : roots) {
    if (f.size() > root.size() && f.compare(0, root.size(), root) == 0 && f[root.size()] == '/') return f;
  }
  return "";
}

}  // namespace clippo::engine

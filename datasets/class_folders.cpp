#include "datasets/class_folders.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/strings.h"
#include "datasets/path_checks.h"

namespace clippo::datasets {
namespace {

namespace fs = std::filesystem;

bool is_image(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".webp";
}

std::map<std::string, std::string> read_class_names(const fs::path& tsv) {
  std::map<std::string, std::string> names;
  if (!is_file(tsv.string())) return names;
  std::istringstream lines(read_file(tsv.string(), size_t{16} << 20));
  std::string line;
  while (std::getline(lines, line)) {
    const std::vector<std::string> f = split_fields(trim(line, "\r\n"), '\t');
    if (f.size() >= 2 && !f[0].empty() && !trim(f[1]).empty()) names[f[0]] = std::string(trim(f[1]));
  }
  return names;
}

}  // namespace

ClassFolders read_class_folders(const std::string& dir) {
  CLIPPO_CHECK(is_dir(dir), kNotFound, "no such folder: '" + dir + "'");
  const std::map<std::string, std::string> names = read_class_names(fs::path(dir) / "classes.tsv");
  std::vector<std::string> folders;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_directory()) folders.push_back(entry.path().filename().string());
  }
  std::sort(folders.begin(), folders.end());
  ClassFolders out;
  for (const std::string& folder : folders) {
    std::vector<std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(fs::path(dir) / folder, fs::directory_options::skip_permission_denied)) {
      if (e.is_regular_file() && is_image(e.path())) files.push_back(e.path().string());
    }
    if (files.empty()) continue;
    std::sort(files.begin(), files.end());
    const auto named = names.find(folder);
    std::string name = named != names.end() ? named->second : folder;
    if (named == names.end()) std::replace(name.begin(), name.end(), '_', ' ');
    const size_t label = out.class_names.size();
    out.class_names.push_back(name);
    out.folders.push_back(folder);
    for (std::string& f : files) out.images.push_back({std::move(f), label});
  }
  CLIPPO_CHECK(!out.class_names.empty(), kInvalidArgument,
               "'" + dir + "' has no class folder with an image (expected DIR/<class>/<images>)");
  return out;
}

}  // namespace clippo::datasets

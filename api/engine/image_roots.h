// The folders a store's images may be served from (STORE/image_roots.json), so
// GET /v1/items/{id}/image reads only files under them, whatever an item's uri says.
#pragma once

#include <string>
#include <vector>

namespace clippo::engine {

std::vector<std::string> read_image_roots(const std::string& store_dir);
// Adds the canonical form of `folder` (atomic rewrite; no-op when present).
void add_image_root(const std::string& store_dir, const std::string& folder);
// The canonical path of `uri` when it is a regular file under one of `roots`, else "".
std::string resolve_under_roots(const std::string& uri, const std::vector<std::string>& roots);

}  // namespace clippo::engine

// Where clippo finds its own files. An installed binary (`cmake --install`, the .deb) finds
// them next to itself, as the install lays them out:
//   PREFIX/bin/clippo
//   PREFIX/share/clippo/{web/, openapi.json, models/default.npz}
//   PREFIX/lib/clippo/libclippo_sentencepiece.so
// A binary run from the build tree has no such neighbours and uses the source and build paths
// compiled into it, so the same code serves both without configuration.
#pragma once

#include <string>

namespace clippo {

// The folder of the running executable ("" when /proc/self/exe cannot be read).
std::string executable_dir();

// PREFIX/<relative> when the running executable is PREFIX/bin/<name> and that path exists,
// else `fallback`.
std::string installed_or(const std::string& relative, const std::string& fallback);

}  // namespace clippo

// Models by name or URL: `clippo model fetch` and every `--model` that is not a file.
//
//  - A known name (known_models.h) or an http(s) URL is downloaded once into the cache,
//    $CLIPPO_CACHE/models/, else $XDG_CACHE_HOME/clippo/models/, else ~/.cache/clippo/models/.
//  - A download lands in NAME.npz.part and resumes from there after a cut (within one fetch a
//    few times, and on the next run); only a file that loads as a model (and, for a known name,
//    as its architecture) is renamed into place, atomically. A file that is not one is deleted.
//  - Without network the error names the URL and where to put the file by hand.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace clippo::model_hub {

struct FetchOptions {
  std::function<void(uint64_t, uint64_t)> on_progress;  // (bytes, total or 0), while downloading
  std::function<void(const std::string&)> on_message;   // one-line notices ("downloading ...")
  int attempts = 3;                                     // tries within one fetch, each resuming
};

// The cache folder for downloaded models (created on first download).
std::string model_cache_dir();

// True when `spec` names a model to download (a known name or an http(s) URL), not a file.
bool is_remote_model(const std::string& spec);

// Downloads `name_or_url` to `out_path` (empty: the cache) unless it is already there, checks
// it, and returns its path. InvalidArgument when `name_or_url` is neither a known name nor a
// URL, or the file is not the model it should be; NotFound for a 404; Unavailable without
// network (naming the URL and where to place the file).
std::string fetch_model(const std::string& name_or_url, const std::string& out_path = "",
                        const FetchOptions& options = {});

// What a `--model` value means: an existing file as it is; a known name or a URL through
// fetch_model (the cache); anything else NotFound, listing the known names.
std::string resolve_model(const std::string& spec, const FetchOptions& options = {});

}  // namespace clippo::model_hub

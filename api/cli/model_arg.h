// What a `--model` value means on the command line: a file as it is; "default", the shipped
// default model (models/default.npz, or PREFIX/share/clippo/models/default.npz when installed);
// or a known model name or an http(s) URL, downloaded into the cache on first use
// (model_hub/model_fetch.h) with a progress line on stderr.
#pragma once

#include <string>

#include "model_hub/model_fetch.h"

namespace clippo::cli {

std::string resolve_model_arg(const std::string& spec);
std::string default_model_path();

// Download progress and notices on stderr (the bar only on a terminal).
model_hub::FetchOptions fetch_options_for_terminal();

}  // namespace clippo::cli

#include "api/cli/model_arg.h"

#include "core/base/install_layout.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include <functional>
#include <memory>

namespace clippo::cli {

namespace {

// "123.4 of 540.4 MiB" every half second on a terminal.
std::function<void(uint64_t, uint64_t)> byte_progress() {
  if (isatty(STDERR_FILENO) == 0) return {};
  auto last = std::make_shared<std::chrono::steady_clock::time_point>();
  return [last](uint64_t done, uint64_t total) {
    const auto now = std::chrono::steady_clock::now();
    if (now - *last < std::chrono::milliseconds(500) && done != total) return;
    *last = now;
    const double mib = 1024.0 * 1024.0;
    if (total > 0) {
      std::fprintf(stderr, "\r  %.1f of %.1f MiB (%.0f%%) ", static_cast<double>(done) / mib,
                   static_cast<double>(total) / mib, 100.0 * static_cast<double>(done) / static_cast<double>(total));
    } else {
      std::fprintf(stderr, "\r  %.1f MiB ", static_cast<double>(done) / mib);
    }
    std::fflush(stderr);
  };
}

}  // namespace

model_hub::FetchOptions fetch_options_for_terminal() {
  model_hub::FetchOptions o;
  o.on_progress = byte_progress();
  o.on_message = [](const std::string& m) { std::cerr << (isatty(STDERR_FILENO) ? "\n" : "") << "clippo: " << m << "\n"; };
  return o;
}

std::string default_model_path() { return installed_or("share/clippo/models/default.npz", CLIPPO_DEFAULT_MODEL); }

std::string resolve_model_arg(const std::string& spec) {
  if (spec == "default") return default_model_path();
  return model_hub::resolve_model(spec, fetch_options_for_terminal());
}

}  // namespace clippo::cli

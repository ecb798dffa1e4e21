// A one-line progress bar with rate and ETA on standard error, drawn only when stderr is a
// terminal (scripts and CI logs get the final summary line instead).
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <unistd.h>

namespace clippo::cli {

class ProgressBar {
 public:
  ProgressBar(std::string label, size_t total)
      : label_(std::move(label)), total_(total), start_(std::chrono::steady_clock::now()),
        enabled_(isatty(STDERR_FILENO) != 0) {}

  void update(size_t done) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (done < total_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double secs = std::chrono::duration<double>(now - start_).count();
    const double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
    const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0;
    const int width = 30;
    const int filled = total_ ? static_cast<int>(width * done / total_) : width;
    std::fprintf(stderr, "\r%s [%s%s] %zu/%zu %5.1f%% %.1f/s ETA %dm%02ds ", label_.c_str(),
                 std::string(filled, '=').c_str(), std::string(width - filled, ' ').c_str(), done, total_,
                 total_ ? 100.0 * static_cast<double>(done) / static_cast<double>(total_) : 100.0, rate,
                 static_cast<int>(eta) / 60, static_cast<int>(eta) % 60);
    if (done >= total_) std::fputc('\n', stderr);
    std::fflush(stderr);
  }

 private:
  std::string label_;
  size_t total_;
  std::chrono::steady_clock::time_point start_, last_{};
  bool enabled_;
};

}  // namespace clippo::cli

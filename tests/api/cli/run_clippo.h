// Runs the real `clippo` binary for CLI tests: exit code, stdout and stderr.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include "core/base/file_io.h"

namespace clippo::cli {

struct CommandResult {
  int exit_code;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Per process: CTest runs test processes in parallel.
inline std::filesystem::path temp_dir() {
  auto dir = std::filesystem::temp_directory_path() / ("clippo_cli_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

inline CommandResult run_clippo(const std::string& args, const std::string& stdin_text = "") {
  const auto err_path = temp_dir() / "stderr.txt";
  const auto in_path = temp_dir() / "stdin.txt";
  {
    FILE* f = std::fopen(in_path.c_str(), "wb");
    std::fwrite(stdin_text.data(), 1, stdin_text.size(), f);
    std::fclose(f);
  }
  const std::string cmd = std::string(CLIPPO_BINARY) + " " + args + " <" + in_path.string() + " 2>" + err_path.string();
  FILE* pipe = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out, read_file(err_path.string())};
}

}  // namespace clippo::cli

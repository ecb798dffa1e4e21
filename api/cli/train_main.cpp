// `clippo-train`: `clippo train` alone, for a machine that only trains (a build with
// -DCLIPPO_TRAINER_ONLY=ON needs no FAISS, Boost, libcurl or SentencePiece). Same options:
//   clippo-train train --config configs/default_model_gpu.json --max-seconds-this-run 480
#include <CLI/CLI.hpp>

#include <iostream>

#include "api/cli/commands.h"
#include "core/base/allocator_tuning.h"
#include "core/base/error.h"

int main(int argc, char** argv) {
  clippo::keep_freed_memory_for_reuse();  // every training step reallocates large buffers
  CLI::App app{"clippo-train: the clippo trainer alone (see clippo train --help)"};
  app.require_subcommand(1);
  const clippo::cli::CommandAction train = clippo::cli::add_train_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << "error: " << e.what() << "\n(run with --help for usage)\n";
    return 2;
  }
  try {
    return train();
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
  }
  return 1;
}

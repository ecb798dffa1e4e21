// `clippo`: one binary, one subcommand per file in api/cli/.
#include "api/cli/commands.h"
#include "core/base/allocator_tuning.h"

int main(int argc, char** argv) {
  clippo::keep_freed_memory_for_reuse();  // training and serving reallocate large buffers constantly
  return clippo::cli::run_cli(argc, argv);
}

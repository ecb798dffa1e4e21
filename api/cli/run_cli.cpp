// Parses the command line and runs one subcommand; the only place errors become exit codes.
#include <CLI/CLI.hpp>

#include <iostream>
#include <vector>

#include "api/cli/commands.h"
#include "core/base/error.h"
#include "core/model/embedder.h"
#include "index/collection_store.h"

namespace clippo::cli {

int run_cli(int argc, char** argv) {
  CLI::App app{"clippo: multilingual image/text search with CLIPPO (pixels only, any script)"};
  // The version and what this binary was built with, for bug reports.
  app.set_version_flag("--version", std::string("clippo ") + CLIPPO_VERSION + " (" +
                                        (model::torch_built_with_cuda() ? "CUDA" : "CPU") + " build; LibTorch " +
                                        model::torch_version() + ", FAISS " + index::faiss_version() + ")");
  app.require_subcommand(1);
  std::vector<CommandAction> actions;
  actions.push_back(add_render_command(app));
  actions.push_back(add_encode_command(app));
  actions.push_back(add_model_command(app));
  actions.push_back(add_index_command(app));
  actions.push_back(add_search_command(app));
  actions.push_back(add_classify_command(app));
  actions.push_back(add_serve_command(app));
  actions.push_back(add_dataset_command(app));
  actions.push_back(add_tokenizer_command(app));
  actions.push_back(add_report_command(app));
  actions.push_back(add_train_command(app));
  actions.push_back(add_eval_command(app));
  // CLI11 reports an unknown first word as "a subcommand is required"; name it instead.
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands({})) known = known || sub->check_name(argv[1]);
    if (!known) {
      std::cerr << "error: unknown command '" << argv[1] << "' (run 'clippo --help' for the list)\n";
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0 with their text on stdout; usage errors print one line.
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << "error: " << e.what() << "\n(run with --help for usage)\n";
    return 2;
  }
  try {
    for (const auto& action : actions) {
      const int rc = action();
      if (rc >= 0) return rc;
    }
    return 0;
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
  }
  return 1;
}

}  // namespace clippo::cli

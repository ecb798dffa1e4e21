// The subcommands of `clippo`, each registered on the CLI11 app by its own file.
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace clippo::cli {

// A registered subcommand's action, run after parsing when that subcommand was chosen.
using CommandAction = std::function<int()>;

CommandAction add_render_command(CLI::App& app);
CommandAction add_encode_command(CLI::App& app);
CommandAction add_model_command(CLI::App& app);
CommandAction add_index_command(CLI::App& app);
CommandAction add_search_command(CLI::App& app);
CommandAction add_classify_command(CLI::App& app);
CommandAction add_serve_command(CLI::App& app);
CommandAction add_dataset_command(CLI::App& app);
CommandAction add_tokenizer_command(CLI::App& app);
CommandAction add_report_command(CLI::App& app);
CommandAction add_train_command(CLI::App& app);
CommandAction add_eval_command(CLI::App& app);

// Parses argv and runs the chosen subcommand; turns every error into one line on stderr
// and a non-zero exit code (1: the work failed, 2: bad command line). Never throws.
int run_cli(int argc, char** argv);

}  // namespace clippo::cli

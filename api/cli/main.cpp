// `clippo`: one binary, one subcommand per file in api/cli/.
#include "api/cli/commands.h"

int main(int argc, char** argv) { return clippo::cli::run_cli(argc, argv); }

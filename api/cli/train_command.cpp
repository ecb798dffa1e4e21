// `clippo train --config configs/NAME.json`: runs a training recipe (core/train/trainer.h) to its
// end, resuming from the run folder's checkpoint when there is one. Progress: a refreshed line on
// a terminal, the logged steps otherwise; the run's log.jsonl has every figure.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <unistd.h>

#include "api/cli/commands.h"
#include "core/train/trainer.h"

namespace clippo::cli {
namespace {

struct TrainCommandOptions {
  std::string config;
  train::TrainOptions run;
  bool no_resume = false;
  bool json = false;
};

int run_train(TrainCommandOptions& o) {
  const train::TrainRecipe recipe = train::read_train_recipe(o.config);
  o.run.resume = !o.no_resume;
  const bool tty = isatty(STDERR_FILENO) != 0;
  const int64_t log_every = recipe.log_every_steps;
  o.run.on_progress = [tty, log_every](const train::TrainProgress& p) {
    if (!tty && p.step % log_every != 0 && p.step != p.total_steps) return;
    std::fprintf(stderr, "%sstep %lld/%lld loss %.4f acc %.3f lr %.2e temp %.2f |g| %.3f %.1f ex/s%s",
                 tty ? "\r" : "", static_cast<long long>(p.step), static_cast<long long>(p.total_steps), p.loss,
                 p.accuracy, p.learning_rate, p.temperature, p.grad_norm, p.examples_per_second, tty ? "  " : "\n");
    std::fflush(stderr);
  };
  o.run.on_message = [tty](const std::string& text) { std::cerr << (tty ? "\n" : "") << text << "\n"; };
  const train::TrainSummary s = train::run_training(recipe, o.run);
  if (tty) std::cerr << "\n";
  if (o.json) {
    std::cout << nlohmann::json({{"start_step", s.start_step},
                                 {"end_step", s.end_step},
                                 {"finished", s.finished},
                                 {"seconds", s.seconds},
                                 {"last_loss", s.last_loss},
                                 {"model", s.model_path},
                                 {"eval", s.last_eval},
                                 {"decode_failures", s.decode_failures},
                                 {"skipped_records", s.skipped_records}})
                     .dump()
              << "\n";
  } else if (s.finished) {
    std::cout << "trained steps " << s.start_step << ".." << s.end_step << " in " << s.seconds << " s; model: "
              << s.model_path << "\n";
  } else {
    std::cout << "stopped at step " << s.end_step << " of " << recipe.total_steps
              << " with a checkpoint; run the same command again to go on\n";
  }
  if (s.decode_failures > 0 || s.skipped_records > 0) {
    std::cerr << "note: " << s.decode_failures << " images could not be decoded and " << s.skipped_records
              << " corrupt records were skipped (see log.jsonl)\n";
  }
  return 0;
}

}  // namespace

CommandAction add_train_command(CLI::App& app) {
  auto o = std::make_shared<TrainCommandOptions>();
  CLI::App* cmd = app.add_subcommand("train", "Train a CLIPPO model from a JSON recipe (configs/)");
  cmd->footer(
      "The recipe names the model, renderer, data, optimizer, schedule and evaluation; unknown keys\n"
      "are errors. The run folder keeps recipe.json, log.jsonl, the latest checkpoint and, at the\n"
      "end, model.npz. Running the same command again resumes exactly where it stopped.\n"
      "Data parallel: start one process per worker with --rank/--world-size/--rendezvous (or\n"
      "torchrun's RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT); the loss is over the global batch.\n"
      "Examples:\n"
      "  clippo train --config configs/default_model.json\n"
      "  clippo train --config configs/tiny.json --out runs/tiny --max-steps-this-run 100\n"
      "  clippo train --config configs/tiny.json --out runs/tiny --max-seconds-this-run 480\n"
      "  clippo train --config r.json --rank 0 --world-size 2 --rendezvous file:/tmp/rdv &\n"
      "  clippo train --config r.json --rank 1 --world-size 2 --rendezvous file:/tmp/rdv");
  cmd->add_option("--config", o->config, "Training recipe (JSON)")->required();
  cmd->add_option("--out", o->run.out_dir, "Run folder (overrides the recipe's out_dir)");
  cmd->add_option("--max-steps-this-run", o->run.max_steps_this_run,
                  "Stop after N steps with a checkpoint (resume later)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-seconds-this-run", o->run.max_seconds_this_run,
                  "Stop after the first step that ends this many seconds in, with a checkpoint (resume later)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--no-resume", o->no_resume, "Start from step 0 even when the run folder has a checkpoint");
  cmd->add_option("--rank", o->run.rank, "This process's rank (data parallel)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--world-size", o->run.world_size, "Number of processes (data parallel)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--rendezvous", o->run.rendezvous, "file:PATH or tcp:HOST:PORT where the processes meet");
  cmd->add_option("--threads", o->run.torch_threads, "LibTorch intra-op threads (0: its default)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--json", o->json, "Print a JSON summary on standard output");
  return [cmd, o]() -> int { return cmd->parsed() ? run_train(*o) : -1; };
}

}  // namespace clippo::cli

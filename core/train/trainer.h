// `clippo train`: runs a recipe (train_recipe.h) to its last step, resumably.
//
// The run folder (recipe.out_dir) holds:
//   recipe.json          the resolved recipe; resuming with a different one is refused
//   log.jsonl            one JSON object per logged step and per evaluation
//   checkpoint.json      names the latest checkpoint folder, replaced atomically once that folder
//                        is whole, so a kill at any moment leaves the previous checkpoint usable
//   step-NNNNNNNN/       a checkpoint: model.npz (float32), optimizer.npz, state.json
//   model.npz            the trained model in recipe.save_dtype (written at the end)
// Resuming restarts from the checkpoint's step with the same optimizer state and the same data
// order: an interrupted run ends with the same weights as an uninterrupted one.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/train/train_recipe.h"

namespace clippo::train {

struct TrainProgress {
  int64_t step = 0;  // steps done
  int64_t total_steps = 0;
  double loss = 0, accuracy = 0, learning_rate = 0, temperature = 0, grad_norm = 0;
  double examples_per_second = 0;
};

struct TrainOptions {
  std::string out_dir;            // overrides recipe.out_dir when set
  int rank = 0, world_size = 1;   // data parallel (data_parallel.h); torchrun's variables also work
  std::string rendezvous;         // "file:PATH" or "tcp:HOST:PORT"
  int64_t max_steps_this_run = 0; // > 0: stop after this many steps (with a checkpoint); resume later
  // > 0: stop after the first step that ends this many seconds after the run started (with a
  // checkpoint); resume later. For a machine lent for a fixed time: the work done is never lost.
  double max_seconds_this_run = 0;
  bool resume = true;             // continue from out_dir's checkpoint when there is one
  int torch_threads = 0;          // intra-op threads; 0: LibTorch's default
  std::function<void(const TrainProgress&)> on_progress;  // after every step (rank 0)
  std::function<void(const std::string&)> on_message;     // one-line notices (rank 0)
};

struct TrainSummary {
  int64_t start_step = 0, end_step = 0;
  bool finished = false;      // reached recipe.total_steps (model.npz written)
  double seconds = 0;
  double last_loss = 0;
  std::string model_path;     // out_dir/model.npz when finished
  nlohmann::json last_eval;   // the last retrieval evaluation (null when none ran)
  size_t decode_failures = 0, skipped_records = 0;
};

TrainSummary run_training(const TrainRecipe& recipe, const TrainOptions& options = {});

}  // namespace clippo::train

// bench_train_step: the CPU training step of a recipe's CLIPPO model, timed without the input
// pipeline (random pixels), for comparison with bench/peer_torch_train.py, the same model, loss,
// batch and optimiser in eager PyTorch (one tower). bench/train_step_vs_torch.sh runs both.
//
//   bench_train_step RECIPE.json [steps] [adamw|adafactor] [threads]   (threads: LibTorch intra-op;
//                                                                   default: LibTorch's own)
//
// Prints one JSON line: {"impl": "clippo", "examples_per_second": ..., "ms_per_step": ...}. An
// example is one image/alt-text or text/text pair (two rows through the tower), as the trainer
// counts it.
#include <torch/torch.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/base/file_io.h"
#include "core/model/clippo_model.h"
#include "core/train/contrastive_loss.h"
#include "core/train/optimizer.h"
#include "core/train/train_recipe.h"

using namespace clippo;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: bench_train_step RECIPE.json [steps] [adamw|adafactor] [threads]\n";
    return 2;
  }
  const int steps = argc > 2 ? std::stoi(argv[2]) : 20;
  train::TrainRecipe recipe = train::train_recipe_from_json(nlohmann::json::parse(read_file(argv[1])));
  if (argc > 3) recipe.optimizer.name = argv[3];
  if (argc > 4) torch::set_num_threads(std::stoi(argv[4]));
  torch::manual_seed(0);
  const model::ViTConfig config = recipe.model.vit_config();
  auto model = std::make_shared<model::ClippoModelImpl>(config, nullptr, recipe.model.temperature_init);
  model->train(true);
  std::vector<train::NamedParameter> params;
  for (auto& [name, tensor] : model->named_tensors()) params.push_back({name, tensor});
  auto optimizer = train::make_optimizer(recipe.optimizer, params);
  const int64_t n = recipe.batch_size, s = config.image_size;
  // The trainer's batch: n left rows (images, then text_a of text pairs) and n right rows.
  const auto x = torch::rand({2 * n, s, s, 3}) * 2 - 1;
  auto step = [&] {
    model->zero_grad();
    const auto z = model->embed(x);
    const auto l = train::bidirectional_contrastive_loss(z.slice(0, 0, n), z.slice(0, n, 2 * n),
                                                         model->log_temperature.exp().squeeze());
    l.loss.backward();
    train::clip_gradients_by_global_norm(params, recipe.optimizer.grad_clip_norm);
    optimizer->step(1.0);
    return l.loss.item<double>();
  };
  for (int i = 0; i < 3; ++i) step();  // warm-up: allocator, OpenBLAS threads
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < steps; ++i) step();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << nlohmann::json{{"impl", "clippo"},
                              {"optimizer", recipe.optimizer.name},
                              {"batch", n},
                              {"threads", torch::get_num_threads()},
                              {"examples_per_second", n * steps / seconds},
                              {"ms_per_step", 1000 * seconds / steps}}
                   .dump()
            << "\n";
  return 0;
}

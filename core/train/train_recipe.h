// A training run, described by one JSON recipe (configs/*.json). Every part of the paper's recipe
// (train_clippo.py: Adafactor, lr 1e-3, decoupled wd 1e-4, rsqrt schedule with warmup and
// cooldown, clip 1.0, temperature init 10, global-batch contrastive loss) is the default, and each
// can be changed. Parsing is strict: an unknown key, a wrong type or an impossible value is one
// InvalidArgument naming the key, before anything runs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/model/model_file.h"
#include "core/model/vit_config.h"
#include "core/train/image_augment.h"
#include "datasets/source_spec.h"
#include "render/renderer_spec.h"

namespace clippo::train {

// CLIP*'s separate text transformer; 0 / empty: as the image tower (the paper's CLIP* uses the
// same architecture for both towers). It always embeds into the image tower's dimension.
struct TextTowerRecipe {
  int width = 0, depth = 0, mlp_dim = 0, num_heads = 0;
  std::string pool_type;  // map, gap, 0, last; empty: the image tower's
};

struct ModelRecipe {
  std::string variant = "Ti/16";  // big_vision variant; the fields below override it when > 0
  int width = 0, depth = 0, mlp_dim = 0, num_heads = 0, patch_size = 0, out_dim = -1;
  int image_size = 224;
  std::string posemb = "learn";
  std::string pool_type = "map";
  double temperature_init = 10.0;
  std::string init;  // a model .npz to start from (its weights; its architecture must match)
  // "clippo" (text rendered as pixels), or the paper's token baselines (core/model/model_file.h):
  // "1t-clip" (SentencePiece ids through the same ViT) and "clip*" (a separate text tower).
  std::string kind = "clippo";
  std::string tokenizer;  // token baselines: the SentencePiece .model their ids come from
  int seq_len = 196;      // token baselines: ids per text (the paper's 196, 14 x 14 patches)
  TextTowerRecipe text_tower;

  model::ViTConfig vit_config() const;
  bool reads_tokens() const { return kind != "clippo"; }
  // The text side of a token baseline with a `vocab_size`-piece tokenizer (no tokenizer bytes).
  model::TextInput text_input(int vocab_size) const;
};

struct OptimizerRecipe {
  std::string name = "adafactor";  // "adafactor" (big_vision's scale_by_adafactor) or "adamw"
  double lr = 1e-3;
  double weight_decay = 1e-4;      // decoupled, on */kernel only, scaled by the schedule (big_vision)
  double grad_clip_norm = 1.0;     // global norm; 0: no clipping
  // adafactor
  double decay_rate = 0.8;
  double beta2_cap = 0.999;
  int min_dim_size_to_factor = 32;
  double momentum = 0.9;           // 0: none
  std::string momentum_dtype = "bfloat16";  // big_vision keeps the momentum in bfloat16
  double epsilon = 1e-30;
  // adamw
  double b1 = 0.9, b2 = 0.999, adam_eps = 1e-8;
};

struct ScheduleRecipe {
  std::string decay_type = "rsqrt";  // "rsqrt", "cosine", "linear", "constant"
  int64_t warmup_steps = 10000;
  int64_t cooldown_steps = 10000;
  int64_t timescale = 10000;          // rsqrt
  double linear_end = 0.0;            // linear
};

struct DataRecipe {
  std::vector<datasets::SourceSpec> image_text;  // image/alt-text sources, read one after another
  std::vector<datasets::SourceSpec> text_pairs;  // text/text pair sources (the paper's "+25% C4")
  double text_pair_fraction = 0.0;               // share of each batch that is text pairs
  size_t shuffle_buffer = 10000;
  AugmentRecipe augment;
  int workers = 0;  // threads decoding and rendering; 0: one per core
};

struct EvalRecipe {
  std::vector<datasets::SourceSpec> data;  // xm3600 or karpathy layouts, e.g. the held-out emoji
  int64_t every_steps = 0;                 // 0: only at the end
  size_t max_images = 0;                   // 0: all
};

struct TrainRecipe {
  ModelRecipe model;
  render::RendererSpec renderer;  // image_size follows model.image_size
  DataRecipe data;
  OptimizerRecipe optimizer;
  ScheduleRecipe schedule;
  EvalRecipe eval;
  int64_t batch_size = 8192;    // global batch, over all processes (train_clippo.py: 8 * 1024)
  int64_t total_steps = 100000; // train_clippo.py
  uint64_t seed = 0;
  std::string device = "cpu";   // "cpu" or "cuda"
  std::string precision = "float32";  // "float32" or "bfloat16" (autocast, CUDA only)
  std::string save_dtype = "float32";  // the exported model.npz: float32, float16 or bfloat16
  int64_t log_every_steps = 10;
  int64_t checkpoint_every_steps = 100;
  std::string out_dir;          // checkpoints, logs, the final model; empty: must be given on the command line

  // Throws InvalidArgument naming the first impossible value.
  void validate() const;
};

TrainRecipe train_recipe_from_json(const nlohmann::json& j);
nlohmann::json to_json(const TrainRecipe& recipe);
// Reads and parses a recipe file; errors name the file.
TrainRecipe read_train_recipe(const std::string& path);

}  // namespace clippo::train

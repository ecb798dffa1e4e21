#include "core/train/trainer.h"

#include <sys/stat.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/npz.h"
#include "core/model/clippo_model.h"
#include "core/model/torch_compat.h"
#include "core/model/torch_errors.h"
#include "core/train/batch_pipeline.h"
#include "core/train/contrastive_loss.h"
#include "core/train/data_parallel.h"
#include "core/train/lr_schedule.h"
#include "core/train/optimizer.h"
#include "datasets/retrieval_dataset.h"
#include "evaluation/retrieval_eval.h"
#include "evaluation/retrieval_report.h"

namespace clippo::train {
namespace {

namespace fs = std::filesystem;

NpyArray tensor_to_npy(const torch::Tensor& t) {
  const auto cpu = t.detach().to(torch::kCPU).contiguous();
  NpyArray a;
  switch (cpu.scalar_type()) {
    case torch::kFloat32: a.dtype = DType::kFloat32; break;
    case torch::kBFloat16: a.dtype = DType::kBFloat16; break;
    case torch::kInt64: a.dtype = DType::kInt64; break;
    default: throw Error(ErrorCode::kInternal, "optimizer state of an unexpected dtype");
  }
  a.shape = cpu.sizes().vec();
  a.data.assign(static_cast<const char*>(cpu.data_ptr()), cpu.numel() * cpu.element_size());
  return a;
}

torch::Tensor npy_to_tensor(const NpyArray& a) {
  torch::ScalarType type;
  switch (a.dtype) {
    case DType::kFloat32: type = torch::kFloat32; break;
    case DType::kBFloat16: type = torch::kBFloat16; break;
    case DType::kInt64: type = torch::kInt64; break;
    default: throw Error(ErrorCode::kInvalidArgument, "optimizer state holds an array of dtype " + std::string(dtype_name(a.dtype)));
  }
  auto t = torch::empty(a.shape, type);
  CLIPPO_CHECK(static_cast<size_t>(t.numel() * t.element_size()) == a.data.size(), kInvalidArgument,
               "optimizer state array of the wrong size");
  std::memcpy(t.data_ptr(), a.data.data(), a.data.size());
  return t;
}

std::string step_dir_name(int64_t step) {
  char name[32];
  std::snprintf(name, sizeof name, "step-%08lld", static_cast<long long>(step));
  return name;
}

class Run {
 public:
  Run(const TrainRecipe& recipe, const TrainOptions& options)
      : recipe_(recipe), options_(options), out_dir_(options.out_dir.empty() ? recipe.out_dir : options.out_dir) {
    if (out_dir_.empty()) throw Error(ErrorCode::kInvalidArgument, "train: no output folder (recipe out_dir or --out)");
    DataParallelOptions dp;
    dp.rank = options.rank;
    dp.world_size = options.world_size;
    dp.rendezvous = options.rendezvous;
    dp_ = std::make_unique<DataParallel>(data_parallel_from_environment(dp));
    if (options.torch_threads > 0) torch::set_num_threads(options.torch_threads);
    if (recipe.device == "cuda" && !torch::cuda::is_available()) {
      throw Error(ErrorCode::kFailedPrecondition, "train: recipe asks for device \"cuda\" but LibTorch sees no CUDA device");
    }
    device_ = recipe.device == "cuda" ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
    renderer_ = render::make_text_renderer(recipe.renderer);
    if (recipe.model.reads_tokens()) {
      tokenizer_ = tokenizer_baselines::SentencePieceTokenizer::load(recipe.model.tokenizer, "tokenizer");
    }
  }

  TrainSummary run() {
    const auto t0 = std::chrono::steady_clock::now();
    prepare_out_dir();
    build_model();
    int64_t step = restore();
    TrainSummary summary;
    summary.start_step = step;
    if (step < recipe_.total_steps) {
      BatchPipeline pipeline(recipe_, *renderer_, tokenizer_.get(), dp_->rank(), dp_->world_size(), step);
      const int64_t stop = options_.max_steps_this_run > 0 ? std::min(recipe_.total_steps, step + options_.max_steps_this_run)
                                                           : recipe_.total_steps;
      auto last = std::chrono::steady_clock::now();
      const auto out_of_time = [&] {
        return options_.max_seconds_this_run > 0 &&
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() >= options_.max_seconds_this_run;
      };
      bool stopped_early = false;
      while (step < stop && !stopped_early) {
        TrainBatch batch = pipeline.next();
        const TrainProgress p = train_step(batch);
        ++step;
        summary.last_loss = p.loss;
        const auto now = std::chrono::steady_clock::now();
        TrainProgress shown = p;
        shown.step = step;
        shown.examples_per_second = recipe_.batch_size / std::chrono::duration<double>(now - last).count();
        last = now;
        if (is_main()) {
          if (options_.on_progress) options_.on_progress(shown);
          if (step % recipe_.log_every_steps == 0 || step == stop) log_step(shown, pipeline.counts());
        }
        if (recipe_.eval.every_steps > 0 && step % recipe_.eval.every_steps == 0 && step < recipe_.total_steps) {
          summary.last_eval = evaluate(step);
        }
        // Every process must agree to stop at the same step, or the others would wait in a collective.
        stopped_early = step < stop && dp_->any(out_of_time());
        if (stopped_early) message("out of time (--max-seconds-this-run) after step " + std::to_string(step));
        const bool periodic = recipe_.checkpoint_every_steps > 0 && step % recipe_.checkpoint_every_steps == 0;
        if (periodic || step == stop || stopped_early) save_checkpoint(step);
      }
      const PipelineCounts counts = pipeline.counts();
      summary.decode_failures = counts.n_decode_failures;
      summary.skipped_records = counts.n_skipped_records;
    }
    summary.end_step = step;
    summary.finished = step >= recipe_.total_steps;
    if (summary.finished) {
      summary.last_eval = evaluate(step);
      summary.model_path = (fs::path(out_dir_) / "model.npz").string();
      if (is_main()) model_->save(summary.model_path, save_dtype());
      dp_->barrier();
    }
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return summary;
  }

 private:
  bool is_main() const { return dp_->rank() == 0; }

  void message(const std::string& text) const {
    if (is_main() && options_.on_message) options_.on_message(text);
  }

  DType save_dtype() const {
    if (recipe_.save_dtype == "float16") return DType::kFloat16;
    if (recipe_.save_dtype == "bfloat16") return DType::kBFloat16;
    return DType::kFloat32;
  }

  // recipe.json pins the run: resuming under another recipe would silently mix two experiments.
  void prepare_out_dir() {
    const nlohmann::json resolved = to_json(recipe_);
    const std::string recipe_path = (fs::path(out_dir_) / "recipe.json").string();
    if (is_main()) {
      make_directories(out_dir_);
      if (fs::exists(recipe_path) && options_.resume) {
        nlohmann::json stored;
        try {
          stored = nlohmann::json::parse(read_file(recipe_path));
        } catch (const nlohmann::json::exception&) {
          throw Error(ErrorCode::kInvalidArgument, recipe_path + " is not valid JSON: the run folder is damaged");
        }
        // Read back through today's parser, so a setting added since the run began (at its
        // default, which is what that run used) does not make its own folder "another recipe".
        // A recipe today's parser refuses is compared as written, and differs.
        try {
          stored = to_json(train_recipe_from_json(stored));
        } catch (const Error&) {
        }
        // out_dir may differ (the folder was moved or named on the command line).
        nlohmann::json a = stored, b = resolved;
        a.erase("out_dir");
        b.erase("out_dir");
        if (a != b) {
          throw Error(ErrorCode::kFailedPrecondition,
                      "train: " + out_dir_ + " holds a run of another recipe (see its recipe.json); "
                      "use another output folder, or --no-resume to start over there");
        }
      } else {
        write_file_atomically(recipe_path, resolved.dump(2) + "\n");
      }
    }
    dp_->barrier();
  }

  void build_model() {
    torch::manual_seed(recipe_.seed);  // every process builds the same initial weights
    nlohmann::json meta = {{"renderer", render::to_json(recipe_.renderer)}, {"recipe", to_json(recipe_)}};
    const model::ViTConfig config = recipe_.model.vit_config();
    model::TextInput text = recipe_.model.text_input(tokenizer_ ? static_cast<int>(tokenizer_->vocab_size()) : 0);
    if (tokenizer_) text.tokenizer_model = read_file(recipe_.model.tokenizer);
    // Architecture as JSON, text side included: what model.init must agree with.
    const auto architecture = [](const model::ViTConfig& c, const model::TextInput& t) {
      return nlohmann::json{{"vit", model::to_json(c)}, {"text", model::to_json(t)}};
    };
    if (!recipe_.model.init.empty()) {
      model_ = model::ClippoModelImpl::load(recipe_.model.init);
      const auto have = architecture(model_->config(), model_->text_input);
      const auto want = architecture(config, text);
      if (have != want) {
        throw Error(ErrorCode::kInvalidArgument, "train: model.init " + recipe_.model.init + " has architecture " +
                                                     have.dump() + ", the recipe asks for " + want.dump());
      }
      model_->meta = meta;
      model_->text_input.tokenizer_model = text.tokenizer_model;  // the recipe's tokenizer is the one saved
    } else {
      model_ = std::make_shared<model::ClippoModelImpl>(config, meta, recipe_.model.temperature_init, text);
    }
    model_->to(device_);
    model_->train(true);
    for (auto& [name, tensor] : model_->named_tensors()) params_.push_back({name, tensor});
    optimizer_ = make_optimizer(recipe_.optimizer, params_);
  }

  std::string checkpoint_pointer() const { return (fs::path(out_dir_) / "checkpoint.json").string(); }

  int64_t restore() {
    const std::string pointer = checkpoint_pointer();
    if (!options_.resume || !fs::exists(pointer)) return 0;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(read_file(pointer));
    } catch (const nlohmann::json::exception&) {
      throw Error(ErrorCode::kInvalidArgument, pointer + " is not valid JSON: the run folder is damaged");
    }
    const std::string dir = (fs::path(out_dir_) / j.value("dir", "")).string();
    const int64_t step = j.value("step", int64_t{-1});
    if (step < 0) throw Error(ErrorCode::kInvalidArgument, pointer + " names no step");
    auto saved = model::ClippoModelImpl::load((fs::path(dir) / "model.npz").string());
    {
      torch::NoGradGuard no_grad;
      const auto from = saved->named_tensors();
      const auto to = model_->named_tensors();
      CLIPPO_CHECK(from.size() == to.size(), kInvalidArgument, "checkpoint " + dir + " holds another architecture");
      for (size_t i = 0; i < to.size(); ++i) {
        CLIPPO_CHECK(from[i].first == to[i].first, kInvalidArgument,
                     "checkpoint " + dir + " holds '" + from[i].first + "' where the run has '" + to[i].first + "'");
        to[i].second.copy_(from[i].second.to(device_));
      }
    }
    std::map<std::string, torch::Tensor> state;
    for (const auto& [name, array] : read_npz((fs::path(dir) / "optimizer.npz").string())) {
      state[name] = npy_to_tensor(array).to(device_);
    }
    optimizer_->load_state(state);
    CLIPPO_CHECK(optimizer_->count() == step, kInvalidArgument,
                 "checkpoint " + dir + ": optimizer count " + std::to_string(optimizer_->count()) + " != step " +
                     std::to_string(step));
    message("resuming " + out_dir_ + " at step " + std::to_string(step));
    return step;
  }

  void save_checkpoint(int64_t step) {
    if (is_main()) {
      const std::string name = step_dir_name(step);
      const fs::path dir = fs::path(out_dir_) / name;
      make_directories(dir.string());
      model_->save((dir / "model.npz").string(), DType::kFloat32);
      std::map<std::string, NpyArray> arrays;
      for (const auto& [key, tensor] : optimizer_->state()) arrays[key] = tensor_to_npy(tensor);
      write_npz((dir / "optimizer.npz").string(), arrays);
      write_file_atomically((dir / "state.json").string(), nlohmann::json({{"step", step}}).dump() + "\n");
      sync_directory_of((dir / "state.json").string());
      write_file_atomically(checkpoint_pointer(), nlohmann::json({{"dir", name}, {"step", step}}).dump() + "\n");
      // Older checkpoints are superseded only once the pointer names the new one.
      for (const auto& entry : fs::directory_iterator(out_dir_)) {
        const std::string n = entry.path().filename().string();
        if (n.rfind("step-", 0) == 0 && n != name) remove_tree(entry.path().string());
      }
    }
    dp_->barrier();
  }

  TrainProgress train_step(const TrainBatch& batch) {
    model_->zero_grad();
    const int64_t n = batch.texts.size(0);
    torch::Tensor left, right;
    {
      model::CudaBf16Autocast autocast(recipe_.precision == "bfloat16");
      if (!model_->text_input.reads_tokens()) {
        // CLIPPO: one forward pass for images and rendered text alike; they share every weight.
        const auto z = model_->embed(pixels_to_model_input(torch::cat({batch.images, batch.text_a, batch.texts}), device_));
        left = z.slice(0, 0, n);
        right = z.slice(0, n, 2 * n);
      } else {
        std::vector<torch::Tensor> parts;
        if (batch.images.size(0) > 0) parts.push_back(model_->embed(pixels_to_model_input(batch.images, device_)));
        if (batch.text_a.size(0) > 0) parts.push_back(model_->embed_tokens(batch.text_a.to(device_)));
        left = torch::cat(parts);
        right = model_->embed_tokens(batch.texts.to(device_));
      }
    }
    // The logits and the softmax stay in float32: in bfloat16 (8 mantissa bits) a logit near the
    // temperature's 100 would be rounded by up to 0.5, which swamps the differences the loss learns.
    left = left.to(torch::kFloat32);
    right = right.to(torch::kFloat32);
    const auto all_left = dp_->all_gather_rows(left);
    const auto all_right = dp_->all_gather_rows(right);
    const auto mask = dp_->all_gather_rows(batch.mask.to(torch::kFloat32).to(device_)) > 0.5f;
    const auto temperature = model_->log_temperature.exp();
    const ContrastiveLoss l = bidirectional_contrastive_loss(all_left, all_right, temperature.squeeze(), mask);
    l.loss.backward();
    if (dp_->world_size() > 1) {
      std::vector<torch::Tensor> grads;
      for (const auto& p : params_) grads.push_back(p.value.mutable_grad());
      dp_->all_reduce_sum(grads);
      // Every process computed the same global loss: t's gradient is already whole on each.
      torch::NoGradGuard no_grad;
      model_->log_temperature.mutable_grad().div_(dp_->world_size());
    }
    TrainProgress p;
    p.grad_norm = clip_gradients_by_global_norm(params_, recipe_.optimizer.grad_clip_norm);
    const double schedule = schedule_multiplier(recipe_.schedule, recipe_.total_steps, optimizer_->count());
    optimizer_->step(schedule);
    p.total_steps = recipe_.total_steps;
    p.loss = l.loss.item<double>();
    p.accuracy = l.accuracy.item<double>();
    p.learning_rate = recipe_.optimizer.lr * schedule;
    p.temperature = temperature.item<double>();
    if (!std::isfinite(p.loss)) {
      throw Error(ErrorCode::kInternal, "train: the loss became " + std::to_string(p.loss) + " at step " +
                                            std::to_string(optimizer_->count()) + " (lower the learning rate?)");
    }
    return p;
  }

  void log_step(const TrainProgress& p, const PipelineCounts& counts) {
    append_log({{"step", p.step}, {"loss", p.loss}, {"accuracy", p.accuracy}, {"learning_rate", p.learning_rate},
                {"temperature", p.temperature}, {"grad_norm", p.grad_norm},
                {"examples_per_second", p.examples_per_second}, {"decode_failures", counts.n_decode_failures},
                {"skipped_records", counts.n_skipped_records}});
  }

  void append_log(const nlohmann::json& line) {
    const std::string path = (fs::path(out_dir_) / "log.jsonl").string();
    FILE* f = std::fopen(path.c_str(), "a");
    if (f == nullptr) throw Error(ErrorCode::kUnavailable, "train: cannot append to " + path);
    const std::string text = line.dump() + "\n";
    const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    std::fclose(f);
    if (!ok) throw Error(ErrorCode::kUnavailable, "train: cannot append to " + path);
  }

  // Retrieval on the recipe's eval sets (rank 0; the others wait at their next collective).
  nlohmann::json evaluate(int64_t step) {
    if (!is_main() || recipe_.eval.data.empty()) return nullptr;
    if (eval_sets_.empty()) {
      for (const auto& spec : recipe_.eval.data) eval_sets_.push_back(datasets::load_retrieval_dataset(spec));
    }
    model_->eval();
    evaluation::RetrievalEvalOptions o;
    o.max_images = recipe_.eval.max_images;
    o.image_spec.image_size = recipe_.model.image_size;
    const int64_t size = recipe_.model.image_size;
    const auto to_floats = [](const torch::Tensor& z) {
      const auto cpu = z.to(torch::kCPU, torch::kFloat32).contiguous();
      return std::vector<float>(cpu.data_ptr<float>(), cpu.data_ptr<float>() + cpu.numel());
    };
    const evaluation::EmbedPixelsFn embed = [&](const std::vector<const ImageU8*>& images) {
      torch::NoGradGuard no_grad;
      auto x = torch::empty({static_cast<int64_t>(images.size()), size, size, 3}, torch::kFloat32);
      for (size_t i = 0; i < images.size(); ++i) value_range(*images[i], x[static_cast<int64_t>(i)].data_ptr<float>());
      model::CudaBf16Autocast autocast(recipe_.precision == "bfloat16");
      return to_floats(model_->embed(x.to(device_)));
    };
    const evaluation::EmbedTextsFn embed_token_ids = [&](const std::vector<std::string>& texts) {
      torch::NoGradGuard no_grad;
      auto ids = torch::empty({static_cast<int64_t>(texts.size()), recipe_.model.seq_len}, torch::kInt64);
      for (size_t i = 0; i < texts.size(); ++i) write_token_ids(*tokenizer_, texts[i], ids, static_cast<int64_t>(i));
      model::CudaBf16Autocast autocast(recipe_.precision == "bfloat16");
      return to_floats(model_->embed_tokens(ids.to(device_)));
    };
    const evaluation::EmbedTextsFn embed_texts = tokenizer_ ? embed_token_ids : evaluation::render_then_embed(*renderer_, embed);
    nlohmann::json out = nlohmann::json::array();
    for (size_t i = 0; i < eval_sets_.size(); ++i) {
      const auto result = evaluation::evaluate_retrieval(eval_sets_[i], embed, embed_texts, o);
      nlohmann::json r = evaluation::retrieval_to_json(result);
      r["data"] = datasets::to_json(recipe_.eval.data[i]);
      out.push_back(r);
      message("eval at step " + std::to_string(step) + ": mean R@1 i2t " + std::to_string(result.mean_i2t.r1) +
              ", t2i " + std::to_string(result.mean_t2i.r1) + " over " + std::to_string(result.per_language.size()) +
              " languages");
    }
    model_->train(true);
    append_log({{"step", step}, {"eval", out}});
    return out;
  }

  const TrainRecipe& recipe_;
  TrainOptions options_;
  std::string out_dir_;
  std::unique_ptr<DataParallel> dp_;
  torch::Device device_{torch::kCPU};
  std::unique_ptr<render::TextRenderer> renderer_;
  std::unique_ptr<tokenizer_baselines::SentencePieceTokenizer> tokenizer_;  // token baselines only
  std::shared_ptr<model::ClippoModelImpl> model_;
  std::vector<NamedParameter> params_;
  std::unique_ptr<Optimizer> optimizer_;
  std::vector<datasets::RetrievalDataset> eval_sets_;
};

}  // namespace

TrainSummary run_training(const TrainRecipe& recipe, const TrainOptions& options) {
  recipe.validate();
  // LibTorch's errors (a GPU out of memory, a shape that does not fit) leave as clippo::Error.
  return model::with_torch_errors("training " + recipe.out_dir, [&] {
    Run run(recipe, options);
    return run.run();
  });
}

}  // namespace clippo::train

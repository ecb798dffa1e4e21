#include "core/train/train_recipe.h"

#include <set>
#include <string>
#include <utility>

#include "core/base/error.h"
#include "core/base/file_io.h"

namespace clippo::train {
namespace {

// Reads one JSON object field by field; whatever is left unread at the end is an unknown key.
class StrictObject {
 public:
  StrictObject(const nlohmann::json& j, std::string where) : j_(j), where_(std::move(where)) {
    if (!j_.is_object()) fail(where_, "must be a JSON object");
  }

  template <class T>
  void read(const char* key, T& out) {
    seen_.insert(key);
    if (!j_.contains(key)) return;
    const nlohmann::json& v = j_.at(key);
    const std::string name = path(key);
    if constexpr (std::is_same_v<T, bool>) {
      if (!v.is_boolean()) fail(name, "must be true or false");
    } else if constexpr (std::is_integral_v<T>) {
      if (!v.is_number_integer()) fail(name, "must be an integer");
      if constexpr (std::is_unsigned_v<T>) {
        if (v.get<int64_t>() < 0) fail(name, "must not be negative");
      }
    } else if constexpr (std::is_floating_point_v<T>) {
      if (!v.is_number()) fail(name, "must be a number");
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!v.is_string()) fail(name, "must be a string");
    }
    out = v.get<T>();
  }

  // A sub-object or array handed to `parse`; absent keys leave `out` as it is.
  template <class F>
  void read_with(const char* key, F&& parse) {
    seen_.insert(key);
    if (j_.contains(key)) parse(j_.at(key), path(key));
  }

  void finish() const {
    for (const auto& [key, value] : j_.items()) {
      if (!seen_.count(key)) fail(path(key), "is not a recipe key here (known: " + known() + ")");
    }
  }

  std::string path(const std::string& key) const { return where_.empty() ? key : where_ + "." + key; }

  [[noreturn]] static void fail(const std::string& name, const std::string& what) {
    throw Error(ErrorCode::kInvalidArgument, "recipe: " + name + " " + what);
  }

 private:
  std::string known() const {
    std::string s;
    for (const auto& k : seen_) s += (s.empty() ? "" : ", ") + k;
    return s;
  }
  const nlohmann::json& j_;
  std::string where_;
  std::set<std::string> seen_;
};

std::vector<datasets::SourceSpec> parse_sources(const nlohmann::json& j, const std::string& name) {
  std::vector<datasets::SourceSpec> sources;
  const auto parse_one = [&](const nlohmann::json& item, const std::string& where) {
    try {
      sources.push_back(datasets::source_spec_from_json(item));
    } catch (const Error& e) {
      StrictObject::fail(where, std::string("is not a data source: ") + e.what());
    }
  };
  if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) parse_one(j[i], name + "[" + std::to_string(i) + "]");
  } else {
    parse_one(j, name);
  }
  return sources;
}

ModelRecipe parse_model(const nlohmann::json& j, const std::string& where) {
  ModelRecipe m;
  StrictObject o(j, where);
  o.read("variant", m.variant);
  o.read("width", m.width);
  o.read("depth", m.depth);
  o.read("mlp_dim", m.mlp_dim);
  o.read("num_heads", m.num_heads);
  o.read("patch_size", m.patch_size);
  o.read("out_dim", m.out_dim);
  o.read("image_size", m.image_size);
  o.read("posemb", m.posemb);
  o.read("pool_type", m.pool_type);
  o.read("temperature_init", m.temperature_init);
  o.read("init", m.init);
  o.read("kind", m.kind);
  o.read("tokenizer", m.tokenizer);
  o.read("seq_len", m.seq_len);
  o.read_with("text_tower", [&](const nlohmann::json& v, const std::string& n) {
    StrictObject t(v, n);
    t.read("width", m.text_tower.width);
    t.read("depth", m.text_tower.depth);
    t.read("mlp_dim", m.text_tower.mlp_dim);
    t.read("num_heads", m.text_tower.num_heads);
    t.read("pool_type", m.text_tower.pool_type);
    t.finish();
  });
  o.finish();
  return m;
}

OptimizerRecipe parse_optimizer(const nlohmann::json& j, const std::string& where) {
  OptimizerRecipe r;
  StrictObject o(j, where);
  o.read("name", r.name);
  o.read("lr", r.lr);
  o.read("weight_decay", r.weight_decay);
  o.read("grad_clip_norm", r.grad_clip_norm);
  o.read("decay_rate", r.decay_rate);
  o.read("beta2_cap", r.beta2_cap);
  o.read("min_dim_size_to_factor", r.min_dim_size_to_factor);
  o.read("momentum", r.momentum);
  o.read("momentum_dtype", r.momentum_dtype);
  o.read("epsilon", r.epsilon);
  o.read("b1", r.b1);
  o.read("b2", r.b2);
  o.read("adam_eps", r.adam_eps);
  o.finish();
  return r;
}

ScheduleRecipe parse_schedule(const nlohmann::json& j, const std::string& where) {
  ScheduleRecipe r;
  StrictObject o(j, where);
  o.read("decay_type", r.decay_type);
  o.read("warmup_steps", r.warmup_steps);
  o.read("cooldown_steps", r.cooldown_steps);
  o.read("timescale", r.timescale);
  o.read("linear_end", r.linear_end);
  o.finish();
  return r;
}

DataRecipe parse_data(const nlohmann::json& j, const std::string& where) {
  DataRecipe r;
  StrictObject o(j, where);
  o.read_with("image_text", [&](const nlohmann::json& v, const std::string& n) { r.image_text = parse_sources(v, n); });
  o.read_with("text_pairs", [&](const nlohmann::json& v, const std::string& n) { r.text_pairs = parse_sources(v, n); });
  o.read("text_pair_fraction", r.text_pair_fraction);
  o.read("shuffle_buffer", r.shuffle_buffer);
  o.read("workers", r.workers);
  o.read_with("augment", [&](const nlohmann::json& v, const std::string& n) {
    StrictObject a(v, n);
    a.read("flip_lr", r.augment.flip_lr);
    a.read("crop_min_area", r.augment.crop_min_area);
    a.read("brightness", r.augment.brightness);
    a.read("contrast", r.augment.contrast);
    a.read("saturation", r.augment.saturation);
    a.read("hue", r.augment.hue);
    a.read("grayscale", r.augment.grayscale);
    a.finish();
  });
  o.finish();
  return r;
}

EvalRecipe parse_eval(const nlohmann::json& j, const std::string& where) {
  EvalRecipe r;
  StrictObject o(j, where);
  o.read_with("data", [&](const nlohmann::json& v, const std::string& n) { r.data = parse_sources(v, n); });
  o.read("every_steps", r.every_steps);
  o.read("max_images", r.max_images);
  o.finish();
  return r;
}

void check(bool ok, const std::string& name, const std::string& what) {
  if (!ok) StrictObject::fail(name, what);
}

nlohmann::json augment_to_json(const AugmentRecipe& a) {
  return {{"flip_lr", a.flip_lr},       {"crop_min_area", a.crop_min_area}, {"brightness", a.brightness},
          {"contrast", a.contrast},     {"saturation", a.saturation},       {"hue", a.hue},
          {"grayscale", a.grayscale}};
}

}  // namespace

model::ViTConfig ModelRecipe::vit_config() const {
  model::ViTConfig c = model::vit_variant(variant);
  if (width > 0) c.width = width;
  if (depth > 0) c.depth = depth;
  if (mlp_dim > 0) c.mlp_dim = mlp_dim;
  if (num_heads > 0) c.num_heads = num_heads;
  if (patch_size > 0) c.patch_size = patch_size;
  c.out_dim = out_dim >= 0 ? out_dim : c.width;
  c.image_size = image_size;
  c.posemb = posemb;
  c.pool_type = pool_type;
  return c;
}

model::TextInput ModelRecipe::text_input(int vocab_size) const {
  model::TextInput t;
  t.kind = model::parse_model_kind(kind);
  if (!t.reads_tokens()) return t;
  t.vocab_size = vocab_size;
  t.seq_len = seq_len;
  if (t.kind == model::ModelKind::kTwoTowers) {
    model::ViTConfig& tower = t.tower;
    tower = model::text_tower_like(vit_config(), seq_len);
    if (text_tower.width > 0) tower.width = text_tower.width;
    if (text_tower.depth > 0) tower.depth = text_tower.depth;
    if (text_tower.mlp_dim > 0) tower.mlp_dim = text_tower.mlp_dim;
    if (text_tower.num_heads > 0) tower.num_heads = text_tower.num_heads;
    if (!text_tower.pool_type.empty()) tower.pool_type = text_tower.pool_type;
  }
  return t;
}

void TrainRecipe::validate() const {
  try {
    model.vit_config().validate();
  } catch (const Error& e) {
    StrictObject::fail("model", std::string("is impossible: ") + e.what());
  }
  check(model.kind == "clippo" || model.kind == "1t-clip" || model.kind == "clip*", "model.kind",
        "must be \"clippo\", \"1t-clip\" or \"clip*\"");
  if (model.reads_tokens()) {
    check(!model.tokenizer.empty(), "model.tokenizer", "must name a SentencePiece .model for a " + model.kind + " model");
    check(model.seq_len >= 1 && model.seq_len <= 65536, "model.seq_len", "must be in [1, 65536]");
    if (model.kind == "clip*") {
      try {
        model.text_input(1).tower.validate();
      } catch (const Error& e) {
        StrictObject::fail("model.text_tower", std::string("is impossible: ") + e.what());
      }
    }
  } else {
    check(model.tokenizer.empty(), "model.tokenizer", "is only read by token models (kind 1t-clip or clip*)");
  }
  check(model.temperature_init > 0, "model.temperature_init", "must be > 0");
  try {
    renderer.validate();
  } catch (const Error& e) {
    StrictObject::fail("renderer", std::string("is impossible: ") + e.what());
  }
  check(optimizer.name == "adafactor" || optimizer.name == "adamw", "optimizer.name", "must be \"adafactor\" or \"adamw\"");
  check(optimizer.lr > 0, "optimizer.lr", "must be > 0");
  check(optimizer.weight_decay >= 0, "optimizer.weight_decay", "must be >= 0");
  check(optimizer.grad_clip_norm >= 0, "optimizer.grad_clip_norm", "must be >= 0");
  check(optimizer.decay_rate > 0, "optimizer.decay_rate", "must be > 0");
  check(optimizer.beta2_cap > 0 && optimizer.beta2_cap <= 1, "optimizer.beta2_cap", "must be in (0, 1]");
  check(optimizer.min_dim_size_to_factor >= 1, "optimizer.min_dim_size_to_factor", "must be >= 1");
  check(optimizer.momentum >= 0 && optimizer.momentum < 1, "optimizer.momentum", "must be in [0, 1)");
  check(optimizer.momentum_dtype == "float32" || optimizer.momentum_dtype == "bfloat16", "optimizer.momentum_dtype",
        "must be \"float32\" or \"bfloat16\"");
  check(optimizer.epsilon > 0 && optimizer.adam_eps > 0, "optimizer.epsilon", "must be > 0");
  check(optimizer.b1 >= 0 && optimizer.b1 < 1 && optimizer.b2 >= 0 && optimizer.b2 < 1, "optimizer.b1/b2",
        "must be in [0, 1)");
  const auto& s = schedule;
  check(s.decay_type == "rsqrt" || s.decay_type == "cosine" || s.decay_type == "linear" || s.decay_type == "constant",
        "schedule.decay_type", "must be \"rsqrt\", \"cosine\", \"linear\" or \"constant\"");
  check(s.warmup_steps >= 0 && s.cooldown_steps >= 0, "schedule.warmup_steps", "and cooldown_steps must be >= 0");
  check(s.timescale > 0, "schedule.timescale", "must be > 0");
  check(total_steps >= 1, "total_steps", "must be >= 1");
  check(total_steps <= 1 || s.warmup_steps < total_steps, "schedule.warmup_steps",
        "must be below total_steps (" + std::to_string(total_steps) + ")");
  check(s.cooldown_steps <= total_steps, "schedule.cooldown_steps", "must not exceed total_steps");
  check(batch_size >= 2, "batch_size", "must be >= 2 (a contrastive batch needs negatives)");
  check(!data.image_text.empty() || !data.text_pairs.empty(), "data", "names no image_text or text_pairs source");
  check(data.text_pair_fraction >= 0 && data.text_pair_fraction <= 1, "data.text_pair_fraction", "must be in [0, 1]");
  check(data.text_pair_fraction == 0 || !data.text_pairs.empty(), "data.text_pair_fraction",
        "is > 0 but data.text_pairs names no source");
  check(data.text_pair_fraction == 1 || !data.image_text.empty(), "data.image_text",
        "is empty but text_pair_fraction < 1 asks for image/text pairs");
  for (const auto& src : data.image_text) {
    check(src.format != "text_pairs_tsv", "data.image_text", "holds a text_pairs_tsv source (put it in data.text_pairs)");
  }
  for (const auto& src : data.text_pairs) {
    check(src.format == "text_pairs_tsv", "data.text_pairs", "takes text_pairs_tsv sources only, not " + src.format);
  }
  check(data.augment.crop_min_area > 0 && data.augment.crop_min_area <= 1, "data.augment.crop_min_area",
        "must be in (0, 1]");
  const auto& aug = data.augment;
  for (const auto& [name, value] : {std::pair<const char*, double>{"brightness", aug.brightness},
                                    {"contrast", aug.contrast}, {"saturation", aug.saturation},
                                    {"grayscale", aug.grayscale}}) {
    check(value >= 0 && value <= 1, std::string("data.augment.") + name, "must be in [0, 1]");
  }
  check(aug.hue >= 0 && aug.hue <= 0.5, "data.augment.hue", "must be in [0, 0.5] (a share of a full turn)");
  check(data.workers >= 0, "data.workers", "must be >= 0");
  for (const auto& src : eval.data) {
    check(src.format == "xm3600" || src.format == "karpathy", "eval.data", "takes xm3600 or karpathy sources, not " + src.format);
  }
  check(eval.every_steps >= 0, "eval.every_steps", "must be >= 0");
  check(device == "cpu" || device == "cuda", "device", "must be \"cpu\" or \"cuda\"");
  check(precision == "float32" || precision == "bfloat16", "precision", "must be \"float32\" or \"bfloat16\"");
  check(precision == "float32" || device == "cuda", "precision", "bfloat16 autocast needs device \"cuda\"");
  check(save_dtype == "float32" || save_dtype == "float16" || save_dtype == "bfloat16", "save_dtype",
        "must be float32, float16 or bfloat16");
  check(log_every_steps >= 1, "log_every_steps", "must be >= 1");
  check(checkpoint_every_steps >= 0, "checkpoint_every_steps", "must be >= 0");
}

TrainRecipe train_recipe_from_json(const nlohmann::json& j) {
  TrainRecipe r;
  StrictObject o(j, "");
  o.read_with("model", [&](const nlohmann::json& v, const std::string& n) { r.model = parse_model(v, n); });
  nlohmann::json renderer_json;
  o.read_with("renderer", [&](const nlohmann::json& v, const std::string&) { renderer_json = v; });
  o.read_with("data", [&](const nlohmann::json& v, const std::string& n) { r.data = parse_data(v, n); });
  o.read_with("optimizer", [&](const nlohmann::json& v, const std::string& n) { r.optimizer = parse_optimizer(v, n); });
  o.read_with("schedule", [&](const nlohmann::json& v, const std::string& n) { r.schedule = parse_schedule(v, n); });
  o.read_with("eval", [&](const nlohmann::json& v, const std::string& n) { r.eval = parse_eval(v, n); });
  o.read("batch_size", r.batch_size);
  o.read("total_steps", r.total_steps);
  o.read("seed", r.seed);
  o.read("device", r.device);
  o.read("precision", r.precision);
  o.read("save_dtype", r.save_dtype);
  o.read("log_every_steps", r.log_every_steps);
  o.read("checkpoint_every_steps", r.checkpoint_every_steps);
  o.read("out_dir", r.out_dir);
  o.read_with("comment", [](const nlohmann::json&, const std::string&) {});  // free text for people
  o.finish();
  // The renderer draws the canvas the model reads: its size follows the model unless it says otherwise.
  if (renderer_json.is_null()) renderer_json = nlohmann::json::object();
  if (!renderer_json.is_object()) StrictObject::fail("renderer", "must be a JSON object");
  if (!renderer_json.contains("image_size")) renderer_json["image_size"] = r.model.image_size;
  try {
    r.renderer = render::renderer_spec_from_json(renderer_json);
  } catch (const Error& e) {
    StrictObject::fail("renderer", std::string("is not a renderer spec: ") + e.what());
  }
  r.validate();
  if (r.renderer.image_size != r.model.image_size) {
    StrictObject::fail("renderer.image_size", "(" + std::to_string(r.renderer.image_size) +
                                                  ") differs from model.image_size (" +
                                                  std::to_string(r.model.image_size) + ")");
  }
  return r;
}

nlohmann::json to_json(const TrainRecipe& r) {
  const auto sources = [](const std::vector<datasets::SourceSpec>& v) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& s : v) a.push_back(datasets::to_json(s));
    return a;
  };
  const auto& m = r.model;
  const auto& o = r.optimizer;
  const auto& s = r.schedule;
  nlohmann::json out = {
      {"model",
       {{"variant", m.variant}, {"width", m.width}, {"depth", m.depth}, {"mlp_dim", m.mlp_dim},
        {"num_heads", m.num_heads}, {"patch_size", m.patch_size}, {"out_dim", m.out_dim},
        {"image_size", m.image_size}, {"posemb", m.posemb}, {"pool_type", m.pool_type},
        {"temperature_init", m.temperature_init}, {"init", m.init}}},
      {"renderer", render::to_json(r.renderer)},
      {"data",
       {{"image_text", sources(r.data.image_text)}, {"text_pairs", sources(r.data.text_pairs)},
        {"text_pair_fraction", r.data.text_pair_fraction}, {"shuffle_buffer", r.data.shuffle_buffer},
        {"workers", r.data.workers},
        {"augment", augment_to_json(r.data.augment)}}},
      {"optimizer",
       {{"name", o.name}, {"lr", o.lr}, {"weight_decay", o.weight_decay}, {"grad_clip_norm", o.grad_clip_norm},
        {"decay_rate", o.decay_rate}, {"beta2_cap", o.beta2_cap}, {"min_dim_size_to_factor", o.min_dim_size_to_factor},
        {"momentum", o.momentum}, {"momentum_dtype", o.momentum_dtype}, {"epsilon", o.epsilon}, {"b1", o.b1},
        {"b2", o.b2}, {"adam_eps", o.adam_eps}}},
      {"schedule",
       {{"decay_type", s.decay_type}, {"warmup_steps", s.warmup_steps}, {"cooldown_steps", s.cooldown_steps},
        {"timescale", s.timescale}, {"linear_end", s.linear_end}}},
      {"eval", {{"data", sources(r.eval.data)}, {"every_steps", r.eval.every_steps}, {"max_images", r.eval.max_images}}},
      {"batch_size", r.batch_size},
      {"total_steps", r.total_steps},
      {"seed", r.seed},
      {"device", r.device},
      {"precision", r.precision},
      {"save_dtype", r.save_dtype},
      {"log_every_steps", r.log_every_steps},
      {"checkpoint_every_steps", r.checkpoint_every_steps},
      {"out_dir", r.out_dir},
  };
  // Token baselines only: a CLIPPO recipe resolves as it always did, so its runs still resume.
  if (m.reads_tokens()) {
    auto& jm = out["model"];
    jm["kind"] = m.kind;
    jm["tokenizer"] = m.tokenizer;
    jm["seq_len"] = m.seq_len;
    jm["text_tower"] = {{"width", m.text_tower.width}, {"depth", m.text_tower.depth},
                        {"mlp_dim", m.text_tower.mlp_dim}, {"num_heads", m.text_tower.num_heads},
                        {"pool_type", m.text_tower.pool_type}};
  }
  return out;
}

TrainRecipe read_train_recipe(const std::string& path) {
  const std::string text = read_file(path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(ErrorCode::kInvalidArgument, path + ": not valid JSON: " + e.what());
  }
  try {
    return train_recipe_from_json(j);
  } catch (const Error& e) {
    throw Error(e.code(), path + ": " + e.what());
  }
}

}  // namespace clippo::train

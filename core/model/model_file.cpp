#include "core/model/model_file.h"

#include <cstdio>
#include <cstring>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/hashing.h"
#include "core/base/json_integer.h"

namespace clippo::model {
namespace {

std::string shape_str(const std::vector<int64_t>& s) {
  std::string out = "(";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + (s.size() == 1 ? ",)" : ")");
}

bool is_float(DType d) { return d == DType::kFloat32 || d == DType::kFloat16 || d == DType::kBFloat16 || d == DType::kFloat64; }

}  // namespace

std::string fnv1a64_hex(const std::string& bytes) {
  // The legacy basis: stores record these hashes, so changing it would orphan every store.
  const uint64_t h = fnv1a64(bytes, kLegacyFnv1aOffsetBasis);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "fnv1a64:%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::vector<std::pair<std::string, std::vector<int64_t>>> expected_param_shapes(const ViTConfig& c) {
  const int64_t w = c.width, h = c.num_heads, d = c.head_dim(), m = c.mlp_dim, p = c.patch_size;
  std::vector<std::pair<std::string, std::vector<int64_t>>> out;
  auto attention = [&](const std::string& pre) {
    for (const char* proj : {"query", "key", "value"}) {
      out.push_back({pre + proj + "/kernel", {w, h, d}});
      out.push_back({pre + proj + "/bias", {h, d}});
    }
    out.push_back({pre + "out/kernel", {h, d, w}});
    out.push_back({pre + "out/bias", {w}});
  };
  auto mlp = [&](const std::string& pre) {
    out.push_back({pre + "Dense_0/kernel", {w, m}});
    out.push_back({pre + "Dense_0/bias", {m}});
    out.push_back({pre + "Dense_1/kernel", {m, w}});
    out.push_back({pre + "Dense_1/bias", {w}});
  };
  const std::string enc = c.encoder_prefix();
  if (!c.reads_tokens()) {
    out.push_back({"embedding/kernel", {p, p, 3, w}});
    out.push_back({"embedding/bias", {w}});
  }
  if (c.posemb == "learn") out.push_back({"pos_embedding", {1, c.n_tokens(), w}});
  if (c.pool_type == "tok") out.push_back({"cls", {1, 1, w}});
  for (int i = 0; i < c.depth; ++i) {
    const std::string b = enc + "encoderblock_" + std::to_string(i) + "/";
    out.push_back({b + "LayerNorm_0/scale", {w}});
    out.push_back({b + "LayerNorm_0/bias", {w}});
    attention(b + "MultiHeadDotProductAttention_0/");
    out.push_back({b + "LayerNorm_1/scale", {w}});
    out.push_back({b + "LayerNorm_1/bias", {w}});
    mlp(b + "MlpBlock_0/");
  }
  out.push_back({enc + "encoder_norm/scale", {w}});
  out.push_back({enc + "encoder_norm/bias", {w}});
  if (c.pool_type == "map") {
    out.push_back({"MAPHead_0/probe", {1, 1, w}});
    attention("MAPHead_0/MultiHeadDotProductAttention_0/");
    out.push_back({"MAPHead_0/LayerNorm_0/scale", {w}});
    out.push_back({"MAPHead_0/LayerNorm_0/bias", {w}});
    mlp("MAPHead_0/MlpBlock_0/");
  }
  int64_t features = w;
  if (c.rep_size > 0) {
    out.push_back({"pre_logits/kernel", {w, c.rep_size}});
    out.push_back({"pre_logits/bias", {c.rep_size}});
    features = c.rep_size;
  }
  if (c.out_dim > 0) {
    out.push_back({"head/kernel", {features, c.out_dim}});
    out.push_back({"head/bias", {c.out_dim}});
  }
  return out;
}

const char* model_kind_name(ModelKind kind) {
  switch (kind) {
    case ModelKind::kClippo: return "clippo";
    case ModelKind::kOneTowerTokens: return "1t-clip";
    case ModelKind::kTwoTowers: return "clip*";
  }
  return "?";
}

ModelKind parse_model_kind(const std::string& name) {
  for (ModelKind k : {ModelKind::kClippo, ModelKind::kOneTowerTokens, ModelKind::kTwoTowers}) {
    if (name == model_kind_name(k)) return k;
  }
  throw Error(ErrorCode::kInvalidArgument, "unknown model kind '" + name + "' (clippo, 1t-clip, clip*)");
}

std::vector<std::pair<std::string, std::vector<int64_t>>> expected_text_param_shapes(const TextInput& text,
                                                                                     int image_width) {
  std::vector<std::pair<std::string, std::vector<int64_t>>> out;
  if (text.kind == ModelKind::kOneTowerTokens) {
    out.push_back({"Embed_0/embedding", {text.vocab_size, image_width}});
    out.push_back({"pos_embedding", {1, text.seq_len, image_width}});
  } else if (text.kind == ModelKind::kTwoTowers) {
    out.push_back({"Embed_0/embedding", {text.vocab_size, text.tower.width}});
    const auto tower = expected_param_shapes(text.tower);
    out.insert(out.end(), tower.begin(), tower.end());
  }
  return out;
}

ViTConfig text_tower_like(const ViTConfig& image, int seq_len) {
  ViTConfig tower = image;
  tower.seq_len = seq_len;
  tower.posemb = "learn";
  tower.rep_size = 0;
  tower.out_dim = image.embedding_dim();
  tower.scan = false;
  if (tower.pool_type == "tok") tower.pool_type = "0";  // a token tower has no [cls]
  return tower;
}

nlohmann::json to_json(const TextInput& text) {
  nlohmann::json j = {{"kind", model_kind_name(text.kind)}, {"vocab_size", text.vocab_size}, {"seq_len", text.seq_len}};
  if (text.kind == ModelKind::kTwoTowers) j["tower"] = to_json(text.tower);
  return j;
}

std::string scanned_name(const std::string& name, int* block_index) {
  *block_index = -1;
  for (const std::string encoder : {"Transformer/", "Encoder_0/"}) {
    const std::string block = encoder + "encoderblock_";
    if (name.rfind(block, 0) != 0) continue;
    const size_t slash = name.find('/', block.size());
    *block_index = std::stoi(name.substr(block.size(), slash - block.size()));
    return encoder + "encoderblock" + name.substr(slash);
  }
  return name;
}

namespace {

// Our meta may name a pooling the shapes cannot tell apart: without a MAP head or [cls] token,
// "gap", "0" and (token towers) "last" have the same parameters, and inference picks the
// default of its kind ("gap" for images, text_transformer's "last" for token towers).
// `saved` is the meta's architecture object for this tower.
void pool_from_meta(ViTConfig& c, const nlohmann::json& saved) {
  if (!saved.is_object() || !saved.contains("pool_type") || !saved["pool_type"].is_string()) return;
  const std::string pool = saved["pool_type"];
  const bool same_parameters = c.reads_tokens() ? pool != "map" : (pool == "0" || pool == "gap");
  if (c.pool_type == (c.reads_tokens() ? "last" : "gap") && same_parameters) c.pool_type = pool;
}

// Checks every expected parameter of one tower (names relative to `prefix`) for presence, shape
// and dtype, marking each as used.
void check_params(ModelFile& f, const std::string& prefix,
                  const std::vector<std::pair<std::string, std::vector<int64_t>>>& expected, bool scan, int depth,
                  std::map<std::string, bool>& used) {
  for (const auto& [name, shape] : expected) {
    int block = -1;
    const std::string stored = prefix + (scan ? scanned_name(name, &block) : name);
    std::vector<int64_t> want = shape;
    if (scan && block >= 0) want.insert(want.begin(), depth);
    const auto it = f.arrays.find(stored);
    CLIPPO_CHECK(it != f.arrays.end(), kInvalidArgument, f.path + ": missing parameter '" + stored + "'");
    CLIPPO_CHECK(it->second.shape == want, kInvalidArgument,
                 f.path + ": parameter '" + stored + "' has shape " + shape_str(it->second.shape) + ", expected " +
                     shape_str(want));
    CLIPPO_CHECK(is_float(it->second.dtype), kInvalidArgument,
                 f.path + ": parameter '" + stored + "' has dtype " + dtype_name(it->second.dtype) +
                     "; float32, float16 or bfloat16 expected");
    f.stored_dtype = it->second.dtype;
    used[stored] = true;
  }
}

// The txt/ subtree of a token baseline: which kind, its sizes, and its tokenizer.
void read_text_side(ModelFile& f, std::map<std::string, bool>& used) {
  const std::string root = f.prefix.substr(0, f.prefix.size() - std::string("img/").size());
  f.text_prefix = root + "txt/";
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& [key, array] : f.arrays) {
    if (key.rfind(f.text_prefix, 0) == 0) shapes[key] = array.shape;
  }
  if (shapes.empty()) return;  // CLIPPO: text is pixels
  const std::string embed_key = f.text_prefix + "Embed_0/embedding";
  const auto embed = shapes.find(embed_key);
  CLIPPO_CHECK(embed != shapes.end() && embed->second.size() == 2, kInvalidArgument,
               f.path + ": has a text side ('" + f.text_prefix + "...') but no token embedding '" + embed_key +
                   "' of shape (vocab, width)");
  f.text.vocab_size = static_cast<int>(embed->second[0]);
  const bool tower = !shapes.count(f.text_prefix + "pos_embedding") || shapes.size() > 2;
  try {
    if (tower) {
      f.text.kind = ModelKind::kTwoTowers;
      f.text.tower = infer_vit_config(shapes, f.text_prefix);
      const auto& m = f.meta;
      if (m.is_object() && m.contains("text") && m["text"].is_object()) {
        pool_from_meta(f.text.tower, m["text"].value("tower", nlohmann::json()));
      }
      f.text.seq_len = f.text.tower.seq_len;
    } else {
      f.text.kind = ModelKind::kOneTowerTokens;
      const auto& pe = shapes.at(f.text_prefix + "pos_embedding");
      CLIPPO_CHECK(pe.size() == 3 && pe[0] == 1, kInvalidArgument,
                   "'" + f.text_prefix + "pos_embedding' has shape " + shape_str(pe) + ", expected (1, seq_len, width)");
      f.text.seq_len = static_cast<int>(pe[1]);
    }
  } catch (const Error& e) {
    throw Error(e.code(), f.path + ": " + e.what());
  }
  CLIPPO_CHECK(f.text.vocab_size > 0 && f.text.seq_len > 0, kInvalidArgument,
               f.path + ": the text side has an empty vocabulary or sequence");
  CLIPPO_CHECK(f.text.kind != ModelKind::kTwoTowers || f.text.tower.embedding_dim() == f.config.embedding_dim(),
               kInvalidArgument,
               f.path + ": the text tower embeds into " + std::to_string(f.text.tower.embedding_dim()) +
                   " dims, the image tower into " + std::to_string(f.config.embedding_dim()));
  check_params(f, f.text_prefix, expected_text_param_shapes(f.text, f.config.width), f.text.tower.scan,
               f.text.tower.depth, used);
  const auto tok = f.arrays.find(kTokenizerKey);
  CLIPPO_CHECK(tok != f.arrays.end() && !tok->second.data.empty(), kInvalidArgument,
               f.path + ": a " + model_kind_name(f.text.kind) + " model reads SentencePiece token ids, but the file "
                        "carries no tokenizer ('" + kTokenizerKey + "')");
  f.text.tokenizer_model = tok->second.data;
}

}  // namespace

ModelFile read_model_file(const std::string& path, int image_size) {
  ModelFile f;
  f.path = path;
  const std::string bytes = read_file(path, uint64_t{1} << 36);
  f.content_hash = fnv1a64_hex(bytes);
  f.arrays = parse_npz(bytes, path);
  if (f.arrays.count("params/img/embedding/kernel")) {
    f.prefix = "params/img/";
    f.temperature_key = f.arrays.count("params/t") ? "params/t" : "";
  } else if (f.arrays.count("img/embedding/kernel")) {
    f.prefix = "img/";
    f.temperature_key = f.arrays.count("t") ? "t" : "";
  } else {
    throw Error(ErrorCode::kInvalidArgument,
                path + ": not a CLIPPO model (no 'params/img/embedding/kernel'; a one-tower big_vision "
                       "checkpoint or a clippo model is expected)");
  }
  if (const auto it = f.arrays.find(kMetaKey); it != f.arrays.end()) {
    try {
      f.meta = nlohmann::json::parse(it->second.data);
    } catch (const nlohmann::json::exception& e) {
      throw Error(ErrorCode::kInvalidArgument, path + ": '" + kMetaKey + "' is not valid JSON: " + e.what());
    }
    CLIPPO_CHECK(f.meta.is_object(), kInvalidArgument, path + ": '" + kMetaKey + "' must be a JSON object");
  }

  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& [key, array] : f.arrays) {
    if (key.rfind(f.prefix, 0) == 0) shapes[key] = array.shape;
  }
  int hint = 224;
  if (f.meta.is_object() && f.meta.contains("image_size") && f.meta["image_size"].is_number_integer()) {
    // Range-checked: get<int>() would wrap 2^32 + 224 to 224 and load the file as if it said so.
    try {
      hint = json_integer_field<int>(f.meta, "image_size");
    } catch (const nlohmann::json::exception& e) {
      throw Error(ErrorCode::kInvalidArgument, path + ": '" + kMetaKey + "': " + e.what());
    }
  }
  if (image_size > 0) hint = image_size;
  try {
    f.config = infer_vit_config(shapes, f.prefix, hint);
  } catch (const Error& e) {
    throw Error(e.code(), path + ": " + e.what());
  }
  CLIPPO_CHECK(image_size <= 0 || f.config.image_size == image_size, kInvalidArgument,
               path + ": the model reads " + std::to_string(f.config.image_size) + " px images (its position "
                      "embedding says so), not " + std::to_string(image_size));
  if (f.meta.is_object() && f.meta.contains("vit")) pool_from_meta(f.config, f.meta["vit"]);

  std::map<std::string, bool> used;
  check_params(f, f.prefix, expected_param_shapes(f.config), f.config.scan, f.config.depth, used);
  read_text_side(f, used);
  if (!f.temperature_key.empty()) {
    const NpyArray& t = f.arrays.at(f.temperature_key);
    CLIPPO_CHECK(t.numel() == 1 && is_float(t.dtype), kInvalidArgument,
                 path + ": '" + f.temperature_key + "' must hold one float, has shape " + shape_str(t.shape));
    used[f.temperature_key] = true;
  }
  for (const auto& [key, array] : f.arrays) {
    if (key.rfind(f.prefix, 0) == 0 && !used.count(key)) {
      throw Error(ErrorCode::kInvalidArgument,
                  path + ": unexpected parameter '" + key + "' (unknown layout for a " +
                      std::to_string(f.config.depth) + "-block " + f.config.pool_type + "-pooled ViT)");
    }
    if (f.text.reads_tokens() && key.rfind(f.text_prefix, 0) == 0 && !used.count(key)) {
      throw Error(ErrorCode::kInvalidArgument, path + ": unexpected parameter '" + key + "' (unknown layout for the " +
                                                   model_kind_name(f.text.kind) + " text side)");
    }
  }
  return f;
}

NpyArray make_float_array(const std::vector<float>& values, const std::vector<int64_t>& shape, DType dtype) {
  NpyArray a;
  a.dtype = dtype;
  a.shape = shape;
  CLIPPO_ASSERT(static_cast<int64_t>(values.size()) == a.numel());
  if (dtype == DType::kFloat32) {
    a.data.assign(reinterpret_cast<const char*>(values.data()), values.size() * 4);
    return a;
  }
  CLIPPO_CHECK(dtype == DType::kFloat16 || dtype == DType::kBFloat16, kInvalidArgument,
               std::string("cannot store parameters as ") + dtype_name(dtype));
  a.data.resize(values.size() * 2);
  for (size_t i = 0; i < values.size(); ++i) {
    const uint16_t v = dtype == DType::kFloat16 ? float_to_half(values[i]) : float_to_bfloat16(values[i]);
    std::memcpy(&a.data[i * 2], &v, 2);
  }
  return a;
}

namespace {

// One tower's arrays under `root` (e.g. "params/img/"), blocks stacked when `scan`.
void add_tower_arrays(std::map<std::string, NpyArray>& arrays, const std::string& root,
                      const std::vector<std::pair<std::string, std::vector<int64_t>>>& expected, bool scan, int depth,
                      const std::map<std::string, std::vector<float>>& params, DType dtype) {
  std::map<std::string, std::vector<float>> stacked;  // scanned layout: blocks concatenated in order
  std::map<std::string, std::vector<int64_t>> stacked_shape;
  for (const auto& [name, shape] : expected) {
    const auto it = params.find(name);
    CLIPPO_CHECK(it != params.end(), kInternal, "model is missing parameter '" + root + name + "'");
    int block = -1;
    const std::string stored = scan ? scanned_name(name, &block) : name;
    if (block >= 0) {
      auto& buf = stacked[stored];
      buf.insert(buf.end(), it->second.begin(), it->second.end());
      std::vector<int64_t> s = shape;
      s.insert(s.begin(), depth);
      stacked_shape[stored] = s;
    } else {
      arrays[root + stored] = make_float_array(it->second, shape, dtype);
    }
  }
  for (const auto& [stored, values] : stacked) {
    arrays[root + stored] = make_float_array(values, stacked_shape[stored], dtype);
  }
}

NpyArray byte_array(const std::string& bytes) {
  NpyArray a;
  a.dtype = DType::kUInt8;
  a.data = bytes;
  a.shape = {static_cast<int64_t>(bytes.size())};
  return a;
}

}  // namespace

void write_model_file(const std::string& path, const ViTConfig& config,
                      const std::map<std::string, std::vector<float>>& params, float log_temperature,
                      const nlohmann::json& meta, DType dtype, const TextInput& text,
                      const std::map<std::string, std::vector<float>>& text_params) {
  std::map<std::string, NpyArray> arrays;
  add_tower_arrays(arrays, "params/img/", expected_param_shapes(config), config.scan, config.depth, params, dtype);
  if (text.reads_tokens()) {
    CLIPPO_CHECK(!text.tokenizer_model.empty(), kInternal, "a token model without its tokenizer cannot be saved");
    add_tower_arrays(arrays, "params/txt/", expected_text_param_shapes(text, config.width), text.tower.scan,
                     text.tower.depth, text_params, dtype);
    arrays[kTokenizerKey] = byte_array(text.tokenizer_model);
  }
  // The temperature stays float32: it is one number, and big_vision keeps it so.
  arrays["params/t"] = make_float_array({log_temperature}, {1}, DType::kFloat32);
  if (!meta.is_null()) arrays[kMetaKey] = byte_array(meta.dump());
  write_npz(path, arrays);
}

}  // namespace clippo::model

#include "core/model/model_file.h"

#include <cstdio>
#include <cstring>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/hashing.h"

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
  out.push_back({"embedding/kernel", {p, p, 3, w}});
  out.push_back({"embedding/bias", {w}});
  if (c.posemb == "learn") out.push_back({"pos_embedding", {1, c.n_patches(), w}});
  if (c.pool_type == "tok") out.push_back({"cls", {1, 1, w}});
  for (int i = 0; i < c.depth; ++i) {
    const std::string b = "Transformer/encoderblock_" + std::to_string(i) + "/";
    out.push_back({b + "LayerNorm_0/scale", {w}});
    out.push_back({b + "LayerNorm_0/bias", {w}});
    attention(b + "MultiHeadDotProductAttention_0/");
    out.push_back({b + "LayerNorm_1/scale", {w}});
    out.push_back({b + "LayerNorm_1/bias", {w}});
    mlp(b + "MlpBlock_0/");
  }
  out.push_back({"Transformer/encoder_norm/scale", {w}});
  out.push_back({"Transformer/encoder_norm/bias", {w}});
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

std::string scanned_name(const std::string& name, int* block_index) {
  static const std::string kBlock = "Transformer/encoderblock_";
  *block_index = -1;
  if (name.rfind(kBlock, 0) != 0) return name;
  const size_t slash = name.find('/', kBlock.size());
  *block_index = std::stoi(name.substr(kBlock.size(), slash - kBlock.size()));
  return "Transformer/encoderblock" + name.substr(slash);
}

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
    throw_error(ErrorCode::kInvalidArgument,
                path + ": not a CLIPPO model (no 'params/img/embedding/kernel'; a one-tower big_vision "
                       "checkpoint or a clippo model is expected)");
  }
  if (const auto it = f.arrays.find(kMetaKey); it != f.arrays.end()) {
    try {
      f.meta = nlohmann::json::parse(it->second.data);
    } catch (const nlohmann::json::exception& e) {
      throw_error(ErrorCode::kInvalidArgument, path + ": '" + kMetaKey + "' is not valid JSON: " + e.what());
    }
    CLIPPO_CHECK(f.meta.is_object(), kInvalidArgument, path + ": '" + kMetaKey + "' must be a JSON object");
  }

  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& [key, array] : f.arrays) {
    if (key.rfind(f.prefix, 0) == 0) shapes[key] = array.shape;
  }
  int hint = f.meta.is_object() && f.meta.contains("image_size") && f.meta["image_size"].is_number_integer()
                 ? f.meta["image_size"].get<int>()
                 : 224;
  if (image_size > 0) hint = image_size;
  try {
    f.config = infer_vit_config(shapes, f.prefix, hint);
  } catch (const Error& e) {
    throw Error(e.code(), path + ": " + e.what());
  }
  CLIPPO_CHECK(image_size <= 0 || f.config.image_size == image_size, kInvalidArgument,
               path + ": the model reads " + std::to_string(f.config.image_size) + " px images (its position "
                      "embedding says so), not " + std::to_string(image_size));
  // Our meta may name a pooling the shapes cannot tell apart ("0" vs "gap").
  if (f.meta.is_object() && f.meta.contains("vit") && f.meta["vit"].contains("pool_type")) {
    const auto pool = f.meta["vit"]["pool_type"];
    if (pool.is_string() && (pool == "0" || pool == "gap") && f.config.pool_type == "gap") f.config.pool_type = pool;
  }

  std::map<std::string, bool> used;
  for (const auto& [name, shape] : expected_param_shapes(f.config)) {
    int block = -1;
    const std::string stored = f.prefix + (f.config.scan ? scanned_name(name, &block) : name);
    std::vector<int64_t> want = shape;
    if (f.config.scan && block >= 0) want.insert(want.begin(), f.config.depth);
    const auto it = f.arrays.find(stored);
    CLIPPO_CHECK(it != f.arrays.end(), kInvalidArgument, path + ": missing parameter '" + stored + "'");
    CLIPPO_CHECK(it->second.shape == want, kInvalidArgument,
                 path + ": parameter '" + stored + "' has shape " + shape_str(it->second.shape) + ", expected " +
                     shape_str(want));
    CLIPPO_CHECK(is_float(it->second.dtype), kInvalidArgument,
                 path + ": parameter '" + stored + "' has dtype " + dtype_name(it->second.dtype) +
                     "; float32, float16 or bfloat16 expected");
    f.stored_dtype = it->second.dtype;
    used[stored] = true;
  }
  if (!f.temperature_key.empty()) {
    const NpyArray& t = f.arrays.at(f.temperature_key);
    CLIPPO_CHECK(t.numel() == 1 && is_float(t.dtype), kInvalidArgument,
                 path + ": '" + f.temperature_key + "' must hold one float, has shape " + shape_str(t.shape));
    used[f.temperature_key] = true;
  }
  for (const auto& [key, array] : f.arrays) {
    if (key.rfind(f.prefix, 0) == 0 && !used.count(key)) {
      throw_error(ErrorCode::kInvalidArgument,
                  path + ": unexpected parameter '" + key + "' (unknown layout for a " +
                      std::to_string(f.config.depth) + "-block " + f.config.pool_type + "-pooled ViT)");
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

void write_model_file(const std::string& path, const ViTConfig& config,
                      const std::map<std::string, std::vector<float>>& params, float log_temperature,
                      const nlohmann::json& meta, DType dtype) {
  std::map<std::string, NpyArray> arrays;
  std::map<std::string, std::vector<float>> stacked;  // scanned layout: blocks concatenated in order
  std::map<std::string, std::vector<int64_t>> stacked_shape;
  for (const auto& [name, shape] : expected_param_shapes(config)) {
    const auto it = params.find(name);
    CLIPPO_CHECK(it != params.end(), kInternal, "model is missing parameter '" + name + "'");
    int block = -1;
    const std::string stored = config.scan ? scanned_name(name, &block) : name;
    if (block >= 0) {
      auto& buf = stacked[stored];
      buf.insert(buf.end(), it->second.begin(), it->second.end());
      std::vector<int64_t> s = shape;
      s.insert(s.begin(), config.depth);
      stacked_shape[stored] = s;
    } else {
      arrays["params/img/" + stored] = make_float_array(it->second, shape, dtype);
    }
  }
  for (const auto& [stored, values] : stacked) {
    arrays["params/img/" + stored] = make_float_array(values, stacked_shape[stored], dtype);
  }
  // The temperature stays float32: it is one number, and big_vision keeps it so.
  arrays["params/t"] = make_float_array({log_temperature}, {1}, DType::kFloat32);
  if (!meta.is_null()) {
    NpyArray m;
    m.dtype = DType::kUInt8;
    m.data = meta.dump();
    m.shape = {static_cast<int64_t>(m.data.size())};
    arrays[kMetaKey] = m;
  }
  write_npz(path, arrays);
}

}  // namespace clippo::model

#include "core/model/vit_config.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/base/error.h"
#include "core/base/json_integer.h"

namespace clippo::model {
namespace {

std::string shape_str(const std::vector<int64_t>& s) {
  std::string out = "(";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + ")";
}

const std::vector<int64_t>& need(const std::map<std::string, std::vector<int64_t>>& shapes,
                                 const std::string& key, size_t rank) {
  const auto it = shapes.find(key);
  CLIPPO_CHECK(it != shapes.end(), kInvalidArgument, "model file has no '" + key + "'");
  CLIPPO_CHECK(it->second.size() == rank, kInvalidArgument,
               "'" + key + "' has shape " + shape_str(it->second) + ", expected rank " + std::to_string(rank));
  return it->second;
}

}  // namespace

void ViTConfig::validate() const {
  CLIPPO_CHECK(width > 0 && depth > 0 && mlp_dim > 0 && num_heads > 0, kInvalidArgument,
               "ViT width, depth, mlp_dim and num_heads must be positive");
  CLIPPO_CHECK(width % num_heads == 0, kInvalidArgument,
               "ViT width " + std::to_string(width) + " is not divisible by " + std::to_string(num_heads) + " heads");
  CLIPPO_CHECK(seq_len >= 0, kInvalidArgument, "seq_len must be >= 0");
  if (reads_tokens()) {
    CLIPPO_CHECK(posemb == "learn", kInvalidArgument, "a token tower learns its position embedding (posemb \"learn\")");
    CLIPPO_CHECK(pool_type == "map" || pool_type == "gap" || pool_type == "0" || pool_type == "last",
                 kInvalidArgument, "unknown pool_type '" + pool_type + "' for a token tower (map, gap, 0, last)");
  } else {
    CLIPPO_CHECK(patch_size > 0 && image_size >= patch_size && image_size % patch_size == 0, kInvalidArgument,
                 "image_size " + std::to_string(image_size) + " must be a multiple of patch_size " +
                     std::to_string(patch_size));
    CLIPPO_CHECK(posemb == "learn" || posemb == "sincos2d", kInvalidArgument, "unknown posemb '" + posemb + "'");
    CLIPPO_CHECK(posemb != "sincos2d" || width % 4 == 0, kInvalidArgument, "sincos2d posemb needs width % 4 == 0");
    CLIPPO_CHECK(pool_type == "map" || pool_type == "gap" || pool_type == "tok" || pool_type == "0",
                 kInvalidArgument, "unknown pool_type '" + pool_type + "'");
  }
  CLIPPO_CHECK(out_dim >= 0 && rep_size >= 0, kInvalidArgument, "out_dim and rep_size must be >= 0");
}

ViTConfig vit_variant(const std::string& variant) {
  struct Row { const char* name; int width, depth, mlp, heads; };
  static const Row kRows[] = {
      {"mu", 32, 1, 128, 2},     {"Ti", 192, 12, 768, 3},   {"S", 384, 12, 1536, 6},
      {"M", 512, 12, 2048, 8},   {"B", 768, 12, 3072, 12},  {"L", 1024, 24, 4096, 16},
      {"So400m", 1152, 27, 4304, 16}, {"H", 1280, 32, 5120, 16}, {"g", 1408, 40, 6144, 16},
  };
  const size_t slash = variant.find('/');
  const std::string name = variant.substr(0, slash);
  ViTConfig c;
  bool found = false;
  for (const Row& r : kRows) {
    if (name == r.name) {
      c.width = r.width; c.depth = r.depth; c.mlp_dim = r.mlp; c.num_heads = r.heads;
      found = true;
    }
  }
  CLIPPO_CHECK(found, kInvalidArgument, "unknown ViT variant '" + variant + "' (mu, Ti, S, M, B, L, So400m, H, g)");
  if (slash != std::string::npos) {
    try {
      c.patch_size = std::stoi(variant.substr(slash + 1));
    } catch (const std::exception&) {
      throw Error(ErrorCode::kInvalidArgument, "bad patch size in variant '" + variant + "'");
    }
  }
  c.out_dim = c.width;
  c.validate();
  return c;
}

ViTConfig infer_vit_config(const std::map<std::string, std::vector<int64_t>>& shapes, const std::string& p,
                           int image_size_hint) {
  ViTConfig c;
  const bool token_tower = !shapes.count(p + "embedding/kernel") &&
                           (shapes.count(p + "Encoder_0/encoderblock_0/LayerNorm_0/scale") ||
                            shapes.count(p + "Encoder_0/encoderblock/LayerNorm_0/scale"));
  if (token_tower) {
    const auto& pe = need(shapes, p + "pos_embedding", 3);
    CLIPPO_CHECK(pe[0] == 1 && pe[1] > 0, kInvalidArgument,
                 "'" + p + "pos_embedding' has shape " + shape_str(pe) + ", expected (1, seq_len, width)");
    c.seq_len = static_cast<int>(pe[1]);
    c.width = static_cast<int>(pe[2]);
    c.posemb = "learn";
    c.patch_size = 1;  // unused by a token tower
    c.image_size = 1;
  } else {
    const auto& emb = need(shapes, p + "embedding/kernel", 4);
    CLIPPO_CHECK(emb[0] == emb[1] && emb[2] == 3, kInvalidArgument,
                 "'" + p + "embedding/kernel' has shape " + shape_str(emb) + ", expected (p, p, 3, width)");
    c.patch_size = static_cast<int>(emb[0]);
    c.width = static_cast<int>(emb[3]);
  }

  const auto pe = shapes.find(p + "pos_embedding");
  if (token_tower) {
    // positions read above: a token tower always learns them
  } else if (pe != shapes.end()) {
    CLIPPO_CHECK(pe->second.size() == 3 && pe->second[0] == 1 && pe->second[2] == c.width, kInvalidArgument,
                 "'" + p + "pos_embedding' has shape " + shape_str(pe->second) + ", expected (1, n, " +
                     std::to_string(c.width) + ")");
    const auto grid = static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(pe->second[1]))));
    CLIPPO_CHECK(grid * grid == pe->second[1], kInvalidArgument,
                 "'" + p + "pos_embedding' has " + std::to_string(pe->second[1]) + " positions, not a square grid");
    c.posemb = "learn";
    c.image_size = static_cast<int>(grid) * c.patch_size;
  } else {
    c.posemb = "sincos2d";
    c.image_size = image_size_hint;
  }

  std::string block;
  const std::string enc = p + c.encoder_prefix();
  if (shapes.count(enc + "encoderblock/LayerNorm_0/scale")) {
    c.scan = true;
    const auto& ln = need(shapes, enc + "encoderblock/LayerNorm_0/scale", 2);
    c.depth = static_cast<int>(ln[0]);
    block = enc + "encoderblock/";
  } else {
    c.depth = 0;
    while (shapes.count(enc + "encoderblock_" + std::to_string(c.depth) + "/LayerNorm_0/scale")) ++c.depth;
    CLIPPO_CHECK(c.depth > 0, kInvalidArgument,
                 "model file has no transformer blocks ('" + enc + "encoderblock_0/...' or the stacked "
                 "'" + enc + "encoderblock/...')");
    block = enc + "encoderblock_0/";
  }
  const size_t lead = c.scan ? 1 : 0;  // stacked arrays carry a leading depth axis
  const auto& dense0 = need(shapes, block + "MlpBlock_0/Dense_0/kernel", 2 + lead);
  c.mlp_dim = static_cast<int>(dense0[1 + lead]);
  const auto& q = need(shapes, block + "MultiHeadDotProductAttention_0/query/kernel", 3 + lead);
  c.num_heads = static_cast<int>(q[1 + lead]);
  CLIPPO_CHECK(q[lead] == c.width && q[1 + lead] * q[2 + lead] == c.width, kInvalidArgument,
               "'" + block + "MultiHeadDotProductAttention_0/query/kernel' has shape " + shape_str(q) +
                   ", inconsistent with width " + std::to_string(c.width));

  if (shapes.count(p + "MAPHead_0/probe")) {
    c.pool_type = "map";
  } else if (token_tower) {
    c.pool_type = "last";  // text_transformer.py's default; shapes cannot tell gap/0/last apart
  } else if (shapes.count(p + "cls")) {
    c.pool_type = "tok";
  } else {
    c.pool_type = "gap";
  }
  const auto pre = shapes.find(p + "pre_logits/kernel");
  c.rep_size = pre == shapes.end() ? 0 : static_cast<int>(need(shapes, p + "pre_logits/kernel", 2)[1]);
  const auto head = shapes.find(p + "head/kernel");
  c.out_dim = head == shapes.end() ? 0 : static_cast<int>(need(shapes, p + "head/kernel", 2)[1]);
  c.validate();
  return c;
}

nlohmann::json to_json(const ViTConfig& c) {
  nlohmann::json j = {{"width", c.width},         {"depth", c.depth},         {"mlp_dim", c.mlp_dim},
          {"num_heads", c.num_heads}, {"patch_size", c.patch_size}, {"image_size", c.image_size},
          {"posemb", c.posemb},       {"pool_type", c.pool_type}, {"out_dim", c.out_dim},
          {"rep_size", c.rep_size},   {"scan", c.scan}};
  if (c.reads_tokens()) j["seq_len"] = c.seq_len;  // absent for image towers: their JSON stays as it was
  return j;
}

ViTConfig vit_config_from_json(const nlohmann::json& j) {
  CLIPPO_CHECK(j.is_object(), kInvalidArgument, "ViT config must be a JSON object");
  ViTConfig c;
  for (const auto& [key, value] : j.items()) {
    try {
      if (key == "width") c.width = json_integer<int>(value, key);
      else if (key == "depth") c.depth = json_integer<int>(value, key);
      else if (key == "mlp_dim") c.mlp_dim = json_integer<int>(value, key);
      else if (key == "num_heads") c.num_heads = json_integer<int>(value, key);
      else if (key == "patch_size") c.patch_size = json_integer<int>(value, key);
      else if (key == "image_size") c.image_size = json_integer<int>(value, key);
      else if (key == "posemb") c.posemb = value.get<std::string>();
      else if (key == "pool_type") c.pool_type = value.get<std::string>();
      else if (key == "out_dim") c.out_dim = json_integer<int>(value, key);
      else if (key == "rep_size") c.rep_size = json_integer<int>(value, key);
      else if (key == "scan") c.scan = value.get<bool>();
      else if (key == "seq_len") c.seq_len = json_integer<int>(value, key);
      else throw Error(ErrorCode::kInvalidArgument, "unknown ViT config field '" + key + "'");
    } catch (const nlohmann::json::exception&) {
      throw Error(ErrorCode::kInvalidArgument, "ViT config field '" + key + "' has the wrong type: " + value.dump());
    }
  }
  c.validate();
  return c;
}

int64_t count_parameters(const ViTConfig& c) {
  const int64_t w = c.width, m = c.mlp_dim;
  const int64_t attention = 4 * (w * w + w);
  const int64_t mlp = w * m + m + m * w + w;
  const int64_t block = 2 * 2 * w + attention + mlp;
  int64_t n = c.reads_tokens() ? 0 : c.patch_size * c.patch_size * 3 * w + w;  // patch embedding
  if (c.posemb == "learn") n += static_cast<int64_t>(c.n_tokens()) * w;
  n += c.depth * block + 2 * w;  // blocks + encoder_norm
  if (c.pool_type == "tok") n += w;
  if (c.pool_type == "map") n += w + attention + 2 * w + mlp;
  int64_t feat = w;
  if (c.rep_size > 0) { n += w * c.rep_size + c.rep_size; feat = c.rep_size; }
  if (c.out_dim > 0) n += feat * c.out_dim + c.out_dim;
  return n;
}

}  // namespace clippo::model

// Reading and validating CLIPPO model files without LibTorch: official big_vision one-tower
// checkpoints (`params/img/...`, `params/t`) and ours (the same plus `clippo_meta`, JSON bytes
// as a uint8 array that big_vision ignores). Every expected key is checked for presence and
// shape and every unexpected one is refused, each with an error naming the key.
//
// The paper's token baselines live in the same format, with a `txt/` subtree named as
// big_vision's two_towers + text_transformer.py name it:
//   1T-CLIP (kind "1t-clip"): img/... (the one ViT) + txt/Embed_0/embedding (vocab, width) +
//     txt/pos_embedding (1, seq_len, width); embedded text runs through img/'s blocks and head.
//   CLIP* (kind "clip*"): img/... + a whole text tower txt/{Embed_0, pos_embedding, Encoder_0,
//     MAPHead_0, head}.
// Both carry the SentencePiece model their ids come from as `clippo_tokenizer` (uint8 bytes of
// the .model), so a model file is all a user needs to embed text.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/base/npz.h"
#include "core/model/vit_config.h"

namespace clippo::model {

inline constexpr const char* kMetaKey = "clippo_meta";
inline constexpr const char* kTokenizerKey = "clippo_tokenizer";

// clippo: text rendered as pixels through the one ViT (the product). 1t-clip and clip*: the
// paper's tokenised baselines (see above).
enum class ModelKind { kClippo, kOneTowerTokens, kTwoTowers };
const char* model_kind_name(ModelKind kind);          // "clippo", "1t-clip", "clip*"
ModelKind parse_model_kind(const std::string& name);  // throws InvalidArgument naming the three

// How a model reads text when it reads tokens (1t-clip, clip*); kind kClippo otherwise.
struct TextInput {
  ModelKind kind = ModelKind::kClippo;
  int vocab_size = 0;           // rows of txt/Embed_0/embedding
  int seq_len = 0;              // token ids per text: truncated, padded with id 0 (big_vision's pad_value)
  ViTConfig tower;              // clip*: the text transformer (tower.seq_len == seq_len)
  std::string tokenizer_model;  // the serialized SentencePiece ModelProto
  bool reads_tokens() const { return kind != ModelKind::kClippo; }
};

// CLIP*'s default text tower: the image tower's architecture reading `seq_len` tokens and
// embedding into the image tower's space (the paper's CLIP* uses one architecture for both).
ViTConfig text_tower_like(const ViTConfig& image, int seq_len);

// The text side's parameters (names relative to "txt/", per-block layout) with their shapes.
// `image_width`: 1T-CLIP embeds tokens straight into the image tower's width.
std::vector<std::pair<std::string, std::vector<int64_t>>> expected_text_param_shapes(const TextInput& text,
                                                                                     int image_width);
nlohmann::json to_json(const TextInput& text);  // kind, vocab_size, seq_len, tower (no tokenizer bytes)

struct ModelFile {
  std::string path;
  std::string prefix;           // "params/img/" (big_vision) or "img/"
  std::string temperature_key;  // "params/t", "t", or "" when the file has none
  ViTConfig config;             // the image tower (CLIPPO and 1T-CLIP: the only tower)
  TextInput text;               // token baselines only
  std::string text_prefix;      // "params/txt/" or "txt/" when text.reads_tokens()
  nlohmann::json meta;          // our clippo_meta object, or null for big_vision checkpoints
  std::map<std::string, NpyArray> arrays;
  std::string content_hash;     // "fnv1a64:<hex>" of the file bytes: the model's identity
  DType stored_dtype = DType::kFloat32;
};

// Every ViT parameter (per-block layout) with its shape, in a fixed order.
std::vector<std::pair<std::string, std::vector<int64_t>>> expected_param_shapes(const ViTConfig& config);

// The name a per-block parameter has in the stacked (scanned) layout, or itself
// ("Transformer/encoderblock_3/x" -> "Transformer/encoderblock/x", block 3; Encoder_0/ alike).
std::string scanned_name(const std::string& per_block_name, int* block_index);

// Reads and validates a model file. Throws NotFound / InvalidArgument naming the key.
// `image_size` (0: from the file) is needed only for sincos2d checkpoints without our meta,
// whose image size no parameter shape records; for others it must agree with the file.
ModelFile read_model_file(const std::string& path, int image_size = 0);

// Writes params (per-block names, float32 values) as a model file in `dtype`, big_vision's
// key layout, stacked blocks when config.scan, plus clippo_meta when `meta` is not null.
// Token models add `text_params` (names relative to txt/) and their tokenizer.
void write_model_file(const std::string& path, const ViTConfig& config,
                      const std::map<std::string, std::vector<float>>& params, float log_temperature,
                      const nlohmann::json& meta, DType dtype, const TextInput& text = {},
                      const std::map<std::string, std::vector<float>>& text_params = {});

// Converts float32 values to an array of `dtype` (float32, float16 or bfloat16).
NpyArray make_float_array(const std::vector<float>& values, const std::vector<int64_t>& shape, DType dtype);

std::string fnv1a64_hex(const std::string& bytes);

}  // namespace clippo::model

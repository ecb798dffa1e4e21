// The ViT architecture as big_vision's vit.py parameterises it, and its inference from a
// checkpoint's parameter shapes (so official .npz files need no side config).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace clippo::model {

struct ViTConfig {
  int width = 768;
  int depth = 12;
  int mlp_dim = 3072;
  int num_heads = 12;
  int patch_size = 16;
  int image_size = 224;
  std::string posemb = "learn";  // "learn" or "sincos2d"
  std::string pool_type = "map";  // "map" (MAP head), "gap", "tok" ([cls] token), "0" (first token),
                                  // "last" (last token; token towers only)
  int out_dim = 768;              // head output; 0: no head
  int rep_size = 0;               // pre_logits Dense + tanh when > 0
  bool scan = false;              // checkpoint stores blocks stacked under Transformer/encoderblock
  // > 0: a token tower (big_vision's text_transformer, CLIP*'s text side): it reads seq_len
  // embedded tokens instead of patches, has no patch embedding, and keeps its blocks under
  // Encoder_0/ as text_transformer.py names them. image_size and patch_size are then unused.
  int seq_len = 0;

  int grid() const { return image_size / patch_size; }
  int n_patches() const { return grid() * grid(); }
  bool reads_tokens() const { return seq_len > 0; }
  int n_tokens() const { return reads_tokens() ? seq_len : n_patches(); }  // positions of the sequence
  // "Transformer/" (vit.py) or "Encoder_0/" (text_transformer.py): where the blocks live.
  const char* encoder_prefix() const { return reads_tokens() ? "Encoder_0/" : "Transformer/"; }
  int head_dim() const { return width / num_heads; }
  int embedding_dim() const { return out_dim > 0 ? out_dim : (rep_size > 0 ? rep_size : width); }
  // Throws InvalidArgument naming the first impossible value.
  void validate() const;
};

// big_vision's decode_variant: "Ti/16", "S/32", "B/16", "mu/16"... (Table 2 of 2106.04560).
// pool_type "map" and out_dim = width, as train_clippo.py builds CLIPPO.
ViTConfig vit_variant(const std::string& variant);

// Infers the architecture from the shapes under `prefix` (e.g. "params/img/"). Throws
// InvalidArgument naming the missing or mis-shaped key. `image_size_hint` is used only when
// the checkpoint has no learned position embedding (sincos2d).
// A token tower (blocks under Encoder_0/, no patch embedding) comes back with seq_len set.
ViTConfig infer_vit_config(const std::map<std::string, std::vector<int64_t>>& shapes,
                           const std::string& prefix, int image_size_hint = 224);

nlohmann::json to_json(const ViTConfig& config);
ViTConfig vit_config_from_json(const nlohmann::json& j);

// Number of parameters of the ViT (the one-tower model adds one: the temperature).
int64_t count_parameters(const ViTConfig& config);

}  // namespace clippo::model

// Tiny training data and recipes for the trainer tests: a Crossmodal-3600-layout folder of
// patterned PNGs captioned in two languages, a text-pairs TSV, and a recipe for a ViT small
// enough that a step takes milliseconds on one core.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/base/image.h"
#include "render/png_codec.h"
#include "tests/datasets/temp_dir.h"
#include "tokenizer_baselines/sentencepiece_tokenizer.h"

namespace clippo::train::testing {

using datasets::testing::TempDir;
using datasets::testing::write_text;

// Image i: a distinct pair of colours split at a distinct column, so images differ in ways a
// 32 px ViT can see.
inline ImageU8 pattern_image(int i, int size = 40) {
  ImageU8 img;
  img.height = img.width = size;
  img.channels = 3;
  img.pixels.resize(static_cast<size_t>(size) * size * 3);
  const int split = 4 + (i * 7) % (size - 8);
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      const bool left = x < split;
      img.at(y, x, 0) = static_cast<uint8_t>(left ? (i * 53) % 256 : 255 - (i * 53) % 256);
      img.at(y, x, 1) = static_cast<uint8_t>(left ? (i * 97) % 256 : (y * 6) % 256);
      img.at(y, x, 2) = static_cast<uint8_t>(left ? (i * 31) % 256 : 128);
    }
  }
  return img;
}

// dir/captions.jsonl, dir/images/k<i>.png, dir/split.json (the last `heldout` images held out).
inline void write_tiny_xm3600(const std::string& dir, int n_images, int heldout = 0) {
  std::string lines;
  nlohmann::json train = nlohmann::json::array(), held = nlohmann::json::array();
  for (int i = 0; i < n_images; ++i) {
    const std::string key = "k" + std::to_string(i);
    write_text(dir + "/images/" + key + ".png", render::encode_png(pattern_image(i)));
    nlohmann::json line = {{"image/key", key},
                           {"en", {{"caption", {"thing " + std::to_string(i)}}}},
                           {"fr", {{"caption", {"chose " + std::to_string(i), "objet " + std::to_string(i)}}}}};
    lines += line.dump() + "\n";
    (i >= n_images - heldout ? held : train).push_back(key);
  }
  write_text(dir + "/captions.jsonl", lines);
  write_text(dir + "/split.json", nlohmann::json({{"train", train}, {"heldout", held}}).dump());
}

inline void write_tiny_pairs(const std::string& path, int n) {
  std::string text;
  for (int i = 0; i < n; ++i) text += "thing " + std::to_string(i) + "\tchose " + std::to_string(i) + "\ten\tfr\n";
  write_text(path, text);
}

// A SentencePiece model over the tiny captions and pairs (prefix.model): what the token
// baselines (1t-clip, clip*) read their ids with.
inline std::string write_tiny_tokenizer(const std::string& prefix) {
  std::vector<std::string> sentences;
  for (int i = 0; i < 16; ++i) {
    for (const char* word : {"thing ", "chose ", "objet "}) sentences.push_back(word + std::to_string(i));
  }
  tokenizer_baselines::SentencePieceTrainOptions o;
  o.vocab_size = 40;
  o.hard_vocab_limit = false;  // the corpus is tiny
  o.character_coverage = 1.0;
  tokenizer_baselines::train_sentencepiece_to_files(sentences, o, prefix);
  return prefix + ".model";
}

// A recipe over `data_dir` (write_tiny_xm3600) for a 32 px, 1-block ViT.
inline nlohmann::json tiny_recipe(const std::string& data_dir, const std::string& out_dir) {
  return {
      {"model", {{"variant", "Ti/16"}, {"width", 32}, {"depth", 1}, {"mlp_dim", 64}, {"num_heads", 2},
                 {"patch_size", 8}, {"image_size", 32}}},
      {"data", {{"image_text", {{{"format", "xm3600"}, {"paths", {data_dir}}, {"split", "train"}}}},
                {"shuffle_buffer", 16}, {"workers", 2}}},
      {"optimizer", {{"name", "adamw"}, {"lr", 3e-3}, {"grad_clip_norm", 1.0}}},
      {"schedule", {{"decay_type", "constant"}, {"warmup_steps", 0}, {"cooldown_steps", 0}}},
      {"batch_size", 8},
      {"total_steps", 6},
      {"log_every_steps", 1},
      {"checkpoint_every_steps", 0},
      {"out_dir", out_dir},
  };
}

}  // namespace clippo::train::testing

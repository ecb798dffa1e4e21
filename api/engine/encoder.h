// The engine's encoder: text through the model's own renderer, image files through big_vision's
// decode + resize, both through the same ViT. Shared by the CLI and the HTTP server.
//
// The renderer is part of the model: our models name theirs in clippo_meta["renderer"]; an
// official big_vision checkpoint (no meta) gets big_vision's render_unifont.
//
// The paper's token baselines (1T-CLIP, CLIP*; core/model/model_file.h) read SentencePiece ids
// instead: their tokenizer travels inside the model file, and text goes through it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/model/embedder.h"
#include "render/image_preprocessor.h"
#include "render/text_renderer.h"
#include "tokenizer_baselines/sentencepiece_tokenizer.h"

namespace clippo::engine {

struct EncoderOptions {
  model::EmbedderOptions embedder;
  render::DecodeOptions decode;  // pixel budget for images
  bool antialias = false;        // image resize; big_vision's default is off
};

class Encoder {
 public:
  explicit Encoder(const std::string& model_path, const EncoderOptions& options = {});
  ~Encoder();

  // n texts (UTF-8, any script) -> n x dim() floats, row-major, L2-normalised.
  std::vector<float> encode_texts(const std::vector<std::string>& texts) const;
  // n encoded images (JPEG/PNG/WebP bytes) -> n x dim(). Throws on the first bad image.
  std::vector<float> encode_images(const std::vector<std::string>& encoded) const;
  // Already decoded and resized pixels (image_size x image_size x 3).
  std::vector<float> encode_pixels(const std::vector<const ImageU8*>& images) const;
  std::vector<float> encode_pixels(const std::vector<ImageU8>& images) const;

  // What the model sees for a text / an encoded image. render_text throws FailedPrecondition
  // for a token model, which sees ids, not pixels (tokenize() gives those).
  ImageU8 render_text(const std::string& text) const;
  bool reads_tokens() const { return tokenizer_ != nullptr; }
  std::vector<int32_t> tokenize(const std::string& text) const;
  ImageU8 preprocess_image(const std::string& encoded) const;

  int dim() const;
  const render::TextRenderer& renderer() const;
  const model::Embedder& embedder() const;

 private:
  std::unique_ptr<model::Embedder> embedder_;
  std::unique_ptr<render::TextRenderer> renderer_;
  std::unique_ptr<tokenizer_baselines::SentencePieceTokenizer> tokenizer_;  // token models only
  render::ImagePreprocessSpec image_spec_;
};

// The renderer a model file asks for (meta["renderer"], else big_vision's default at the
// model's image size).
render::RendererSpec renderer_spec_for(const nlohmann::json& meta, int image_size);

}  // namespace clippo::engine

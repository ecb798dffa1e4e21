#include "api/engine/encoder.h"

#include "core/base/error.h"

namespace clippo::engine {

render::RendererSpec renderer_spec_for(const nlohmann::json& meta, int image_size) {
  render::RendererSpec spec;
  if (meta.is_object() && meta.contains("renderer")) spec = render::renderer_spec_from_json(meta["renderer"]);
  if (!(meta.is_object() && meta.contains("renderer") && meta["renderer"].contains("image_size"))) {
    spec.image_size = image_size;
  }
  CLIPPO_CHECK(spec.image_size == image_size, kInvalidArgument,
               "the model's renderer draws " + std::to_string(spec.image_size) + " px images but the model reads " +
                   std::to_string(image_size) + " px");
  return spec;
}

Encoder::Encoder(const std::string& model_path, const EncoderOptions& options)
    : embedder_(std::make_unique<model::Embedder>(model_path, options.embedder)) {
  renderer_ = render::make_text_renderer(renderer_spec_for(embedder_->meta(), embedder_->image_size()));
  image_spec_.image_size = embedder_->image_size();
  image_spec_.antialias = options.antialias;
  image_spec_.decode = options.decode;
  if (embedder_->reads_tokens()) {
    tokenizer_ = tokenizer_baselines::SentencePieceTokenizer::from_bytes(embedder_->text_input().tokenizer_model,
                                                                         "model tokenizer", model_path);
    const size_t vocab = tokenizer_->vocab_size();
    CLIPPO_CHECK(vocab <= static_cast<size_t>(embedder_->text_input().vocab_size), kInvalidArgument,
                 model_path + ": its tokenizer has " + std::to_string(vocab) + " pieces but the token embedding only " +
                     std::to_string(embedder_->text_input().vocab_size) + " rows");
  }
}

Encoder::~Encoder() = default;

std::vector<int32_t> Encoder::tokenize(const std::string& text) const {
  CLIPPO_CHECK(tokenizer_ != nullptr, kFailedPrecondition,
               embedder_->path() + " is a CLIPPO model: it reads rendered text, not tokens");
  return tokenizer_->encode_padded(text, static_cast<size_t>(embedder_->text_input().seq_len));
}

std::vector<float> Encoder::encode_texts(const std::vector<std::string>& texts) const {
  if (tokenizer_) {
    std::vector<std::vector<int32_t>> ids;
    ids.reserve(texts.size());
    for (const auto& t : texts) ids.push_back(tokenize(t));
    return embedder_->embed_tokens(ids);
  }
  std::vector<ImageU8> images;
  images.reserve(texts.size());
  for (const auto& t : texts) images.push_back(renderer_->render(t));
  return embedder_->embed(images);
}

std::vector<float> Encoder::encode_images(const std::vector<std::string>& encoded) const {
  std::vector<ImageU8> images;
  images.reserve(encoded.size());
  for (const auto& bytes : encoded) images.push_back(preprocess_image(bytes));
  return embedder_->embed(images);
}

std::vector<float> Encoder::encode_pixels(const std::vector<const ImageU8*>& images) const {
  return embedder_->embed(images);
}

std::vector<float> Encoder::encode_pixels(const std::vector<ImageU8>& images) const { return embedder_->embed(images); }

ImageU8 Encoder::render_text(const std::string& text) const {
  CLIPPO_CHECK(tokenizer_ == nullptr, kFailedPrecondition,
               std::string("this is a ") + model::model_kind_name(embedder_->text_input().kind) +
                   " model: it reads SentencePiece tokens, so no rendered text is what it sees");
  return renderer_->render(text);
}

ImageU8 Encoder::preprocess_image(const std::string& encoded) const {
  return render::preprocess_image(encoded, image_spec_);
}

int Encoder::dim() const { return embedder_->dim(); }
const render::TextRenderer& Encoder::renderer() const { return *renderer_; }
const model::Embedder& Encoder::embedder() const { return *embedder_; }

}  // namespace clippo::engine

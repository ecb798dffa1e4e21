// The engine's Encoder: text goes through the model's own renderer, images through decode +
// resize, both through one ViT; concurrent callers get the serial results.
#include "api/engine/encoder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/npz.h"
#include "api/engine/search_engine.h"
#include "core/model/model_tools.h"
#include "render/png_codec.h"
#include "tokenizer_baselines/sentencepiece_tokenizer.h"

namespace clippo::engine {
namespace {

std::string make_model(const std::string& name, const std::string& renderer, bool with_meta = true) {
  const auto path = (std::filesystem::temp_directory_path() / ("clippo_encoder_test_" + name + ".npz")).string();
  model::ViTConfig c = model::vit_variant("mu/16");
  c.depth = 1;
  c.out_dim = 16;
  nlohmann::json meta = nullptr;
  if (with_meta) {
    render::RendererSpec spec;
    spec.kind = renderer;
    meta = {{"renderer", render::to_json(spec)}};
  }
  model::init_model_file(path, c, meta, 5);
  if (!with_meta) {  // strip our meta entirely, as in an official big_vision checkpoint
    auto arrays = read_npz(path);
    arrays.erase("clippo_meta");
    write_npz(path, arrays);
  }
  return path;
}

std::vector<float> embed_one(const Encoder& e, const ImageU8& img) { return e.encode_pixels({&img}); }

// Different batch sizes take different GEMM blockings (seen on a 16-core machine): equal up to
// float reassociation, not bit for bit.
void expect_close(const std::vector<float>& a, const std::vector<float>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-5) << i;
}

TEST(EncoderTest, TextGoesThroughTheModelsRenderer) {
  const Encoder unifont(make_model("unifont", "unifont"));
  EXPECT_EQ(unifont.renderer().spec().kind, "unifont");
  const std::string text = "Ein Hund spielt im Park";
  EXPECT_EQ(unifont.encode_texts({text}), embed_one(unifont, unifont.renderer().render(text)));
  const Encoder shaped(make_model("shaped", "shaped"));
  EXPECT_EQ(shaped.renderer().spec().kind, "shaped");
  EXPECT_NE(shaped.render_text(text).pixels, unifont.render_text(text).pixels);
}

TEST(EncoderTest, BigVisionCheckpointsGetBigVisionsRenderer) {
  const Encoder e(make_model("bv", "shaped", /*with_meta=*/false));
  EXPECT_TRUE(e.embedder().meta().is_null());
  EXPECT_EQ(e.renderer().spec().kind, "unifont");
  EXPECT_EQ(e.renderer().spec().lower, render::LowerCase::kAscii);
  EXPECT_EQ(e.renderer().spec().image_size, 224);
}

TEST(EncoderTest, ImagesAreDecodedAndResizedLikeBigVision) {
  const Encoder e(make_model("img", "unifont"));
  const std::string jpg = read_file(std::string(CLIPPO_TEST_DATA_DIR) + "/images/photo.jpg");
  const std::vector<float> z = e.encode_images({jpg, jpg});
  ASSERT_EQ(z.size(), 2u * e.dim());
  expect_close(std::vector<float>(z.begin(), z.begin() + e.dim()), embed_one(e, render::preprocess_image(jpg)));
  EXPECT_THROW(e.encode_images({jpg, "not an image"}), Error);
}

TEST(EncoderTest, BatchesAndThreadsGiveTheSameEmbeddings) {
  const Encoder e(make_model("threads", "unifont"));
  std::vector<std::string> texts;
  for (int i = 0; i < 40; ++i) texts.push_back("caption number " + std::to_string(i));
  const std::vector<float> all = e.encode_texts(texts);
  // Row i of a batch equals encoding text i alone (up to float reassociation in GEMM).
  const std::vector<float> one = e.encode_texts({texts[17]});
  for (int j = 0; j < e.dim(); ++j) EXPECT_NEAR(one[j], all[17 * e.dim() + j], 1e-5);
  std::vector<std::vector<float>> results(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back([&, t] { results[t] = e.encode_texts(texts); });
  for (auto& th : threads) th.join();
  for (const auto& r : results) {
    ASSERT_EQ(r.size(), all.size());
    for (size_t i = 0; i < r.size(); ++i) ASSERT_NEAR(r[i], all[i], 1e-5);
  }
}

TEST(EncoderTest, RendererAndModelImageSizesMustAgree) {
  const auto path = (std::filesystem::temp_directory_path() / "clippo_encoder_test_mismatch.npz").string();
  model::ViTConfig c = model::vit_variant("mu/16");
  c.depth = 1;
  render::RendererSpec spec;
  spec.image_size = 128;  // the model reads 224
  model::init_model_file(path, c, {{"renderer", render::to_json(spec)}}, 1);
  EXPECT_THROW(Encoder{path}, Error);
}

}  // namespace
}  // namespace clippo::engine

namespace clippo::engine {
namespace {

// A random 1T-CLIP over a tiny SentencePiece model: text goes through the tokenizer inside the
// model file, never through a renderer, in the Encoder and in search alike.
TEST(EncoderTest, TokenBaselinesReadTextThroughTheTokenizerInTheirFile) {
  std::vector<std::string> corpus;
  for (int i = 0; i < 12; ++i) corpus.push_back("red thing " + std::to_string(i));
  tokenizer_baselines::SentencePieceTrainOptions so;
  so.vocab_size = 30;
  so.hard_vocab_limit = false;
  model::TextInput text;
  text.kind = model::ModelKind::kOneTowerTokens;
  text.tokenizer_model = tokenizer_baselines::train_sentencepiece(corpus, so);
  text.vocab_size = static_cast<int>(tokenizer_baselines::SentencePieceTokenizer::from_bytes(text.tokenizer_model, "t")->vocab_size());
  text.seq_len = 32;
  model::ViTConfig c = model::vit_variant("mu/16");
  c.depth = 1;
  c.out_dim = 16;
  const auto dir = std::filesystem::temp_directory_path() / "clippo_encoder_test_tokens";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "1tclip.npz").string();
  model::init_model_file(path, c, nullptr, 3, DType::kFloat32, text);

  const Encoder e(path);
  ASSERT_TRUE(e.reads_tokens());
  const std::vector<int32_t> ids = e.tokenize("red thing 3");
  ASSERT_EQ(ids.size(), 32u);
  EXPECT_NE(ids[0], 0);
  EXPECT_EQ(ids.back(), 0);  // padded with 0, as big_vision pads
  EXPECT_EQ(e.encode_texts({"red thing 3"}), e.embedder().embed_tokens({ids}));
  const auto two = e.encode_texts({"red thing 3", "red thing 4"});
  EXPECT_NE(std::vector<float>(two.begin(), two.begin() + 16), std::vector<float>(two.begin() + 16, two.end()));
  try {
    e.render_text("red");
    FAIL() << "a token model rendered text";
  } catch (const Error& err) {
    EXPECT_EQ(err.code(), ErrorCode::kFailedPrecondition);
  }

  EngineOptions options;
  SearchEngine engine(path, (dir / "store").string(), options, /*create_store=*/true);
  ImageU8 img(224, 224, 3);
  for (size_t i = 0; i < img.pixels.size(); ++i) img.pixels[i] = static_cast<uint8_t>(i * 7);
  index::Item item;
  item.uri = "x.png";
  item.caption = "red thing";
  item.lang = "en";
  const int64_t id = engine.add_item(item, render::encode_png(img));
  const SearchResponse r = engine.search_text("red thing 3", 1);
  ASSERT_EQ(r.results.size(), 1u);
  EXPECT_EQ(r.results[0].id, id);
  EXPECT_EQ(engine.embed_text("red thing 3"), e.encode_texts({"red thing 3"}));

  // A damaged tokenizer inside the file: one error naming the model, not a crash at first query.
  text.tokenizer_model = "not a SentencePiece model";
  const std::string broken = (dir / "broken.npz").string();
  model::init_model_file(broken, c, nullptr, 3, DType::kFloat32, text);
  try {
    const Encoder bad(broken);
    FAIL() << "loaded a model whose tokenizer is garbage";
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find(broken), std::string::npos) << err.what();
  }

  const Encoder clippo(make_model("clippo_for_tokens", "unifont"));
  EXPECT_FALSE(clippo.reads_tokens());
  EXPECT_THROW(clippo.tokenize("red"), Error);
}

}  // namespace
}  // namespace clippo::engine

// The engine's Encoder: text goes through the model's own renderer, images through decode +
// resize, both through one ViT; concurrent callers get the serial results.
#include "api/engine/encoder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/npz.h"
#include "core/model/model_tools.h"

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

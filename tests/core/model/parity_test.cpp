// Parity with big_vision: checkpoints and embeddings written by big_vision's own vit.py and
// one_tower.py (JAX/flax, float32) for three small random models, made by
// tests/data/make_model_parity.py. Our LibTorch model must reproduce them.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>

#include "core/base/file_io.h"
#include "core/model/embedder.h"
#include "core/model/embedding_agreement.h"

namespace clippo::model {
namespace {

std::string fixture(const std::string& name) { return std::string(CLIPPO_TEST_DATA_DIR) + "/model/" + name; }

TEST(BigVisionParityTest, EmbeddingsMatchJax) {
  const auto manifest = nlohmann::json::parse(read_file(fixture("manifest.json")));
  ASSERT_EQ(manifest["cases"].size(), 3u);
  for (const auto& [name, c] : manifest["cases"].items()) {
    const int size = c["image_size"], n = c["n_images"], dim = c["dim"];
    EmbedderOptions options;
    options.image_size = size;  // the sincos2d case records no image size
    options.max_batch = 3;      // exercise batching: 4 images in two passes
    const Embedder embedder(fixture(name + ".npz"), options);
    ASSERT_EQ(embedder.dim(), dim) << name;
    EXPECT_NEAR(embedder.temperature(), c["temperature"].get<float>(), 1e-4) << name;

    const std::string pixels = read_file(fixture(name + "_images.u8"));
    const std::string expected_bytes = read_file(fixture(name + "_embeddings.f32"));
    std::vector<ImageU8> images(n, ImageU8(size, size, 3));
    for (int i = 0; i < n; ++i) {
      std::memcpy(images[i].data(), pixels.data() + static_cast<size_t>(i) * images[i].size(), images[i].size());
    }
    const std::vector<float> got = embedder.embed(images);
    std::vector<float> want(static_cast<size_t>(n) * dim);
    std::memcpy(want.data(), expected_bytes.data(), want.size() * sizeof(float));
    const auto agreement = compare_embeddings(got.data(), want.data(), static_cast<size_t>(n), static_cast<size_t>(dim));
    const double min_cos = agreement.min_cosine, max_abs = agreement.max_abs_diff;
    RecordProperty(name + "_max_abs_error", std::to_string(max_abs));
    std::printf("parity %-16s min cosine %.9f  max |diff| %.3g\n", name.c_str(), min_cos, max_abs);
    EXPECT_GE(min_cos, 0.99999) << name;
    EXPECT_LT(max_abs, 1e-4) << name;
  }
}

TEST(BigVisionParityTest, ImageSizeOverrideMustAgreeWithLearnedPositions) {
  EmbedderOptions options;
  options.image_size = 224;  // map_learn's 16 learned positions say 64 px
  EXPECT_THROW(Embedder(fixture("map_learn.npz"), options), std::exception);
}

}  // namespace
}  // namespace clippo::model

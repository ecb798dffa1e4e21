// The paper's token baselines as model files: 1T-CLIP (SentencePiece ids through the one ViT)
// and CLIP* (a separate text tower named as big_vision's text_transformer.py names it). Round
// trips in every layout, which weights each text side reads, and one clear error per broken file.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/model/clippo_model.h"
#include "core/model/model_file.h"

namespace clippo::model {
namespace {

constexpr int kVocab = 50, kSeqLen = 6;
// The model file carries its tokenizer's bytes without reading them (the engine does).
const std::string kTokenizerBytes = std::string("tokenizer bytes\0with a NUL", 26);

ViTConfig tiny_image_tower(const std::string& pool = "map") {
  ViTConfig c = vit_variant("mu/16");
  c.depth = 2;
  c.image_size = 32;
  c.pool_type = pool;
  c.out_dim = 24;
  return c;
}

TextInput one_tower_text() {
  TextInput t;
  t.kind = ModelKind::kOneTowerTokens;
  t.vocab_size = kVocab;
  t.seq_len = kSeqLen;
  t.tokenizer_model = kTokenizerBytes;
  return t;
}

TextInput two_tower_text(const std::string& pool = "map", bool scan = false) {
  TextInput t = one_tower_text();
  t.kind = ModelKind::kTwoTowers;
  t.tower = tiny_image_tower(pool);
  t.tower.seq_len = kSeqLen;
  t.tower.depth = 1;
  t.tower.scan = scan;
  return t;
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("clippo_token_model_test_" + name)).string();
}

torch::Tensor token_ids(int n, int seed) {
  torch::manual_seed(seed);
  return torch::randint(0, kVocab, {n, kSeqLen}, torch::kInt64);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(TokenModelsTest, TextTowerParametersAreTextTransformerNames) {
  ViTConfig c = tiny_image_tower();
  c.seq_len = kSeqLen;
  ViT tower(c);
  const auto expected = expected_param_shapes(c);
  ASSERT_EQ(expected.size(), tower->param_names().size());
  int64_t total = 0;
  for (const auto& [name, shape] : expected) {
    EXPECT_EQ(tower->param(name).sizes().vec(), shape) << name;
    total += tower->param(name).numel();
  }
  EXPECT_EQ(total, count_parameters(c));
  EXPECT_EQ(tower->param("pos_embedding").sizes().vec(), (std::vector<int64_t>{1, kSeqLen, 32}));
  EXPECT_NO_THROW(tower->param("Encoder_0/encoderblock_1/MlpBlock_0/Dense_0/kernel"));
  EXPECT_NO_THROW(tower->param("Encoder_0/encoder_norm/scale"));
  EXPECT_THROW(tower->param("embedding/kernel"), Error);  // no patches in a token tower
  EXPECT_THROW(tower->forward(torch::zeros({1, 32, 32, 3})), Error);
}

TEST(TokenModelsTest, RoundTripBothKindsInEveryLayout) {
  std::vector<std::pair<std::string, TextInput>> cases = {{"1t-clip", one_tower_text()}};
  for (const bool scan : {false, true}) {
    for (const std::string pool : {"map", "gap", "last"}) cases.push_back({"clip* " + pool, two_tower_text(pool, scan)});
  }
  const auto x = torch::rand({2, 32, 32, 3}) * 2 - 1;
  for (const auto& [label, text] : cases) {
    torch::manual_seed(4);
    ClippoModel model(tiny_image_tower(), nlohmann::json::object(), 10.0, text);
    const auto ids = token_ids(3, 5);
    const auto want_text = model->embed_tokens(ids);
    const auto want_images = model->embed(x);
    EXPECT_LT((want_text.norm(2, 1) - 1).abs().max().item<float>(), 1e-5f) << label;
    const std::string path = temp_path("rt.npz");
    model->save(path);

    const ModelFile f = read_model_file(path);
    EXPECT_EQ(f.text.kind, text.kind) << label;
    EXPECT_EQ(f.text.vocab_size, kVocab);
    EXPECT_EQ(f.text.seq_len, kSeqLen);
    EXPECT_EQ(f.text.tokenizer_model, kTokenizerBytes);
    EXPECT_EQ(f.text_prefix, "params/txt/");
    EXPECT_EQ(f.arrays.count("params/txt/Embed_0/embedding"), 1u);
    if (text.kind == ModelKind::kTwoTowers) {
      EXPECT_EQ(f.text.tower.pool_type, text.tower.pool_type) << label;  // gap and last come from the meta
      EXPECT_EQ(f.text.tower.scan, text.tower.scan);
      EXPECT_EQ(f.arrays.count(text.tower.scan ? "params/txt/Encoder_0/encoderblock/LayerNorm_0/scale"
                                               : "params/txt/Encoder_0/encoderblock_0/LayerNorm_0/scale"),
                1u)
          << label;
    } else {
      EXPECT_EQ(f.arrays.count("params/txt/pos_embedding"), 1u);
    }
    const auto loaded = ClippoModelImpl::load(f);
    EXPECT_TRUE(torch::equal(loaded->embed_tokens(ids), want_text)) << label;
    EXPECT_TRUE(torch::equal(loaded->embed(x), want_images)) << label;
    EXPECT_TRUE(torch::equal(loaded->embed_text(ids), want_text)) << label;
    const auto names = loaded->named_tensors();
    ASSERT_EQ(names.size(), model->named_tensors().size());
    EXPECT_EQ(names.back().first, "t");
  }
}

TEST(TokenModelsTest, OneTowerReadsTextWithTheImageTowerAndClipStarDoesNot) {
  const auto ids = token_ids(2, 9);
  const std::string shared = "Transformer/encoderblock_0/MlpBlock_0/Dense_0/bias";
  for (const TextInput& text : {one_tower_text(), two_tower_text()}) {
    torch::manual_seed(6);
    ClippoModel model(tiny_image_tower(), nullptr, 10.0, text);
    torch::NoGradGuard no_grad;
    const auto before = model->embed_tokens(ids);
    model->vit->param(shared).add_(0.5);
    const bool moved = !torch::allclose(model->embed_tokens(ids), before);
    EXPECT_EQ(moved, text.kind == ModelKind::kOneTowerTokens) << model_kind_name(text.kind);
    if (text.kind == ModelKind::kTwoTowers) {
      for (auto& [name, tensor] : model->named_tensors()) {
        if (name == "txt/Encoder_0/encoderblock_0/MlpBlock_0/Dense_0/bias") tensor.add_(0.5);
      }
      EXPECT_FALSE(torch::allclose(model->embed_tokens(ids), before));
    }
  }
}

TEST(TokenModelsTest, BrokenFilesAndInputsNameTheProblem) {
  torch::manual_seed(1);
  ClippoModel model(tiny_image_tower(), nullptr, 10.0, two_tower_text());
  const std::string good = temp_path("good.npz");
  model->save(good);
  const auto arrays = read_npz(good);
  const std::string bad = temp_path("bad.npz");
  auto with = [&](const std::function<void(std::map<std::string, NpyArray>&)>& edit) {
    auto copy = arrays;
    edit(copy);
    write_npz(bad, copy);
    return error_of([&] { read_model_file(bad); });
  };
  EXPECT_NE(with([](auto& a) { a.erase(kTokenizerKey); }).find("clippo_tokenizer"), std::string::npos);
  EXPECT_NE(with([](auto& a) { a.erase("params/txt/Embed_0/embedding"); }).find("params/txt/Embed_0/embedding"),
            std::string::npos);
  const std::string q = "params/txt/Encoder_0/encoderblock_0/MultiHeadDotProductAttention_0/query/kernel";
  EXPECT_NE(with([&](auto& a) { a.erase(q); }).find("'" + q + "'"), std::string::npos);
  const std::string probe = "params/txt/MAPHead_0/MultiHeadDotProductAttention_0/key/bias";
  EXPECT_NE(with([&](auto& a) { a.erase(probe); }).find("missing parameter '" + probe + "'"), std::string::npos);
  EXPECT_NE(with([&](auto& a) { a["params/txt/extra"] = a[q]; }).find("unexpected parameter 'params/txt/extra'"),
            std::string::npos);
  EXPECT_NE(with([](auto& a) {
              a["params/txt/head/kernel"].shape = {32, 12};
              a["params/txt/head/kernel"].data.resize(32 * 12 * 4);
              a["params/txt/head/bias"].shape = {12};
              a["params/txt/head/bias"].data.resize(12 * 4);
            }).find("embeds into 12 dims"),
            std::string::npos);

  // 1T-CLIP: its positions are all that tell its length.
  ClippoModel one(tiny_image_tower(), nullptr, 10.0, one_tower_text());
  one->save(good);
  auto one_arrays = read_npz(good);
  one_arrays["params/txt/pos_embedding"].shape = {kSeqLen * 32};
  write_npz(bad, one_arrays);
  EXPECT_NE(error_of([&] { read_model_file(bad); }).find("'params/txt/pos_embedding' has shape"), std::string::npos);

  EXPECT_NE(error_of([&] { model->embed_tokens(torch::full({1, kSeqLen}, kVocab, torch::kInt64)); })
                .find("outside the vocabulary"),
            std::string::npos);
  EXPECT_NE(error_of([&] { model->embed_tokens(torch::zeros({1, kSeqLen + 1}, torch::kInt64)); }).find("token ids"),
            std::string::npos);
  ClippoModel clippo(tiny_image_tower());
  EXPECT_NE(error_of([&] { clippo->embed_tokens(token_ids(1, 2)); }).find("reads rendered text"), std::string::npos);
}

}  // namespace
}  // namespace clippo::model

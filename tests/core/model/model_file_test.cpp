// Model files: architecture inference, round trips in every layout and dtype, and one clear
// error per kind of broken file. Uses tiny random models (width 32, depth 2) on the CPU.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/model/clippo_model.h"
#include "core/model/model_file.h"

namespace clippo::model {
namespace {

ViTConfig tiny(const std::string& pool = "map", bool scan = false) {
  ViTConfig c = vit_variant("mu/16");
  c.depth = 2;
  c.image_size = 32;
  c.pool_type = pool;
  c.out_dim = 24;
  c.scan = scan;
  return c;
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("clippo_model_test_" + name)).string();
}

torch::Tensor images(int n, int size, int seed) {
  torch::manual_seed(seed);
  return torch::rand({n, size, size, 3}) * 2 - 1;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(VitConfigTest, VariantsFollowBigVisionTable) {
  const ViTConfig b = vit_variant("B/16");
  EXPECT_EQ(b.width, 768);
  EXPECT_EQ(b.depth, 12);
  EXPECT_EQ(b.mlp_dim, 3072);
  EXPECT_EQ(b.num_heads, 12);
  EXPECT_EQ(b.patch_size, 16);
  const ViTConfig ti = vit_variant("Ti/8");
  EXPECT_EQ(ti.width, 192);
  EXPECT_EQ(ti.num_heads, 3);
  EXPECT_EQ(ti.patch_size, 8);
  EXPECT_EQ(vit_variant("L/14").depth, 24);
  EXPECT_THROW(vit_variant("Q/16"), Error);
  EXPECT_THROW(vit_variant("B/x"), Error);
  // CLIPPO B/16: 93M parameters in the paper's table, 86M of them the ViT trunk.
  EXPECT_NEAR(static_cast<double>(count_parameters(b)), 93.0e6, 1.0e6);
}

TEST(VitConfigTest, ConfigFieldsMustBeIntegersInRange) {
  // A float past int's range was a C++ cast with undefined behaviour; now it is an error.
  ViTConfig c = vit_config_from_json(to_json(vit_variant("Ti/16")));
  EXPECT_EQ(c.width, 192);
  for (const nlohmann::json& bad : {nlohmann::json(1e30), nlohmann::json(12.5), nlohmann::json(int64_t{1} << 40)}) {
    nlohmann::json j = to_json(vit_variant("Ti/16"));
    j["width"] = bad;
    try {
      vit_config_from_json(j);
      ADD_FAILURE() << "width " << bad.dump() << " was read";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("'width'"), std::string::npos) << e.what();
    }
  }
}

TEST(VitConfigTest, ParameterListMatchesTheModule) {
  for (const std::string pool : {"map", "gap", "tok"}) {
    ViTConfig c = tiny(pool);
    c.rep_size = 16;
    ViT vit(c);
    const auto expected = expected_param_shapes(c);
    ASSERT_EQ(expected.size(), vit->param_names().size()) << pool;
    int64_t total = 0;
    for (const auto& [name, shape] : expected) {
      EXPECT_EQ(vit->param(name).sizes().vec(), shape) << name;
      total += vit->param(name).numel();
    }
    EXPECT_EQ(total, count_parameters(c)) << pool;
  }
}

TEST(ModelFileTest, RoundTripInEveryLayoutAndDtype) {
  for (const bool scan : {false, true}) {
    for (const std::string pool : {"map", "gap", "tok"}) {
      torch::manual_seed(1);
      ClippoModel model(tiny(pool, scan), nlohmann::json{{"renderer", {{"kind", "unifont"}}}});
      const auto x = images(3, 32, 7);
      const auto want = model->embed(x);
      const std::string path = temp_path("rt.npz");
      model->save(path);
      const ModelFile f = read_model_file(path);
      EXPECT_EQ(f.config.scan, scan);
      EXPECT_EQ(f.config.pool_type, pool);
      EXPECT_EQ(f.config.depth, 2);
      EXPECT_EQ(f.config.out_dim, 24);
      EXPECT_EQ(f.meta["renderer"]["kind"], "unifont");
      auto loaded = ClippoModelImpl::load(f);
      EXPECT_TRUE(torch::equal(loaded->embed(x), want)) << pool << " scan=" << scan;
      for (const auto& name : model->vit->param_names()) {
        EXPECT_TRUE(torch::equal(loaded->vit->param(name), model->vit->param(name))) << name;
      }
      EXPECT_FLOAT_EQ(loaded->log_temperature.item<float>(), std::log(10.0f));

      for (const DType dtype : {DType::kFloat16, DType::kBFloat16}) {
        model->save(path, dtype);
        const ModelFile low = read_model_file(path);
        EXPECT_EQ(low.stored_dtype, dtype);
        const auto got = ClippoModelImpl::load(low)->embed(x);
        const float cos = (got * want).sum(1).min().item<float>();
        EXPECT_GT(cos, dtype == DType::kFloat16 ? 0.999f : 0.99f) << dtype_name(dtype);
      }
    }
  }
}

TEST(ModelFileTest, EmbeddingsAreUnitNorm) {
  torch::manual_seed(3);
  ClippoModel model(tiny());
  const auto z = model->embed(images(5, 32, 2));
  EXPECT_EQ(z.sizes().vec(), (std::vector<int64_t>{5, 24}));
  EXPECT_LT((z.norm(2, 1) - 1).abs().max().item<float>(), 1e-5f);
}

TEST(ModelFileTest, BrokenFilesNameTheProblem) {
  torch::manual_seed(1);
  ClippoModel model(tiny());
  const std::string good = temp_path("good.npz");
  model->save(good);
  auto arrays = read_npz(good);
  const std::string bad = temp_path("bad.npz");

  auto with = [&](const std::function<void(std::map<std::string, NpyArray>&)>& edit) {
    auto copy = arrays;
    edit(copy);
    write_npz(bad, copy);
    return error_of([&] { read_model_file(bad); });
  };
  const std::string q = "params/img/Transformer/encoderblock_1/MultiHeadDotProductAttention_0/query/kernel";
  EXPECT_NE(with([&](auto& a) { a.erase(q); }).find("missing parameter '" + q + "'"), std::string::npos);
  EXPECT_NE(with([&](auto& a) { a[q].shape = {32, 1, 32}; }).find(q + "' has shape (32, 1, 32)"), std::string::npos);
  EXPECT_NE(with([&](auto& a) { a["params/img/extra/kernel"] = a[q]; }).find("unexpected parameter 'params/img/extra/kernel'"),
            std::string::npos);
  EXPECT_NE(with([&](auto& a) { a.erase("params/img/embedding/kernel"); }).find("not a CLIPPO model"), std::string::npos);
  // The metadata array's shape follows its bytes, so these reach the JSON reader (with the shape
  // left as it was, a shorter text was refused earlier, as an array with too few bytes).
  const auto meta = [](std::map<std::string, NpyArray>& a, const std::string& text) {
    a[kMetaKey].data = text;
    a[kMetaKey].shape = {static_cast<int64_t>(text.size())};
  };
  const std::string not_json = with([&](auto& a) { meta(a, "{not json"); });
  EXPECT_NE(not_json.find("'clippo_meta' is not valid JSON"), std::string::npos) << not_json;
  // An image size past int's range is an error, not wrapped to a size the file never said.
  const std::string huge = with([&](auto& a) { meta(a, R"({"image_size": 4294967520})"); });
  EXPECT_NE(huge.find("'image_size' must be an integer"), std::string::npos) << huge;
  EXPECT_NE(with([&](auto& a) {
              a[q].dtype = DType::kInt32;
            }).find("dtype int32"),
            std::string::npos);

  const std::string bytes = read_file(good);
  write_file_atomically(bad, bytes.substr(0, bytes.size() / 2));
  EXPECT_NE(error_of([&] { read_model_file(bad); }).find(bad), std::string::npos);
  EXPECT_NE(error_of([&] { read_model_file("/nonexistent/model.npz"); }).find("no such file"), std::string::npos);
}

TEST(ModelFileTest, InfersArchitectureFromShapesAlone) {
  // A big_vision checkpoint has no clippo_meta: everything comes from shapes.
  torch::manual_seed(2);
  ViTConfig c = tiny("map");
  c.image_size = 48;  // 3x3 grid of 16-px patches
  ClippoModel model(c);
  const std::string path = temp_path("bv.npz");
  model->save(path);
  auto arrays = read_npz(path);
  arrays.erase(kMetaKey);
  write_npz(path, arrays);
  const ModelFile f = read_model_file(path);
  EXPECT_TRUE(f.meta.is_null());
  EXPECT_EQ(f.config.image_size, 48);
  EXPECT_EQ(f.config.width, 32);
  EXPECT_EQ(f.config.num_heads, 2);
  EXPECT_EQ(f.config.mlp_dim, 128);
  EXPECT_EQ(f.config.pool_type, "map");
  EXPECT_EQ(f.config.embedding_dim(), 24);
  EXPECT_EQ(f.content_hash.rfind("fnv1a64:", 0), 0u);
}

}  // namespace
}  // namespace clippo::model

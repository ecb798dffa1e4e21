#include "core/train/train_recipe.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/base/error.h"

namespace clippo::train {
namespace {

nlohmann::json minimal() {
  return {{"data", {{"image_text", {{"format", "tsv"}, {"paths", {"x.tsv"}}}}}}};
}

std::string error_of(const nlohmann::json& j) {
  try {
    train_recipe_from_json(j);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    return e.what();
  }
  return "";
}

TEST(TrainRecipe, DefaultsAreThePapersRecipe) {
  const TrainRecipe r = train_recipe_from_json(minimal());
  EXPECT_EQ(r.optimizer.name, "adafactor");
  EXPECT_DOUBLE_EQ(r.optimizer.lr, 1e-3);
  EXPECT_DOUBLE_EQ(r.optimizer.weight_decay, 1e-4);
  EXPECT_DOUBLE_EQ(r.optimizer.grad_clip_norm, 1.0);
  EXPECT_DOUBLE_EQ(r.optimizer.momentum, 0.9);
  EXPECT_EQ(r.optimizer.momentum_dtype, "bfloat16");
  EXPECT_EQ(r.schedule.decay_type, "rsqrt");
  EXPECT_DOUBLE_EQ(r.model.temperature_init, 10.0);
  EXPECT_EQ(r.renderer.kind, "unifont");
  EXPECT_EQ(r.renderer.image_size, 224);
  EXPECT_EQ(r.model.vit_config().pool_type, "map");
}

TEST(TrainRecipe, RoundTripsThroughJson) {
  nlohmann::json j = minimal();
  j["model"] = {{"variant", "S/16"}, {"image_size", 64}, {"depth", 3}};
  j["data"]["text_pairs"] = {{"format", "text_pairs_tsv"}, {"paths", {"p.tsv"}}};
  j["data"]["text_pair_fraction"] = 0.25;
  j["data"]["augment"] = {{"crop_min_area", 0.8}, {"brightness", 0.3}, {"saturation", 0.4}, {"hue", 0.05},
                          {"grayscale", 0.1}};
  j["schedule"] = {{"decay_type", "cosine"}, {"warmup_steps", 5}, {"cooldown_steps", 0}};
  j["total_steps"] = 50;
  const TrainRecipe r = train_recipe_from_json(j);
  EXPECT_EQ(r.renderer.image_size, 64);  // follows the model
  EXPECT_EQ(r.model.vit_config().depth, 3);
  EXPECT_EQ(r.model.vit_config().width, 384);
  EXPECT_DOUBLE_EQ(r.data.augment.hue, 0.05);
  EXPECT_DOUBLE_EQ(r.data.augment.contrast, 0.0);
  EXPECT_TRUE(r.data.augment.photometric());
  EXPECT_EQ(to_json(train_recipe_from_json(to_json(r))), to_json(r));
}

TEST(TrainRecipe, RefusesUnknownKeysWrongTypesAndImpossibleValues) {
  auto j = minimal();
  j["optimiser"] = nlohmann::json::object();
  EXPECT_NE(error_of(j).find("optimiser"), std::string::npos);
  j = minimal();
  j["optimizer"] = {{"lr", "fast"}};
  EXPECT_NE(error_of(j).find("optimizer.lr must be a number"), std::string::npos);
  j = minimal();
  j["optimizer"] = {{"learning_rate", 1}};
  EXPECT_NE(error_of(j).find("optimizer.learning_rate"), std::string::npos);
  j = minimal();
  j["batch_size"] = 1;
  EXPECT_NE(error_of(j).find("batch_size"), std::string::npos);
  j = minimal();
  j["total_steps"] = 100;  // default warmup 10000
  EXPECT_NE(error_of(j).find("warmup_steps"), std::string::npos);
  j = minimal();
  j["data"]["text_pair_fraction"] = 0.5;  // without a text_pairs source
  EXPECT_NE(error_of(j).find("text_pairs"), std::string::npos);
  j = minimal();
  j["model"] = {{"variant", "Q/16"}};
  EXPECT_NE(error_of(j).find("model"), std::string::npos);
  j = minimal();
  j["data"]["image_text"]["format"] = "parquet";
  EXPECT_NE(error_of(j).find("data.image_text"), std::string::npos);
  j = minimal();
  j["precision"] = "bfloat16";  // on the CPU
  EXPECT_NE(error_of(j).find("cuda"), std::string::npos);
  j = minimal();
  j["renderer"] = {{"image_size", 32}};
  EXPECT_NE(error_of(j).find("renderer.image_size"), std::string::npos);
  j = minimal();
  j["data"]["augment"] = {{"hue", 0.6}};  // more than half a turn is the other direction
  EXPECT_NE(error_of(j).find("data.augment.hue"), std::string::npos);
  j = minimal();
  j["data"]["augment"] = {{"grayscale", 1.5}};
  EXPECT_NE(error_of(j).find("data.augment.grayscale must be in [0, 1]"), std::string::npos);
  j = minimal();
  j["data"]["augment"] = {{"colour", 0.2}};
  EXPECT_NE(error_of(j).find("data.augment.colour"), std::string::npos);
  EXPECT_NE(error_of(nlohmann::json::array()).find("object"), std::string::npos);
}

// Every recipe the project ships parses under the strict rules, and the baselines' recipes are
// the default model's with only the text input changed (the comparison's premise).
TEST(TrainRecipe, ShippedRecipesParseAndBaselinesDifferOnlyInTheirTextInput) {
  const std::string dir = std::string(CLIPPO_SOURCE_DIR) + "/configs/";
  size_t n_recipes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    EXPECT_NO_THROW(read_train_recipe(entry.path().string())) << entry.path();
    ++n_recipes;
  }
  EXPECT_GE(n_recipes, 4u);
  const TrainRecipe clippo = read_train_recipe(dir + "default_model.json");
  for (const char* name : {"default_1tclip.json", "default_clipstar.json", "default_1tclip_seq16.json"}) {
    const TrainRecipe baseline = read_train_recipe(dir + name);
    EXPECT_TRUE(baseline.model.reads_tokens()) << name;
    nlohmann::json a = to_json(clippo), b = to_json(baseline);
    for (const char* key : {"kind", "tokenizer", "seq_len", "text_tower"}) b["model"].erase(key);
    a.erase("out_dir");
    b.erase("out_dir");
    EXPECT_EQ(a, b) << name;
  }
}

}  // namespace
}  // namespace clippo::train

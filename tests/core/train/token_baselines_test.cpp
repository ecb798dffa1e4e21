// The paper's token baselines through the same trainer as CLIPPO: 1T-CLIP (SentencePiece ids
// through the one ViT) and CLIP* (a separate text tower) learn on the tiny set, resume exactly,
// save model files that carry their tokenizer, and are evaluated with the same protocol.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/npz.h"
#include "core/model/model_file.h"
#include "core/train/trainer.h"
#include "tests/core/train/train_fixtures.h"

namespace clippo::train {
namespace {

using testing::TempDir;

std::vector<double> losses(const std::string& out_dir) {
  std::vector<double> out;
  std::ifstream in(out_dir + "/log.jsonl");
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line);
    if (j.contains("loss")) out.push_back(j["loss"]);
  }
  return out;
}

nlohmann::json token_recipe(const TempDir& dir, const std::string& kind, const std::string& tokenizer,
                            const std::string& run) {
  auto j = testing::tiny_recipe(dir / "data", dir / run);
  j["model"]["kind"] = kind;
  j["model"]["tokenizer"] = tokenizer;
  j["model"]["seq_len"] = 8;
  return j;
}

TrainOptions quiet_options() {
  TrainOptions o;
  o.torch_threads = 1;
  return o;
}

TEST(TokenBaselines, LearnSaveTheirTokenizerAndEvaluateLikeClippo) {
  TempDir dir;
  testing::write_tiny_xm3600(dir / "data", 10, /*heldout=*/2);
  testing::write_tiny_pairs(dir / "pairs.tsv", 10);
  const std::string tokenizer = testing::write_tiny_tokenizer(dir / "spm");
  for (const std::string kind : {"1t-clip", "clip*"}) {
    auto j = token_recipe(dir, kind, tokenizer, kind == "1t-clip" ? "one" : "two");
    j["total_steps"] = 60;
    j["data"]["text_pairs"] = {{"format", "text_pairs_tsv"}, {"paths", {dir / "pairs.tsv"}}};
    j["data"]["text_pair_fraction"] = 0.25;
    j["eval"] = {{"data", {{{"format", "xm3600"}, {"paths", {dir / "data"}}, {"split", "heldout"}}}}};
    const TrainSummary s = run_training(train_recipe_from_json(j), quiet_options());
    ASSERT_TRUE(s.finished) << kind;
    const auto l = losses(j["out_dir"]);
    ASSERT_GE(l.size(), 60u);
    double first = 0, last = 0;
    for (int i = 0; i < 5; ++i) first += l[i] / 5;
    for (int i = 55; i < 60; ++i) last += l[i] / 5;
    EXPECT_LT(last, first * 0.7) << kind << ": first " << first << " last " << last;
    ASSERT_TRUE(s.last_eval.is_array());
    EXPECT_TRUE(s.last_eval[0]["per_language"].contains("fr")) << kind;

    const model::ModelFile f = model::read_model_file(s.model_path);
    EXPECT_EQ(f.text.kind, model::parse_model_kind(kind));
    EXPECT_EQ(f.text.seq_len, 8);
    EXPECT_EQ(f.text.tokenizer_model, read_file(tokenizer));  // the file is all a user needs
    EXPECT_EQ(static_cast<size_t>(f.text.vocab_size),
              tokenizer_baselines::SentencePieceTokenizer::load(tokenizer)->vocab_size());
    EXPECT_EQ(f.arrays.count("params/txt/Encoder_0/encoderblock_0/MlpBlock_0/Dense_0/kernel"),
              kind == "clip*" ? 1u : 0u);
  }
}

TEST(TokenBaselines, AnInterruptedRunEndsWithTheSameWeightsAsAStraightOne) {
  TempDir dir;
  testing::write_tiny_xm3600(dir / "data", 12);
  const std::string tokenizer = testing::write_tiny_tokenizer(dir / "spm");
  for (const std::string kind : {"1t-clip", "clip*"}) {
    auto straight = token_recipe(dir, kind, tokenizer, "straight");
    straight["optimizer"] = {{"name", "adafactor"}, {"lr", 1e-3}};  // state for the token embedding too
    auto chunked = straight;
    chunked["out_dir"] = dir / "chunked";
    TrainOptions o = quiet_options();
    o.resume = false;
    const TrainSummary a = run_training(train_recipe_from_json(straight), o);
    o.max_steps_this_run = 3;
    run_training(train_recipe_from_json(chunked), o);
    o.resume = true;
    const TrainSummary b = run_training(train_recipe_from_json(chunked), o);
    EXPECT_EQ(b.start_step, 3) << kind;
    ASSERT_TRUE(b.finished);
    auto wa = read_npz(a.model_path), wb = read_npz(b.model_path);
    wa.erase("clippo_meta");
    wb.erase("clippo_meta");
    ASSERT_EQ(wa.size(), wb.size());
    for (const auto& [name, array] : wa) EXPECT_EQ(array.data, wb.at(name).data) << kind << " " << name;
  }
}

TEST(TokenBaselines, RecipesNameWhatIsWrong) {
  TempDir dir;
  testing::write_tiny_xm3600(dir / "data", 4);
  const auto error_of = [&](const nlohmann::json& j) -> std::string {
    try {
      run_training(train_recipe_from_json(j), quiet_options());
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  };
  auto j = token_recipe(dir, "2t-clip", dir / "spm.model", "run");
  EXPECT_NE(error_of(j).find("model.kind"), std::string::npos);
  j = token_recipe(dir, "1t-clip", "", "run");
  EXPECT_NE(error_of(j).find("model.tokenizer"), std::string::npos);
  j = testing::tiny_recipe(dir / "data", dir / "run");
  j["model"]["tokenizer"] = "x.model";  // CLIPPO reads no tokens
  EXPECT_NE(error_of(j).find("model.tokenizer"), std::string::npos);
  j = token_recipe(dir, "clip*", dir / "spm.model", "run");
  j["model"]["text_tower"] = {{"num_heads", 3}};  // width 32 does not split into 3 heads
  EXPECT_NE(error_of(j).find("model.text_tower"), std::string::npos);
  j["model"]["text_tower"] = {{"heads", 2}};
  EXPECT_NE(error_of(j).find("model.text_tower.heads"), std::string::npos);
  j = token_recipe(dir, "1t-clip", dir / "absent.model", "run");
  EXPECT_NE(error_of(j).find("absent.model"), std::string::npos);
}

}  // namespace
}  // namespace clippo::train

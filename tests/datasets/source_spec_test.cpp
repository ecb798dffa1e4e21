// SourceSpec JSON: a round trip, and strictness (each bad spec names its key).
#include "datasets/source_spec.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/datasets/stream_test_util.h"

namespace clippo::datasets {
namespace {

using testing::expect_error;

TEST(SourceSpecTest, RoundTrip) {
  const nlohmann::json j = {{"format", "xm3600"},
                            {"paths", {"/data/xm3600"}},
                            {"split", "train"},
                            {"languages", {"en", "de"}},
                            {"first_caption_only", true}};
  const SourceSpec s = source_spec_from_json(j);
  EXPECT_EQ(s.format, "xm3600");
  EXPECT_EQ(s.paths, std::vector<std::string>{"/data/xm3600"});
  EXPECT_EQ(s.split, "train");
  EXPECT_EQ(s.languages, (std::vector<std::string>{"en", "de"}));
  EXPECT_TRUE(s.first_caption_only);
  EXPECT_EQ(to_json(s), j);
  const nlohmann::json tsv = {{"format", "tsv"}, {"paths", {"a.tsv", "b.tsv"}}, {"image_root", "/img"}};
  EXPECT_EQ(to_json(source_spec_from_json(tsv)), tsv);
}

TEST(SourceSpecTest, StrictErrorsNameTheKey) {
  const auto bad = [](const nlohmann::json& j, const std::string& needle) {
    expect_error([&] { source_spec_from_json(j); }, ErrorCode::kInvalidArgument, needle);
  };
  bad({{"format", "tsv"}, {"paths", {"a.tsv"}}, {"shuffle", true}}, "'shuffle'");
  bad({{"format", "tsv"}, {"paths", "a.tsv"}}, "'paths'");
  bad({{"format", "tsv"}, {"paths", {"a.tsv", 3}}}, "'paths'");
  bad({{"format", "tsv"}, {"paths", nlohmann::json::array()}}, "'paths'");
  bad({{"format", "parquet"}, {"paths", {"a"}}}, "'parquet'");
  bad({{"format", 7}, {"paths", {"a"}}}, "'format'");
  bad({{"paths", {"a"}}}, "'format'");
  bad({{"format", "tsv"}}, "'paths'");
  bad({{"format", "xm3600"}, {"paths", {"d"}}, {"first_caption_only", "yes"}}, "'first_caption_only'");
  bad({{"format", "xm3600"}, {"paths", {"d"}}, {"languages", "en"}}, "'languages'");
  bad({{"format", "tsv"}, {"paths", {"a.tsv"}}, {"split", "train"}}, "'split'");
  bad({{"format", "karpathy"}, {"paths", {"c.json"}}, {"split", "dev"}}, "'split'");
  bad({{"format", "xm3600"}, {"paths", {"a", "b"}}}, "'paths'");
  bad({{"format", "webdataset"}, {"paths", {"s.tar"}}, {"image_root", "/x"}}, "'image_root'");
  bad(nlohmann::json::array(), "JSON object");
}

TEST(SourceSpecTest, BadStreamOptionsAndWrongStreamKind) {
  SourceSpec spec;
  spec.format = "text_pairs_tsv";
  spec.paths = {"/nonexistent.tsv"};
  StreamOptions o;
  o.shard_count = 2;
  o.shard_index = 2;
  expect_error([&] { open_text_pair_stream(spec, o); }, ErrorCode::kInvalidArgument, "shard_index");
  expect_error([&] { open_image_text_stream(spec, {}); }, ErrorCode::kInvalidArgument,
               "open_text_pair_stream");
  spec.format = "tsv";
  expect_error([&] { open_text_pair_stream(spec, {}); }, ErrorCode::kInvalidArgument,
               "open_image_text_stream");
}

}  // namespace
}  // namespace clippo::datasets

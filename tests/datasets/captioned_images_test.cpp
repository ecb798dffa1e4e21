// Crossmodal-3600 folders and Karpathy JSON: streams (order, filters, corrupt records) and the
// whole-dataset retrieval loader (missing images reported, not fatal).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "datasets/retrieval_dataset.h"
#include "datasets/source_spec.h"
#include "tests/datasets/stream_test_util.h"
#include "tests/datasets/temp_dir.h"

namespace clippo::datasets {
namespace {

using testing::caption_of;
using testing::drain;
using testing::expect_error;
using testing::has_reason;
using testing::key_of;
using testing::reasons_of;
using testing::TempDir;
using testing::write_text;

// Images a.jpg, b.png, d.webp; c is referenced but absent; line 2 is not JSON; d's "en" is malformed.
SourceSpec write_xm3600(const TempDir& dir) {
  write_text(
      dir / "xm/captions.jsonl",
      "{\"image/key\": \"a\", \"en\": {\"caption\": [\"a dog\", \"a brown dog\"]},"
      " \"de\": {\"caption\": [\"ein Hund\"]}}\n"
      "{\"image/key\": \"b\", oops\n"
      "{\"image/key\": \"b\", \"en\": {\"caption\": [\"a cat\"], \"caption/tokenized\": [\"a cat\"]}}\n"
      "{\"image/key\": \"c\", \"en\": {\"caption\": [\"not downloaded\"]}}\n"
      "{\"image/key\": \"d\", \"fr\": {\"caption\": [\"un oiseau\"]}, \"en\": \"bad\"}\n");
  write_text(dir / "xm/images/a.jpg", "jpeg");
  write_text(dir / "xm/images/b.png", "png");
  write_text(dir / "xm/images/d.webp", "webp");
  write_text(dir / "xm/split.json", "{\"train\": [\"a\", \"b\"], \"heldout\": [\"c\", \"d\"]}");
  SourceSpec spec;
  spec.format = "xm3600";
  spec.paths = {dir / "xm"};
  return spec;
}

std::vector<std::string> keys(const SourceSpec& spec) {
  const auto stream = open_image_text_stream(spec, {});
  return drain(*stream, key_of);
}

TEST(Xm3600StreamTest, ExamplesPerImageLanguageAndCaption) {
  TempDir dir;
  const SourceSpec spec = write_xm3600(dir);
  const auto stream = open_image_text_stream(spec, {});
  std::vector<ImageTextExample> got;
  for (ImageTextExample e; stream->next(e);) got.push_back(e);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].key, "a/de/0");  // languages sorted
  EXPECT_EQ(got[0].caption, "ein Hund");
  EXPECT_EQ(got[0].language, "de");
  EXPECT_EQ(got[0].image_path, dir / "xm/images/a.jpg");
  EXPECT_EQ(got[2].key, "a/en/1");
  EXPECT_EQ(got[2].caption, "a brown dog");
  EXPECT_EQ(got[3].image_path, dir / "xm/images/b.png");
  EXPECT_EQ(got[4].key, "d/fr/0");
  EXPECT_EQ(got[4].image_path, dir / "xm/images/d.webp");
  const ReadCounts& c = stream->counts();
  EXPECT_EQ(c.n_skipped, 3u) << reasons_of(c);
  EXPECT_TRUE(has_reason(c, {"captions.jsonl line 2", "not a JSON object"})) << reasons_of(c);
  EXPECT_TRUE(has_reason(c, {"captions.jsonl line 4", "images/c.", "does not exist"})) << reasons_of(c);
  EXPECT_TRUE(has_reason(c, {"captions.jsonl line 5", "'en'"})) << reasons_of(c);
}

TEST(Xm3600StreamTest, SplitLanguagesAndFirstCaption) {
  TempDir dir;
  SourceSpec spec = write_xm3600(dir);
  spec.split = "train";
  EXPECT_EQ(keys(spec), (std::vector<std::string>{"a/de/0", "a/en/0", "a/en/1", "b/en/0"}));
  spec.split = "";
  spec.languages = {"en"};
  EXPECT_EQ(keys(spec), (std::vector<std::string>{"a/en/0", "a/en/1", "b/en/0"}));
  spec.languages = {};
  spec.first_caption_only = true;
  EXPECT_EQ(keys(spec), (std::vector<std::string>{"a/de/0", "a/en/0", "b/en/0", "d/fr/0"}));
  spec.split = "dev";
  expect_error([&] { keys(spec); }, ErrorCode::kInvalidArgument, "'dev'");
}

TEST(Xm3600StreamTest, IncompleteFoldersAreNotFound) {
  TempDir dir;
  SourceSpec spec;
  spec.format = "xm3600";
  spec.paths = {dir / "absent"};
  expect_error([&] { open_image_text_stream(spec, {}); }, ErrorCode::kNotFound, "absent");
  std::filesystem::create_directories(dir / "images_only/images");
  spec.paths = {dir / "images_only"};
  expect_error([&] { open_image_text_stream(spec, {}); }, ErrorCode::kNotFound, "captions.jsonl");
  expect_error([&] { load_retrieval_dataset(spec); }, ErrorCode::kNotFound, "captions.jsonl");
  write_text(dir / "images_only/captions.jsonl", "{\"image/key\": \"a\", \"en\": {\"caption\": [\"x\"]}}\n");
  spec.split = "train";
  expect_error([&] { open_image_text_stream(spec, {}); }, ErrorCode::kNotFound, "split.json");
  spec.split = "";
  // Captions but not one image: nothing to evaluate on.
  expect_error([&] { load_retrieval_dataset(spec); }, ErrorCode::kNotFound, "images/a.");
}

TEST(RetrievalDatasetTest, MissingImagesAreListedAndLeftOut) {
  TempDir dir;
  SourceSpec spec = write_xm3600(dir);
  const RetrievalDataset d = load_retrieval_dataset(spec);
  EXPECT_EQ(d.image_keys, (std::vector<std::string>{"a", "b", "d"}));
  EXPECT_EQ(d.image_paths[2], dir / "xm/images/d.webp");
  ASSERT_EQ(d.missing.size(), 1u);
  EXPECT_EQ(d.missing[0], "images/c.{jpg,jpeg,png,webp}");
  ASSERT_EQ(d.captions_by_language.at("en").size(), 3u);  // c's caption left out with its image
  EXPECT_EQ(d.captions_by_language.at("en")[2].text, "a cat");
  EXPECT_EQ(d.captions_by_language.at("en")[2].image_index, 1u);
  EXPECT_EQ(d.captions_by_language.at("fr")[0].image_index, 2u);
  EXPECT_EQ(d.read_counts.n_skipped, 2u);  // line 2 and d's "en"
  spec.split = "heldout";
  spec.languages = {"de"};
  const RetrievalDataset heldout = load_retrieval_dataset(spec);
  EXPECT_EQ(heldout.image_keys, std::vector<std::string>{"d"});  // a distractor without a "de" caption
  EXPECT_TRUE(heldout.captions_by_language.empty());
}

SourceSpec write_karpathy(const TempDir& dir) {
  const nlohmann::json j = {
      {"dataset", "coco"},
      {"images",
       {{{"filepath", "val2014"},
         {"filename", "x.jpg"},
         {"split", "test"},
         {"imgid", 0},
         {"sentences",
          {{{"raw", "A man rides."}, {"tokens", {"a", "man", "rides"}}}, {{"raw", "Someone on a bike."}}}}},
        {{"filename", "flickr.jpg"}, {"split", "train"}, {"sentences", {{{"raw", "Two dogs."}}}}},
        {{"filename", "gone.jpg"}, {"split", "train"}, {"sentences", {{{"raw", "Lost."}}}}},
        {{"split", "train"}, {"sentences", nlohmann::json::array()}}}}};
  write_text(dir / "karpathy/dataset_coco.json", j.dump());
  write_text(dir / "karpathy/val2014/x.jpg", "jpeg");
  write_text(dir / "karpathy/flickr.jpg", "jpeg");
  SourceSpec spec;
  spec.format = "karpathy";
  spec.paths = {dir / "karpathy/dataset_coco.json"};
  return spec;
}

TEST(KarpathyStreamTest, SentencesSplitsAndCorruptEntries) {
  TempDir dir;
  SourceSpec spec = write_karpathy(dir);
  const auto stream = open_image_text_stream(spec, {});
  std::vector<ImageTextExample> got;
  for (ImageTextExample e; stream->next(e);) got.push_back(e);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].key, "val2014/x.jpg/en/0");
  EXPECT_EQ(got[0].image_path, dir / "karpathy/val2014/x.jpg");
  EXPECT_EQ(got[0].caption, "A man rides.");
  EXPECT_EQ(got[0].language, "en");
  EXPECT_EQ(got[2].image_path, dir / "karpathy/flickr.jpg");
  const ReadCounts& c = stream->counts();
  EXPECT_EQ(c.n_skipped, 2u) << reasons_of(c);
  EXPECT_TRUE(has_reason(c, {"images[2]", "gone.jpg"})) << reasons_of(c);
  EXPECT_TRUE(has_reason(c, {"images[3]", "filename"})) << reasons_of(c);

  spec.split = "test";
  spec.first_caption_only = true;
  EXPECT_EQ(drain(*open_image_text_stream(spec, {}), caption_of), std::vector<std::string>{"A man rides."});
  spec.split = "";
  spec.first_caption_only = false;
  spec.image_root = dir / "elsewhere";
  EXPECT_TRUE(drain(*open_image_text_stream(spec, {}), caption_of).empty());

  const RetrievalDataset d = load_retrieval_dataset(write_karpathy(dir));
  EXPECT_EQ(d.image_keys, (std::vector<std::string>{"val2014/x.jpg", "flickr.jpg"}));
  EXPECT_EQ(d.missing, std::vector<std::string>{"gone.jpg"});
  EXPECT_EQ(d.captions_by_language.at("en").size(), 3u);
}

TEST(KarpathyStreamTest, NotAKarpathyFile) {
  TempDir dir;
  write_text(dir / "x.json", "{\"annotations\": []}");
  SourceSpec spec;
  spec.format = "karpathy";
  spec.paths = {dir / "x.json"};
  expect_error([&] { open_image_text_stream(spec, {}); }, ErrorCode::kInvalidArgument, "Karpathy");
}

}  // namespace
}  // namespace clippo::datasets

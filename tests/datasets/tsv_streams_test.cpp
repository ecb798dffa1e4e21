// TSV image/text and text-pair streams, and through them the pipeline every format shares:
// order, determinism, shuffling, epochs, skip(n), sharding, corrupt lines counted.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/base/file_io.h"
#include "datasets/source_spec.h"
#include "datasets/tsv_format.h"
#include "tests/datasets/stream_test_util.h"
#include "tests/datasets/temp_dir.h"

namespace clippo::datasets {
namespace {

using testing::caption_of;
using testing::drain;
using testing::expect_error;
using testing::has_reason;
using testing::reasons_of;
using testing::TempDir;
using testing::write_text;

constexpr size_t kLines = 50;

// kLines lines "img.png<TAB>caption <i>" over one image.
SourceSpec fifty_line_tsv(const TempDir& dir) {
  write_text(dir / "img.png", "not decoded here");
  std::string tsv;
  for (size_t i = 0; i < kLines; ++i) tsv += "img.png\tcaption " + std::to_string(i) + "\n";
  write_text(dir / "fifty.tsv", tsv);
  SourceSpec spec;
  spec.format = "tsv";
  spec.paths = {dir / "fifty.tsv"};
  return spec;
}

std::vector<std::string> read_captions(const SourceSpec& spec, const StreamOptions& o,
                                       size_t limit = 100000) {
  const auto stream = open_image_text_stream(spec, o);
  return drain(*stream, caption_of, limit);
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(TsvStreamTest, ExamplesInFileOrderWithCorruptLinesCounted) {
  TempDir dir;
  write_text(dir / "data/a.jpg", "x");
  write_text(dir / "elsewhere/b.png", "x");
  write_text(dir / "data/list.tsv",
             "# a comment\n"
             "a.jpg\ta photo\ten\n"                                    // line 2
             "\n"                                                      // line 3: passed over
             "a.jpg no tab\n"                                          // line 4: one field
             "a.jpg\tbad \xC3\x28 utf8\n"                              // line 5
             "missing.jpg\tgone\n"                                     // line 6
             "a.jpg\tx\ty\tz\n"                                        // line 7: four fields
             "a.jpg\t\n"                                               // line 8: empty caption
                 + (dir / "elsewhere/b.png") + "\tabsolute\tde\r\n");  // line 9, CRLF
  SourceSpec spec;
  spec.format = "tsv";
  spec.paths = {dir / "data/list.tsv"};
  const auto stream = open_image_text_stream(spec, {});
  ImageTextExample e;
  ASSERT_TRUE(stream->next(e));
  EXPECT_EQ(e.key, dir / "data/list.tsv" + ":2");
  EXPECT_EQ(e.image_path, dir / "data/a.jpg");
  EXPECT_TRUE(e.image.empty());
  EXPECT_EQ(e.caption, "a photo");
  EXPECT_EQ(e.language, "en");
  ASSERT_TRUE(stream->next(e));
  EXPECT_EQ(e.image_path, dir / "elsewhere/b.png");
  EXPECT_EQ(e.caption, "absolute");
  EXPECT_EQ(e.language, "de");
  EXPECT_FALSE(stream->next(e));
  const ReadCounts& c = stream->counts();
  EXPECT_EQ(c.n_examples, 2u);
  EXPECT_EQ(c.n_skipped, 5u) << reasons_of(c);
  EXPECT_TRUE(has_reason(c, {"list.tsv:4", "1 field"})) << reasons_of(c);
  EXPECT_TRUE(has_reason(c, {"list.tsv:5", "UTF-8"})) << reasons_of(c);
  EXPECT_TRUE(has_reason(c, {"list.tsv:6", "missing.jpg", "does not exist"})) << reasons_of(c);
  EXPECT_TRUE(has_reason(c, {"list.tsv:7", "4 field"})) << reasons_of(c);
  EXPECT_TRUE(has_reason(c, {"list.tsv:8", "empty field"})) << reasons_of(c);

  spec.languages = {"de"};
  EXPECT_EQ(read_captions(spec, {}), std::vector<std::string>{"absolute"});
  spec.languages = {};
  spec.image_root = dir / "elsewhere";  // a.jpg is not there
  EXPECT_EQ(read_captions(spec, {}), std::vector<std::string>{"absolute"});
}

TEST(TsvStreamTest, MissingPathIsNotFound) {
  TempDir dir;
  SourceSpec spec;
  spec.format = "tsv";
  spec.paths = {dir / "nope.tsv"};
  expect_error([&] { open_image_text_stream(spec, {}); }, ErrorCode::kNotFound, "nope.tsv");
}

TEST(StreamPipelineTest, SourceOrderShuffleAndDeterminism) {
  TempDir dir;
  const SourceSpec spec = fifty_line_tsv(dir);
  const std::vector<std::string> in_order = read_captions(spec, {});
  ASSERT_EQ(in_order.size(), kLines);
  EXPECT_EQ(in_order.front(), "caption 0");
  EXPECT_EQ(in_order.back(), "caption 49");

  StreamOptions o;
  o.shuffle_buffer = 16;
  o.seed = 7;
  const std::vector<std::string> shuffled = read_captions(spec, o);
  EXPECT_NE(shuffled, in_order);
  EXPECT_EQ(sorted(shuffled), sorted(in_order));
  EXPECT_EQ(read_captions(spec, o), shuffled);  // a second open: the same sequence
  o.seed = 8;
  EXPECT_NE(read_captions(spec, o), shuffled);
  // A buffer larger than the source still gives every example once.
  o.shuffle_buffer = 1000;
  EXPECT_EQ(sorted(read_captions(spec, o)), sorted(in_order));
}

TEST(StreamPipelineTest, RepeatReshufflesEachEpoch) {
  TempDir dir;
  const SourceSpec spec = fifty_line_tsv(dir);
  StreamOptions o;
  o.repeat = true;
  const std::vector<std::string> plain = read_captions(spec, o, 3 * kLines);
  ASSERT_EQ(plain.size(), 3 * kLines);  // it does not end
  EXPECT_EQ(plain[kLines], "caption 0");

  o.shuffle_buffer = 8;
  const std::vector<std::string> all = read_captions(spec, o, 2 * kLines);
  const std::vector<std::string> epoch0(all.begin(), all.begin() + kLines);
  const std::vector<std::string> epoch1(all.begin() + kLines, all.end());
  EXPECT_EQ(sorted(epoch0), sorted(epoch1));
  EXPECT_NE(epoch0, epoch1);
}

TEST(StreamPipelineTest, SkipEqualsReading) {
  TempDir dir;
  const SourceSpec spec = fifty_line_tsv(dir);
  StreamOptions o;
  o.shuffle_buffer = 10;
  o.repeat = true;
  o.seed = 3;
  for (const size_t n : {size_t{0}, size_t{17}, size_t{73}}) {  // 73 crosses an epoch
    const auto read = open_image_text_stream(spec, o);
    drain(*read, caption_of, n);
    const auto skipped = open_image_text_stream(spec, o);
    EXPECT_EQ(skipped->skip(n), n);
    EXPECT_EQ(skipped->counts().n_examples, n);
    EXPECT_EQ(drain(*skipped, caption_of, 30), drain(*read, caption_of, 30)) << "after " << n;
  }
  o.repeat = false;
  EXPECT_EQ(open_image_text_stream(spec, o)->skip(1000), kLines);
}

TEST(StreamPipelineTest, ShardsAreDisjointAndCoverTheSource) {
  TempDir dir;
  const SourceSpec spec = fifty_line_tsv(dir);
  for (const size_t shuffle : {size_t{0}, size_t{5}}) {
    std::multiset<std::string> seen;
    for (size_t i = 0; i < 3; ++i) {
      StreamOptions o;
      o.shard_count = 3;
      o.shard_index = i;
      o.shuffle_buffer = shuffle;
      const std::vector<std::string> share = read_captions(spec, o);
      EXPECT_GE(share.size(), kLines / 3);
      if (shuffle == 0) {
        EXPECT_EQ(share.front(), "caption " + std::to_string(i));
      }
      seen.insert(share.begin(), share.end());
    }
    const std::vector<std::string> all = read_captions(spec, {});
    EXPECT_EQ(seen, std::multiset<std::string>(all.begin(), all.end()));  // each exactly once
  }
}

TEST(StreamPipelineTest, RepeatingAnEmptySourceThrows) {
  TempDir dir;
  write_text(dir / "empty.tsv", "# nothing\nno tab\n");
  SourceSpec spec;
  spec.format = "tsv";
  spec.paths = {dir / "empty.tsv"};
  StreamOptions o;
  EXPECT_TRUE(read_captions(spec, o).empty());
  o.repeat = true;
  expect_error([&] { read_captions(spec, o); }, ErrorCode::kFailedPrecondition, "empty.tsv:2");
}

TEST(TextPairsTsvTest, ReadWriteAndLanguageFilter) {
  TempDir dir;
  write_text(dir / "pairs.tsv",
             "Germany\tDeutschland\ten\tde\n"
             "France\tFrance\n"
             "three\tfields\ten\n"  // line 3: skipped
             "Japan\t日本\ten\tja\n");
  SourceSpec spec;
  spec.format = "text_pairs_tsv";
  spec.paths = {dir / "pairs.tsv"};
  const auto stream = open_text_pair_stream(spec, {});
  std::vector<TextPairExample> pairs;
  for (TextPairExample p; stream->next(p);) pairs.push_back(p);
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs[0].text_b, "Deutschland");
  EXPECT_EQ(pairs[0].language_b, "de");
  EXPECT_EQ(pairs[1].language_a, "");
  EXPECT_EQ(pairs[2].text_b, "日本");
  EXPECT_EQ(stream->counts().n_skipped, 1u);
  EXPECT_TRUE(has_reason(stream->counts(), {"pairs.tsv:3", "3 field"}));

  spec.languages = {"en", "ja"};
  const auto filtered = open_text_pair_stream(spec, {});
  TextPairExample p;
  ASSERT_TRUE(filtered->next(p));
  EXPECT_EQ(p.text_a, "Japan");
  EXPECT_FALSE(filtered->next(p));

  write_text_pairs_tsv(dir / "out.tsv", {{"a\tb", "c\nd", "en", "de"}, {"x", "y", "", ""}});
  EXPECT_EQ(read_file(dir / "out.tsv"), "a b\tc d\ten\tde\nx\ty\n");
  expect_error(
      [&] {
        write_text_pairs_tsv(dir / "bad.tsv", {{"#tag", "y", "", ""}});
      },
      ErrorCode::kInvalidArgument, "'#'");
  write_image_text_tsv(dir / "img.tsv",
                       {{"k", "images/a.png", "", "two\tparts", "de"}, {"", "b.jpg", "", "c", ""}});
  EXPECT_EQ(read_file(dir / "img.tsv"), "images/a.png\ttwo parts\tde\nb.jpg\tc\n");
}

}  // namespace
}  // namespace clippo::datasets

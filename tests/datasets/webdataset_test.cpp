// WebDataset shards: our writer and reader round trip; GNU long names and pax headers from
// /usr/bin/tar and from hand-made headers; each kind of corrupt record counted; brace patterns;
// sharding by file and by example.
#include "datasets/webdataset.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "core/base/file_io.h"
#include "datasets/tar_writer.h"
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

SourceSpec webdataset_spec(std::vector<std::string> paths) {
  SourceSpec spec;
  spec.format = "webdataset";
  spec.paths = std::move(paths);
  return spec;
}

std::vector<ImageTextExample> read_all(const SourceSpec& spec, ReadCounts* counts = nullptr,
                                       const StreamOptions& o = {}) {
  const auto stream = open_image_text_stream(spec, o);
  std::vector<ImageTextExample> out;
  for (ImageTextExample e; stream->next(e);) out.push_back(e);
  if (counts) *counts = stream->counts();
  return out;
}

// Five samples "s0".."s4", two per shard: three shards.
std::vector<std::string> write_five_samples(const TempDir& dir) {
  WebDatasetWriter writer(dir / "train", 2);
  for (int i = 0; i < 5; ++i) {
    const std::string n = std::to_string(i);
    writer.add("s" + n, "image bytes " + n, i % 2 ? "png" : "jpg", "caption " + n,
               i == 0 ? "{\"i\": 0}" : "");
  }
  return writer.finish();
}

TEST(WebDatasetTest, WriterAndReaderRoundTrip) {
  TempDir dir;
  const std::vector<std::string> shards = write_five_samples(dir);
  ASSERT_EQ(shards, (std::vector<std::string>{dir / "train-000000.tar", dir / "train-000001.tar",
                                              dir / "train-000002.tar"}));
  ReadCounts counts;
  const std::vector<ImageTextExample> got =
      read_all(webdataset_spec({dir / "train-{000000..000002}.tar"}), &counts);
  ASSERT_EQ(got.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(got[i].key, "s" + std::to_string(i));
    EXPECT_EQ(got[i].image, "image bytes " + std::to_string(i));
    EXPECT_EQ(got[i].caption, "caption " + std::to_string(i));
    EXPECT_TRUE(got[i].image_path.empty());
  }
  EXPECT_EQ(counts.n_skipped, 0u) << reasons_of(counts);
  // GNU tar reads what we write.
  if (std::filesystem::exists("/usr/bin/tar")) {
    const std::string cmd = "/usr/bin/tar -tf " + shards[0] + " > " + (dir / "list.txt");
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    EXPECT_EQ(read_file(dir / "list.txt"), "s0.jpg\ns0.txt\ns0.json\ns1.png\ns1.txt\n");
  }
  expect_error([&] { WebDatasetWriter(dir / "w", 1).add("a.b", "x", "jpg", "c"); },
               ErrorCode::kInvalidArgument, "dot");
  expect_error([&] { WebDatasetWriter(dir / "w", 1).add("a", "x", "gif", "c"); }, ErrorCode::kInvalidArgument,
               "gif");
}

TEST(WebDatasetTest, LongNamesFromGnuTarAndPax) {
  if (!std::filesystem::exists("/usr/bin/tar")) GTEST_SKIP() << "needs /usr/bin/tar";
  TempDir dir;
  const std::string key = "folder/" + std::string(120, 'k');
  write_text(dir / ("src/" + key + ".jpg"), "long jpeg");
  write_text(dir / ("src/" + key + ".txt"), "a long name\n");
  for (const std::string format : {"gnu", "pax"}) {
    const std::string tar = dir / (format + ".tar");
    const std::string cmd = "cd " + (dir / "src") + " && /usr/bin/tar --format=" + format + " -cf " + tar +
                            " " + key + ".jpg " + key + ".txt";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    ReadCounts counts;
    const std::vector<ImageTextExample> got = read_all(webdataset_spec({tar}), &counts);
    ASSERT_EQ(got.size(), 1u) << format << "\n" << reasons_of(counts);
    EXPECT_EQ(got[0].key, key) << format;
    EXPECT_EQ(got[0].image, "long jpeg");
    EXPECT_EQ(got[0].caption, "a long name");  // trailing newline trimmed
  }
}

TEST(WebDatasetTest, HandMadeLongNameAndPaxHeaders) {
  TempDir dir;
  const std::string long_name = std::string(150, 'g') + ".png";
  const std::string pax_x = pax_record("path", "renamed.jpg");
  const std::string pax_g = pax_record("comment", "global records apply to all later members");
  std::string tar;
  tar += tar_header("././@LongLink", long_name.size() + 1, 'L') + long_name + '\0';
  tar += std::string(512 - (long_name.size() + 1), '\0');
  tar += tar_header("truncated-name.png", 3) + "png" + std::string(509, '\0');
  tar += tar_member(std::string(150, 'g') + ".txt", "gnu");  // our writer: a pax 'x' header
  tar += tar_header("pax_global_header", pax_g.size(), 'g') + pax_g + std::string(512 - pax_g.size(), '\0');
  tar += tar_header("PaxHeader/x", pax_x.size(), 'x') + pax_x + std::string(512 - pax_x.size(), '\0');
  tar += tar_header("ignored.bin", 3) + "jpg" + std::string(509, '\0');
  tar += tar_member("renamed.txt", "pax");
  tar += tar_end();
  write_text(dir / "hand.tar", tar);
  ReadCounts counts;
  const std::vector<ImageTextExample> got = read_all(webdataset_spec({dir / "hand.tar"}), &counts);
  ASSERT_EQ(got.size(), 2u) << reasons_of(counts);
  EXPECT_EQ(got[0].key, std::string(150, 'g'));
  EXPECT_EQ(got[0].caption, "gnu");
  EXPECT_EQ(got[1].key, "renamed");
  EXPECT_EQ(got[1].image, "jpg");
  EXPECT_EQ(counts.n_skipped, 0u) << reasons_of(counts);
}

TEST(WebDatasetTest, CorruptRecordsAreCountedWithReasons) {
  TempDir dir;
  const auto sample = [](const std::string& key, const std::string& caption = "ok") {
    return tar_member(key + ".jpg", "img") + tar_member(key + ".txt", caption);
  };
  // Checksum: the second sample's first header has a flipped byte; the first sample survives.
  std::string bad_sum = sample("good") + sample("flipped") + sample("after") + tar_end();
  bad_sum[2048 + 10] ^= 1;
  write_text(dir / "a_checksum.tar", bad_sum);
  // Truncated inside the second sample's image data.
  const std::string whole = sample("first") + tar_member("cut.jpg", std::string(2000, 'x'));
  write_text(dir / "b_truncated.tar", whole.substr(0, whole.size() - 1000));
  write_text(dir / "c_samples.tar", tar_member("lonely.jpg", "img") +          // no .txt
                                        tar_member("textonly.txt", "words") +  // no image
                                        sample("withexe") +
                                        tar_member("withexe.exe", "MZ") +  // unknown extension
                                        sample("badutf8", "\xC3\x28") + sample("fine") + tar_end());
  write_text(dir / "d_empty.tar", "");
  write_text(dir / "e_only_end.tar", tar_end());
  ReadCounts c;
  const std::vector<ImageTextExample> got =
      read_all(webdataset_spec({dir / "{a_checksum,b_truncated,c_samples}.tar", dir / "d_empty.tar",
                                dir / "e_only_end.tar"}),
               &c);
  std::vector<std::string> keys;
  for (const ImageTextExample& e : got) keys.push_back(e.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"good", "first", "withexe", "fine"}));
  EXPECT_EQ(c.n_skipped, 8u) << reasons_of(c);
  EXPECT_TRUE(has_reason(c, {"a_checksum.tar", "checksum", "rest of the shard skipped"})) << reasons_of(c);
  EXPECT_TRUE(has_reason(c, {"b_truncated.tar", "cut.jpg", "truncated"})) << reasons_of(c);
  EXPECT_TRUE(has_reason(c, {"c_samples.tar", "'lonely'", "no .txt"})) << reasons_of(c);
  EXPECT_TRUE(has_reason(c, {"c_samples.tar", "'textonly'", "no image"})) << reasons_of(c);
  EXPECT_TRUE(has_reason(c, {"c_samples.tar", "withexe.exe", "not an image"})) << reasons_of(c);
  EXPECT_TRUE(has_reason(c, {"c_samples.tar", "badutf8.txt", "UTF-8"})) << reasons_of(c);
  EXPECT_TRUE(has_reason(c, {"d_empty.tar", "empty shard"})) << reasons_of(c);
  EXPECT_TRUE(has_reason(c, {"e_only_end.tar", "empty shard"})) << reasons_of(c);
}

TEST(WebDatasetTest, MissingShardIsNotFound) {
  TempDir dir;
  write_five_samples(dir);
  expect_error([&] { open_image_text_stream(webdataset_spec({dir / "train-{000000..000003}.tar"}), {}); },
               ErrorCode::kNotFound, "train-000003.tar");
}

TEST(WebDatasetTest, BraceExpansion) {
  EXPECT_EQ(expand_braces("s-{08..11}.tar"),
            (std::vector<std::string>{"s-08.tar", "s-09.tar", "s-10.tar", "s-11.tar"}));
  EXPECT_EQ(expand_braces("{a,b}/{0..1}"), (std::vector<std::string>{"a/0", "a/1", "b/0", "b/1"}));
  EXPECT_EQ(expand_braces("plain.tar"), std::vector<std::string>{"plain.tar"});
  EXPECT_EQ(expand_braces("{x}.tar"), std::vector<std::string>{"{x}.tar"});
  expect_error([] { expand_braces("s-{0..3.tar"); }, ErrorCode::kInvalidArgument, "unclosed");
  expect_error([] { expand_braces("s-{5..3}.tar"); }, ErrorCode::kInvalidArgument, "{5..3}");
}

// Shares of `n` workers: disjoint, and together every sample once.
void expect_disjoint_cover(const SourceSpec& spec, size_t n, size_t shuffle) {
  std::multiset<std::string> seen;
  for (size_t i = 0; i < n; ++i) {
    StreamOptions o;
    o.shard_index = i;
    o.shard_count = n;
    o.shuffle_buffer = shuffle;
    const auto stream = open_image_text_stream(spec, o);
    for (const std::string& key : drain(*stream, key_of)) seen.insert(key);
  }
  EXPECT_EQ(seen, (std::multiset<std::string>{"s0", "s1", "s2", "s3", "s4"})) << n << " workers";
}

TEST(WebDatasetTest, ShardingByFileAndByExample) {
  TempDir dir;
  write_five_samples(dir);
  const SourceSpec spec = webdataset_spec({dir / "train-{000000..000002}.tar"});
  for (const size_t shuffle : {size_t{0}, size_t{3}}) {
    expect_disjoint_cover(spec, 3, shuffle);  // a file each
    expect_disjoint_cover(spec, 4, shuffle);  // more workers than files: by example
  }
  StreamOptions o;
  o.shard_index = 1;
  o.shard_count = 3;
  EXPECT_EQ(drain(*open_image_text_stream(spec, o), key_of),
            (std::vector<std::string>{"s2", "s3"}));  // file 1
  o.shard_count = 4;
  EXPECT_EQ(drain(*open_image_text_stream(spec, o), key_of),
            std::vector<std::string>{"s1"});  // index 1 mod 4
  // Shuffling also permutes the file order, reproducibly.
  o = StreamOptions();
  o.shuffle_buffer = 2;
  o.seed = 11;
  const std::vector<std::string> first = drain(*open_image_text_stream(spec, o), caption_of);
  EXPECT_EQ(first, drain(*open_image_text_stream(spec, o), caption_of));
}

}  // namespace
}  // namespace clippo::datasets

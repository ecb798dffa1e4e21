// `clippo dataset pack`: the packed TSV reads back through the "tsv" source with the same
// examples in the same order, each picture once as JPEG; unreadable pictures are counted.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/base/error.h"
#include "datasets/image_text_pack.h"
#include "datasets/source_spec.h"
#include "datasets/tsv_format.h"
#include "render/image_decoder.h"
#include "render/png_codec.h"
#include "tests/datasets/temp_dir.h"

namespace clippo::datasets {
namespace {

using testing::TempDir;
using testing::write_text;

std::vector<ImageTextExample> read_all(const std::string& tsv) {
  SourceSpec spec;
  spec.format = "tsv";
  spec.paths = {tsv};
  auto reader = open_image_text_tsv_reader(spec);
  std::vector<ImageTextExample> out;
  ImageTextExample e;
  ReadCounts counts;
  while (reader->next(e, counts)) out.push_back(e);
  return out;
}

TEST(ImageTextPackTest, SameExamplesAsJpegEachPictureOnce) {
  TempDir dir;
  std::filesystem::create_directories(dir / "in/a");
  std::filesystem::create_directories(dir / "in/b");
  ImageU8 red(20, 20, 3, 0), blue(20, 20, 3, 0);
  for (size_t i = 0; i < red.pixels.size(); i += 3) red.pixels[i] = 220, blue.pixels[i + 2] = 220;
  write_text(dir / "in/a/cat.png", render::encode_png(red));
  write_text(dir / "in/b/cat.png", render::encode_png(blue));  // the same stem in another folder
  write_text(dir / "in/broken.png", "not a picture");
  write_text(dir / "in/train.tsv",
             "a/cat.png\tcat\ten\nb/cat.png\tblue cat\ten\na/cat.png\tgato\tes\nbroken.png\tnothing\ten\n"
             "missing.png\tgone\ten\n");
  PackOptions o;
  o.tsv = dir / "in/train.tsv";
  o.out_dir = dir / "out";
  o.quality = 90;
  o.jobs = 2;
  const PackSummary s = pack_image_text_tsv(o);
  EXPECT_EQ(s.examples, 3u);
  EXPECT_EQ(s.images, 2u);
  EXPECT_EQ(s.unreadable, 1u);
  EXPECT_EQ(s.skipped, 1u);  // the missing file, as the reader reports it
  EXPECT_EQ(s.out_tsv, dir / "out/train.tsv");

  const auto packed = read_all(s.out_tsv);
  ASSERT_EQ(packed.size(), 3u);
  EXPECT_EQ(packed[0].caption, "cat");
  EXPECT_EQ(packed[1].caption, "blue cat");
  EXPECT_EQ(packed[2].caption, "gato");
  EXPECT_EQ(packed[2].language, "es");
  EXPECT_EQ(packed[0].image_path, packed[2].image_path);
  EXPECT_NE(packed[0].image_path, packed[1].image_path);
  const ImageU8 first = render::decode_image_file(packed[0].image_path);
  const ImageU8 second = render::decode_image_file(packed[1].image_path);
  EXPECT_GT(first.at(10, 10, 0), 180);   // red stayed red
  EXPECT_GT(second.at(10, 10, 2), 180);  // and blue blue
  EXPECT_EQ(render::detect_image_format(read_file(packed[0].image_path)), render::ImageFormat::kJpeg);
}

TEST(ImageTextPackTest, BadOptionsAreInvalidArgument) {
  TempDir dir;
  write_text(dir / "t.tsv", "");
  PackOptions o;
  o.tsv = dir / "t.tsv";
  o.out_dir = dir / "out";
  o.quality = 0;
  EXPECT_THROW(pack_image_text_tsv(o), Error);
}

}  // namespace
}  // namespace clippo::datasets

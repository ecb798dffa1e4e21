// The Sweet Home 3D and Fashion-MNIST corpus sources on hand-made package folders laid out as
// the Debian packages are: a .sh3f zip with catalogues in three locales and RGBA icons, a
// damaged library, and gzip'd IDX files.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/zip_archive.h"
#include "datasets/corpus/corpus_source.h"
#include "render/png_codec.h"
#include "tests/core/base/zlib_test_support.h"
#include "tests/datasets/temp_dir.h"

namespace clippo::datasets {
namespace {

using testing::TempDir;
using testing::write_text;

// A 20x20 icon: transparent (with black colour, so compositing shows) around an opaque red square.
std::string red_square_icon() {
  ImageU8 icon(20, 20, 4, 0);
  for (int y = 5; y < 15; ++y) {
    for (int x = 5; x < 15; ++x) {
      icon.at(y, x, 0) = 220;
      icon.at(y, x, 3) = 255;
    }
  }
  return render::encode_png(icon);
}

void write_furniture(const TempDir& dir) {
  const std::string english =
      "# PluginFurnitureCatalog.properties\n"
      "id=SweetHome3D#Test\nlicense=\xA9 test\n\n"
      "id#1=Test#washbasin\nname#1=Washbasin\ncategory#1=Bathroom\ntags#1=Blend Swap, sink\n"
      "icon#1=/test/washbasin.png\n\n"
      "id#2=Test#chair\nname#2=Chair\ncategory#2=Kitchen\ntags#2=\nicon#2=/test/chair.png\n\n"
      "id#3=Test#lost\nname#3=Lost piece\nicon#3=/test/not-there.png\n";
  const std::string german = "name#1=Waschbecken\ncategory#1=Badezimmer\nname#2=Stuhl\ncategory#2=K\\u00fcche\n";
  const std::string chinese = "name#1=\\u6d17\\u81c9\\u76c6\n";
  const std::string us = "name#1=Washbasin (US)\n";
  const std::string zip =
      encode_zip({{"PluginFurnitureCatalog.properties", english},
                  {"PluginFurnitureCatalog_de.properties", german},
                  {"PluginFurnitureCatalog_zh_TW.properties", chinese},
                  {"PluginFurnitureCatalog_en_US.properties", us},
                  {"test/washbasin.png", red_square_icon()},
                  {"test/chair.png", "not a png"}});
  write_text(dir / "root/usr/share/sweethome3d/furniture/Scopia.sh3f", zip);
  write_text(dir / "root/usr/share/sweethome3d/furniture/Broken.sh3f", zip.substr(0, zip.size() / 2));
}

TEST(SweetHome3dSourceTest, ReadsPiecesWithTheirCaptionsInEveryLocaleAndDrawsIconsOverWhite) {
  const TempDir dir;
  write_furniture(dir);
  const auto source = make_sweethome3d_source(dir / "root");
  ASSERT_EQ(source->missing(), "");
  std::map<std::string, size_t> notes;
  const std::vector<CorpusItem> items = source->list_items(notes);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(notes["pieces whose icon is not in the library"], 1u);
  EXPECT_EQ(notes["libraries that cannot be read (Broken.sh3f)"], 1u);

  const CorpusItem& basin = items[0];
  EXPECT_EQ(basin.key, "sweethome3d-scopia-1");
  EXPECT_EQ(basin.source, "sweethome3d");
  EXPECT_EQ(basin.concept_id, "sweethome3d:washbasin");
  EXPECT_EQ(basin.licence, "CC-BY-3.0");
  EXPECT_EQ(basin.captions.at("en"), (std::vector<std::string>{"Washbasin", "Bathroom", "sink"}));
  EXPECT_EQ(basin.captions.at("de"), (std::vector<std::string>{"Waschbecken", "Badezimmer"}));
  EXPECT_EQ(basin.captions.at("zh_Hant"), (std::vector<std::string>{"洗臉盆"}));
  EXPECT_EQ(basin.captions.count("en_US"), 0u);
  EXPECT_EQ(items[1].captions.at("de"), (std::vector<std::string>{"Stuhl", "Küche"}));
  EXPECT_EQ(items[1].captions.count("zh_Hant"), 0u);

  const ImageU8 picture = basin.draw(40);
  ASSERT_EQ(picture.height, 40);
  ASSERT_EQ(picture.channels, 3);
  EXPECT_EQ(picture.at(2, 2, 0), 255);  // transparent corner: white, not the stored black
  EXPECT_EQ(picture.at(2, 2, 1), 255);
  EXPECT_EQ(picture.at(20, 20, 0), 220);  // the opaque square
  EXPECT_EQ(picture.at(20, 20, 1), 0);
  EXPECT_THROW(items[1].draw(40), Error);  // a broken icon is an error for that item only
}

TEST(SweetHome3dSourceTest, AMissingPackageIsNamed) {
  const TempDir dir;
  EXPECT_NE(make_sweethome3d_source(dir / "root")->missing().find("sweethome3d-furniture"), std::string::npos);
  EXPECT_NE(make_fashion_mnist_source(dir / "root", std::make_shared<EmojiCaptionTable>(), 10)
                ->missing()
                .find("dataset-fashion-mnist"),
            std::string::npos);
}

std::string big_endian(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

// Five 28x28 photos whose pixels are all 10 * (index + 1), labels as given.
void write_fashion(const TempDir& dir, const std::string& labels) {
  std::string images = big_endian(0x803) + big_endian(5) + big_endian(28) + big_endian(28);
  for (int i = 0; i < 5; ++i) images += std::string(28 * 28, static_cast<char>(10 * (i + 1)));
  const std::string folder = dir / "root/usr/share/datasets/fashion-mnist/";
  write_text(folder + "train-images-idx3-ubyte.gz", clippo::testing::gzip(images));
  write_text(folder + "train-labels-idx1-ubyte.gz", clippo::testing::gzip(big_endian(0x801) + big_endian(5) + labels));
}

TEST(FashionMnistSourceTest, TakesTheFirstPhotosPerClassWithTheirEmojiCaptions) {
  const TempDir dir;
  write_fashion(dir, std::string("\x00\x02\x00\x09\x00", 5));
  auto table = std::make_shared<EmojiCaptionTable>();
  (*table)["1f455"] = {{"en", {"t-shirt", "clothing"}}, {"de", {"T-Shirt", "Kleidung"}}};
  const auto source = make_fashion_mnist_source(dir / "root", table, 2);
  ASSERT_EQ(source->missing(), "");
  std::map<std::string, size_t> notes;
  const std::vector<CorpusItem> items = source->list_items(notes);
  ASSERT_EQ(items.size(), 4u);  // photos 0, 1, 2, 3: the third T-shirt (photo 4) is over per_class
  EXPECT_EQ(items[0].key, "fashion-mnist-0");
  EXPECT_EQ(items[0].concept_id, "emoji:1f455");  // held out together with the emoji
  EXPECT_EQ(items[0].captions.at("en"), (std::vector<std::string>{"T-shirt", "t-shirt", "clothing"}));
  EXPECT_EQ(items[0].captions.at("de"), (std::vector<std::string>{"T-Shirt", "Kleidung"}));
  EXPECT_EQ(items[1].concept_id, "fashion-mnist:pullover");  // no emoji shows a pullover
  EXPECT_EQ(items[1].captions.size(), 1u);
  EXPECT_EQ(items[3].concept_id, "emoji:1f462");  // ankle boot; not in this table: English only
  EXPECT_EQ(items[3].captions.at("en"), (std::vector<std::string>{"ankle boot"}));
  EXPECT_EQ(items[3].licence, "MIT");
  const ImageU8 photo = items[1].draw(56);
  ASSERT_EQ(photo.height, 56);
  EXPECT_EQ(photo.at(30, 30, 0), 20);
  EXPECT_EQ(photo.at(30, 30, 2), 20);
}

TEST(FashionMnistSourceTest, PhotosWithAnUnknownLabelAreCountedAndNoneTakenAtZeroPerClass) {
  const TempDir dir;
  write_fashion(dir, std::string("\x00\x0a\x01\xff\x01", 5));
  auto table = std::make_shared<EmojiCaptionTable>();
  std::map<std::string, size_t> notes;
  EXPECT_EQ(make_fashion_mnist_source(dir / "root", table, 5)->list_items(notes).size(), 3u);
  EXPECT_EQ(notes["photos with an unknown label"], 2u);
  EXPECT_TRUE(make_fashion_mnist_source(dir / "root", table, 0)->list_items(notes).empty());
}

TEST(FashionMnistSourceTest, DamagedFilesAreOneClearError) {
  const TempDir dir;
  write_fashion(dir, std::string("\x00\x01", 2));  // the labels file says 5 but holds 2
  const std::string folder = dir / "root/usr/share/datasets/fashion-mnist/";
  std::map<std::string, size_t> notes;
  EXPECT_THROW(make_fashion_mnist_source(dir / "root", std::make_shared<EmojiCaptionTable>(), 2)->list_items(notes),
               Error);
  // Without its labels file the package counts as missing, named by that file.
  std::filesystem::remove(folder + "train-labels-idx1-ubyte.gz");
  EXPECT_NE(make_fashion_mnist_source(dir / "root", std::make_shared<EmojiCaptionTable>(), 2)
                ->missing()
                .find("train-labels-idx1-ubyte.gz"),
            std::string::npos);
}

}  // namespace
}  // namespace clippo::datasets

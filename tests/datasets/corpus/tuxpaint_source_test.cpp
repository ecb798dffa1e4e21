// The Tux Paint stamps source on a hand-made package folder laid out as tuxpaint-stamps-default
// is: PNG and SVG stamps with their descriptions, a stamp drawn both ways, one under two names,
// a mirrored copy, a stamp without a description and one whose description is not UTF-8.
#include <gtest/gtest.h>

#include "core/base/error.h"
#include "datasets/corpus/corpus_source.h"
#include "render/png_codec.h"
#include "tests/datasets/temp_dir.h"

namespace clippo::datasets {
namespace {

using testing::TempDir;
using testing::write_text;

// 20x20: transparent (black underneath, so compositing shows) around an opaque green square.
std::string green_square_png() {
  ImageU8 icon(20, 20, 4, 0);
  for (int y = 5; y < 15; ++y) {
    for (int x = 5; x < 15; ++x) {
      icon.at(y, x, 1) = 200;
      icon.at(y, x, 3) = 255;
    }
  }
  return render::encode_png(icon);
}

const char* const kBlueSvg =
    "<svg xmlns='http://www.w3.org/2000/svg' width='16' height='16'><rect width='16' height='16' fill='#00f'/></svg>";

void write_stamps(const TempDir& dir) {
  const std::string stamps = dir / "root/usr/share/tuxpaint/stamps/";
  write_text(stamps + "animals/farm/cow.png", green_square_png());
  write_text(stamps + "animals/farm/cow.txt",
             "A cow.\nde.utf8=Eine Kuh.\npt_BR.utf8=Uma vaca.\nen_GB.utf8=A cow.\nfr.utf8=A cow.\nzh_TW.utf8=\xE7\x89\x9B\n");
  write_text(stamps + "animals/farm/cow_mirror.png", green_square_png());
  // A stamp whose name only ends like a mirror ("hand mirror"): no "hand" stamp, so it is read.
  write_text(stamps + "household/hand_mirror.PNG", green_square_png());
  write_text(stamps + "household/hand_mirror.txt", "A hand mirror.\n");
  // Two names that make one key once lower-cased: the second is numbered.
  write_text(stamps + "vehicles/Boat2.png", green_square_png());
  write_text(stamps + "vehicles/Boat2.txt", "A green boat.\n");
  write_text(stamps + "vehicles/boat2.png", green_square_png());
  write_text(stamps + "vehicles/boat2.txt", "Another green boat.\n");
  write_text(stamps + "vehicles/boat.svg", kBlueSvg);
  write_text(stamps + "vehicles/boat.png", "a fallback thumbnail that is not read");
  write_text(stamps + "vehicles/boat.txt", "A blue boat.\r\nes.utf8=Un barco azul.\r\n");
  write_text(stamps + "vehicles/nameless.png", green_square_png());
  write_text(stamps + "vehicles/latin1.png", green_square_png());
  write_text(stamps + "vehicles/latin1.txt", "A caf\xE9.\n");
  // One stamp under two names that differ in case: the first name ("sail.PNG") is read, whatever
  // order the folder lists them in.
  write_text(stamps + "vehicles/sail.PNG", green_square_png());
  write_text(stamps + "vehicles/sail.png", "not a png either");
  write_text(stamps + "vehicles/sail.txt", "A sail.\n");
  write_text(stamps + "vehicles/broken.png", "not a png");
  write_text(stamps + "vehicles/broken.txt", "A broken picture.\n");
}

TEST(TuxPaintStampsSourceTest, ReadsStampsWithTheirDescriptionsInEveryLocale) {
  const TempDir dir;
  write_stamps(dir);
  const auto source = make_tuxpaint_stamps_source(dir / "root");
  ASSERT_EQ(source->missing(), "");
  std::map<std::string, size_t> notes;
  const std::vector<CorpusItem> items = source->list_items(notes);
  // Sorted by path: cow, hand_mirror, Boat2, boat, boat2, broken, sail.
  ASSERT_EQ(items.size(), 7u);
  EXPECT_EQ(notes["mirrored copies of another stamp (not read)"], 1u);
  EXPECT_EQ(notes["extra picture files of a stamp (not read: the SVG first, else the first name)"], 2u);
  EXPECT_EQ(notes["stamps without a description"], 1u);
  EXPECT_EQ(notes["descriptions that cannot be read"], 1u);

  const CorpusItem& cow = items[0];
  EXPECT_EQ(cow.key, "tuxpaint-animals-farm-cow");
  EXPECT_EQ(cow.source, "tuxpaint");
  EXPECT_EQ(cow.concept_id, "tuxpaint:animals/farm/cow");
  EXPECT_EQ(cow.licence, "GPL-2.0-or-later");
  EXPECT_EQ(cow.origin, "Debian tuxpaint-stamps-default animals/farm/cow.png");
  // en_GB respells the English and fr is untranslated: neither is a caption.
  EXPECT_EQ(cow.captions, (LocaleCaptions{{"en", {"A cow."}},
                                          {"de", {"Eine Kuh."}},
                                          {"pt", {"Uma vaca."}},
                                          {"zh_Hant", {"牛"}}}));
  const ImageU8 cow_picture = cow.draw(40);
  ASSERT_EQ(cow_picture.height, 40);
  ASSERT_EQ(cow_picture.channels, 3);
  EXPECT_EQ(cow_picture.at(2, 2, 0), 255);  // transparent corner: white, not the stored black
  EXPECT_EQ(cow_picture.at(20, 20, 0), 0);  // the opaque green square
  EXPECT_EQ(cow_picture.at(20, 20, 1), 200);

  const CorpusItem& boat = items[3];
  EXPECT_EQ(boat.origin, "Debian tuxpaint-stamps-default vehicles/boat.svg");
  EXPECT_EQ(boat.captions.at("es"), (std::vector<std::string>{"Un barco azul."}));
  const ImageU8 boat_picture = boat.draw(32);
  EXPECT_EQ(boat_picture.at(16, 16, 2), 255);  // drawn from the SVG: blue
  EXPECT_EQ(boat_picture.at(16, 16, 0), 0);

  EXPECT_EQ(items[1].key, "tuxpaint-household-hand_mirror");
  EXPECT_EQ(items[1].captions.at("en"), (std::vector<std::string>{"A hand mirror."}));
  EXPECT_EQ(items[1].draw(40).at(20, 20, 1), 200);  // an upper-case .PNG is a PNG
  EXPECT_EQ(items[2].key, "tuxpaint-vehicles-boat2");
  EXPECT_EQ(items[4].key, "tuxpaint-vehicles-boat2-2");
  EXPECT_EQ(items[4].captions.at("en"), (std::vector<std::string>{"Another green boat."}));
  EXPECT_EQ(items[5].key, "tuxpaint-vehicles-broken");
  EXPECT_THROW(items[5].draw(32), Error);  // a broken picture is an error for that item only
  EXPECT_EQ(items[6].origin, "Debian tuxpaint-stamps-default vehicles/sail.PNG");
  EXPECT_EQ(items[6].draw(40).at(20, 20, 1), 200);
}

TEST(TuxPaintStampsSourceTest, AMissingPackageIsNamed) {
  const TempDir dir;
  EXPECT_NE(make_tuxpaint_stamps_source(dir / "root")->missing().find("tuxpaint-stamps-default"), std::string::npos);
}

}  // namespace
}  // namespace clippo::datasets

// Tux Paint's stamp descriptions: English first, `<locale>.utf8=` translations, and one clear
// error for what is not a description file.
#include "datasets/corpus/stamp_description.h"

#include <gtest/gtest.h>

#include "core/base/error.h"

namespace clippo::datasets {
namespace {

TEST(StampDescriptionTest, ReadsTheEnglishLineAndEveryTranslation) {
  const StampDescription d = parse_stamp_description(
      "\xEF\xBB\xBF" "A red kangaroo.\r\n"
      "de.utf8=Ein rotes Riesenk\xC3\xA4nguru.\r\n"
      "\n"
      "pt_BR.utf8= Um canguru vermelho. \n"
      "sr@latin.utf8=Crveni kengur.\n"
      "fr.utf8=\n"                  // empty: not translated
      "de.utf8=Zweite Fassung\n"    // a repeated locale keeps its first text
      "A second English line\n"     // later untagged lines are ignored
      "ja.utf8=\xE3\x82\xA2\xE3\x82\xAB\xE3\x82\xAB\xE3\x83\xB3\xE3\x82\xAC\xE3\x83\xAB\xE3\x83\xBC",
      "kangaroo.txt");
  EXPECT_EQ(d.english, "A red kangaroo.");
  EXPECT_EQ(d.translations, (std::map<std::string, std::string>{{"de", "Ein rotes Riesenkänguru."},
                                                                {"ja", "アカカンガルー"},
                                                                {"pt_BR", "Um canguru vermelho."},
                                                                {"sr@latin", "Crveni kengur."}}));
}

TEST(StampDescriptionTest, ALineThatOnlyLooksLikeATranslationIsEnglish) {
  EXPECT_EQ(parse_stamp_description("1.utf8=x\nde.utf8=y", "t.txt").english, "1.utf8=x");
  EXPECT_EQ(parse_stamp_description("a b.utf8=x", "t.txt").english, "a b.utf8=x");
  const StampDescription only_translations = parse_stamp_description("de.utf8=Kuh\n", "t.txt");
  EXPECT_EQ(only_translations.english, "");
  EXPECT_EQ(only_translations.translations.at("de"), "Kuh");
  EXPECT_EQ(parse_stamp_description("", "t.txt").english, "");
}

TEST(StampDescriptionTest, BareCarriageReturnsEndLinesToo) {
  const StampDescription d = parse_stamp_description("A cow.\rde.utf8=Eine Kuh.\rfr.utf8=Une vache.", "cow.txt");
  EXPECT_EQ(d.english, "A cow.");
  EXPECT_EQ(d.translations, (std::map<std::string, std::string>{{"de", "Eine Kuh."}, {"fr", "Une vache."}}));
  try {  // line numbers count CRLF as one line end and a bare CR as one
    parse_stamp_description("A cow.\r\nde.utf8=Kuh\rfr.utf8=\xFF", "cow.txt");
    FAIL() << "accepted invalid UTF-8";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cow.txt:3"), std::string::npos) << e.what();
  }
}

TEST(StampDescriptionTest, InvalidUtf8AndOverlongLinesAreOneErrorNamingTheLine) {
  try {
    parse_stamp_description("A cow.\nde.utf8=K\xFFh\n", "cow.txt");
    FAIL() << "accepted invalid UTF-8";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("cow.txt:2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_stamp_description("A cow.\n" + std::string(5000, 'x'), "cow.txt"), Error);
  EXPECT_NO_THROW(parse_stamp_description(std::string(4096, 'x'), "cow.txt"));
}

}  // namespace
}  // namespace clippo::datasets

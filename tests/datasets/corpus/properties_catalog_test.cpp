// The .properties reader against java.util.Properties.load's rules, on the shapes Sweet Home 3D's
// catalogues use (\u escapes for non-Latin scripts, ISO-8859-1 bytes, continuations).
#include "datasets/corpus/properties_catalog.h"

#include <gtest/gtest.h>

#include "core/base/error.h"

namespace clippo::datasets {
namespace {

TEST(PropertiesCatalogTest, SeparatorsCommentsAndBlanksAsJavaReadsThem) {
  const auto p = parse_properties(
      "# a comment\n"
      "! another\n"
      "\n"
      "   name#1=Washbasin\n"
      "category#1 : Bathroom\n"
      "tags#1 Blend Swap, Seat\n"
      "empty#1=\n"
      "keyonly\n"
      "a\\=b\\ c=d\n"
      "dup=first\r\n"
      "dup=second\r"
      "last=no newline",
      "t.properties");
  EXPECT_EQ(p.at("name#1"), "Washbasin");
  EXPECT_EQ(p.at("category#1"), "Bathroom");
  EXPECT_EQ(p.at("tags#1"), "Blend Swap, Seat");
  EXPECT_EQ(p.at("empty#1"), "");
  EXPECT_EQ(p.at("keyonly"), "");
  EXPECT_EQ(p.at("a=b c"), "d");
  EXPECT_EQ(p.at("dup"), "second");
  EXPECT_EQ(p.at("last"), "no newline");
  EXPECT_EQ(p.size(), 8u);
}

TEST(PropertiesCatalogTest, EscapesAndSurrogatePairsBecomeUtf8) {
  const auto p = parse_properties(
      "ja=\\u6d17\\u9762\\u53f0\n"
      "emoji=\\uD83D\\uDE00!\n"
      "lone=\\uD83Dx\n"
      "tabs=a\\tb\\nc\\\\d\\#e\n",
      "t.properties");
  EXPECT_EQ(p.at("ja"), "洗面台");
  EXPECT_EQ(p.at("emoji"), "😀!");
  EXPECT_EQ(p.at("lone"), "\xEF\xBF\xBDx");  // a lone surrogate is U+FFFD
  EXPECT_EQ(p.at("tabs"), "a\tb\nc\\d#e");
}

TEST(PropertiesCatalogTest, ContinuationLinesJoinWithoutTheirLeadingBlanks) {
  const auto p = parse_properties(
      "long=first part, \\\n"
      "     second part\n"
      "even=ends in a backslash\\\\\n"
      "next=1\n",
      "t.properties");
  EXPECT_EQ(p.at("long"), "first part, second part");
  EXPECT_EQ(p.at("even"), "ends in a backslash\\");
  EXPECT_EQ(p.at("next"), "1");
  // After a continuation, '#' is content, not a comment; a separator repeated is part of the value.
  const auto q = parse_properties("a=b\\\n# x\nk = = v\nonto_blank=z\\\n\nafter=1\n", "t.properties");
  EXPECT_EQ(q.at("a"), "b# x");
  EXPECT_EQ(q.at("k"), "= v");
  EXPECT_EQ(q.at("onto_blank"), "z");
  EXPECT_EQ(q.at("after"), "1");
  EXPECT_EQ(q.size(), 4u);
}

TEST(PropertiesCatalogTest, Latin1FilesAreConvertedAndUtf8FilesKept) {
  // "license=© Emmanuel" as ISO-8859-1 (0xA9), as the English catalogue ships it.
  EXPECT_EQ(parse_properties("license=\xA9 Emmanuel\nname=K\xFC" "che\n", "l.properties").at("name"), "Küche");
  EXPECT_EQ(parse_properties("license=\xA9 Emmanuel\n", "l.properties").at("license"), "© Emmanuel");
  EXPECT_EQ(parse_properties("name=Küche\n", "u.properties").at("name"), "Küche");
}

TEST(PropertiesCatalogTest, AMalformedUnicodeEscapeNamesTheFileAndLine) {
  try {
    parse_properties("# comment\n\nok=1\n\n! another\nbad=\\u12G4\n", "lib.sh3f:cat.properties");
    FAIL() << "malformed escape accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("lib.sh3f:cat.properties:6"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_properties("short=\\u12", "t"), Error);
}

}  // namespace
}  // namespace clippo::datasets

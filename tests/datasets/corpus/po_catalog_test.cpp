// The .po reader: entries, continuation lines, escapes, fuzzy marks, and errors that name the line.
#include "datasets/corpus/po_catalog.h"

#include <gtest/gtest.h>

#include "core/base/error.h"

namespace clippo::datasets {
namespace {

TEST(PoCatalog, ReadsEntriesContinuationsAndEscapes) {
  const std::string po =
      "# header comment\n"
      "msgid \"\"\n"
      "msgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n"
      "\n"
      "msgid \"cow\"\n"
      "msgstr \"Kuh\"\n"
      "\n"
      "#, fuzzy\n"
      "msgid \"baby rabbit\"\n"
      "msgstr \"\"\n"
      "\"Baby \"\n"
      "\"Hase\"\n"
      "\n"
      "msgctxt \"menu\"\n"
      "msgid \"say \\\"hi\\\"\\t\\101\"\n"
      "msgstr \"sag \\\"hallo\\\"\"\n"
      "msgid \"one\"\n"
      "msgid_plural \"many\"\n"
      "msgstr[0] \"eins\"\n"
      "msgstr[1] \"viele\"\n"
      "#~ msgid \"obsolete\"\n"
      "msgid \"untranslated\"\n"
      "msgstr \"\"\n";
  const std::vector<PoEntry> entries = parse_po_catalog(po, "de.po");
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_EQ(entries[0].msgid, "cow");
  EXPECT_EQ(entries[0].msgstr, "Kuh");
  EXPECT_FALSE(entries[0].fuzzy);
  EXPECT_EQ(entries[1].msgid, "baby rabbit");
  EXPECT_EQ(entries[1].msgstr, "Baby Hase");
  EXPECT_TRUE(entries[1].fuzzy);
  EXPECT_EQ(entries[2].context, "menu");
  EXPECT_EQ(entries[2].msgid, "say \"hi\"\tA");
  EXPECT_EQ(entries[2].msgstr, "sag \"hallo\"");
  EXPECT_EQ(entries[3].msgid, "one");
  EXPECT_EQ(entries[3].msgstr, "eins");
  EXPECT_EQ(entries[4].msgid, "untranslated");
  EXPECT_EQ(entries[4].msgstr, "");
}

std::string error_of(const std::string& po) {
  try {
    parse_po_catalog(po, "x.po");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    return e.what();
  }
  return "";
}

TEST(PoCatalog, MalformedFilesAreOneErrorNamingTheLine) {
  EXPECT_NE(error_of("msgid \"a\"\nmsgstr \"b\n").find("line 2: unterminated string"), std::string::npos);
  EXPECT_NE(error_of("msgid \"a\"\nmsgfoo \"b\"\n").find("line 2: unknown keyword 'msgfoo'"), std::string::npos);
  EXPECT_NE(error_of("msgstr \"b\"\n").find("line 1: msgstr without msgid"), std::string::npos);
  EXPECT_NE(error_of("\"stray\"\n").find("line 1: a string outside any entry"), std::string::npos);
  EXPECT_NE(error_of("msgid \"a\" x\n").find("text after the closing quote"), std::string::npos);
  EXPECT_NE(error_of("msgid \"\\q\"\n").find("unknown escape"), std::string::npos);
  EXPECT_NE(error_of("msgid \"\xff\"\n").find("not UTF-8"), std::string::npos);
  EXPECT_NE(error_of("msgid\n").find("without a quoted string"), std::string::npos);
  // Found by fuzz_po_catalog: escapes spelling bytes that are not UTF-8, in a file that is.
  EXPECT_NE(error_of("msgid \"on\\xf0y\"\nmsgstr \"x\"\n").find("not UTF-8"), std::string::npos);
  EXPECT_NE(error_of("msgid \"a\"\nmsgstr \"\\377\"\n\nmsgid \"b\"\n").find("line 4"), std::string::npos);
}

TEST(PoCatalog, MissingFileIsNotFound) {
  try {
    read_po_catalog("/nonexistent/de.po");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  }
}

TEST(PoCatalog, GettextLocalesMapToTheCorpusLocales) {
  EXPECT_EQ(cldr_locale_of_gettext("fr"), "fr");
  EXPECT_EQ(cldr_locale_of_gettext("zh_CN"), "zh");
  EXPECT_EQ(cldr_locale_of_gettext("zh_TW"), "zh_Hant");
  EXPECT_EQ(cldr_locale_of_gettext("pt_BR"), "pt");
  EXPECT_EQ(cldr_locale_of_gettext("pt"), "pt_PT");
  EXPECT_EQ(cldr_locale_of_gettext("sr@latin"), "sr_Latn");
  EXPECT_EQ(cldr_locale_of_gettext("en"), "");
  EXPECT_EQ(cldr_locale_of_gettext("en_GB"), "");
  EXPECT_EQ(cldr_locale_of_gettext("en_AU"), "");
  EXPECT_EQ(cldr_locale_of_gettext("ca@valencia"), "");
}

}  // namespace
}  // namespace clippo::datasets

// The CLDR annotations reader on hand-written LDML (entities, tts vs keywords, drafts, merges),
// and once on the installed CLDR English file.
#include "datasets/cldr_annotations.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/base/error.h"
#include "tests/datasets/temp_dir.h"

namespace clippo::datasets {
namespace {

using testing::TempDir;
using testing::write_text;

// What a CLDR file looks like, with the constructs the reader must get past or decode.
constexpr const char* kSnippet = R"(<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE ldml SYSTEM "../../common/dtd/ldml.dtd">
<!-- a comment holding <annotation cp="X">not read</annotation> -->
<ldml>
	<identity>
		<version number="$Revision$"/>
		<language type="xx"/>
	</identity>
	<annotations>
		<annotation cp="😀">face | grin | grinning face</annotation>
		<annotation cp="😀" type="tts">grinning face</annotation>
		<annotation cp="&amp;">ampersand | &quot;and&quot; | &lt;amp&gt; |  it&apos;s  | </annotation>
		<annotation cp="&amp;" type="tts">and &#x26; &#38; &#x1F600;</annotation>
		<annotation type='tts' draft="contributed" cp='&#x1F44D;'>thumbs up</annotation>
		<annotation cp="🐈" draft="unconfirmed">cat | pet</annotation>
		<annotation cp="🐈" type="tts" draft="unconfirmed">cat</annotation>
		<annotation cp="🐕" type="tts" draft="provisional">dog</annotation>
	</annotations>
</ldml>
)";

ErrorCode parse_error_code(const std::string& xml) {
  try {
    parse_cldr_annotations(xml, "snippet.xml");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("snippet.xml"), std::string::npos) << e.what();
    return e.code();
  }
  ADD_FAILURE() << "parsed: " << xml;
  return ErrorCode::kInternal;
}

TEST(CldrAnnotationsTest, ReadsNamesKeywordsAndEntities) {
  TempDir dir;
  write_text(dir / "xx.xml", kSnippet);
  const EmojiAnnotations a = read_cldr_annotations(dir / "xx.xml");
  ASSERT_EQ(a.size(), 3u);  // unconfirmed and provisional entries left out
  EXPECT_EQ(a.at("😀").name, "grinning face");
  EXPECT_EQ(a.at("😀").keywords, (std::vector<std::string>{"face", "grin", "grinning face"}));
  // Entities in the cp attribute and in text; keywords trimmed, empty ones dropped.
  EXPECT_EQ(a.at("&").name, "and & & 😀");
  EXPECT_EQ(a.at("&").keywords, (std::vector<std::string>{"ampersand", "\"and\"", "<amp>", "it's"}));
  // Single-quoted attributes in any order; a name without keywords.
  EXPECT_EQ(a.at("👍").name, "thumbs up");
  EXPECT_TRUE(a.at("👍").keywords.empty());
  EXPECT_EQ(a.count("X"), 0u);  // the comment is not read
}

TEST(CldrAnnotationsTest, UnconfirmedEntriesOnRequest) {
  CldrReadOptions options;
  options.include_unconfirmed = true;
  const EmojiAnnotations a = parse_cldr_annotations(kSnippet, "snippet.xml", options);
  ASSERT_EQ(a.size(), 5u);
  EXPECT_EQ(a.at("🐈").name, "cat");
  EXPECT_EQ(a.at("🐈").keywords, (std::vector<std::string>{"cat", "pet"}));
  EXPECT_EQ(a.at("🐕").name, "dog");
}

TEST(CldrAnnotationsTest, MalformedInputNamesTheFile) {
  const std::string open = "<ldml><annotations>";
  EXPECT_EQ(parse_error_code(open + "<annotation cp=\"a\">x &nbsp; y</annotation>"),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_error_code(open + "<annotation cp=\"a\">x & y</annotation>"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_error_code(open + "<annotation cp=\"a\">&#xD800;</annotation>"),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_error_code(open + "<annotation cp=\"a\">&#0;</annotation>"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_error_code(open + "<annotation cp=\"a\">unterminated"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_error_code(open + "<annotation type=\"tts\">no cp</annotation>"),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_error_code(open + "<annotation cp=a>unquoted</annotation>"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_error_code(open + "<annotation cp=\"a\">x<b>y</b></annotation>"),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_error_code(open + "<!-- never closed"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_error_code(open + "<annotation cp=\"a\">\xff</annotation>"), ErrorCode::kInvalidArgument);
}

TEST(CldrAnnotationsTest, MissingFileIsNotFound) {
  try {
    read_cldr_annotations("/nonexistent/cldr/en.xml");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/cldr/en.xml"), std::string::npos);
  }
}

TEST(CldrAnnotationsTest, LocaleFromFileName) {
  EXPECT_EQ(cldr_locale_of("/x/annotations/de.xml"), "de");
  EXPECT_EQ(cldr_locale_of("zh_Hant.xml"), "zh_Hant");
  EXPECT_EQ(cldr_locale_of("/a.b/sr_Latn_BA.xml"), "sr_Latn_BA");
}

std::string ldml(const std::string& body) { return "<ldml><annotations>" + body + "</annotations></ldml>"; }

TEST(CldrAnnotationsTest, FoldersMergePerLocaleAndFilter) {
  TempDir dir;
  write_text(dir / "base/de.xml", ldml("<annotation cp=\"😀\" type=\"tts\">grinsendes Gesicht</annotation>"
                                       "<annotation cp=\"🐈\">Katze</annotation>"));
  write_text(dir / "base/zh_Hant.xml", ldml("<annotation cp=\"😀\" type=\"tts\">嘿嘿笑</annotation>"));
  write_text(dir / "base/root.xml", ldml("<annotation cp=\"😀\" type=\"tts\">root</annotation>"));
  write_text(dir / "base/notes.txt", "not a locale");
  write_text(dir / "derived/de.xml",
             ldml("<annotation cp=\"😀\" type=\"tts\">overridden?</annotation>"
                  "<annotation cp=\"😀\">Gesicht</annotation>"
                  "<annotation cp=\"🐈\" type=\"tts\">Katze</annotation>"
                  "<annotation cp=\"👍🏽\" type=\"tts\">Daumen hoch</annotation>"));
  const std::vector<std::string> folders = {dir / "base", dir / "derived"};

  const LocaleAnnotations all = read_cldr_annotation_folders(folders);
  ASSERT_EQ(all.size(), 2u);  // root.xml and the .txt skipped
  const EmojiAnnotations& de = all.at("de");
  ASSERT_EQ(de.size(), 3u);
  // The first folder's name stays; what it lacked comes from the second.
  EXPECT_EQ(de.at("😀").name, "grinsendes Gesicht");
  EXPECT_EQ(de.at("😀").keywords, std::vector<std::string>{"Gesicht"});
  EXPECT_EQ(de.at("🐈").name, "Katze");
  EXPECT_EQ(de.at("👍🏽").name, "Daumen hoch");
  EXPECT_EQ(all.at("zh_Hant").at("😀").name, "嘿嘿笑");

  const LocaleAnnotations only = read_cldr_annotation_folders(folders, {"zh_Hant"});
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only.count("zh_Hant"), 1u);

  try {
    read_cldr_annotation_folders(folders, {"de", "xx"});
    FAIL() << "no error for an unknown locale";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("'xx'"), std::string::npos) << e.what();
  }
  try {
    read_cldr_annotation_folders({dir / "base", dir / "missing"});
    FAIL() << "no error for a missing folder";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find(dir / "missing"), std::string::npos) << e.what();
  }
}

TEST(CldrAnnotationsTest, InstalledEnglishFile) {
  const std::string en = std::string(kCldrAnnotationsDir) + "/en.xml";
  if (!std::filesystem::exists(en)) GTEST_SKIP() << en << " missing: apt-get install unicode-cldr-core";
  const EmojiAnnotations a = read_cldr_annotations(en);
  EXPECT_GT(a.size(), 1500u);
  EXPECT_EQ(a.at("😀").name, "grinning face");
  EXPECT_EQ(a.at("&").name, "ampersand");
  EXPECT_EQ(a.at("<").name, "less-than");
}

}  // namespace
}  // namespace clippo::datasets

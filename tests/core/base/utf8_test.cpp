#include "core/base/utf8.h"

#include <gtest/gtest.h>

namespace clippo {
namespace {

TEST(Utf8Test, DecodesEveryLength) {
  EXPECT_EQ(decode_utf8("a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80"), (std::u32string{U'a', 0xE9, 0x4E2D, 0x1F600}));
}

TEST(Utf8Test, ReplacesMaximalSubpartsOnce) {
  // Unicode 15 section 3.9, Table 3-8: each maximal subpart becomes one U+FFFD.
  // "\xF1\x80\x80" is a truncated 4-byte sequence (one subpart), "\xE1\x80" likewise,
  // "\xC2" alone, "\x41" fine, stray continuation bytes one each.
  const std::u32string got = decode_utf8("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x81\x63");
  EXPECT_EQ(got, (std::u32string{U'a', 0xFFFD, 0xFFFD, 0xFFFD, U'b', 0xFFFD, 0xFFFD, U'c'}));
}

TEST(Utf8Test, RejectsSurrogatesOverlongsAndBeyondMax) {
  EXPECT_EQ(decode_utf8("\xED\xA0\x80"), (std::u32string{0xFFFD, 0xFFFD, 0xFFFD}));  // surrogate
  EXPECT_EQ(decode_utf8("\xC0\xAF"), (std::u32string{0xFFFD, 0xFFFD}));              // overlong '/'
  EXPECT_EQ(decode_utf8("\xF4\x90\x80\x80"), (std::u32string(4, 0xFFFD)));           // > U+10FFFF
  EXPECT_EQ(decode_utf8("\xFF"), (std::u32string{0xFFFD}));
}

TEST(Utf8Test, TruncatedAtEndIsOneReplacement) {
  EXPECT_EQ(decode_utf8("ab\xE4\xB8"), (std::u32string{U'a', U'b', 0xFFFD}));
}

TEST(Utf8Test, MaxCharsCutsCodePointsNotBytes) {
  EXPECT_EQ(decode_utf8("\xE4\xB8\xAD\xE6\x96\x87xyz", 2), (std::u32string{0x4E2D, 0x6587}));
  EXPECT_EQ(decode_utf8("abc", 0).size(), 3u);
}

TEST(Utf8Test, ValidityAndSanitising) {
  EXPECT_TRUE(is_valid_utf8("plain \xEF\xBF\xBD text"));  // a literal U+FFFD is valid
  EXPECT_FALSE(is_valid_utf8("bad \xFF"));
  EXPECT_EQ(sanitize_utf8("a\xFF"), "a\xEF\xBF\xBD");
  std::string out;
  for (char32_t cp : {U'a', char32_t{0xE9}, char32_t{0x4E2D}, char32_t{0x1F600}}) append_utf8(cp, out);
  EXPECT_EQ(out, "a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80");
}

TEST(Utf8Test, AsciiLowerLeavesEverythingElse) {
  // tf.strings.lower(encoding='') changes A-Z only: "ÄÖ" and Cyrillic stay upper-case.
  EXPECT_EQ(ascii_lower("Hello ÄÖ ПРИВЕТ"), "hello ÄÖ ПРИВЕТ");
}

}  // namespace
}  // namespace clippo

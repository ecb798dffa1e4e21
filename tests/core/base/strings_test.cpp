#include "core/base/strings.h"

#include <gtest/gtest.h>

namespace clippo {
namespace {

TEST(SplitFields, KeepsEmptyFields) {
  EXPECT_EQ(split_fields("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(split_fields("", ','), (std::vector<std::string>{""}));
}

TEST(Trim, DropsXmlWhiteSpaceAtBothEndsOnly) {
  EXPECT_EQ(trim(" \t a b \r\n"), "a b");
  EXPECT_EQ(trim("   "), "");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim("x"), "x");
}

TEST(Trim, TakesTheCharactersToDrop) {
  // UDHR paragraphs keep their line breaks and only lose spaces.
  EXPECT_EQ(trim("  a\n ", " "), "a\n");
  EXPECT_EQ(trim("--a-b--", "-"), "a-b");
}

TEST(StringsTest, ConstantTimeEqualIsEquality) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("Bearer s3cret", "Bearer s3cret"));
  EXPECT_FALSE(constant_time_equal("Bearer s3cret", "Bearer s3creT"));
  EXPECT_FALSE(constant_time_equal("Bearer s3cret", "Bearer s3cret2"));  // a prefix is not equal
  EXPECT_FALSE(constant_time_equal("", "x"));
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
  EXPECT_FALSE(constant_time_equal(std::string("ab\0", 3), "ab"));  // padding does not make equal
}

}  // namespace
}  // namespace clippo

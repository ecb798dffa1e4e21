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

}  // namespace
}  // namespace clippo

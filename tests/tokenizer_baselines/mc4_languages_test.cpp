// The mC4 language table the token report samples over.
#include "tokenizer_baselines/mc4_languages.h"

#include <gtest/gtest.h>

namespace clippo::tokenizer_baselines {
namespace {

TEST(Mc4LanguagesTest, ListsTheTfdsLanguagesWithUdhrMatches) {
  const auto& all = mc4_languages();
  EXPECT_EQ(all.size(), 107u);
  size_t without = 0;
  for (const Mc4Language& l : all) {
    if (l.udhr_codes.empty()) {
      ++without;
      EXPECT_FALSE(l.note.empty()) << l.code;
    }
  }
  EXPECT_EQ(without, 7u);  // six romanised variants and Sindhi
  ASSERT_NE(find_mc4_language("zh"), nullptr);
  EXPECT_EQ(find_mc4_language("zh")->udhr_codes.front(), "cmn_hans");
  EXPECT_EQ(find_mc4_language("iw")->udhr_codes.front(), "heb");
  EXPECT_TRUE(find_mc4_language("ru-Latn")->udhr_codes.empty());
  EXPECT_EQ(find_mc4_language("he"), nullptr);  // mC4 says "iw"
}

}  // namespace
}  // namespace clippo::tokenizer_baselines

#include "core/base/base64.h"

#include <gtest/gtest.h>

#include "core/base/error.h"

namespace clippo {
namespace {

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded), plain);
  }
}

TEST(Base64Test, AcceptsDataUrlsWhitespaceAndNoPadding) {
  EXPECT_EQ(base64_decode("data:image/png;base64,Zm9v\nYmE"), "fooba");
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(base64_decode(base64_encode(all)), all);
}

TEST(Base64Test, RejectsGarbage) {
  EXPECT_THROW(base64_decode("Zm9v!"), Error);
  EXPECT_THROW(base64_decode("Z"), Error);
  EXPECT_THROW(base64_decode("Zg==Zg"), Error);
  EXPECT_THROW(base64_decode("data:nocomma"), Error);
}

}  // namespace
}  // namespace clippo

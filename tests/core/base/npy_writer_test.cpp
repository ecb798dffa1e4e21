#include "core/base/npy_writer.h"

#include <gtest/gtest.h>

#include <string>

namespace clippo {
namespace {

TEST(NpyWriterTest, HeaderIsAlignedAndDescribesTheArray) {
  const uint8_t data[6] = {1, 2, 3, 4, 5, 6};
  const std::string npy = encode_npy("|u1", {1, 2, 3}, data, sizeof(data));
  ASSERT_EQ(npy.substr(0, 6), "\x93NUMPY");
  const size_t header_len = static_cast<uint8_t>(npy[8]) | (static_cast<uint8_t>(npy[9]) << 8);
  EXPECT_EQ((10 + header_len) % 64, 0u);
  const std::string header = npy.substr(10, header_len);
  EXPECT_NE(header.find("'descr': '|u1'"), std::string::npos);
  EXPECT_NE(header.find("'shape': (1, 2, 3)"), std::string::npos);
  EXPECT_EQ(header.back(), '\n');
  EXPECT_EQ(npy.substr(10 + header_len), std::string(reinterpret_cast<const char*>(data), 6));
}

TEST(NpyWriterTest, OneDimensionalShapeHasTrailingComma) {
  const float v[2] = {1.0f, 2.0f};
  const std::string npy = encode_npy("<f4", {2}, v, sizeof(v));
  EXPECT_NE(npy.find("'shape': (2, )"), std::string::npos);
}

}  // namespace
}  // namespace clippo

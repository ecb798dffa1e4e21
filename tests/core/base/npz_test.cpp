#include "core/base/npz.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "core/base/error.h"
#include "core/base/file_io.h"

namespace clippo {
namespace {

std::string fixture(const std::string& name) { return std::string(CLIPPO_TEST_DATA_DIR) + "/npz/" + name; }

TEST(NpzTest, ReadsWhatNumpyWrites) {
  for (const char* file : {"stored.npz", "deflated.npz"}) {
    const auto arrays = read_npz(fixture(file));
    ASSERT_EQ(arrays.size(), 6u) << file;
    const NpyArray& k = arrays.at("params/img/embedding/kernel");
    EXPECT_EQ(k.shape, (std::vector<int64_t>{2, 2, 3, 4}));
    EXPECT_EQ(k.dtype, DType::kFloat32);
    EXPECT_FLOAT_EQ(k.to_float32()[5], 5.0f / 7.0f);
    EXPECT_NEAR(arrays.at("params/t").to_float32()[0], std::log(10.0f), 1e-6);
    EXPECT_EQ(arrays.at("half").to_float32(), (std::vector<float>{1.0f, -2.5f, 65504.0f, half_to_float(1), 0.0f}));
    EXPECT_EQ(arrays.at("int64").to_float32()[1], -2.0f);
    EXPECT_TRUE(arrays.at("scalar").shape.empty());
    EXPECT_EQ(arrays.at("scalar").to_float32()[0], 3.5f);
    EXPECT_EQ(arrays.at("empty").numel(), 0);
  }
}

TEST(NpzTest, WriteReadRoundTripKeepsEveryByte) {
  const auto arrays = read_npz(fixture("deflated.npz"));
  std::map<std::string, NpyArray> with_bf16 = arrays;
  NpyArray bf;
  bf.dtype = DType::kBFloat16;
  bf.shape = {3};
  for (float v : {1.0f, -0.5f, 3.14159f}) {
    const uint16_t b = float_to_bfloat16(v);
    bf.data.append(reinterpret_cast<const char*>(&b), 2);
  }
  with_bf16["bf16"] = bf;
  const auto path = (std::filesystem::temp_directory_path() / "clippo_npz_roundtrip.npz").string();
  write_npz(path, with_bf16);
  const auto back = read_npz(path);
  ASSERT_EQ(back.size(), with_bf16.size());
  for (const auto& [key, a] : with_bf16) {
    EXPECT_EQ(back.at(key).data, a.data) << key;
    EXPECT_EQ(back.at(key).shape, a.shape) << key;
    EXPECT_EQ(back.at(key).dtype, a.dtype) << key;
  }
  EXPECT_FLOAT_EQ(back.at("bf16").to_float32()[2], 3.140625f);
}

TEST(NpzTest, TruncatedAndCorruptFilesAreClearErrors) {
  const std::string bytes = read_file(fixture("stored.npz"));
  for (size_t cut : {size_t{0}, size_t{10}, bytes.size() / 3, bytes.size() / 2, bytes.size() - 1}) {
    try {
      parse_npz(bytes.substr(0, cut), "m.npz");
      ADD_FAILURE() << "accepted a file cut at " << cut;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
      EXPECT_NE(std::string(e.what()).find("m.npz"), std::string::npos);
    }
  }
  std::string flipped = bytes;
  flipped[200] ^= 0x5A;  // inside the first member's data: the CRC must catch it
  EXPECT_THROW(parse_npz(flipped, "m.npz"), Error);
  EXPECT_THROW(parse_npz("PK\x05\x06 not really a zip at all, just bytes...", "m.npz"), Error);
  EXPECT_THROW(read_npz("/nonexistent/model.npz"), Error);
}

TEST(NpzTest, AMemberClaimingMoreThanDeflateCanProduceIsRefusedBeforeAllocating) {
  // Found by fuzz_npz_model_loader: 1 KiB whose deflated member claims 2 GB uncompressed.
  const std::string bytes = read_file(std::string(CLIPPO_TEST_DATA_DIR) + "/fuzz_findings/npz_claims_2gb_uncompressed.npz");
  try {
    parse_npz(bytes, "m.npz");
    ADD_FAILURE() << "accepted a member claiming 2 GB from 1 KiB";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("more than deflate can produce"), std::string::npos) << e.what();
  }
}

TEST(NpzTest, HalfAndBfloat16ConversionsRoundToNearestEven) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7C00) == 0x7C00 && (h & 0x3FF)) continue;  // NaN payloads
    ASSERT_EQ(float_to_half(half_to_float(static_cast<uint16_t>(h))), h) << h;
  }
  EXPECT_EQ(float_to_half(1.0f + 1.0f / 2048), 0x3C00);        // tie -> even (down)
  EXPECT_EQ(float_to_half(1.0f + 3.0f / 2048), 0x3C02);        // tie -> even (up)
  EXPECT_EQ(float_to_half(1e6f), 0x7C00);                      // overflow -> inf
  EXPECT_EQ(float_to_half(std::ldexp(1.0f, -25)), 0x0000);     // tie at the smallest subnormal
  EXPECT_EQ(float_to_half(std::ldexp(1.5f, -25)), 0x0001);
  EXPECT_EQ(float_to_bfloat16(1.0f), 0x3F80);
  EXPECT_EQ(float_to_bfloat16(bfloat16_to_float(0x4049)), 0x4049);
}

}  // namespace
}  // namespace clippo

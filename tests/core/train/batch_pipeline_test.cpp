// The pipeline hands over uint8 pixels; the trainer's mapping to [-1, 1] must be value_range's,
// bit for bit, whatever the tensor's shape.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstring>

#include "core/base/image.h"
#include "core/train/batch_pipeline.h"

namespace clippo::train {
namespace {

TEST(BatchPipelineTest, PixelsBecomeValueRangeBitForBit) {
  ImageU8 img(4, 64, 3);
  for (size_t i = 0; i < img.pixels.size(); ++i) img.pixels[i] = static_cast<uint8_t>(i * 7 % 256);
  std::vector<float> expected(img.pixels.size());
  value_range(img, expected.data());
  auto pixels = torch::empty({1, 4, 64, 3}, torch::kUInt8);
  std::memcpy(pixels.data_ptr<uint8_t>(), img.data(), img.pixels.size());
  const auto x = pixels_to_model_input(pixels, torch::Device(torch::kCPU));
  ASSERT_EQ(x.scalar_type(), torch::kFloat32);
  ASSERT_EQ(x.sizes(), pixels.sizes());
  const auto c = x.contiguous();
  EXPECT_EQ(std::memcmp(c.data_ptr<float>(), expected.data(), expected.size() * sizeof(float)), 0);
  EXPECT_EQ(c.min().item<float>(), -1.0f);
  EXPECT_EQ(c.max().item<float>(), 1.0f);
}

}  // namespace
}  // namespace clippo::train

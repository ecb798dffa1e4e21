#include "render/renderer_spec.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/base/error.h"

namespace clippo::render {
namespace {

TEST(RendererSpecTest, DefaultsAreBigVisionsTrainClippoCall) {
  const RendererSpec s;
  EXPECT_EQ(s.kind, "unifont");
  EXPECT_EQ(s.image_size, 224);
  EXPECT_EQ(s.max_chars, 768);
  EXPECT_EQ(s.background, 127);
  EXPECT_EQ(s.text, 0);
  EXPECT_EQ(s.lower, LowerCase::kAscii);
  EXPECT_FALSE(s.monospace);
  EXPECT_EQ(s.spacing, 1);
  EXPECT_EQ(s.min_width, 4);
}

TEST(RendererSpecTest, JsonRoundTrip) {
  RendererSpec s;
  s.kind = "shaped";
  s.lower = LowerCase::kUnicode;
  s.fonts = {"/a.ttf", "/b.otf"};
  s.image_size = 256;
  const RendererSpec back = renderer_spec_from_json(to_json(s));
  EXPECT_EQ(to_json(back), to_json(s));
}

TEST(RendererSpecTest, RejectsUnknownKeysWrongTypesAndBadValues) {
  auto code_of = [](const char* text) {
    try {
      renderer_spec_from_json(nlohmann::json::parse(text));
    } catch (const Error& e) {
      return e.code();
    }
    return ErrorCode::kInternal;
  };
  EXPECT_EQ(code_of(R"({"kind": "unifont", "colour": 3})"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of(R"({"image_size": "big"})"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of(R"({"image_size": -5})"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of(R"({"kind": "ttf"})"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of(R"({"lower": "upper"})"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of(R"([1, 2])"), ErrorCode::kInvalidArgument);
  EXPECT_EQ(renderer_spec_from_json(nlohmann::json::parse("{}")).kind, "unifont");
}

}  // namespace
}  // namespace clippo::render

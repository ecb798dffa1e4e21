// Pictures onto the corpus canvas and SVGs through librsvg: aspect, centring, alpha over white,
// blank detection, and one error for an SVG librsvg cannot read.
#include <gtest/gtest.h>

#include "core/base/error.h"
#include "datasets/corpus/picture_canvas.h"
#include "datasets/corpus/svg_rasterizer.h"

namespace clippo::datasets {
namespace {

TEST(PictureCanvas, FitKeepsAspectAndCentresOnWhite) {
  ImageU8 wide(10, 40, 3, 0);  // black, 4:1
  const ImageU8 out = fit_on_square(wide, 32);
  ASSERT_EQ(out.height, 32);
  ASSERT_EQ(out.width, 32);
  // 32 x 8 band of black in the middle rows, white above and below.
  EXPECT_EQ(out.at(0, 16, 0), 255);
  EXPECT_EQ(out.at(31, 16, 1), 255);
  EXPECT_EQ(out.at(16, 0, 2), 0);
  EXPECT_EQ(out.at(16, 31, 0), 0);
  EXPECT_THROW(fit_on_square(ImageU8(), 32), Error);
  EXPECT_THROW(fit_on_square(wide, 4), Error);
}

TEST(PictureCanvas, CompositesAlphaOverWhiteAndFindsBlankPictures) {
  ImageU8 rgba(1, 3, 4, 0);
  rgba.at(0, 0, 0) = 200, rgba.at(0, 0, 3) = 255;  // opaque red-ish
  rgba.at(0, 1, 0) = 0, rgba.at(0, 1, 3) = 0;      // transparent
  rgba.at(0, 2, 0) = 0, rgba.at(0, 2, 3) = 128;    // half black over white
  const ImageU8 rgb = composite_over_white(rgba);
  EXPECT_EQ(rgb.at(0, 0, 0), 200);
  EXPECT_EQ(rgb.at(0, 0, 1), 0);
  EXPECT_EQ(rgb.at(0, 1, 0), 255);
  EXPECT_EQ(rgb.at(0, 2, 0), 127);
  EXPECT_TRUE(is_blank(ImageU8(8, 8, 3, 255)));
  ImageU8 dot(8, 8, 3, 255);
  dot.at(4, 4, 1) = 0;
  EXPECT_FALSE(is_blank(dot));
}

TEST(SvgRasterizer, DrawsTheDocumentIntoTheSquareOverWhite) {
  // A red square in the left half of a 2:1 viewBox: letterboxed, so rows 0-7 and 24-31 are white.
  const std::string svg =
      "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 20 10' width='20' height='10'>"
      "<rect x='0' y='0' width='10' height='10' fill='#ff0000'/></svg>";
  try {
    const ImageU8 out = rasterize_svg(svg, 32, "test.svg");
    ASSERT_EQ(out.channels, 3);
    EXPECT_EQ(out.at(16, 8, 0), 255);
    EXPECT_EQ(out.at(16, 8, 1), 0);  // red
    EXPECT_EQ(out.at(16, 24, 1), 255);  // right half: white
    EXPECT_EQ(out.at(2, 8, 1), 255);    // letterbox: white
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kFailedPrecondition) GTEST_SKIP() << e.what();
    throw;
  }
}

TEST(SvgRasterizer, UnreadableDocumentIsOneErrorNamingIt) {
  try {
    rasterize_svg("<svg xmlns='http://www.w3.org/2000/svg'><rect", 32, "broken.svg");
    FAIL() << "no error";
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kFailedPrecondition) GTEST_SKIP() << e.what();
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("broken.svg"), std::string::npos);
  }
}

TEST(SvgRasterizer, TextElementsAreLeftOut) {
  EXPECT_EQ(without_text_elements("<svg><rect/><text x='1'>cat<tspan>s</tspan></text><circle/></svg>"),
            "<svg><rect/><circle/></svg>");
  EXPECT_EQ(without_text_elements("<svg><text/><text a='b'/></svg>"), "<svg></svg>");
  EXPECT_EQ(without_text_elements("<svg><text><textPath href='#p'>x</textPath></text ></svg>"), "<svg></svg>");
  EXPECT_EQ(without_text_elements("<svg><textPath/><textArea/></svg>"), "<svg><textPath/><textArea/></svg>");
  EXPECT_EQ(without_text_elements("<svg><text>never closed"), "<svg>");
}

TEST(SvgRasterizer, AFontSizeFreeTypeRefusesDoesNotAbortTheProcess) {
  // Found by fuzz_svg_rasterizer: librsvg 2.54 panicked (an assertion in its text layout) and
  // aborted the process on this document. The picture is drawn without its text.
  const std::string svg =
      "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 128 64'><rect width='64' height='64' fill='red'/>"
      "<text x='8' y='40' font-size='2000000000000000'>cat</text></svg>";
  try {
    const ImageU8 out = rasterize_svg(svg, 32, "huge_font.svg");
    EXPECT_EQ(out.width, 32);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kFailedPrecondition) GTEST_SKIP() << e.what();
    ADD_FAILURE() << e.what();
  }
}

}  // namespace
}  // namespace clippo::datasets

// `clippo render` end to end: the real binary, real files, exit codes and one-line errors.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <sys/wait.h>

#include "core/base/file_io.h"
#include "render/image_decoder.h"
#include "render/text_renderer.h"
#include "tests/api/cli/run_clippo.h"

namespace clippo::cli {
namespace {

std::string fixture(const std::string& name) { return std::string(CLIPPO_TEST_DATA_DIR) + "/images/" + name; }

int count_lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

TEST(RenderCommandTest, RendersTextToPngAndNpyMatchingTheLibrary) {
  const auto png = (temp_dir() / "hello.png").string();
  const auto npy = (temp_dir() / "hello.npy").string();
  const std::string text = "Hello, \xD0\xBC\xD0\xB8\xD1\x80, \xE4\xB8\x96\xE7\x95\x8C";
  CommandResult r = run_clippo("render '" + text + "' -o " + png + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["height"], 224);
  EXPECT_EQ(report["renderer"]["kind"], "unifont");
  const ImageU8 from_png = render::decode_image_file(png);
  const ImageU8 expected = render::make_text_renderer({})->render(text);
  EXPECT_EQ(from_png.pixels, expected.pixels);

  ASSERT_EQ(run_clippo("render - -o " + npy, text).exit_code, 0);
  const std::string bytes = read_file(npy);
  ASSERT_GT(bytes.size(), expected.size());
  EXPECT_NE(bytes.find("'shape': (224, 224, 3)"), std::string::npos);
  EXPECT_EQ(bytes.substr(bytes.size() - expected.size()), std::string(expected.pixels.begin(), expected.pixels.end()));
}

TEST(RenderCommandTest, ImageModeShowsThePreprocessedImage) {
  const auto out = (temp_dir() / "photo.png").string();
  CommandResult r = run_clippo("render --image " + fixture("photo.jpg") + " --size 64 -o " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(render::decode_image_file(out).height, 64);
}

TEST(RenderCommandTest, BadInputGivesOneLineErrorsAndNonZeroExit) {
  const auto out = (temp_dir() / "x.png").string();
  struct Case {
    std::string args;
    std::string needle;
  };
  const Case cases[] = {
      {"render --image " + fixture("photo.gif") + " -o " + out, "GIF"},
      {"render --image " + fixture("truncated.jpg") + " -o " + out, "corrupt JPEG"},
      {"render --image /nonexistent.jpg -o " + out, "no such file"},
      {"render --image " + fixture("photo.jpg") + " --max-pixels 100 -o " + out, "budget"},
      {"render hi -o " + (temp_dir() / "x.bmp").string(), ".png or .npy"},
      {"render hi --unifont-hex /nonexistent.hex -o " + out, "/nonexistent.hex"},
      {"render hi --renderer shaped --font /nonexistent.ttf -o " + out, "nonexistent.ttf"},
      {"render -o " + out, "text"},
      {"render hi", "--output"},
      {"render hi --size 5 -o " + out, "size"},
      {"frobnicate", "frobnicate"},
  };
  for (const Case& c : cases) {
    const CommandResult r = run_clippo(c.args);
    EXPECT_NE(r.exit_code, 0) << c.args;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.args << " -> " << r.err;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
    EXPECT_LE(count_lines(r.err), 2) << r.err;  // the error, and at most a usage hint
  }
}

TEST(RenderCommandTest, InvalidUtf8AndHugeTextAreRendered) {
  const auto out = (temp_dir() / "bad.png").string();
  EXPECT_EQ(run_clippo("render - -o " + out, "bad \xFF\xFE bytes").exit_code, 0);
  EXPECT_EQ(run_clippo("render - -o " + out, std::string(1 << 20, 'x')).exit_code, 0);
}

TEST(RenderCommandTest, HelpListsEveryOption) {
  const CommandResult r = run_clippo("render --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* opt : {"--image", "--output", "--renderer", "--size", "--max-chars", "--lower",
                          "--unifont-hex", "--unifont-upper", "--font", "--monospace", "--antialias", "--json"}) {
    EXPECT_NE(r.out.find(opt), std::string::npos) << opt;
  }
}

}  // namespace
}  // namespace clippo::cli

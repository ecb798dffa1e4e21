// `clippo render`: shows what the model sees, for a text (Unifont or shaped) or an image file.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <iterator>
#include <memory>

#include "api/cli/cli_output.h"
#include "api/cli/commands.h"
#include "core/base/error.h"
#include "render/image_preprocessor.h"
#include "render/text_renderer.h"

namespace clippo::cli {
namespace {

struct RenderOptions {
  std::string text;
  std::string image_path;
  std::string output;
  std::string renderer = "unifont";
  int size = 224;
  int max_chars = 768;
  std::string lower = "ascii";
  std::string unifont_hex;
  std::string unifont_upper;
  std::vector<std::string> fonts;
  bool monospace = false;
  bool antialias = false;
  int64_t max_pixels = 64'000'000;
  bool json = false;
};

int run_render(const RenderOptions& o) {
  ImageU8 image;
  nlohmann::json report;
  if (!o.image_path.empty()) {
    render::ImagePreprocessSpec spec;
    spec.image_size = o.size;
    spec.antialias = o.antialias;
    spec.decode.max_pixels = o.max_pixels;
    image = render::preprocess_image_file(o.image_path, spec);
    report = {{"kind", "image"}, {"input", o.image_path}, {"antialias", o.antialias}};
  } else {
    std::string text = o.text;
    if (text == "-") text.assign(std::istreambuf_iterator<char>(std::cin), {});
    render::RendererSpec spec;
    spec.kind = o.renderer;
    spec.image_size = o.size;
    spec.max_chars = o.max_chars;
    spec.lower = render::parse_lower_case(o.lower);
    spec.unifont_hex = o.unifont_hex;
    spec.unifont_upper = o.unifont_upper;
    spec.fonts = o.fonts;
    spec.monospace = o.monospace;
    const auto renderer = render::make_text_renderer(spec);
    image = renderer->render(text);
    report = {{"kind", "text"}, {"renderer", render::to_json(renderer->spec())}};
  }
  write_image_output(image, o.output);
  if (o.json) {
    report["output"] = o.output;
    report["height"] = image.height;
    report["width"] = image.width;
    report["channels"] = image.channels;
    std::cout << report.dump() << "\n";
  }
  return 0;
}

}  // namespace

CommandAction add_render_command(CLI::App& app) {
  auto o = std::make_shared<RenderOptions>();
  CLI::App* cmd = app.add_subcommand("render", "Render text (or an image file) as the model sees it");
  cmd->footer(
      "Examples:\n"
      "  clippo render \"Hello, мир, 世界\" -o hello.png\n"
      "  clippo render \"مرحبا بالعالم\" --renderer shaped -o ar.png\n"
      "  clippo render --image photo.jpg -o photo.npy");
  cmd->add_option("text", o->text, "Text to render (UTF-8, any script); '-' reads standard input");
  cmd->add_option("--image", o->image_path, "Render this image file (JPEG/PNG/WebP) instead of text");
  cmd->add_option("-o,--output", o->output, "Output file: .png, or .npy (uint8 HxWx3, before value_range)")
      ->required();
  cmd->add_option("--renderer", o->renderer, "Text renderer: unifont (big_vision-exact) or shaped")
      ->check(CLI::IsMember({"unifont", "shaped"}));
  cmd->add_option("--size", o->size, "Output height and width in pixels")->check(CLI::Range(32, 4096));
  cmd->add_option("--max-chars", o->max_chars, "Code points rendered at most (0: no limit)")
      ->check(CLI::Range(0, 1'000'000));
  cmd->add_option("--lower", o->lower, "Lower-casing: ascii (big_vision), unicode or none")
      ->check(CLI::IsMember({"ascii", "unicode", "none"}));
  cmd->add_option("--unifont-hex", o->unifont_hex, "Unifont plane-0 .hex (e.g. unifont-9.0.06.hex)");
  cmd->add_option("--unifont-upper", o->unifont_upper,
                  "Unifont planes 1-16: a .hex (e.g. unifont_upper-9.0.06.hex) or .otf; 'none' to skip");
  cmd->add_option("--font", o->fonts, "Shaped renderer: font file, repeatable, in fallback order");
  cmd->add_flag("--monospace", o->monospace, "Unifont: keep full 16 px cells (no trimming)");
  cmd->add_flag("--antialias", o->antialias, "Image mode: antialiased resize (big_vision default: off)");
  cmd->add_option("--max-pixels", o->max_pixels, "Image mode: refuse images with more pixels than this")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  cmd->add_flag("--json", o->json, "Print a JSON summary on standard output");
  cmd->callback([cmd, o] {
    if (o->image_path.empty() && cmd->count("text") == 0) {
      throw CLI::ValidationError("render", "give a text to render, or --image PATH");
    }
    if (!o->image_path.empty() && cmd->count("text") > 0) {
      throw CLI::ValidationError("render", "give either a text or --image, not both");
    }
  });
  return [cmd, o]() -> int { return cmd->parsed() ? run_render(*o) : -1; };
}

}  // namespace clippo::cli

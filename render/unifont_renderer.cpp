#include "render/unifont_renderer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>

#include "core/base/error.h"
#include "core/base/utf8.h"

namespace clippo::render {
namespace {

constexpr int kCell = 16;  // Unifont glyphs are 16x16; big_vision's font_size must be 16 too.

}  // namespace

std::shared_ptr<const UnifontGlyphs> load_unifont_glyphs(const std::string& hex_path,
                                                         const std::string& upper_path) {
  static std::mutex mutex;
  static std::map<std::pair<std::string, std::string>, std::weak_ptr<const UnifontGlyphs>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto& slot = cache[{hex_path, upper_path}];
  if (auto existing = slot.lock()) return existing;
  auto glyphs = std::make_shared<UnifontGlyphs>();
  glyphs->load(hex_path);
  // An OpenType build of the upper planes only contributes planes 1-16, so it never overrides
  // the plane-0 .hex glyphs (Debian's unifont_upper.otf also carries some BMP glyphs).
  if (!upper_path.empty() && upper_path != "none") glyphs->load(upper_path, 0x10000);
  slot = glyphs;
  return glyphs;
}

UnifontRenderer::UnifontRenderer(const RendererSpec& spec)
    : UnifontRenderer(spec, load_unifont_glyphs(
                                spec.unifont_hex.empty() ? CLIPPO_UNIFONT_HEX : spec.unifont_hex,
                                spec.unifont_upper.empty() ? CLIPPO_UNIFONT_UPPER_OTF : spec.unifont_upper)) {}

UnifontRenderer::UnifontRenderer(const RendererSpec& spec, std::shared_ptr<const UnifontGlyphs> glyphs)
    : spec_(spec), glyphs_(std::move(glyphs)) {
  spec_.validate();
  CLIPPO_CHECK(spec_.kind == "unifont", kInvalidArgument, "UnifontRenderer needs kind 'unifont'");
  // The wrap divisor is image_size - max glyph width; below 2 cells it could reach zero.
  CLIPPO_CHECK(spec_.image_size >= 2 * kCell, kInvalidArgument,
               "the unifont renderer needs image_size >= 32, got " + std::to_string(spec_.image_size));
  if (spec_.unifont_hex.empty()) spec_.unifont_hex = CLIPPO_UNIFONT_HEX;
  if (spec_.unifont_upper.empty()) spec_.unifont_upper = CLIPPO_UNIFONT_UPPER_OTF;
}

UnifontRenderer::Span UnifontRenderer::trimmed_span(const UnifontGlyph& g) const {
  if (spec_.monospace) return {0, kCell};
  uint16_t ink = 0;
  for (uint16_t row : g.rows) ink |= row;
  int first = 0, last = 0;  // big_vision: both 0 for a glyph without ink
  if (ink != 0) {
    first = std::countl_zero(ink);
    last = kCell - 1 - std::countr_zero(ink);
  }
  const int start = std::max(first - spec_.spacing, 0);
  const int end = std::max(last + spec_.spacing, start + spec_.min_width);  // exclusive
  return {start, std::min(end, kCell) - start};  // the slice letter[:, start:end] clips at 16
}

ImageU8 UnifontRenderer::render(std::string_view text) const {
  ImageU8 image(spec_.image_size, spec_.image_size, 3);
  render_into(text, image.data());
  return image;
}

void UnifontRenderer::render_into(std::string_view text, uint8_t* rgb) const {
  const int size = spec_.image_size;
  std::memset(rgb, spec_.background, static_cast<size_t>(size) * size * 3);

  std::u32string codepoints;
  if (spec_.lower == LowerCase::kAscii) {
    codepoints = decode_utf8(ascii_lower(text), static_cast<size_t>(spec_.max_chars));
  } else {
    codepoints = decode_utf8(apply_lower_case(text, spec_.lower), static_cast<size_t>(spec_.max_chars));
  }
  const size_t n = codepoints.size();
  if (n == 0) return;

  // Glyphs and their trimmed spans; max width over the whole text sets the wrap divisor.
  thread_local std::vector<const UnifontGlyph*> glyphs;
  thread_local std::vector<Span> spans;
  glyphs.resize(n);
  spans.resize(n);
  int max_width = 0;
  for (size_t i = 0; i < n; ++i) {
    glyphs[i] = &glyphs_->glyph(codepoints[i]);
    spans[i] = trimmed_span(*glyphs[i]);
    max_width = std::max(max_width, spans[i].width);
  }

  // Row of glyph i: floor(cumsum_i / (size - max_width)), both cast to float32 as TF does.
  const float div = static_cast<float>(size - max_width);
  const uint8_t ink = static_cast<uint8_t>(spec_.text);
  int64_t cumsum = 0;
  int64_t row = 0, x = 0;
  for (size_t i = 0; i < n; ++i) {
    cumsum += spans[i].width;
    const auto glyph_row = static_cast<int64_t>(std::floor(static_cast<float>(cumsum) / div));
    if (glyph_row != row) {
      row = glyph_row;
      x = 0;
    }
    const int64_t top = row * kCell;
    if (top >= size) break;  // cropped to the canvas height; later glyphs are lower still
    const Span span = spans[i];
    for (int gy = 0; gy < kCell && top + gy < size; ++gy) {
      const uint16_t bits = static_cast<uint16_t>(glyphs[i]->rows[gy] << span.start);
      if (bits == 0) continue;
      uint8_t* line = rgb + (static_cast<size_t>(top + gy) * size) * 3;
      for (int gx = 0; gx < span.width; ++gx) {
        if ((bits & (0x8000u >> gx)) == 0 || x + gx >= size) continue;
        uint8_t* px = line + static_cast<size_t>(x + gx) * 3;
        px[0] = px[1] = px[2] = ink;
      }
    }
    x += span.width;
  }
}

}  // namespace clippo::render

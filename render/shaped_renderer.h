// The "shaped" text renderer: HarfBuzz shaping, FreeType rasterisation, ICU bidi, script
// itemisation and line breaking, with font fallback over Debian's Noto fonts. For scripts
// Unifont cannot show correctly: Arabic joining, Indic conjuncts, right-to-left order.
//
// Same canvas and brightness conventions as the Unifont renderer: image_size x image_size x 3,
// `background` where there is no ink, `text` at full coverage, antialiased in between; lines
// `line_height_px` apart from the top, wrapped at ICU line-break opportunities, cropped at the
// bottom. Right-to-left paragraphs are right-aligned.
#pragma once

#include <memory>

#include "render/text_renderer.h"

namespace clippo::render {

class ShapedRenderer final : public TextRenderer {
 public:
  // Opens the spec's fonts (or the default Noto fallback chain under CLIPPO_FONT_DIRS).
  // Throws NotFound when no usable font exists.
  explicit ShapedRenderer(const RendererSpec& spec);
  ~ShapedRenderer() override;

  ImageU8 render(std::string_view text) const override;
  const RendererSpec& spec() const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace clippo::render

// big_vision's `render_unifont`, pixel for pixel (big_vision/pp/proj/clippo/pp_ops.py).
//
// Steps, as TensorFlow runs them there:
//  1. lower-case (default: ASCII only, byte-wise, as tf.strings.lower), decode UTF-8 with
//     U+FFFD for ill-formed parts, keep the first max_chars code points;
//  2. look up each code point's 16x16 glyph (blank when Unifont has none);
//  3. unless monospace, trim each glyph to the columns [max(first_ink - spacing, 0),
//     max(last_ink + spacing, start + min_width)), clipped to the cell (an empty glyph keeps
//     columns [0, min_width));
//  4. wrap greedily: glyph i goes to row floor(cumsum_i / (image_size - max_width)) in float32,
//     cumsum_i the inclusive running sum of trimmed widths, max_width the widest glyph of the
//     text; rows stack 16 px apart from the top-left and are cropped at the canvas bottom;
//  5. ink -> `text` brightness, everything else -> `background`, grey -> RGB.
// Empty text gives a blank canvas (big_vision's TF graph fails on it).
#pragma once

#include <memory>

#include "render/text_renderer.h"
#include "render/unifont_glyphs.h"

namespace clippo::render {

class UnifontRenderer final : public TextRenderer {
 public:
  // Loads the spec's Unifont files (shared across renderers in this process).
  explicit UnifontRenderer(const RendererSpec& spec);
  // Uses an already-built glyph table (tests; custom fonts).
  UnifontRenderer(const RendererSpec& spec, std::shared_ptr<const UnifontGlyphs> glyphs);

  ImageU8 render(std::string_view text) const override;
  const RendererSpec& spec() const override { return spec_; }

  // Renders into a caller-owned image_size x image_size x 3 buffer (the hot path).
  void render_into(std::string_view text, uint8_t* rgb) const;

  // The columns glyph `g` keeps after trimming: [start, start + width).
  struct Span {
    int start;
    int width;
  };
  Span trimmed_span(const UnifontGlyph& g) const;

  const UnifontGlyphs& glyphs() const { return *glyphs_; }

 private:
  RendererSpec spec_;
  std::shared_ptr<const UnifontGlyphs> glyphs_;
};

// The glyph table for a spec's font files, loaded once per process and shared.
std::shared_ptr<const UnifontGlyphs> load_unifont_glyphs(const std::string& hex_path,
                                                         const std::string& upper_path);

}  // namespace clippo::render

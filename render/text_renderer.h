// The text renderer interface: UTF-8 text in any script -> the square RGB image the model reads.
//
// Renderers are immutable after construction and render() is thread-safe, so one instance
// serves every request thread of the engine.
#pragma once

#include <memory>
#include <string_view>

#include "core/base/image.h"
#include "render/renderer_spec.h"

namespace clippo::render {

class TextRenderer {
 public:
  virtual ~TextRenderer() = default;

  // Renders `text` (UTF-8; ill-formed bytes become U+FFFD, never an error) into an
  // image_size x image_size x 3 uint8 image, before value_range. Empty text: blank canvas.
  virtual ImageU8 render(std::string_view text) const = 0;

  // The spec this renderer was built from, with defaults resolved.
  virtual const RendererSpec& spec() const = 0;
};

// Builds the renderer a spec names, loading its fonts. Throws NotFound for a missing font
// file and InvalidArgument for a bad spec or a malformed font.
std::unique_ptr<TextRenderer> make_text_renderer(const RendererSpec& spec);

// Applies the spec's lower-casing to UTF-8 text (ASCII: byte-wise, as tf.strings.lower).
std::string apply_lower_case(std::string_view text, LowerCase lower);

}  // namespace clippo::render

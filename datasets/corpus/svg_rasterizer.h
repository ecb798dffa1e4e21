// SVG documents -> RGB pixels, through librsvg (Debian's librsvg2), the rasteriser GNOME and
// most Linux desktops use for icons.
//
// The corpus's vector sources (Iconify emoji sets, Openclipart) are SVG; drawing them at the
// training size directly keeps thin strokes that a large bitmap shrunk afterwards would blur.
#pragma once

#include <string>
#include <string_view>

#include "core/base/image.h"

namespace clippo::datasets {

// Draws `svg` (a whole document, UTF-8) into a size_px x size_px viewport, aspect kept and
// centred, composited over white: RGB, size_px x size_px. `source` names the document in
// errors. Throws InvalidArgument when librsvg cannot parse it or it has no size, and when
// size_px is outside [8, 4096]. Thread-safe: each call has its own handle and surface.
// <text> elements are left out (see without_text_elements).
ImageU8 rasterize_svg(std::string_view svg, int size_px, const std::string& source);

// `svg` without its <text> elements (self-closing or with their content); other elements,
// including <textPath> outside any <text>, are kept as they are. Used with or without librsvg.
std::string without_text_elements(std::string_view svg);

}  // namespace clippo::datasets

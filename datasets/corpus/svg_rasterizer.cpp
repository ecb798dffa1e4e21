// librsvg + cairo behind rasterize_svg (svg_rasterizer.h). GLib/GObject types stay in this file.
#include "datasets/corpus/svg_rasterizer.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <memory>

#include "core/base/error.h"

namespace clippo::datasets {

std::string without_text_elements(std::string_view svg) {
  std::string out;
  out.reserve(svg.size());
  size_t pos = 0;
  for (;;) {
    size_t open = svg.find("<text", pos);
    // "<text" followed by a name character is another element (<textPath>), not <text>.
    while (open != std::string_view::npos && open + 5 < svg.size() &&
           (std::isalnum(static_cast<unsigned char>(svg[open + 5])) || svg[open + 5] == '-' || svg[open + 5] == '_' ||
            svg[open + 5] == ':' || svg[open + 5] == '.')) {
      open = svg.find("<text", open + 5);
    }
    if (open == std::string_view::npos) break;
    out.append(svg.substr(pos, open - pos));
    const size_t tag_end = svg.find('>', open);
    if (tag_end == std::string_view::npos) return out;  // cut short: the parser will say so
    if (svg[tag_end - 1] == '/') {                      // <text .../>
      pos = tag_end + 1;
      continue;
    }
    size_t close = svg.find("</text", tag_end);
    while (close != std::string_view::npos && close + 6 < svg.size() && svg[close + 6] != '>' &&
           !std::isspace(static_cast<unsigned char>(svg[close + 6]))) {
      close = svg.find("</text", close + 6);  // </textPath> inside the text
    }
    const size_t close_end = close == std::string_view::npos ? std::string_view::npos : svg.find('>', close);
    if (close_end == std::string_view::npos) return out;
    pos = close_end + 1;
  }
  out.append(svg.substr(pos));
  return out;
}

}  // namespace clippo::datasets

#if CLIPPO_HAVE_RSVG
#include <cairo.h>
#include <librsvg/rsvg.h>

namespace clippo::datasets {
namespace {

struct GObjectDeleter {
  void operator()(RsvgHandle* h) const { g_object_unref(h); }
};
struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct CairoDeleter {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};

}  // namespace

ImageU8 rasterize_svg(std::string_view svg_in, int size_px, const std::string& source) {
  CLIPPO_CHECK(size_px >= 8 && size_px <= 4096, kInvalidArgument,
               "SVG canvas size must be in [8, 4096] px, got " + std::to_string(size_px));
  // librsvg 2.54 (Debian 12) aborts the whole process on some text (a font size FreeType
  // refuses trips a Rust assertion, found by fuzzing), and words inside a training picture
  // would teach the model to read its label rather than see it: pictures are drawn without
  // their <text> elements.
  const std::string svg = without_text_elements(svg_in);
  GError* error = nullptr;
  std::unique_ptr<RsvgHandle, GObjectDeleter> handle(rsvg_handle_new_from_data(
      reinterpret_cast<const guint8*>(svg.data()), static_cast<gsize>(svg.size()), &error));
  if (!handle) {
    const std::string why = error ? error->message : "unknown error";
    if (error) g_error_free(error);
    throw Error(ErrorCode::kInvalidArgument, "cannot parse SVG '" + source + "': " + why);
  }
  std::unique_ptr<cairo_surface_t, SurfaceDeleter> surface(
      cairo_image_surface_create(CAIRO_FORMAT_ARGB32, size_px, size_px));
  CLIPPO_CHECK(cairo_surface_status(surface.get()) == CAIRO_STATUS_SUCCESS, kResourceExhausted,
               "cannot allocate a " + std::to_string(size_px) + " px surface for '" + source + "'");
  {
    std::unique_ptr<cairo_t, CairoDeleter> cr(cairo_create(surface.get()));
    // The viewport fits the document's own aspect ratio inside it, centred (preserveAspectRatio).
    const RsvgRectangle viewport{0.0, 0.0, static_cast<double>(size_px), static_cast<double>(size_px)};
    if (!rsvg_handle_render_document(handle.get(), cr.get(), &viewport, &error)) {
      const std::string why = error ? error->message : "unknown error";
      if (error) g_error_free(error);
      throw Error(ErrorCode::kInvalidArgument, "cannot draw SVG '" + source + "': " + why);
    }
  }
  cairo_surface_flush(surface.get());
  // Cairo's ARGB32 is premultiplied, one native-endian uint32 per pixel; over white, a
  // premultiplied channel c with alpha a becomes c + (255 - a), exact in integers.
  const unsigned char* data = cairo_image_surface_get_data(surface.get());
  const int stride = cairo_image_surface_get_stride(surface.get());
  ImageU8 rgb(size_px, size_px, 3);
  for (int y = 0; y < size_px; ++y) {
    const auto* row = reinterpret_cast<const uint32_t*>(data + static_cast<size_t>(y) * stride);
    for (int x = 0; x < size_px; ++x) {
      const uint32_t p = row[x];
      const int a = static_cast<int>(p >> 24);
      for (int c = 0; c < 3; ++c) {
        const int premult = static_cast<int>((p >> (16 - 8 * c)) & 0xFF);
        rgb.at(y, x, c) = static_cast<uint8_t>(std::min(255, premult + 255 - a));
      }
    }
  }
  return rgb;
}

}  // namespace clippo::datasets

#else  // built without librsvg (librsvg2-dev missing at configure time)

namespace clippo::datasets {

ImageU8 rasterize_svg(std::string_view, int, const std::string& source) {
  throw Error(ErrorCode::kFailedPrecondition,
              "cannot draw SVG '" + source + "': clippo was built without librsvg (install librsvg2-dev and rebuild)");
}

}  // namespace clippo::datasets
#endif

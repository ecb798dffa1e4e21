// FreeType side of the emoji renderer: font opening, strike choice, glyph compositing over white,
// and the area filter that shrinks the square glyph to the requested size.
#include "datasets/emoji_renderer.h"

#include <ft2build.h>
#include FT_FREETYPE_H

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "core/base/error.h"
#include "core/base/utf8.h"

namespace clippo::datasets {
namespace {

constexpr char32_t kVariationSelector16 = 0xFE0F;  // emoji presentation selector

// Pixel size for fonts without bitmap strikes (outline fonts): near Noto's 109 ppem strike, so
// the same area filter brings every font to the requested size.
constexpr FT_UInt kOutlinePixelSize = 128;

std::string ft_message(FT_Error error) {
  // FT_Error_String is NULL when FreeType was built without error strings.
  const char* text = FT_Error_String(error);
  return text != nullptr ? std::string(text) : "FreeType error " + std::to_string(error);
}

std::string code_point_name(char32_t cp) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "U+%04X", static_cast<unsigned>(cp));
  return buffer;
}

// For each output index, the source indices it covers and their overlap, which sums to `scale`
// (= in / out >= 1): the 1-D weights of an area (box) filter.
struct Tap {
  int index;
  double weight;
};
std::vector<std::vector<Tap>> area_taps(int in, int out) {
  const double scale = static_cast<double>(in) / out;
  std::vector<std::vector<Tap>> taps(static_cast<size_t>(out));
  for (int o = 0; o < out; ++o) {
    const double lo = o * scale;
    const double hi = (o + 1) * scale;
    for (int i = static_cast<int>(std::floor(lo)); i < std::min(in, static_cast<int>(std::ceil(hi))); ++i) {
      const double overlap = std::min(hi, i + 1.0) - std::max(lo, static_cast<double>(i));
      if (overlap > 0) taps[static_cast<size_t>(o)].push_back({i, overlap / scale});
    }
  }
  return taps;
}

// Shrinks a square RGB image to size x size, each output pixel the mean of the input area it
// covers (fractional pixels weighted by overlap), rounded to nearest. Averaging in sRGB rather
// than linear light is what PIL's BOX filter does; emoji art has few fine high-contrast details.
ImageU8 area_downscale(const ImageU8& in, int size) {
  const auto taps = area_taps(in.width, size);
  std::vector<double> rows(static_cast<size_t>(in.height) * size * 3, 0.0);  // in.height x size x 3
  for (int y = 0; y < in.height; ++y) {
    for (int x = 0; x < size; ++x) {
      for (const Tap& t : taps[static_cast<size_t>(x)]) {
        for (int c = 0; c < 3; ++c) {
          rows[(static_cast<size_t>(y) * size + x) * 3 + c] += t.weight * in.at(y, t.index, c);
        }
      }
    }
  }
  ImageU8 out(size, size, 3);
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      for (int c = 0; c < 3; ++c) {
        double sum = 0;
        for (const Tap& t : taps[static_cast<size_t>(y)]) {
          sum += t.weight * rows[(static_cast<size_t>(t.index) * size + x) * 3 + c];
        }
        out.at(y, x, c) = static_cast<uint8_t>(std::clamp(std::lround(sum), 0L, 255L));
      }
    }
  }
  return out;
}

// Draws the loaded glyph bitmap centred on a white square canvas of side max(width, rows).
ImageU8 composite_over_white(const FT_Bitmap& bm, char32_t cp) {
  const int w = static_cast<int>(bm.width);
  const int h = static_cast<int>(bm.rows);
  const int side = std::max({w, h, 1});
  ImageU8 canvas(side, side, 3, 255);
  const int x0 = (side - w) / 2;
  const int y0 = (side - h) / 2;
  for (int y = 0; y < h; ++y) {
    // A negative pitch means the rows are stored bottom-up.
    const unsigned char* row =
        bm.pitch >= 0 ? bm.buffer + static_cast<ptrdiff_t>(y) * bm.pitch
                      : bm.buffer + static_cast<ptrdiff_t>(h - 1 - y) * -static_cast<ptrdiff_t>(bm.pitch);
    for (int x = 0; x < w; ++x) {
      uint8_t* px = &canvas.at(y0 + y, x0 + x, 0);
      if (bm.pixel_mode == FT_PIXEL_MODE_BGRA) {
        // Premultiplied colour over white: out = colour + (1 - alpha) * 255, per channel.
        const unsigned char* bgra = row + 4 * x;
        const int inverse_alpha = 255 - bgra[3];
        px[0] = static_cast<uint8_t>(std::min(255, bgra[2] + inverse_alpha));
        px[1] = static_cast<uint8_t>(std::min(255, bgra[1] + inverse_alpha));
        px[2] = static_cast<uint8_t>(std::min(255, bgra[0] + inverse_alpha));
      } else if (bm.pixel_mode == FT_PIXEL_MODE_GRAY) {
        // A monochrome (outline) font: coverage is black ink.
        px[0] = px[1] = px[2] = static_cast<uint8_t>(255 - row[x]);
      } else if (bm.pixel_mode == FT_PIXEL_MODE_MONO) {
        const bool ink = (row[x / 8] >> (7 - x % 8)) & 1;
        px[0] = px[1] = px[2] = ink ? 0 : 255;
      } else {
        throw Error(ErrorCode::kUnsupportedFormat, "glyph for " + code_point_name(cp) +
                                                       " has an unsupported FreeType pixel mode " +
                                                       std::to_string(bm.pixel_mode));
      }
    }
  }
  return canvas;
}

}  // namespace

std::optional<char32_t> single_code_point(std::string_view emoji) {
  if (!is_valid_utf8(emoji)) return std::nullopt;
  const std::u32string cps = decode_utf8(emoji);
  if (cps.empty() || cps[0] == kVariationSelector16) return std::nullopt;
  if (cps.size() == 1 || (cps.size() == 2 && cps[1] == kVariationSelector16)) return cps[0];
  return std::nullopt;
}

std::string emoji_key(std::string_view emoji) {
  std::string key;
  for (const char32_t cp : decode_utf8(emoji)) {
    if (cp == kVariationSelector16) continue;
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%x", static_cast<unsigned>(cp));
    if (!key.empty()) key += '_';
    key += buffer;
  }
  return key;
}

struct EmojiRenderer::Impl {
  FT_Library library = nullptr;
  FT_Face face = nullptr;
  ~Impl() {
    if (face != nullptr) FT_Done_Face(face);
    if (library != nullptr) FT_Done_FreeType(library);
  }
};

EmojiRenderer::EmojiRenderer(const std::string& font_path)
    : font_path_(font_path), impl_(std::make_unique<Impl>()) {
  std::error_code ec;
  CLIPPO_CHECK(std::filesystem::is_regular_file(font_path, ec), kNotFound,
               "emoji font not found: '" + font_path + "' (Debian: apt-get install fonts-noto-color-emoji)");
  FT_Error error = FT_Init_FreeType(&impl_->library);
  if (error != 0) throw Error(ErrorCode::kInternal, "FreeType failed to initialise: " + ft_message(error));
  error = FT_New_Face(impl_->library, font_path.c_str(), 0, &impl_->face);
  if (error != 0) {
    impl_->face = nullptr;
    throw Error(ErrorCode::kInvalidArgument, "cannot open font '" + font_path + "': " + ft_message(error));
  }
  FT_Face face = impl_->face;
  if (face->num_fixed_sizes > 0) {
    // A bitmap font: take its largest strike (Noto Color Emoji has exactly one, 109 ppem) and
    // shrink it ourselves, rather than let FreeType scale it.
    int best = 0;
    for (int i = 1; i < face->num_fixed_sizes; ++i) {
      if (face->available_sizes[i].y_ppem > face->available_sizes[best].y_ppem) best = i;
    }
    error = FT_Select_Size(face, best);
  } else {
    error = FT_Set_Pixel_Sizes(face, 0, kOutlinePixelSize);
  }
  if (error != 0) {
    throw Error(ErrorCode::kInvalidArgument, "cannot size font '" + font_path + "': " + ft_message(error));
  }
}

EmojiRenderer::~EmojiRenderer() = default;

bool EmojiRenderer::can_render(std::string_view emoji) const {
  const std::optional<char32_t> cp = single_code_point(emoji);
  return cp.has_value() && FT_Get_Char_Index(impl_->face, *cp) != 0;
}

ImageU8 EmojiRenderer::render(std::string_view emoji, int size_px) const {
  CLIPPO_CHECK(size_px >= 8 && size_px <= 4096, kInvalidArgument,
               "emoji image size must be in [8, 4096] px, got " + std::to_string(size_px));
  const std::optional<char32_t> cp = single_code_point(emoji);
  CLIPPO_CHECK(cp.has_value(), kInvalidArgument,
               "only single-code-point emoji can be rendered, got '" + emoji_key(emoji) + "'");
  const FT_UInt glyph = FT_Get_Char_Index(impl_->face, *cp);
  CLIPPO_CHECK(glyph != 0, kNotFound, "font '" + font_path_ + "' has no glyph for " + code_point_name(*cp));
  // FT_LOAD_COLOR returns the CBDT bitmap as BGRA; FT_LOAD_RENDER rasterises outline fonts and
  // leaves bitmaps as they are.
  const FT_Error error = FT_Load_Glyph(impl_->face, glyph, FT_LOAD_COLOR | FT_LOAD_RENDER);
  if (error != 0) {
    throw Error(ErrorCode::kInternal, "FreeType cannot load the glyph for " + code_point_name(*cp) +
                                          " from '" + font_path_ + "': " + ft_message(error));
  }
  const ImageU8 square = composite_over_white(impl_->face->glyph->bitmap, *cp);
  if (square.width > size_px) return area_downscale(square, size_px);
  ImageU8 out(size_px, size_px, 3, 255);
  const int offset = (size_px - square.width) / 2;
  for (int y = 0; y < square.height; ++y) {
    std::copy_n(square.data() + static_cast<size_t>(y) * square.width * 3,
                static_cast<size_t>(square.width) * 3, &out.at(offset + y, offset, 0));
  }
  return out;
}

}  // namespace clippo::datasets

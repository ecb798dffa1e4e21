#include "render/png_codec.h"

#include <png.h>

#include <csetjmp>
#include <cstring>
#include <vector>

#include "core/base/error.h"

namespace clippo::render {
namespace {

// libpng reports errors through longjmp; the message is kept here to throw after the jump.
struct PngErrorState {
  char message[256] = "unknown PNG error";
};

void on_png_error(png_structp png, png_const_charp msg) {
  auto* state = static_cast<PngErrorState*>(png_get_error_ptr(png));
  std::snprintf(state->message, sizeof(state->message), "%s", msg);
  png_longjmp(png, 1);
}

void on_png_warning(png_structp, png_const_charp) {}

struct ReadCursor {
  const unsigned char* data;
  size_t size;
  size_t pos;
};

void read_from_memory(png_structp png, png_bytep out, png_size_t n) {
  auto* cur = static_cast<ReadCursor*>(png_get_io_ptr(png));
  if (cur->pos + n > cur->size) png_error(png, "truncated PNG data");
  std::memcpy(out, cur->data + cur->pos, n);
  cur->pos += n;
}

void write_to_string(png_structp png, png_bytep data, png_size_t n) {
  static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<const char*>(data), n);
}

void flush_nothing(png_structp) {}

}  // namespace

std::string encode_png(const ImageU8& image) {
  CLIPPO_CHECK(image.channels == 1 || image.channels == 3 || image.channels == 4, kInvalidArgument,
               "PNG encoding takes 1, 3 or 4 (RGBA) channels");
  CLIPPO_CHECK(image.height > 0 && image.width > 0, kInvalidArgument, "cannot encode an empty image");
  PngErrorState state;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &state, on_png_error, on_png_warning);
  CLIPPO_CHECK(png != nullptr, kInternal, "libpng failed to initialise");
  png_infop info = png_create_info_struct(png);
  std::string out;
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    throw Error(ErrorCode::kInternal, std::string("PNG encoding failed: ") + state.message);
  }
  png_set_write_fn(png, &out, write_to_string, flush_nothing);
  png_set_IHDR(png, info, static_cast<png_uint_32>(image.width), static_cast<png_uint_32>(image.height), 8,
               image.channels == 4   ? PNG_COLOR_TYPE_RGB_ALPHA
               : image.channels == 3 ? PNG_COLOR_TYPE_RGB
                                     : PNG_COLOR_TYPE_GRAY,
               PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level(png, 6);
  png_write_info(png, info);
  const size_t stride = static_cast<size_t>(image.width) * image.channels;
  for (int y = 0; y < image.height; ++y) {
    png_write_row(png, const_cast<png_bytep>(image.data() + y * stride));
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

namespace {

// channels 3: alpha dropped (TF's rule); channels 4: straight alpha kept, tRNS expanded, opaque
// images given alpha 255.
ImageU8 decode_png_channels(std::string_view bytes, int64_t max_pixels, int channels) {
  PngErrorState state;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state, on_png_error, on_png_warning);
  CLIPPO_CHECK(png != nullptr, kInternal, "libpng failed to initialise");
  png_infop info = png_create_info_struct(png);
  ReadCursor cursor{reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), 0};
  ImageU8 image;
  std::vector<png_bytep> rows;
  // Errors found after setjmp are thrown from here, once libpng's state is released.
  volatile bool over_budget = false;  // volatile: read after longjmp
  volatile int64_t n_pixels = 0;
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    if (over_budget) {
      throw Error(ErrorCode::kResourceExhausted,
                  "image has " + std::to_string(n_pixels) + " pixels, over the budget of " +
                      std::to_string(max_pixels));
    }
    throw Error(ErrorCode::kInvalidArgument, std::string("corrupt PNG: ") + state.message);
  }
  png_set_read_fn(png, &cursor, read_from_memory);
  png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
  png_read_info(png, info);
  const png_uint_32 width = png_get_image_width(png, info);
  const png_uint_32 height = png_get_image_height(png, info);
  n_pixels = static_cast<int64_t>(width) * height;
  if (n_pixels > max_pixels) {
    over_budget = true;
    png_longjmp(png, 1);
  }
  const int color = png_get_color_type(png, info);
  if (png_get_bit_depth(png, info) == 16) png_set_strip_16(png);  // high byte, as TF's uint16->uint8
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color == PNG_COLOR_TYPE_GRAY && png_get_bit_depth(png, info) < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
  if (channels == 3) {
    png_set_strip_alpha(png);  // TF drops alpha for channels=3; tRNS is never expanded
  } else {
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    else if (!(color & PNG_COLOR_MASK_ALPHA)) png_set_add_alpha(png, 0xFF, PNG_FILLER_AFTER);
  }
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  const size_t stride = static_cast<size_t>(width) * static_cast<size_t>(channels);
  CLIPPO_ASSERT(png_get_rowbytes(png, info) == stride);
  image = ImageU8(static_cast<int>(height), static_cast<int>(width), channels);
  rows.resize(height);
  for (png_uint_32 y = 0; y < height; ++y) rows[y] = image.data() + static_cast<size_t>(y) * stride;
  png_read_image(png, rows.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  return image;
}

}  // namespace

ImageU8 decode_png(std::string_view bytes, int64_t max_pixels) { return decode_png_channels(bytes, max_pixels, 3); }

ImageU8 decode_png_rgba(std::string_view bytes, int64_t max_pixels) {
  return decode_png_channels(bytes, max_pixels, 4);
}

}  // namespace clippo::render

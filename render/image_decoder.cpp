#include "render/image_decoder.h"

#include <cstdio>  // jpeglib.h needs FILE
#include <jpeglib.h>
#include <jerror.h>
#include <webp/decode.h>

#include <csetjmp>
#include <cstdio>
#include <vector>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "render/png_codec.h"

namespace clippo::render {
namespace {

void check_budget(int64_t width, int64_t height, int64_t max_pixels) {
  CLIPPO_CHECK(width > 0 && height > 0, kInvalidArgument, "image has no pixels");
  CLIPPO_CHECK(width * height <= max_pixels, kResourceExhausted,
               "image is " + std::to_string(width) + "x" + std::to_string(height) + " = " +
                   std::to_string(width * height) + " pixels, over the budget of " +
                   std::to_string(max_pixels));
}

// libjpeg reports fatal errors through error_exit; we longjmp back and throw from C++.
struct JpegError {
  jpeg_error_mgr mgr;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  bool truncated;
};

void on_jpeg_error(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

// Warnings are not fatal in libjpeg, but a premature end of data means a truncated file,
// which TF's decoder (try_recover_truncated=False) rejects; so do we.
void on_jpeg_message(j_common_ptr cinfo, int level) {
  auto* err = reinterpret_cast<JpegError*>(cinfo->err);
  if (level == -1 && cinfo->err->msg_code == JWRN_JPEG_EOF) err->truncated = true;
}

ImageU8 decode_jpeg(std::string_view bytes, const DecodeOptions& options) {
  jpeg_decompress_struct cinfo;
  JpegError err{};
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = on_jpeg_error;
  err.mgr.emit_message = on_jpeg_message;
  // Everything with a destructor lives before setjmp, so the longjmp skips no constructor.
  ImageU8 image;
  std::vector<unsigned char> row;
  volatile int64_t width = 0, height = 0;  // volatile: read after longjmp
  volatile bool over_budget = false;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    if (over_budget) check_budget(width, height, options.max_pixels);
    throw Error(ErrorCode::kInvalidArgument, std::string("corrupt JPEG: ") + err.message);
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()),
               static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&cinfo, TRUE);
  width = cinfo.image_width;
  height = cinfo.image_height;
  if (width <= 0 || height <= 0 || width * height > options.max_pixels) {
    over_budget = true;
    std::longjmp(err.jump, 1);
  }
  // TF's default dct_method is INTEGER_FAST; big_vision's decode(precise=True) asks for ISLOW.
  cinfo.dct_method = options.accurate_dct ? JDCT_ISLOW : JDCT_IFAST;
  const bool cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
  jpeg_start_decompress(&cinfo);
  const int w = static_cast<int>(cinfo.output_width), h = static_cast<int>(cinfo.output_height);
  const int comps = cinfo.output_components;
  image = ImageU8(h, w, 3);
  row.resize(static_cast<size_t>(w) * comps);
  while (cinfo.output_scanline < cinfo.output_height && !err.truncated) {
    unsigned char* row_ptr = row.data();
    const int y = static_cast<int>(cinfo.output_scanline);
    if (jpeg_read_scanlines(&cinfo, &row_ptr, 1) != 1) break;
    uint8_t* dst = image.data() + static_cast<size_t>(y) * w * 3;
    if (comps == 3) {
      std::copy(row.begin(), row.end(), dst);
    } else if (comps == 4) {
      // Adobe writes inverted CMYK; this is the usual naive conversion to RGB.
      for (int x = 0; x < w; ++x) {
        const unsigned char* p = &row[static_cast<size_t>(x) * 4];
        for (int c = 0; c < 3; ++c) dst[x * 3 + c] = static_cast<uint8_t>(p[c] * p[3] / 255);
      }
    } else {
      for (int x = 0; x < w; ++x) dst[x * 3] = dst[x * 3 + 1] = dst[x * 3 + 2] = row[x];
    }
  }
  const bool truncated = err.truncated || cinfo.output_scanline < cinfo.output_height;
  if (truncated) {
    jpeg_destroy_decompress(&cinfo);
    throw Error(ErrorCode::kInvalidArgument, "corrupt JPEG: premature end of data (truncated file)");
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return image;
}

ImageU8 decode_webp(std::string_view bytes, const DecodeOptions& options) {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  WebPBitstreamFeatures features;
  CLIPPO_CHECK(WebPGetFeatures(data, bytes.size(), &features) == VP8_STATUS_OK, kInvalidArgument,
               "corrupt WebP: cannot read its header");
  CLIPPO_CHECK(!features.has_animation, kUnsupportedFormat, "animated WebP is not supported");
  check_budget(features.width, features.height, options.max_pixels);
  ImageU8 image(features.height, features.width, 3);
  const uint8_t* ok = WebPDecodeRGBInto(data, bytes.size(), image.data(), image.size(), features.width * 3);
  CLIPPO_CHECK(ok != nullptr, kInvalidArgument, "corrupt WebP: decoding failed");
  return image;
}

}  // namespace

ImageFormat detect_image_format(std::string_view b) {
  auto starts = [&](std::string_view magic, size_t at = 0) {
    return b.size() >= at + magic.size() && b.substr(at, magic.size()) == magic;
  };
  if (starts("\xFF\xD8\xFF")) return ImageFormat::kJpeg;
  if (starts("\x89PNG\r\n\x1A\n")) return ImageFormat::kPng;
  if (starts("RIFF") && starts("WEBP", 8)) return ImageFormat::kWebp;
  if (starts("GIF87a") || starts("GIF89a")) return ImageFormat::kGif;
  if (starts("BM")) return ImageFormat::kBmp;
  if (starts(std::string_view("II*\0", 4)) || starts(std::string_view("MM\0*", 4))) return ImageFormat::kTiff;
  return ImageFormat::kUnknown;
}

const char* image_format_name(ImageFormat format) {
  switch (format) {
    case ImageFormat::kJpeg: return "JPEG";
    case ImageFormat::kPng: return "PNG";
    case ImageFormat::kWebp: return "WebP";
    case ImageFormat::kGif: return "GIF";
    case ImageFormat::kBmp: return "BMP";
    case ImageFormat::kTiff: return "TIFF";
    case ImageFormat::kUnknown: break;
  }
  return "unknown";
}

const char* image_media_type(ImageFormat format) {
  switch (format) {
    case ImageFormat::kJpeg: return "image/jpeg";
    case ImageFormat::kPng: return "image/png";
    case ImageFormat::kWebp: return "image/webp";
    default: return "application/octet-stream";
  }
}

const char* image_file_extension(ImageFormat format) {
  switch (format) {
    case ImageFormat::kJpeg: return "jpg";
    case ImageFormat::kPng: return "png";
    case ImageFormat::kWebp: return "webp";
    default: return "bin";
  }
}

ImageU8 decode_image(std::string_view bytes, const DecodeOptions& options) {
  CLIPPO_CHECK(!bytes.empty(), kInvalidArgument, "empty image data");
  const ImageFormat format = detect_image_format(bytes);
  switch (format) {
    case ImageFormat::kJpeg: return decode_jpeg(bytes, options);
    case ImageFormat::kPng: return decode_png(bytes, options.max_pixels);
    case ImageFormat::kWebp: return decode_webp(bytes, options);
    case ImageFormat::kUnknown:
      throw Error(ErrorCode::kUnsupportedFormat, "not an image clippo can read (supported: JPEG, PNG, WebP)");
    default:
      throw Error(ErrorCode::kUnsupportedFormat, std::string(image_format_name(format)) +
                                                     " images are not supported (supported: JPEG, PNG, WebP)");
  }
}

ImageU8 decode_image_file(const std::string& path, const DecodeOptions& options) {
  // An encoded file can only be this large if its pixels are over budget too (>= 1 bit/px).
  const std::string bytes = read_file(path, static_cast<size_t>(options.max_pixels) * 4 + (1 << 20));
  try {
    return decode_image(bytes, options);
  } catch (const Error& e) {
    throw Error(e.code(), path + ": " + e.what());
  }
}

}  // namespace clippo::render

#include "render/jpeg_encoder.h"

#include <cstdio>  // jpeglib.h needs FILE
#include <jpeglib.h>

#include <csetjmp>
#include <cstdlib>

#include "core/base/error.h"

namespace clippo::render {
namespace {

// libjpeg reports fatal errors through error_exit; we longjmp back and throw from C++.
struct EncodeError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX] = "unknown JPEG error";
};

void on_encode_error(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<EncodeError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

}  // namespace

std::string encode_jpeg(const ImageU8& image, int quality, bool full_chroma) {
  CLIPPO_CHECK(image.height > 0 && image.width > 0 && image.pixels.size() == image.size(), kInvalidArgument,
               "encode_jpeg: empty image");
  CLIPPO_CHECK(image.channels == 3 || image.channels == 1, kInvalidArgument,
               "encode_jpeg: needs 1 or 3 channels, got " + std::to_string(image.channels));
  CLIPPO_CHECK(quality >= 1 && quality <= 100, kInvalidArgument,
               "encode_jpeg: quality must be 1-100, got " + std::to_string(quality));
  jpeg_compress_struct cinfo;
  EncodeError err;
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = on_encode_error;
  unsigned char* buffer = nullptr;
  unsigned long size = 0;  // NOLINT(runtime/int): libjpeg's type
  if (setjmp(err.jump)) {
    jpeg_destroy_compress(&cinfo);
    std::free(buffer);
    throw Error(ErrorCode::kInternal, std::string("encode_jpeg: ") + err.message);
  }
  jpeg_create_compress(&cinfo);
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = static_cast<JDIMENSION>(image.width);
  cinfo.image_height = static_cast<JDIMENSION>(image.height);
  cinfo.input_components = image.channels;
  cinfo.in_color_space = image.channels == 3 ? JCS_RGB : JCS_GRAYSCALE;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  cinfo.optimize_coding = TRUE;  // a few percent smaller, same pixels
  if (image.channels == 3 && full_chroma) {
    for (int c = 0; c < 3; ++c) cinfo.comp_info[c].h_samp_factor = cinfo.comp_info[c].v_samp_factor = 1;
  }
  jpeg_start_compress(&cinfo, TRUE);
  const size_t stride = static_cast<size_t>(image.width) * image.channels;
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(image.data() + cinfo.next_scanline * stride);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::string out(reinterpret_cast<const char*>(buffer), size);
  std::free(buffer);
  return out;
}

}  // namespace clippo::render

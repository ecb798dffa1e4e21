// Fuzzes the SVG path of the corpus builder (our wrapper around librsvg) with arbitrary
// documents: any input draws a size x size RGB image or throws clippo::Error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/base/error.h"
#include "datasets/corpus/svg_rasterizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The first byte picks the size, so the viewport arithmetic is fuzzed too (some outside [8, 4096]).
  const int size_px = size > 0 ? 4 + data[0] % 60 : 32;
  try {
    const clippo::ImageU8 img = clippo::datasets::rasterize_svg(
        std::string_view(reinterpret_cast<const char*>(data), size).substr(size > 0 ? 1 : 0), size_px, "fuzz.svg");
    if (img.width != size_px || img.height != size_px || img.channels != 3) std::abort();
  } catch (const clippo::Error&) {
  }
  return 0;
}

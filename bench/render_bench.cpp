// Rendering and image preprocessing throughput on one core, each next to the bandwidth
// ceiling measured in the same run: memset of the same 224x224x3 buffer.
//
//   build/bench/bench_render [seconds_per_case]
//
// Prints one line per case: items/s and the ratio to the memset ceiling.
#include <cstdio>
#include <jpeglib.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "bench/bench_captions.h"
#include "render/image_preprocessor.h"
#include "render/text_renderer.h"
#include "render/unifont_renderer.h"

namespace {

using Clock = std::chrono::steady_clock;

// Runs `step` repeatedly for about `seconds`; returns calls per second.
double rate(double seconds, const std::function<void(size_t)>& step) {
  for (size_t i = 0; i < 20; ++i) step(i);  // warm-up: caches, lazy font loading
  size_t n = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    for (int k = 0; k < 64; ++k) step(n++);
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  }
  return static_cast<double>(n) / elapsed;
}

// A 640x480 photo-like JPEG (smooth gradients plus noise), encoded in memory at quality 90.
std::string make_jpeg(int width, int height) {
  std::mt19937 rng(7);
  std::vector<unsigned char> rgb(static_cast<size_t>(width) * height * 3);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < 3; ++c)
        rgb[(static_cast<size_t>(y) * width + x) * 3 + c] = static_cast<unsigned char>(
            (128 + 100 * std::sin(x * 0.02 * (c + 1)) * std::cos(y * 0.015)) * 0.9 + rng() % 26);
  jpeg_compress_struct cinfo;
  jpeg_error_mgr jerr;
  cinfo.err = jpeg_std_error(&jerr);
  jpeg_create_compress(&cinfo);
  unsigned char* out = nullptr;
  unsigned long out_size = 0;
  jpeg_mem_dest(&cinfo, &out, &out_size);
  cinfo.image_width = width;
  cinfo.image_height = height;
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, 90, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    unsigned char* row = &rgb[static_cast<size_t>(cinfo.next_scanline) * width * 3];
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::string bytes(reinterpret_cast<char*>(out), out_size);
  std::free(out);
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
  const auto& captions = clippo::bench::mixed_script_captions();
  std::vector<unsigned char> buffer(224 * 224 * 3);
  volatile unsigned char sink = 0;

  const double memset_rate = rate(seconds, [&](size_t i) {
    std::memset(buffer.data(), static_cast<int>(i & 0x7F), buffer.size());
    sink = sink + buffer[i % buffer.size()];
  });

  // What render() pays: a fresh 224x224x3 image (150 KB: above malloc's mmap threshold, so
  // each one is mapped and page-faulted) filled once.
  const double fresh_rate = rate(seconds, [&](size_t i) {
    clippo::ImageU8 img(224, 224, 3, static_cast<uint8_t>(i & 0x7F));
    sink = sink + img.pixels[i % img.size()];
  });

  clippo::render::RendererSpec unifont_spec;
  const clippo::render::UnifontRenderer unifont(unifont_spec);
  const double unifont_rate = rate(seconds, [&](size_t i) {
    unifont.render_into(captions[i % captions.size()], buffer.data());
    sink = sink + buffer[i % buffer.size()];
  });
  const double unifont_alloc_rate = rate(seconds, [&](size_t i) {
    const clippo::ImageU8 img = unifont.render(captions[i % captions.size()]);
    sink = sink + img.pixels[i % img.size()];
  });

  clippo::render::RendererSpec shaped_spec;
  shaped_spec.kind = "shaped";
  const auto shaped = clippo::render::make_text_renderer(shaped_spec);
  const double shaped_rate = rate(seconds, [&](size_t i) {
    const clippo::ImageU8 img = shaped->render(captions[i % captions.size()]);
    sink = sink + img.pixels[i % img.size()];
  });

  const std::string jpeg = make_jpeg(640, 480);
  const double jpeg_rate = rate(seconds, [&](size_t i) {
    const clippo::ImageU8 img = clippo::render::preprocess_image(jpeg);
    sink = sink + img.pixels[i % img.size()];
  });

  std::printf("bench_render: one thread, %zu mixed-script captions, %.1f s per case\n", captions.size(), seconds);
  std::printf("%-44s %12s %10s %10s\n", "case", "items/s", "vs memset", "target");
  std::printf("%-44s %12.0f %10.3f %10s\n", "memset 224x224x3, reused buffer (ceiling)", memset_rate, 1.0, "-");
  std::printf("%-44s %12.0f %10.3f %10s\n", "new 224x224x3 image + fill (ceiling)", fresh_rate,
              fresh_rate / memset_rate, "-");
  std::printf("%-44s %12.0f %10.3f %10s\n", "unifont render_into, reused buffer", unifont_rate,
              unifont_rate / memset_rate, ">=50000");
  std::printf("%-44s %12.0f %10.3f %10s\n", "unifont render (new image)", unifont_alloc_rate,
              unifont_alloc_rate / memset_rate, ">=50000");
  std::printf("%-44s %12.0f %10.3f %10s\n", "shaped render (HarfBuzz+ICU, glyph cache)", shaped_rate,
              shaped_rate / memset_rate, ">=10000");
  std::printf("%-44s %12.0f %10.3f %10s\n", "JPEG 640x480 decode + resize to 224", jpeg_rate,
              jpeg_rate / memset_rate, ">=400");
  return sink == 255 ? 1 : 0;  // keeps `sink` observable
}

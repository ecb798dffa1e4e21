// Compares our embeddings of a big_vision parity fixture (tests/data/make_model_parity.py)
// with JAX's, on any device and precision: prints min cosine and max |difference|.
//
//   build/bench/model_parity MODEL.npz IMAGES.u8 EMBEDDINGS.f32 N SIZE [device] [precision]
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/base/file_io.h"
#include "core/model/embedder.h"
#include "core/model/embedding_agreement.h"

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: model_parity MODEL.npz IMAGES.u8 EMBEDDINGS.f32 N SIZE [device] [precision]\n");
    return 2;
  }
  const int n = std::stoi(argv[4]), size = std::stoi(argv[5]);
  clippo::model::EmbedderOptions options;
  options.device = argc > 6 ? argv[6] : "cpu";
  options.precision = argc > 7 ? argv[7] : "fp32";
  options.image_size = size;
  const clippo::model::Embedder embedder(argv[1], options);
  const std::string pixels = clippo::read_file(argv[2]);
  const std::string want_bytes = clippo::read_file(argv[3]);
  const int d = embedder.dim();
  std::vector<clippo::ImageU8> images(n, clippo::ImageU8(size, size, 3));
  std::vector<const clippo::ImageU8*> ptrs;
  for (int i = 0; i < n; ++i) {
    std::memcpy(images[i].data(), pixels.data() + static_cast<size_t>(i) * images[i].size(), images[i].size());
    ptrs.push_back(&images[i]);
  }
  const std::vector<float> got = embedder.embed(ptrs);
  std::vector<float> want(static_cast<size_t>(n) * d);
  std::memcpy(want.data(), want_bytes.data(), want.size() * sizeof(float));
  const auto agreement = clippo::model::compare_embeddings(got.data(), want.data(), static_cast<size_t>(n), static_cast<size_t>(d));
  const double min_cos = agreement.min_cosine, max_abs = agreement.max_abs_diff;
  std::printf("parity %s on %s %s: %d images, dim %d, min cosine %.9f, max |diff| %.3g\n", argv[1],
              embedder.device().c_str(), embedder.precision().c_str(), n, d, min_cos, max_abs);
  return min_cos >= 0.99999 || options.precision != "fp32" ? 0 : 1;
}

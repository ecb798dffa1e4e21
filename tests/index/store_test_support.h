// Helpers shared by the store's tests: a fresh folder per test, random unit vectors, image items.
#pragma once

#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "core/base/file_io.h"
#include "index/collection_store.h"

namespace clippo::index::testing {

inline std::string fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("clippo_store_test_" + std::to_string(getpid())) / name;
  remove_tree(dir.string());
  return dir.string();
}

inline ModelIdentity model(int dim = 16) { return {"fnv1a64:00000000000000aa", "/models/a.npz", dim}; }

inline std::vector<float> unit_vectors(size_t n, int d, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g;
  std::vector<float> v(n * d);
  for (size_t i = 0; i < n; ++i) {
    float norm = 0;
    for (int j = 0; j < d; ++j) norm += (v[i * d + j] = g(rng)) * v[i * d + j];
    for (int j = 0; j < d; ++j) v[i * d + j] /= std::sqrt(norm);
  }
  return v;
}

inline std::vector<Item> items(size_t n, const std::string& prefix = "img") {
  std::vector<Item> out(n);
  for (size_t i = 0; i < n; ++i) out[i].uri = prefix + std::to_string(i) + ".jpg";
  return out;
}

}  // namespace clippo::index::testing

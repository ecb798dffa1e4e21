// Search latency split into render / encode / search, against raw FAISS in the same run.
//
//   build/bench/bench_search MODEL.npz [--sizes 10000,100000,1000000] [--queries 300]
//                            [--keep-store DIR]
//
// For each collection size: a store of synthetic unit vectors (the model's dimension) and a
// raw faiss::IndexFlatIP holding the same vectors. Reports p50/p99 of a k=10 search through the
// store and through raw FAISS (the overhead ratio), the query's text rendering and encoding
// with the model, and the whole SearchEngine::search_text. --keep-store leaves the last store
// (with the model's identity) for the HTTP load test (bench/http_load.sh).
#include <cstdint>  // before FAISS 1.7.3, whose headers assume it (GCC 13)

#include <faiss/IndexFlat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "api/engine/search_engine.h"
#include "bench/latency_percentiles.h"
#include "core/base/file_io.h"
#include "bench/bench_captions.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

using clippo::bench::Percentiles;
using clippo::bench::percentiles;

template <typename F>
Percentiles time_each(size_t n, F&& f) {
  std::vector<double> ms;
  for (size_t i = 0; i < n; ++i) {
    const auto t = Clock::now();
    f(i);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t).count());
  }
  return percentiles(ms);
}

std::vector<float> unit_vectors(size_t n, int d, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g;
  std::vector<float> v(n * d);
  for (size_t i = 0; i < n; ++i) {
    float s = 0;
    for (int j = 0; j < d; ++j) s += (v[i * d + j] = g(rng)) * v[i * d + j];
    const float inv = 1.0f / std::sqrt(s);
    for (int j = 0; j < d; ++j) v[i * d + j] *= inv;
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_search MODEL.npz [--sizes N,N] [--queries N] [--keep-store DIR]\n");
    return 2;
  }
  const std::string model = argv[1];
  std::string sizes = "10000,100000,1000000", keep;
  size_t n_queries = 300;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--sizes") sizes = v;
    else if (k == "--queries") n_queries = std::stoul(v);
    else if (k == "--keep-store") keep = v;
  }
  const auto& captions = clippo::bench::mixed_script_captions();
  std::printf("bench_search: model %s, k=10, %zu queries per case, one client thread\n", model.c_str(), n_queries);
  std::printf("%9s %17s %17s %8s %13s %13s %17s\n", "items", "store p50/p99 ms", "faiss p50/p99 ms", "ratio",
              "render p50", "encode p50", "total p50/p99 ms");
  std::stringstream list(sizes);
  std::string item;
  while (std::getline(list, item, ',')) {
    const size_t n = std::stoul(item);
    const fs::path dir = keep.empty() ? fs::temp_directory_path() / "bench_search_store" : fs::path(keep);
    clippo::remove_tree(dir.string());
    {
      clippo::engine::Encoder probe(model);  // the store must carry this model's identity
      clippo::index::StoreOptions so;
      so.checkpoint_wal_bytes = uint64_t{1} << 40;  // one snapshot at the end, not during the fill
      auto store = clippo::index::CollectionStore::create(dir.string(), clippo::engine::model_identity(probe), so);
      const int d = probe.dim();
      for (size_t start = 0; start < n; start += 50000) {
        const size_t m = std::min<size_t>(50000, n - start);
        const auto v = unit_vectors(m, d, static_cast<uint32_t>(start + 1));
        std::vector<clippo::index::Item> items(m);
        for (size_t i = 0; i < m; ++i) items[i].uri = "synthetic/" + std::to_string(start + i) + ".jpg";
        store->upsert(std::move(items), v.data());
      }
      store->checkpoint();
    }
    // The store's own search (FAISS plus id mapping) against raw FAISS on the same vectors, then
    // the whole engine path on top.
    Percentiles store_ms, faiss_ms;
    std::vector<float> queries;
    int d = 0;
    {
      const auto store = clippo::index::CollectionStore::open(dir.string());
      d = store->dim();
      faiss::IndexFlatIP raw(d);
      for (size_t start = 0; start < n; start += 50000) {
        const size_t m = std::min<size_t>(50000, n - start);
        const auto v = unit_vectors(m, d, static_cast<uint32_t>(start + 1));
        raw.add(static_cast<int64_t>(m), v.data());
      }
      queries = unit_vectors(n_queries, d, 999);
      std::vector<float> dist(10);
      std::vector<int64_t> labels(10);
      for (size_t i = 0; i < 5; ++i) store->search(queries.data(), 1, 10);  // warm caches
      store_ms = time_each(n_queries, [&](size_t i) { store->search(queries.data() + i * d, 1, 10); });
      faiss_ms = time_each(n_queries, [&](size_t i) { raw.search(1, queries.data() + i * d, 10, dist.data(), labels.data()); });
    }
    clippo::engine::SearchEngine engine(model, dir.string());
    const Percentiles render_ms = time_each(n_queries, [&](size_t i) { engine.render_text(captions[i % captions.size()]); });
    const Percentiles encode_ms = time_each(std::min<size_t>(n_queries, 100), [&](size_t i) {
      engine.embed_text(captions[i % captions.size()]);
    });
    const Percentiles total_ms = time_each(std::min<size_t>(n_queries, 100), [&](size_t i) {
      engine.search_text(captions[i % captions.size()], 10);
    });
    std::printf("%9zu %8.3f/%8.3f %8.3f/%8.3f %8.3f %13.3f %13.2f %8.2f/%8.2f\n", n, store_ms.p50, store_ms.p99,
                faiss_ms.p50, faiss_ms.p99, store_ms.p50 / faiss_ms.p50, render_ms.p50, encode_ms.p50 - render_ms.p50,
                total_ms.p50, total_ms.p99);
    std::fflush(stdout);
  }
  return 0;
}

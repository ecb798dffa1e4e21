// A store larger than memory: n synthetic vectors written with CollectionStore::create_bulk
// (the path `clippo index merge` takes), opened read-only with its raw vectors and IVF lists
// mapped from disk, and searched. Peers in the same run: raw FAISS on the same saved index
// (no re-ranking), and a raw in-memory faiss::IndexFlatIP over the same vectors where it fits.
//
//   build/bench/bench_scale --n 10000000 --dim 128 --dir /tmp/scale --max-memory 1G
//                           [--factory F --search-params P --rerank R] [--queries 200]
//                           [--flat-queries 20] [--reuse]
//
// The vectors: unit vectors around 10,000 random centres (noise of norm about 0.5), each row a
// pure function of its number, so the exact neighbours of the queries (rows n, n+1, ...) are
// recomputed from the mapped file. Reports build time, peak and resident memory (anonymous
// and file-backed apart: mapped pages are the kernel's to drop), files on disk, open time,
// recall@10 against exact search, and p50/p99 of single-query searches.
#include <cstdint>  // before FAISS 1.7.3, whose headers assume it (GCC 13)

#include <faiss/AutoTune.h>
#include <faiss/IndexFlat.h>
#include <faiss/index_io.h>
#include <faiss/utils/distances.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "bench/latency_percentiles.h"
#include "core/base/file_io.h"
#include "core/base/hashing.h"
#include "index/collection_store.h"
#include "index/index_sizing.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using clippo::index::CollectionStore;

constexpr int kCentres = 10'000;
constexpr int kTop = 10;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A /proc/self/status field in MiB ("VmHWM", "RssAnon", "RssFile").
double status_mib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string key = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::stod(line.substr(key.size())) / 1024.0;
  }
  return 0;
}

struct Rng {
  uint64_t state;
  uint64_t next() { return clippo::splitmix64_mix(state += 0x9E3779B97F4A7C15ull); }
  double uniform() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }
  float gaussian() { return static_cast<float>(std::sqrt(-2.0 * std::log(uniform())) * std::cos(6.283185307179586 * uniform())); }
};

std::vector<float> make_centres(int d) {
  Rng rng{12345};
  std::vector<float> c(static_cast<size_t>(kCentres) * d);
  for (int i = 0; i < kCentres; ++i) {
    double norm = 0;
    for (int j = 0; j < d; ++j) norm += std::pow(c[i * d + j] = rng.gaussian(), 2);
    for (int j = 0; j < d; ++j) c[i * d + j] /= static_cast<float>(std::sqrt(norm));
  }
  return c;
}

void synthetic_row(uint64_t i, int d, const std::vector<float>& centres, float* out) {
  Rng rng{i * 0x2545F4914F6CDD1Dull + 1};
  const float* centre = centres.data() + (rng.next() % kCentres) * d;
  const float sigma = 0.5f / std::sqrt(static_cast<float>(d));
  double norm = 0;
  for (int j = 0; j < d; ++j) norm += std::pow(out[j] = centre[j] + sigma * rng.gaussian(), 2);
  for (int j = 0; j < d; ++j) out[j] /= static_cast<float>(std::sqrt(norm));
}

using clippo::bench::Percentiles;
using clippo::bench::percentiles;

double recall_at_k(const std::vector<int64_t>& got, const int64_t* truth) {
  const std::set<int64_t> want(truth, truth + kTop);
  size_t hit = 0;
  for (int64_t id : got) hit += want.count(id);
  return static_cast<double>(hit) / kTop;
}

uint64_t tree_bytes(const fs::path& dir) {
  uint64_t bytes = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) bytes += e.file_size();
  }
  return bytes;
}

int run(int argc, char** argv) {
  uint64_t n = 1'000'000;
  int d = 128, queries = 200, flat_queries = 20;
  std::string dir = "/tmp/clippo_scale", max_memory, factory, search_params;
  int rerank = -1;
  bool reuse = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto value = [&]() -> std::string {
      CLIPPO_CHECK(i + 1 < argc, kInvalidArgument, a + " needs a value");
      return argv[++i];
    };
    if (a == "--n") n = std::stoull(value());
    else if (a == "--dim") d = std::stoi(value());
    else if (a == "--dir") dir = value();
    else if (a == "--max-memory") max_memory = value();
    else if (a == "--factory") factory = value();
    else if (a == "--search-params") search_params = value();
    else if (a == "--rerank") rerank = std::stoi(value());
    else if (a == "--queries") queries = std::stoi(value());
    else if (a == "--flat-queries") flat_queries = std::stoi(value());
    else if (a == "--reuse") reuse = true;
    else throw clippo::Error(clippo::ErrorCode::kInvalidArgument, "unknown argument " + a);
  }
  const std::string store_dir = dir + "/store";
  const std::vector<float> centres = make_centres(d);
  std::printf("bench_scale: n=%llu dim=%d (%.2f GiB of raw vectors)\n", static_cast<unsigned long long>(n), d,
              static_cast<double>(n) * d * 4 / (1 << 30));

  if (!reuse) {
    clippo::remove_tree(dir);
    fs::create_directories(dir);
    clippo::index::StoreOptions options;
    if (!max_memory.empty()) {
      const auto choice = clippo::index::choose_index_for_memory(n, d, clippo::index::parse_memory_size(max_memory));
      options.factory = choice.factory;
      options.search_params = choice.search_params;
      options.rerank = choice.rerank;
    }
    if (!factory.empty()) options.factory = factory;
    if (!search_params.empty()) options.search_params = search_params;
    if (rerank >= 0) options.rerank = rerank;
    options.index_on_disk = true;
    std::printf("index: %s, search %s, rerank %d, lists mapped from disk\n", options.factory.c_str(),
                options.search_params.c_str(), options.rerank);
    clippo::index::BulkRows rows;
    rows.count = n;
    rows.read = [&](size_t i, clippo::index::Item& item, float* vec) {
      item.uri = "synthetic/" + std::to_string(i) + ".jpg";
      synthetic_row(i, d, centres, vec);
    };
    auto last = Clock::now();
    const auto t0 = Clock::now();
    rows.on_progress = [&](size_t done, size_t total) {
      if (seconds_since(last) < 30 && done != total) return;
      last = Clock::now();
      std::printf("  %zu / %zu rows at %.0f s\n", done, total, seconds_since(t0));
      std::fflush(stdout);
    };
    clippo::index::ModelIdentity model{"synthetic:" + std::to_string(d), "synthetic", d};
    CollectionStore::create_bulk(store_dir, model, options, rows);
    std::printf("build: %.1f s (training included), peak RSS %.0f MiB\n", seconds_since(t0), status_mib("VmHWM"));
  }
  const fs::path snap = fs::path(store_dir) / "snapshots" / "1";
  std::printf("on disk: store %.2f GiB (vectors.f32 %.2f, items.jsonl %.2f, index.faiss %.3f GiB)\n",
              tree_bytes(store_dir) / double(1 << 30), fs::file_size(snap / "vectors.f32") / double(1 << 30),
              fs::file_size(snap / "items.jsonl") / double(1 << 30),
              fs::exists(snap / "index.faiss") ? fs::file_size(snap / "index.faiss") / double(1 << 30) : 0.0);

  const double anon_before = status_mib("RssAnon");
  auto t = Clock::now();
  auto store = CollectionStore::open(store_dir, nullptr, /*read_only=*/true);
  std::printf("open: %.1f s (checksums verified); RSS anonymous +%.0f MiB (items' metadata, coarse index), "
              "file-backed %.0f MiB (mapped pages, reclaimable)\n",
              seconds_since(t), status_mib("RssAnon") - anon_before, status_mib("RssFile"));

  // Exact neighbours of the queries, from the mapped vectors.
  std::vector<float> q(static_cast<size_t>(queries) * d);
  for (int i = 0; i < queries; ++i) synthetic_row(n + i, d, centres, q.data() + static_cast<size_t>(i) * d);
  const clippo::MappedFile vectors((snap / "vectors.f32").string());
  std::vector<float> truth_scores(static_cast<size_t>(queries) * kTop);
  std::vector<int64_t> truth(static_cast<size_t>(queries) * kTop);
  t = Clock::now();
  faiss::knn_inner_product(q.data(), reinterpret_cast<const float*>(vectors.data()), d, queries, n, kTop,
                           truth_scores.data(), truth.data());
  std::printf("exact top-%d of %d queries by brute force: %.1f s\n", kTop, queries, seconds_since(t));

  // The store: single queries, as a server runs them.
  std::vector<double> ms;
  double recall = 0;
  for (int i = 0; i < queries; ++i) {
    t = Clock::now();
    const auto hits = store->search(q.data() + static_cast<size_t>(i) * d, 1, kTop).front();
    ms.push_back(seconds_since(t) * 1e3);
    std::vector<int64_t> ids;
    for (const auto& h : hits) ids.push_back(h.id);
    recall += recall_at_k(ids, truth.data() + static_cast<size_t>(i) * kTop) / queries;
  }
  const Percentiles store_p = percentiles(ms);
  std::printf("| clippo store (%s, rerank %d) | %.3f | %.2f | %.2f | RSS anon %.0f MiB |\n", store->factory().c_str(),
              store->options().rerank, recall, store_p.p50, store_p.p99, status_mib("RssAnon"));

  // Raw FAISS on the same saved index, mapped the same way, without re-ranking.
  if (fs::exists(snap / "index.faiss")) {
    std::unique_ptr<faiss::Index> raw(faiss::read_index((snap / "index.faiss").c_str(), faiss::IO_FLAG_MMAP));
    if (!store->options().search_params.empty()) {
      faiss::ParameterSpace().set_index_parameters(raw.get(), store->options().search_params.c_str());
    }
    ms.clear();
    recall = 0;
    std::vector<float> scores(kTop);
    std::vector<int64_t> ids(kTop);
    for (int i = 0; i < queries; ++i) {
      t = Clock::now();
      raw->search(1, q.data() + static_cast<size_t>(i) * d, kTop, scores.data(), ids.data());
      ms.push_back(seconds_since(t) * 1e3);
      recall += recall_at_k(ids, truth.data() + static_cast<size_t>(i) * kTop) / queries;
    }
    const Percentiles raw_p = percentiles(ms);
    std::printf("| raw FAISS, same index.faiss, no rerank | %.3f | %.2f | %.2f | store/raw p50 %.2fx |\n", recall,
                raw_p.p50, raw_p.p99, store_p.p50 / raw_p.p50);
  }

  // A flat in-memory index over the same vectors, where it fits in half the free memory.
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  double available_kib = 0;
  while (meminfo >> key) {
    if (key == "MemAvailable:") {
      meminfo >> available_kib;
      break;
    }
    meminfo.ignore(1 << 10, '\n');
  }
  const double flat_bytes = static_cast<double>(n) * d * 4;
  if (flat_queries > 0 && flat_bytes < available_kib * 1024 / 2) {
    faiss::IndexFlatIP flat(d);
    t = Clock::now();
    flat.add(static_cast<int64_t>(n), reinterpret_cast<const float*>(vectors.data()));
    const double load_s = seconds_since(t);
    ms.clear();
    std::vector<float> scores(kTop);
    std::vector<int64_t> ids(kTop);
    for (int i = 0; i < flat_queries; ++i) {
      t = Clock::now();
      flat.search(1, q.data() + static_cast<size_t>(i) * d, kTop, scores.data(), ids.data());
      ms.push_back(seconds_since(t) * 1e3);
    }
    const Percentiles flat_p = percentiles(ms);
    std::printf("| raw FAISS IndexFlatIP in memory (%d queries; loaded in %.1f s) | 1.000 | %.2f | %.2f | RSS anon %.0f MiB |\n",
                flat_queries, load_s, flat_p.p50, flat_p.p99, status_mib("RssAnon"));
  } else {
    std::printf("flat in-memory peer skipped: %.1f GiB of vectors, %.1f GiB available\n", flat_bytes / (1 << 30),
                available_kib / (1 << 20));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_scale: %s\n", e.what());
    return 1;
  }
}

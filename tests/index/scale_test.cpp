// Stores beyond memory and beyond one process: snapshots that carry their trained index, raw
// vectors mapped from disk, IVF lists mapped from index.faiss, exact re-ranking of a lossy
// index, bulk creation, merging partial stores, read-only replicas following a writer, and the
// memory-budget rule behind --max-memory.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "index/collection_store.h"
#include "index/index_sizing.h"
#include "index/store_merge.h"
#include "index/write_ahead_log.h"
#include "tests/index/store_test_support.h"

namespace clippo::index {
namespace {

namespace fs = std::filesystem;

using testing::fresh_dir;
using testing::items;
using testing::model;
using testing::unit_vectors;

constexpr int kDim = 16;

std::vector<SearchHit> top(const CollectionStore& store, const float* query, int k) {
  return store.search(query, 1, k).front();
}

// Exact top-k ids over `v` (n x kDim), ties by id: what a Flat index returns.
std::vector<int64_t> brute_force(const std::vector<float>& v, const float* q, int k) {
  std::vector<std::pair<float, int64_t>> scored;
  for (size_t i = 0; i < v.size() / kDim; ++i) {
    float dot = 0;
    for (int j = 0; j < kDim; ++j) dot += q[j] * v[i * kDim + j];
    scored.emplace_back(-dot, static_cast<int64_t>(i));
  }
  std::sort(scored.begin(), scored.end());
  std::vector<int64_t> ids;
  for (int i = 0; i < k; ++i) ids.push_back(scored[i].second);
  return ids;
}

TEST(StoreScaleTest, SnapshotCarriesTheTrainedIndexAndReopensWithoutTraining) {
  const std::string dir = fresh_dir("ivfpq_snapshot");
  StoreOptions options;
  options.factory = "IVF64,PQ8";
  options.search_params = "nprobe=64";
  options.rerank = 8;
  const auto v = unit_vectors(12'000, kDim, 3);
  std::vector<std::vector<SearchHit>> before;
  {
    auto store = CollectionStore::create(dir, model(), options);
    store->upsert(items(12'000), v.data());
    store->checkpoint();
    for (int q = 0; q < 20; ++q) before.push_back(top(*store, v.data() + q * 601 * kDim, 10));
  }
  const fs::path snap =
      fs::path(dir) / "snapshots" / std::to_string(std::stoull(read_file((fs::path(dir) / "CURRENT").string())));
  EXPECT_TRUE(fs::exists(snap / "index.faiss"));
  EXPECT_TRUE(fs::exists(fs::path(dir) / "trained.faiss"));
  // The trained state is reused: replacing it with garbage must not matter once index.faiss is
  // there, and the reopened store answers exactly as before.
  write_file_atomically((fs::path(dir) / "trained.faiss").string(), "not an index");
  auto store = CollectionStore::open(dir, nullptr, /*read_only=*/true);
  for (int q = 0; q < 20; ++q) {
    const auto hits = top(*store, v.data() + q * 601 * kDim, 10);
    ASSERT_EQ(hits.size(), before[q].size());
    for (size_t i = 0; i < hits.size(); ++i) EXPECT_EQ(hits[i].id, before[q][i].id);
    // With exact re-ranking a stored vector finds itself first, scored exactly.
    EXPECT_EQ(hits[0].id, q * 601);
    EXPECT_NEAR(hits[0].score, 1.0f, 1e-5);
  }
  EXPECT_EQ(store->options().rerank, 8);
  EXPECT_EQ(store->options().search_params, "nprobe=64");
}

TEST(StoreScaleTest, RerankRecoversWhatProductQuantizationLoses) {
  const auto v = unit_vectors(12'000, kDim, 4);
  const auto q = unit_vectors(50, kDim, 5);
  double recall[2] = {0, 0};
  for (int rerank : {0, 8}) {
    StoreOptions options;
    options.factory = "IVF64,PQ4";
    options.search_params = "nprobe=64";
    options.rerank = rerank;
    auto store = CollectionStore::create(fresh_dir("rerank" + std::to_string(rerank)), model(), options);
    store->upsert(items(12'000), v.data());
    store->checkpoint();  // trains the index: until then there are too few rows and search is exact
    for (int i = 0; i < 50; ++i) {
      const auto truth = brute_force(v, q.data() + i * kDim, 10);
      for (const SearchHit& hit : top(*store, q.data() + i * kDim, 10)) {
        recall[rerank > 0] += std::count(truth.begin(), truth.end(), hit.id) / 500.0;
      }
    }
  }
  EXPECT_LT(recall[0], 0.9);  // 4 bytes for 16 floats: far from exact
  EXPECT_GT(recall[1], 0.9) << recall[0];
  EXPECT_GT(recall[1], recall[0] + 0.1);
}

TEST(StoreScaleTest, IndexOnDiskIsMappedAndLaterRowsAreStillFound) {
  const std::string dir = fresh_dir("on_disk");
  StoreOptions options;
  options.factory = "IVF32,Flat";
  options.search_params = "nprobe=32";
  options.index_on_disk = true;
  const auto v = unit_vectors(12'100, kDim, 6);
  {
    auto store = CollectionStore::create(dir, model(), options);
    store->upsert(items(12'000), v.data());
    store->checkpoint();
  }
  auto store = CollectionStore::open(dir);
  EXPECT_TRUE(store->options().index_on_disk);
  // Rows after the snapshot cannot go into the mapped lists: they are scored exactly.
  store->upsert(items(100, "late"), v.data() + 12'000 * kDim);
  for (int i : {0, 5000, 11'999, 12'000, 12'099}) {
    const auto hits = top(*store, v.data() + i * kDim, 1);
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].id, i);
  }
  for (int q = 0; q < 10; ++q) {
    const auto truth = brute_force(v, v.data() + q * 997 * kDim, 10);
    const auto hits = top(*store, v.data() + q * 997 * kDim, 10);
    for (size_t i = 0; i < hits.size(); ++i) EXPECT_EQ(hits[i].id, truth[i]);
  }
  // A removal and a snapshot compact the rows and map the new index; ids are not reused.
  EXPECT_EQ(store->remove({5000}), 1u);
  store->checkpoint();
  EXPECT_EQ(store->size(), 12'099u);
  EXPECT_TRUE(top(*store, v.data() + 5000 * kDim, 1)[0].id != 5000);
  EXPECT_EQ(top(*store, v.data() + 12'099 * kDim, 1)[0].id, 12'099);
  EXPECT_EQ(store->upsert(items(1, "next"), v.data()).front(), 12'100);
}

TEST(StoreScaleTest, DamagedSavedIndexIsReportedAtOpen) {
  const std::string dir = fresh_dir("damaged_index");
  StoreOptions options;
  options.factory = "IVF16,Flat";
  const auto v = unit_vectors(10'000, kDim, 7);
  {
    auto store = CollectionStore::create(dir, model(), options);
    store->upsert(items(10'000), v.data());
    store->checkpoint();
  }
  const fs::path index = fs::path(dir) / "snapshots" / std::to_string(std::stoull(read_file((fs::path(dir) / "CURRENT").string()))) / "index.faiss";
  ASSERT_TRUE(fs::exists(index));
  std::string bytes = read_file(index.string());
  bytes[bytes.size() / 2] ^= 0x10;
  {
    std::ofstream out(index, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  try {
    CollectionStore::open(dir);
    FAIL() << "a damaged index.faiss was opened";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("index.faiss: damaged at bytes"), std::string::npos) << e.what();
  }
}

TEST(StoreScaleTest, CreateBulkWritesASnapshotThatOpensLikeUpserts) {
  const auto v = unit_vectors(3000, kDim, 8);
  BulkRows rows;
  rows.count = 3000;
  rows.read = [&](size_t i, Item& item, float* vec) {
    item.uri = "img" + std::to_string(i) + ".jpg";
    item.caption = "caption " + std::to_string(i);
    std::copy(v.begin() + i * kDim, v.begin() + (i + 1) * kDim, vec);
  };
  const std::string dir = fresh_dir("bulk");
  CollectionStore::create_bulk(dir, model(), {}, rows);
  auto store = CollectionStore::open(dir);
  ASSERT_EQ(store->size(), 3000u);
  EXPECT_EQ(store->get(1234)->caption, "caption 1234");
  EXPECT_EQ(store->vector(2999), std::vector<float>(v.end() - kDim, v.end()));
  // Writes after a bulk creation go to the log and survive a reopen.
  EXPECT_EQ(store->upsert(items(1, "after"), v.data()).front(), 3000);
  store.reset();
  store = CollectionStore::open(dir);
  EXPECT_EQ(store->size(), 3001u);
  EXPECT_EQ(store->get(3000)->uri, "after0.jpg");
  // A bulk creation refuses an existing store and invalid rows, naming them.
  EXPECT_THROW(CollectionStore::create_bulk(dir, model(), {}, rows), Error);
  rows.read = [&](size_t i, Item& item, float* vec) {
    item.uri = i == 7 ? std::string("\xff") : "x";
    std::fill(vec, vec + kDim, 0.5f);
  };
  const std::string bad = fresh_dir("bulk_bad");
  EXPECT_THROW(CollectionStore::create_bulk(bad, model(), {}, rows), Error);
  EXPECT_FALSE(fs::exists(bad));
  EXPECT_FALSE(fs::exists(bad + ".partial"));
}

TEST(StoreScaleTest, ACheckpointWithNothingNewLeavesThePublishedSnapshotAlone) {
  const std::string dir = fresh_dir("idle_checkpoint");
  const auto v = unit_vectors(100, kDim, 14);
  BulkRows rows;
  rows.count = 100;
  rows.read = [&](size_t i, Item& item, float* vec) {
    item.uri = "img" + std::to_string(i);
    std::copy(v.begin() + i * kDim, v.begin() + (i + 1) * kDim, vec);
  };
  CollectionStore::create_bulk(dir, model(), {}, rows);
  const fs::path vectors = fs::path(dir) / "snapshots" / "1" / "vectors.f32";
  const auto written = fs::last_write_time(vectors);
  auto store = CollectionStore::open(dir);
  store->checkpoint();  // what `serve` and `index build` do at exit
  EXPECT_EQ(fs::last_write_time(vectors), written);
  EXPECT_EQ(store->snapshot_sequence(), 1u);
  store->upsert(items(1, "new"), v.data());
  store->checkpoint();
  EXPECT_GT(store->snapshot_sequence(), 1u);
  EXPECT_FALSE(fs::exists(vectors));  // the old snapshot is gone once the new one is published
  EXPECT_EQ(CollectionStore::open(dir)->size(), 101u);
}

// A remove record as the store writes it: type 2, then the id (8 bytes, little-endian).
std::string remove_record(int64_t id) {
  std::string rec(1, '\x02');
  for (int i = 0; i < 8; ++i) rec.push_back(static_cast<char>((static_cast<uint64_t>(id) >> (8 * i)) & 0xFF));
  return rec;
}

TEST(StoreLogTest, AWriteWithoutItsCommitRecordIsNeverApplied) {
  const std::string dir = fresh_dir("uncommitted");
  const auto v = unit_vectors(3, kDim, 15);
  CollectionStore::create(dir, model())->upsert(items(3), v.data());
  {
    // A crash part-way through a write: its records reached the log, its commit did not.
    WriteAheadLog log(dir + "/wal.log");
    log.replay([](uint64_t, const std::string&) {});
    log.append({remove_record(0)});
  }
  auto store = CollectionStore::open(dir);
  EXPECT_TRUE(store->get(0).has_value());
  // The next write commits; the orphan must not come back with it.
  store->upsert(items(1, "later"), v.data());
  store.reset();
  store = CollectionStore::open(dir);
  EXPECT_TRUE(store->get(0).has_value());
  EXPECT_EQ(store->size(), 4u);
}

TEST(StoreLogTest, LogsFromBeforeCommitRecordsReplayRecordByRecord) {
  const std::string dir = fresh_dir("v1_log");
  const auto v = unit_vectors(3, kDim, 16);
  {
    auto store = CollectionStore::create(dir, model());
    store->upsert(items(3), v.data());
    store->checkpoint();
  }
  const uint64_t seq = std::stoull(read_file(dir + "/CURRENT"));
  // A "CLPWAL01" log holding one remove, as the store wrote before it grouped writes.
  std::string log("CLPWAL01", 8);
  for (int i = 0; i < 8; ++i) log.push_back(static_cast<char>((seq >> (8 * i)) & 0xFF));
  write_file_atomically(dir + "/wal.log", log);
  {
    WriteAheadLog wal(dir + "/wal.log");
    wal.replay([](uint64_t, const std::string&) {});
    EXPECT_FALSE(wal.grouped());
    wal.append({remove_record(1)});
  }
  auto store = CollectionStore::open(dir);
  EXPECT_FALSE(store->get(1).has_value());
  EXPECT_EQ(store->size(), 2u);
}

TEST(StoreLogTest, AReaderNeverPairsASnapshotWithALaterLog) {
  const std::string dir = fresh_dir("later_log");
  const auto v = unit_vectors(3, kDim, 17);
  {
    auto store = CollectionStore::create(dir, model());
    store->upsert(items(3), v.data());
    store->checkpoint();
  }
  // The log of a snapshot CURRENT does not name yet (the writer between publishing and
  // resetting, seen in the other order): a reader opens again, and says so if it stays.
  const uint64_t seq = std::stoull(read_file(dir + "/CURRENT"));
  WriteAheadLog(dir + "/wal.log").reset(seq + 5);
  try {
    CollectionStore::open(dir, nullptr, /*read_only=*/true);
    FAIL() << "a snapshot was paired with a later log";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
    EXPECT_NE(std::string(e.what()).find("published a new snapshot while it was being opened"), std::string::npos);
  }
}

// Three partial stores over disjoint thirds of one collection.
std::vector<std::string> three_parts(const std::vector<float>& v, const std::string& name) {
  std::vector<std::string> parts;
  const size_t n = v.size() / kDim;
  for (int p = 0; p < 3; ++p) {
    StoreOptions options;
    options.shard = std::to_string(p) + "/3";
    parts.push_back(fresh_dir(name + std::to_string(p)));
    auto store = CollectionStore::create(parts.back(), model(), options);
    std::vector<Item> part_items;
    std::vector<float> part_vectors;
    for (size_t i = p; i < n; i += 3) {
      Item item;
      item.uri = "img" + std::to_string(i) + ".jpg";
      part_items.push_back(item);
      part_vectors.insert(part_vectors.end(), v.begin() + i * kDim, v.begin() + (i + 1) * kDim);
    }
    store->upsert(part_items, part_vectors.data());
  }
  return parts;
}

TEST(StoreMergeTest, ThreePartsMergedEqualOneStore) {
  const auto v = unit_vectors(1500, kDim, 9);
  auto whole = CollectionStore::create(fresh_dir("whole"), model());
  whole->upsert(items(1500), v.data());
  const std::vector<std::string> parts = three_parts(v, "part");
  const std::string out = fresh_dir("merged");
  const MergeSummary summary = merge_stores(parts, out, {});
  EXPECT_EQ(summary.items, 1500u);
  EXPECT_EQ(summary.duplicates, 0u);
  EXPECT_TRUE(summary.shard_warnings.empty());
  auto merged = CollectionStore::open(out);
  ASSERT_EQ(merged->size(), 1500u);
  EXPECT_EQ(merged->options().shard, "");
  // The same items with the same vectors, found by uri.
  std::map<std::string, int64_t> merged_ids;
  for (const Item& item : merged->items()) merged_ids[item.uri] = item.id;
  for (const Item& item : whole->items()) {
    ASSERT_TRUE(merged_ids.count(item.uri)) << item.uri;
    EXPECT_EQ(merged->vector(merged_ids[item.uri]), whole->vector(item.id));
  }
  // And the same top-10 of a Flat index, item for item.
  const auto q = unit_vectors(20, kDim, 10);
  for (int i = 0; i < 20; ++i) {
    const auto a = top(*whole, q.data() + i * kDim, 10), b = top(*merged, q.data() + i * kDim, 10);
    ASSERT_EQ(a.size(), b.size());
    for (size_t j = 0; j < a.size(); ++j) {
      EXPECT_EQ(whole->get(a[j].id)->uri, merged->get(b[j].id)->uri);
      EXPECT_FLOAT_EQ(a[j].score, b[j].score);
    }
  }
}

TEST(StoreMergeTest, MissingAndRepeatedShardsAndDuplicatesAreReported) {
  const auto v = unit_vectors(300, kDim, 11);
  const std::vector<std::string> parts = three_parts(v, "warn");
  const MergeSummary summary = merge_stores({parts[0], parts[1], parts[1]}, fresh_dir("warn_out"), {});
  EXPECT_EQ(summary.items, 200u);
  EXPECT_EQ(summary.duplicates, 100u);
  ASSERT_EQ(summary.shard_warnings.size(), 2u);
  EXPECT_NE(summary.shard_warnings[0].find("shard 1/3 is given 2 times"), std::string::npos);
  EXPECT_NE(summary.shard_warnings[1].find("shard 2/3 is missing"), std::string::npos);
}

TEST(StoreMergeTest, PartsOfAnotherModelAreRefusedByName) {
  const auto v = unit_vectors(30, kDim, 12);
  const std::vector<std::string> parts = three_parts(v, "models");
  const std::string other = fresh_dir("other_model");
  ModelIdentity other_model = model();
  other_model.content_hash = "fnv1a64:00000000000000bb";
  CollectionStore::create(other, other_model)->upsert(items(3), v.data());
  const std::string out = fresh_dir("models_out");
  try {
    merge_stores({parts[0], other, parts[2]}, out, {});
    FAIL() << "parts of two models were merged";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kFailedPrecondition);
    EXPECT_NE(std::string(e.what()).find(other + ": fnv1a64:00000000000000bb"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(CollectionStore::exists(out));
}

TEST(StoreMergeTest, MaxMemoryPicksACompressedIndex) {
  const auto v = unit_vectors(12'000, kDim, 13);
  StoreOptions options;
  const std::string part = fresh_dir("budget_part");
  CollectionStore::create(part, model())->upsert(items(12'000), v.data());
  MergeOptions merge;
  merge.max_memory = 250'000;  // Flat needs 768,000 B, IVF128,PQ16 312,576 and IVF128,PQ8 216,576
  const MergeSummary summary = merge_stores({part}, fresh_dir("budget_out"), merge);
  EXPECT_EQ(summary.factory, "IVF128,PQ8");
  EXPECT_EQ(summary.rerank, 8);
  EXPECT_EQ(summary.search_params, "nprobe=8");
}

// A writer process publishes snapshots of 100 items at a time while two read-only replicas
// follow it: every state a replica shows is one the writer published (a multiple of 100
// items, every vector the one its item was written with), never a torn one.
TEST(StoreReplicaTest, ReadersFollowTheWritersSnapshotsNeverTorn) {
  const std::string dir = fresh_dir("replicas");
  CollectionStore::create(dir, model())->checkpoint();
  const auto vector_of = [](int64_t id) {
    std::vector<float> v(kDim, 0.0f);
    v[id % kDim] = 1.0f;
    v[(id / kDim) % kDim] += 0.5f;
    return v;
  };
  constexpr int kRounds = 30;
  const pid_t writer = fork();
  ASSERT_GE(writer, 0);
  if (writer == 0) {
    auto store = CollectionStore::open(dir);
    for (int round = 0; round < kRounds; ++round) {
      std::vector<Item> batch(100);
      std::vector<float> vectors;
      for (int i = 0; i < 100; ++i) {
        const int64_t id = round * 100 + i;
        batch[i].id = id;
        batch[i].uri = "img" + std::to_string(id);
        const auto v = vector_of(id);
        vectors.insert(vectors.end(), v.begin(), v.end());
      }
      store->upsert(batch, vectors.data());
      store->checkpoint();
      usleep(5000);
    }
    _exit(0);
  }
  std::atomic<bool> bad{false};
  std::atomic<int> refreshes{0};
  const auto follow = [&] {
    auto replica = CollectionStore::open(dir, nullptr, /*read_only=*/true);
    for (int tries = 0; tries < 20'000 && replica->size() < kRounds * 100u; ++tries) {
      try {
        if (replica->refresh()) ++refreshes;
      } catch (const Error&) {
        // The snapshot just named was replaced by the next one while opening: try again.
      }
      const size_t n = replica->size();
      if (n % 100 != 0) bad = true;
      for (int64_t id : {int64_t{0}, static_cast<int64_t>(n) / 2, static_cast<int64_t>(n) - 1}) {
        if (n > 0 && replica->vector(id) != vector_of(id)) bad = true;
      }
      usleep(500);
    }
    if (replica->size() != kRounds * 100u) bad = true;
  };
  std::thread a(follow), b(follow);
  a.join();
  b.join();
  int status = 0;
  waitpid(writer, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_FALSE(bad);
  EXPECT_GE(refreshes.load(), 2);
  // A writable store does not follow: it is the writer.
  EXPECT_THROW(CollectionStore::open(dir)->refresh(), Error);
}

TEST(IndexSizingTest, TheRuleAsDocumented) {
  // Flat while the vectors fit.
  EXPECT_EQ(choose_index_for_memory(1'000'000, 128, uint64_t{512} << 20).factory, "Flat");
  // 10M x 128: nlist = 2^round(log2(4 * sqrt(1e7))) = 2^round(13.63) = 16384; m = 64 fits 2 GiB.
  IndexChoice c = choose_index_for_memory(10'000'000, 128, uint64_t{2} << 30);
  EXPECT_EQ(c.factory, "IVF16384_HNSW32,PQ64");
  EXPECT_EQ(c.search_params, "nprobe=256,quantizer_efSearch=512");
  EXPECT_EQ(c.rerank, 8);
  EXPECT_EQ(c.index_bytes, 10'000'000ull * 72 + 16384ull * 128 * 4 + 256ull * 128 * 4 + 16384ull * 256);
  // A tighter budget takes fewer bytes per code.
  EXPECT_EQ(choose_index_for_memory(10'000'000, 128, uint64_t{300} << 20).factory, "IVF16384_HNSW32,PQ16");
  EXPECT_EQ(choose_index_for_memory(10'000'000, 192, uint64_t{2} << 30).factory, "IVF16384_HNSW32,PQ64");
  EXPECT_EQ(choose_index_for_memory(10'000'000, 96, uint64_t{2} << 30).factory, "IVF16384_HNSW32,PQ48");
  // The HNSW quantizer's search depth is a valid FAISS parameter for that index.
  StoreOptions options;
  options.factory = "IVF4096_HNSW32,PQ8";
  options.search_params = choose_index_for_memory(1'000'000, kDim, uint64_t{40} << 20).search_params;
  EXPECT_EQ(options.search_params, "nprobe=64,quantizer_efSearch=128");
  EXPECT_NO_THROW(CollectionStore::create(fresh_dir("hnsw_quantizer"), model(), options));
  // Few vectors: at least 64 training rows per list.
  EXPECT_EQ(choose_index_for_memory(20'000, 128, 1 << 20).factory, "IVF256,PQ16");
  try {
    choose_index_for_memory(10'000'000, 128, 1 << 20);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kResourceExhausted);
    EXPECT_NE(std::string(e.what()).find("IVF16384_HNSW32,PQ4) needs 132713984 bytes"), std::string::npos) << e.what();
  }
}

TEST(IndexSizingTest, MemorySizes) {
  EXPECT_EQ(parse_memory_size("2048"), 2048u);
  EXPECT_EQ(parse_memory_size("8G"), uint64_t{8} << 30);
  EXPECT_EQ(parse_memory_size("512MiB"), uint64_t{512} << 20);
  EXPECT_EQ(parse_memory_size("1.5gb"), uint64_t{3} << 29);
  EXPECT_EQ(parse_memory_size("4k"), 4096u);
  for (const char* bad : {"", "G", "8X", "-1G", "1.2.3G", "0", "99999999999T"}) {
    EXPECT_THROW(parse_memory_size(bad), Error) << bad;
  }
}

}  // namespace
}  // namespace clippo::index

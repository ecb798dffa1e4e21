// The collection store: search against brute force, add/remove/update without rebuilds,
// persistence, model identity, and durability of acknowledged writes under SIGKILL.
#include "index/collection_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/strings.h"
#include "tests/index/store_test_support.h"

namespace clippo::index {
namespace {

namespace fs = std::filesystem;

using testing::fresh_dir;
using testing::items;
using testing::model;
using testing::unit_vectors;

TEST(CollectionStoreTest, SearchMatchesBruteForce) {
  for (const std::string factory : {"Flat", "HNSW16", "IVF16,Flat"}) {
    StoreOptions options;
    options.factory = factory;
    auto store = CollectionStore::create(fresh_dir("search_" + std::to_string(factory.size())), model(), options);
    const auto v = unit_vectors(500, 16, 1);
    const auto ids = store->upsert(items(500), v.data());
    ASSERT_EQ(ids.front(), 0);
    ASSERT_EQ(ids.back(), 499);
    const auto q = unit_vectors(3, 16, 2);
    const auto hits = store->search(q.data(), 3, 5);
    for (size_t qi = 0; qi < 3; ++qi) {
      std::vector<std::pair<float, int64_t>> exact;
      for (int64_t i = 0; i < 500; ++i) {
        float dot = 0;
        for (int j = 0; j < 16; ++j) dot += q[qi * 16 + j] * v[i * 16 + j];
        exact.push_back({-dot, i});
      }
      std::sort(exact.begin(), exact.end());
      ASSERT_EQ(hits[qi].size(), 5u) << factory;
      // 500 rows is below the training threshold: untrained types score exactly too.
      EXPECT_EQ(hits[qi][0].id, exact[0].second) << factory;
      EXPECT_NEAR(hits[qi][0].score, -exact[0].first, 1e-5) << factory;
      for (size_t j = 1; j < 5; ++j) EXPECT_GE(hits[qi][j - 1].score, hits[qi][j].score);
    }
  }
}

TEST(CollectionStoreTest, TrainedIndexesFindStoredVectorsAndSkipRemoved) {
  // Past 10,000 rows an IVF index is trained; removed rows never come back from search.
  StoreOptions options;
  options.factory = "IVF32,Flat";
  auto store = CollectionStore::create(fresh_dir("ivf"), model(8), options);
  const auto v = unit_vectors(12000, 8, 7);
  store->upsert(items(12000), v.data());
  store->checkpoint();
  auto reopened = CollectionStore::open(store->dir());
  size_t found = 0;
  for (int64_t i = 0; i < 200; ++i) found += reopened->search(v.data() + i * 8, 1, 1)[0][0].id == i;
  EXPECT_GE(found, 190u);  // a vector's own cell is probed: nearly always its own top hit
  std::vector<int64_t> gone;
  for (int64_t i = 0; i < 100; ++i) gone.push_back(i);
  EXPECT_EQ(reopened->remove(gone), 100u);
  for (int64_t i = 0; i < 100; ++i) {
    const auto hits = reopened->search(v.data() + i * 8, 1, 5);  // bound: [0] of a temporary would dangle
    ASSERT_EQ(hits[0].size(), 5u);
    for (const auto& hit : hits[0]) EXPECT_GE(hit.id, 100);
  }
}

TEST(CollectionStoreTest, RemoveAndUpdateWithoutRebuild) {
  auto store = CollectionStore::create(fresh_dir("update"), model());
  const auto v = unit_vectors(10, 16, 3);
  store->upsert(items(10), v.data());
  EXPECT_EQ(store->remove({3, 3, 42}), 1u);
  EXPECT_FALSE(store->get(3).has_value());
  const auto hits = store->search(v.data() + 3 * 16, 1, 10);
  EXPECT_EQ(hits[0].size(), 9u);
  for (const auto& h : hits[0]) EXPECT_NE(h.id, 3);
  // Update id 5 to point at id 7's vector: a query for that vector now finds both.
  Item updated;
  updated.id = 5;
  updated.uri = "replaced.png";
  updated.caption = "a cat";
  updated.lang = "en";
  store->upsert({updated}, v.data() + 7 * 16);
  EXPECT_EQ(store->get(5)->uri, "replaced.png");
  EXPECT_EQ(store->size(), 9u);
  const auto top = store->search(v.data() + 7 * 16, 1, 2)[0];
  ASSERT_EQ(top.size(), 2u);
  EXPECT_NEAR(top[0].score, 1.0f, 1e-5);
  EXPECT_NEAR(top[1].score, 1.0f, 1e-5);
  // New ids continue after the largest one ever used.
  EXPECT_EQ(store->upsert(items(1), v.data())[0], 10);
}

TEST(CollectionStoreTest, ReopensWithEverythingAcrossSnapshots) {
  const std::string dir = fresh_dir("persist");
  const auto v = unit_vectors(300, 16, 4);
  {
    auto store = CollectionStore::create(dir, model());
    store->upsert(items(200), v.data());
    store->checkpoint();  // 200 in a snapshot
    store->upsert(items(100, "late"), v.data() + 200 * 16);
    store->remove({0, 250});
  }
  auto store = CollectionStore::open(dir, nullptr);
  EXPECT_EQ(store->size(), 298u);
  EXPECT_EQ(store->get(299)->uri, "late99.jpg");
  EXPECT_FALSE(store->get(250).has_value());
  EXPECT_EQ(store->vector(17), std::vector<float>(v.begin() + 17 * 16, v.begin() + 18 * 16));
  EXPECT_EQ(store->search(v.data() + 123 * 16, 1, 1)[0][0].id, 123);
}

// Flips one byte of a snapshot file; returns the snapshot folder.
std::filesystem::path damage_snapshot(const std::string& dir, const std::string& file, size_t at) {
  std::filesystem::path snap;
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(dir) / "snapshots")) snap = e.path();
  std::string bytes = read_file((snap / file).string());
  bytes.at(at) = static_cast<char>(bytes.at(at) ^ 0x20);
  write_file_atomically((snap / file).string(), bytes);
  return snap;
}

void expect_open_fails_naming(const std::string& dir, const std::vector<std::string>& parts) {
  try {
    CollectionStore::open(dir, nullptr);
    FAIL() << "a damaged snapshot opened";
  } catch (const Error& e) {
    for (const auto& part : parts) EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(CollectionStoreTest, ADamagedSnapshotIsReportedWithItsFileAndBytes) {
  // 2,100 items of 16 floats: vectors.f32 spans three 64 KiB checksum blocks.
  const auto v = unit_vectors(2100, 16, 9);
  const auto build = [&](const std::string& name) {
    const std::string dir = fresh_dir(name);
    auto store = CollectionStore::create(dir, model());
    store->upsert(items(2100), v.data());
    store->checkpoint();
    return dir;
  };
  const std::string a = build("damaged_vectors");
  damage_snapshot(a, "vectors.f32", 70000);  // a float's byte: the file still parses
  expect_open_fails_naming(a, {"vectors.f32", "damaged at bytes 65536-131071"});

  const std::string b = build("damaged_items");
  damage_snapshot(b, "items.jsonl", 30);  // inside a uri: still valid JSON, wrong metadata
  expect_open_fails_naming(b, {"items.jsonl", "damaged at bytes 0-"});

  const std::string c = build("old_snapshot");  // written before checksums: opens as before
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(c) / "snapshots")) {
    std::filesystem::remove(e.path() / "checksums.json");
  }
  EXPECT_EQ(CollectionStore::open(c, nullptr)->size(), 2100u);
  EXPECT_EQ(CollectionStore::open(build("intact"), nullptr)->size(), 2100u);
}

TEST(CollectionStoreTest, AnotherModelIsAClearError) {
  const std::string dir = fresh_dir("identity");
  CollectionStore::create(dir, model());
  ModelIdentity other{"fnv1a64:00000000000000bb", "/models/b.npz", 16};
  try {
    CollectionStore::open(dir, &other);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kFailedPrecondition);
    const std::string msg = e.what();
    EXPECT_NE(msg.find("00000000000000aa"), std::string::npos) << msg;
    EXPECT_NE(msg.find("00000000000000bb"), std::string::npos) << msg;
  }
  EXPECT_EQ(CollectionStore::recorded_model(dir).content_hash, model().content_hash);  // store.json alone
  EXPECT_EQ(CollectionStore::recorded_model(dir).path, "/models/a.npz");
  EXPECT_THROW(CollectionStore::recorded_model(fresh_dir("none")), Error);
  EXPECT_THROW(CollectionStore::create(dir, model()), Error);  // exists already
  EXPECT_THROW(CollectionStore::open(fresh_dir("none")), Error);
  StoreOptions bad;
  bad.factory = "NoSuchIndex42";
  EXPECT_THROW(CollectionStore::create(fresh_dir("badfactory"), model(), bad), Error);
}

TEST(CollectionStoreTest, BadInputIsRefused) {
  auto store = CollectionStore::create(fresh_dir("bad"), model());
  std::vector<float> nan(16, std::nanf(""));
  EXPECT_THROW(store->upsert(items(1), nan.data()), Error);
  const auto v = unit_vectors(1, 16, 5);
  EXPECT_THROW(store->upsert({Item{}}, v.data()), Error);  // no uri
  EXPECT_THROW(store->search(v.data(), 1, 0), Error);
  EXPECT_THROW(store->search(v.data(), 1, 1'000'000), Error);
  // Ill-formed UTF-8 in any field is refused at once, naming the field, and nothing is written.
  for (const char* field : {"uri", "caption", "lang"}) {
    Item bad = items(1)[0];
    std::string& value = std::string(field) == "uri" ? bad.uri : std::string(field) == "caption" ? bad.caption : bad.lang;
    value += "\xff\xfe";
    try {
      store->upsert({bad}, v.data());
      FAIL() << field;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(store->size(), 0u);
  EXPECT_EQ(store->upsert(items(1), v.data()).size(), 1u);  // and the store still takes good items
}

std::vector<Item> text_items(size_t n) {
  std::vector<Item> out(n);
  for (size_t i = 0; i < n; ++i) {
    out[i].kind = ItemKind::kText;
    out[i].text = "text number " + std::to_string(i);
    out[i].lang = "en";
  }
  return out;
}

TEST(CollectionStoreTest, KindFilterIsExactAmongManyOfTheOtherKind) {
  // 3 texts among 997 images: a text-only search must still return the texts in exact order,
  // however far down the full ranking they are, and an image-only search none of them.
  for (const std::string factory : {"Flat", "HNSW16"}) {
    StoreOptions options;
    options.factory = factory;
    auto store = CollectionStore::create(fresh_dir("kinds_" + std::to_string(factory.size())), model(), options);
    const auto v = unit_vectors(1000, 16, 11);
    store->upsert(items(997), v.data());
    const auto text_ids = store->upsert(text_items(3), v.data() + 997 * 16);
    EXPECT_EQ(store->kind_counts().images, 997u);
    EXPECT_EQ(store->kind_counts().texts, 3u);
    const auto q = unit_vectors(1, 16, 12);
    const auto texts = store->search(q.data(), 1, 10, kind_bit(ItemKind::kText))[0];
    ASSERT_EQ(texts.size(), 3u) << factory;
    std::vector<std::pair<float, int64_t>> exact;
    for (size_t t = 0; t < 3; ++t) {
      float dot = 0;
      for (int j = 0; j < 16; ++j) dot += q[j] * v[(997 + t) * 16 + j];
      exact.push_back({-dot, text_ids[t]});
    }
    std::sort(exact.begin(), exact.end());
    for (size_t t = 0; t < 3; ++t) {
      EXPECT_EQ(texts[t].id, exact[t].second) << factory;
      EXPECT_NEAR(texts[t].score, -exact[t].first, 1e-5) << factory;
    }
    const auto images = store->search(q.data(), 1, 50, kind_bit(ItemKind::kImage))[0];
    ASSERT_EQ(images.size(), 50u);
    for (const SearchHit& h : images) EXPECT_EQ(store->get(h.id)->kind, ItemKind::kImage);
    EXPECT_EQ(store->search(q.data(), 1, 50, kAllKinds)[0].size(), 50u);
    // Removing a text updates the counts and the filter.
    store->remove({text_ids[0]});
    EXPECT_EQ(store->kind_counts().texts, 2u);
    EXPECT_EQ(store->search(q.data(), 1, 10, kind_bit(ItemKind::kText))[0].size(), 2u);
  }
}

TEST(CollectionStoreTest, TextItemsPersistThroughWalAndSnapshot) {
  const std::string dir = fresh_dir("texts");
  const auto v = unit_vectors(4, 16, 13);
  {
    auto store = CollectionStore::create(dir, model());
    store->upsert(items(1), v.data());
    store->upsert(text_items(1), v.data() + 16);
    store->checkpoint();                                  // one of each in the snapshot
    std::vector<Item> late = text_items(2);
    late[1].text = "\u05e9\u05dc\u05d5\u05dd \u0639\u0627\u0644\u0645";  // any script
    late[1].lang = "he";
    store->upsert(late, v.data() + 2 * 16);               // two more in the WAL only
  }
  auto store = CollectionStore::open(dir, nullptr);
  ASSERT_EQ(store->size(), 4u);
  EXPECT_EQ(store->get(0)->kind, ItemKind::kImage);
  EXPECT_EQ(store->get(1)->kind, ItemKind::kText);
  EXPECT_EQ(store->get(1)->text, "text number 0");
  EXPECT_EQ(store->get(3)->text, "\u05e9\u05dc\u05d5\u05dd \u0639\u0627\u0644\u0645");
  EXPECT_EQ(store->get(3)->lang, "he");
  EXPECT_EQ(store->kind_counts().texts, 3u);
  EXPECT_EQ(store->search(v.data() + 3 * 16, 1, 1, kind_bit(ItemKind::kText))[0][0].id, 3);
}

// A store of two items with one snapshot, whose items.jsonl a test edits by hand. Returns the
// path of that items.jsonl; its checksums.json is removed, as snapshots before checksums had none.
std::string two_item_snapshot_without_checksums(const std::string& dir, uint64_t seed) {
  const auto v = unit_vectors(2, 16, seed);
  {
    auto store = CollectionStore::create(dir, model());
    store->upsert(items(2), v.data());
    store->checkpoint();
  }
  const std::string seq = std::string(trim(read_file((fs::path(dir) / "CURRENT").string(), 100)));
  fs::remove(fs::path(dir) / "snapshots" / seq / "checksums.json");
  return (fs::path(dir) / "snapshots" / seq / "items.jsonl").string();
}

TEST(CollectionStoreTest, StoresWrittenBeforeTextItemsOpenAsImages) {
  // Snapshots of earlier versions have no "kind" in items.jsonl: every item is an image.
  const std::string dir = fresh_dir("old_meta");
  const std::string items_path = two_item_snapshot_without_checksums(dir, 14);
  std::string jsonl = read_file(items_path, 1 << 20);
  for (size_t at; (at = jsonl.find("\"kind\":\"image\",")) != std::string::npos;) jsonl.erase(at, 15);
  ASSERT_EQ(jsonl.find("kind"), std::string::npos);
  write_file_atomically(items_path, jsonl);
  auto store = CollectionStore::open(dir, nullptr);
  ASSERT_EQ(store->size(), 2u);
  EXPECT_EQ(store->get(1)->kind, ItemKind::kImage);
  EXPECT_EQ(store->get(1)->uri, "img1.jpg");
  EXPECT_EQ(store->kind_counts().images, 2u);
}

TEST(CollectionStoreTest, AnItemFieldThatIsNoIntegerIsAnErrorNotAGarbageId) {
  // The log's fuzzer found it: nlohmann converts a float such as 6.7e34 to an integer with a C++
  // cast, undefined past the integer's range; an id or time that is not an integer in range is
  // now an error naming the file and line (here without checksums, as in older snapshots).
  const auto edited = [](const std::string& name, const std::string& from, const std::string& to) {
    const std::string dir = fresh_dir(name);
    const std::string items_path = two_item_snapshot_without_checksums(dir, 15);
    std::string jsonl = read_file(items_path, 1 << 20);
    const size_t at = jsonl.rfind(from);
    EXPECT_NE(at, std::string::npos) << jsonl;
    if (at != std::string::npos) jsonl.replace(at, from.size(), to);
    write_file_atomically(items_path, jsonl);
    return dir;
  };
  expect_open_fails_naming(edited("float_id", "\"id\":1,", "\"id\":6.7e34,"),
                           {"items.jsonl line 2", "'id' must be an integer", "6.7e+34"});
  expect_open_fails_naming(edited("fraction_id", "\"id\":1,", "\"id\":1.5,"), {"items.jsonl line 2", "'id'"});
  expect_open_fails_naming(edited("huge_id", "\"id\":1,", "\"id\":18446744073709551615,"),
                           {"items.jsonl line 2", "'id'"});
  expect_open_fails_naming(edited("float_time", "\"added_ms\":", "\"added_ms\":-1e300,\"x\":"),
                           {"items.jsonl line 2", "'added_ms'"});
  EXPECT_EQ(CollectionStore::open(edited("integer_id", "\"id\":1,", "\"id\":7,"), nullptr)->get(7)->uri, "img1.jpg");
}

TEST(CollectionStoreTest, ItemsOfEachKindNeedTheirContent) {
  auto store = CollectionStore::create(fresh_dir("kind_checks"), model());
  const auto v = unit_vectors(1, 16, 15);
  Item text;
  text.kind = ItemKind::kText;  // no text
  EXPECT_THROW(store->upsert({text}, v.data()), Error);
  Item image;
  image.text = "an image item with a text but no uri";
  EXPECT_THROW(store->upsert({image}, v.data()), Error);
  EXPECT_THROW(store->search(v.data(), 1, 1, 0), Error);  // no kind at all
  EXPECT_EQ(parse_item_kind("text"), ItemKind::kText);
  EXPECT_STREQ(item_kind_name(ItemKind::kImage), "image");
  EXPECT_THROW(parse_item_kind("video"), Error);
  EXPECT_EQ(store->size(), 0u);
}

TEST(CollectionStoreTest, AcknowledgedWritesSurviveSigkill) {
  const std::string dir = fresh_dir("crash");
  CollectionStore::create(dir, model());
  int pipe_fd[2];
  ASSERT_EQ(pipe(pipe_fd), 0);
  const pid_t child = fork();
  if (child == 0) {
    // Writer: acknowledge each id on the pipe only after upsert() returned.
    close(pipe_fd[0]);
    auto store = CollectionStore::open(dir);
    const auto v = unit_vectors(1, 16, 9);
    for (int64_t i = 0;; ++i) {
      Item item;
      item.id = i;
      item.uri = "crash" + std::to_string(i);
      store->upsert({item}, v.data());
      if (write(pipe_fd[1], &i, sizeof(i)) != sizeof(i)) _exit(1);
      if (i % 50 == 49) store->checkpoint();  // crash windows inside snapshots too
    }
  }
  close(pipe_fd[1]);
  int64_t acked = -1, id;
  while (acked < 300 && read(pipe_fd[0], &id, sizeof(id)) == sizeof(id)) acked = id;
  kill(child, SIGKILL);
  while (read(pipe_fd[0], &id, sizeof(id)) == sizeof(id)) acked = id;  // acks sent before death
  int status;
  waitpid(child, &status, 0);
  close(pipe_fd[0]);
  ASSERT_TRUE(WIFSIGNALED(status));
  auto store = CollectionStore::open(dir);
  for (int64_t i = 0; i <= acked; ++i) ASSERT_TRUE(store->get(i).has_value()) << "lost acknowledged item " << i;
  EXPECT_GE(store->size(), static_cast<size_t>(acked + 1));
}

}  // namespace
}  // namespace clippo::index

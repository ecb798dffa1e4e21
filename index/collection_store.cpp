#include "index/collection_store.h"

// FAISS 1.7.3 headers use uint8_t without <cstdint>; GCC 13 no longer gets it transitively.
#include <cstdint>

#include <fcntl.h>
#include <unistd.h>

#include <faiss/AutoTune.h>
#include <faiss/IVFlib.h>
#include <faiss/Index.h>
#include <faiss/IndexFlat.h>
#include <faiss/IndexIVF.h>
#include <faiss/IndexIVFPQ.h>
#include <faiss/IndexPQ.h>
#include <faiss/impl/FaissException.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/json_integer.h"
#include "core/base/utf8.h"
#include "index/snapshot_checksums.h"
#include "index/write_ahead_log.h"

namespace clippo::index {

std::string faiss_version() {
  return std::to_string(FAISS_VERSION_MAJOR) + "." + std::to_string(FAISS_VERSION_MINOR) + "." +
         std::to_string(FAISS_VERSION_PATCH);
}

namespace {

namespace fs = std::filesystem;
constexpr const char* kFormat = "clippo-store-1";
constexpr size_t kMinRowsToTrain = 10'000;  // below this, untrained index types search exactly

// kCommit ends each write's batch of records: replay applies a batch only when its commit
// record is there, so a reader never sees part of a write (a replica reading the log while the
// writer appends, or the complete records of a batch whose write was cut short, which was never
// acknowledged). Logs written before commit records existed hold none and replay record by record.
enum Op : uint8_t { kUpsert = 1, kRemove = 2, kCommit = 3 };

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void put_i64(std::string& s, int64_t v) {
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xFF));
}
uint32_t get_u32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}
int64_t get_i64(const std::string& s, size_t at) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return static_cast<int64_t>(v);
}

nlohmann::json item_meta(const Item& item) {
  nlohmann::json j{{"id", item.id}, {"kind", item_kind_name(item.kind)}, {"uri", item.uri}, {"caption", item.caption},
                   {"lang", item.lang}, {"added_ms", item.added_ms}};
  if (item.kind == ItemKind::kText) j["text"] = item.text;
  return j;
}
// Items written before stores held texts have no "kind": they are images.
Item item_from_meta(const nlohmann::json& j) {
  Item item;
  item.id = json_integer_field<int64_t>(j, "id");
  item.kind = parse_item_kind(j.value("kind", "image"));
  item.uri = j.value("uri", "");
  item.text = j.value("text", "");
  item.caption = j.value("caption", "");
  item.lang = j.value("lang", "");
  item.added_ms = j.contains("added_ms") ? json_integer_field<int64_t>(j, "added_ms") : 0;
  return item;
}

size_t& kind_count(KindCounts& counts, ItemKind kind) { return kind == ItemKind::kText ? counts.texts : counts.images; }

std::unique_ptr<faiss::Index> make_faiss_index(int dim, const std::string& factory) {
  std::unique_ptr<faiss::Index> index;
  try {
    index.reset(faiss::index_factory(dim, factory.c_str(), faiss::METRIC_INNER_PRODUCT));
  } catch (const faiss::FaissException& e) {
    throw Error(ErrorCode::kInvalidArgument, "bad FAISS index description '" + factory + "': " + e.what());
  }
  // The factory turns on polysemous training for PQ codes, which only serves Hamming-distance
  // filtering this store never uses, and costs minutes of simulated annealing per training
  // (40 s for 12k vectors of 16 dims here).
  // Training is the costliest step of a large build on a few cores: 10 k-means rounds rather
  // than FAISS's 25, and product quantizers trained on 128 points per centroid rather than 256
  // (their k-means on 2-4 dimensional sub-vectors runs at a fraction of BLAS speed: 80 s of a
  // 100 s build of 150k vectors here). The centroids route searches and candidates are
  // re-ranked exactly, so both lose little.
  const auto lighter_pq_training = [](faiss::ProductQuantizer& pq) {
    pq.cp.niter = 10;
    pq.cp.max_points_per_centroid = 128;
  };
  if (auto* pq = dynamic_cast<faiss::IndexPQ*>(index.get())) {
    pq->do_polysemous_training = false;
    lighter_pq_training(pq->pq);
  }
  if (faiss::IndexIVF* ivf = faiss::ivflib::try_extract_index_ivf(index.get())) {
    if (auto* ivfpq = dynamic_cast<faiss::IndexIVFPQ*>(ivf)) {
      ivfpq->do_polysemous_training = false;
      lighter_pq_training(ivfpq->pq);
    }
    ivf->cp.niter = 10;
  }
  return index;
}

void apply_search_params(faiss::Index& index, const std::string& params) {
  if (params.empty()) return;
  try {
    faiss::ParameterSpace().set_index_parameters(&index, params.c_str());
  } catch (const faiss::FaissException& e) {
    throw Error(ErrorCode::kInvalidArgument, "bad FAISS search parameters '" + params + "': " + e.what());
  }
}

// A flat index holds a full copy of the vectors: saving it would double the snapshot for no
// gain, since adding rows to it is as quick as reading it back.
bool worth_saving(const faiss::Index& index) {
  return index.is_trained && dynamic_cast<const faiss::IndexFlat*>(&index) == nullptr;
}

// How many rows to train on: 64 per IVF list (FAISS warns below 39; more buys little recall and
// costs k-means time linearly), at least 65,536 so product quantizers see 256 per centroid.
size_t training_rows(const faiss::Index& index, size_t available) {
  size_t want = 65'536;
  if (const faiss::IndexIVF* ivf = faiss::ivflib::try_extract_index_ivf(&index)) want = std::max(want, 64 * ivf->nlist);
  return std::min(want, available);
}

// Trains `index` on rows spread evenly over [0, rows): row_at(i, out) writes row i's d floats.
void train_on_sample(faiss::Index& index, size_t rows, const std::function<void(size_t, float*)>& row_at,
                     const std::string& factory) {
  const size_t n = training_rows(index, rows);
  const size_t d = static_cast<size_t>(index.d);
  std::vector<float> sample(n * d);
  for (size_t i = 0; i < n; ++i) row_at(i * rows / n, sample.data() + i * d);
  try {
    index.train(static_cast<int64_t>(n), sample.data());
  } catch (const faiss::FaissException& e) {
    throw Error(ErrorCode::kInternal, "FAISS could not train '" + factory + "': " + e.what());
  }
}

// faiss::write_index to a temporary file, then renamed over `path` (a reader never finds half
// an index). FAISS reports a refused write as an exception naming the file.
void write_index_atomically(const faiss::Index& index, const std::string& path) {
  const std::string tmp = path + ".tmp";
  try {
    faiss::write_index(&index, tmp.c_str());
  } catch (const faiss::FaissException& e) {
    std::remove(tmp.c_str());
    throw Error(ErrorCode::kUnavailable, "cannot write '" + path + "': " + e.what());
  }
  // write_index closes without fsync: the data must be on disk before the rename publishes it.
  const int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  const bool synced = fd >= 0 && ::fsync(fd) == 0;
  const int sync_errno = errno;
  if (fd >= 0) ::close(fd);
  if (!synced) {
    std::remove(tmp.c_str());
    throw Error(ErrorCode::kUnavailable, "cannot write '" + path + "': " + std::strerror(sync_errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw Error(ErrorCode::kUnavailable, "cannot write '" + path + "': " + std::strerror(errno));
  }
  sync_directory_of(path);
}

std::string meta_line(const Item& item) { return item_meta(item).dump() + "\n"; }

// Each metadata field must be valid UTF-8 (the metadata is JSON: ill-formed text would make it
// unwritable after the item was accepted), and each kind needs its content.
void check_item(const Item& item) {
  for (const auto& [field, value] : {std::pair<const char*, const std::string*>{"uri", &item.uri},
                                     {"caption", &item.caption}, {"lang", &item.lang}, {"text", &item.text}}) {
    CLIPPO_CHECK(is_valid_utf8(*value), kInvalidArgument, std::string("item ") + field + " is not valid UTF-8");
  }
  if (item.kind == ItemKind::kText) {
    CLIPPO_CHECK(!item.text.empty(), kInvalidArgument, "a text item needs its text");
  } else {
    CLIPPO_CHECK(!item.uri.empty(), kInvalidArgument, "an image item needs a uri");
  }
}

nlohmann::json store_meta(const ModelIdentity& model, const StoreOptions& options) {
  nlohmann::json meta{{"format", kFormat}, {"dim", model.dim}, {"factory", options.factory},
                      {"metric", "inner_product"}, {"model", model.to_json()}, {"created_ms", now_ms()},
                      {"checkpoint_wal_bytes", options.checkpoint_wal_bytes}};
  if (!options.search_params.empty()) meta["search_params"] = options.search_params;
  if (options.rerank > 0) meta["rerank"] = options.rerank;
  if (options.index_on_disk) meta["index_on_disk"] = true;
  if (!options.shard.empty()) meta["shard"] = options.shard;
  return meta;
}

// The files of one snapshot, streamed: rows appended in order, then (optionally) the index over
// them, then commit() writes the checksums of all of them. Until commit() nothing is in place:
// an error part-way leaves only temporary files behind, which the writers remove.
class SnapshotFiles {
 public:
  SnapshotFiles(const fs::path& snap, size_t dim)
      : snap_(snap), dim_(dim), vectors_((snap / "vectors.f32").string()), items_((snap / "items.jsonl").string()) {}

  void add(const Item& item, const float* vec) {
    const std::string line = meta_line(item);
    const std::string_view bytes(reinterpret_cast<const char*>(vec), dim_ * 4);
    items_.append(line);
    item_sums_.update(line);
    vectors_.append(bytes);
    vector_sums_.update(bytes);
  }

  void save_index(const faiss::Index& index) {
    const std::string path = (snap_ / "index.faiss").string();
    write_index_atomically(index, path);
    index_sums_ = block_checksums(MappedFile(path).bytes());
  }

  void commit() {
    nlohmann::json sums = {{"vectors.f32", vector_sums_.finish()}, {"items.jsonl", item_sums_.finish()}};
    if (!index_sums_.is_null()) sums["index.faiss"] = index_sums_;
    vectors_.commit();
    items_.commit();
    write_file_atomically((snap_ / "checksums.json").string(), sums.dump() + "\n");
  }

 private:
  fs::path snap_;
  size_t dim_;
  AtomicFileWriter vectors_, items_;
  BlockChecksummer vector_sums_, item_sums_;
  nlohmann::json index_sums_;
};

// The sequence number CURRENT names, or nothing when no snapshot has been published.
std::optional<uint64_t> published_snapshot(const std::string& dir) {
  const std::string current = (fs::path(dir) / "CURRENT").string();
  if (!fs::exists(current)) return std::nullopt;
  try {
    return std::stoull(read_file(current, 64));
  } catch (const std::logic_error&) {
    throw Error(ErrorCode::kInternal, current + " is damaged");
  }
}

// Checks what create() and create_bulk() are given, before any file is written.
void check_new_store(const std::string& dir, const ModelIdentity& model, const StoreOptions& options);

}  // namespace

const char* item_kind_name(ItemKind kind) { return kind == ItemKind::kText ? "text" : "image"; }

ItemKind parse_item_kind(const std::string& name) {
  if (name == "image") return ItemKind::kImage;
  if (name == "text") return ItemKind::kText;
  throw Error(ErrorCode::kInvalidArgument, "unknown item kind '" + name + "'; the kinds are 'image' and 'text'");
}

nlohmann::json ModelIdentity::to_json() const { return {{"content_hash", content_hash}, {"path", path}, {"dim", dim}}; }

ModelIdentity ModelIdentity::from_json(const nlohmann::json& j) {
  ModelIdentity m;
  m.content_hash = j.at("content_hash").get<std::string>();
  m.path = j.value("path", "");
  m.dim = json_integer_field<int>(j, "dim");
  return m;
}

CollectionStore::CollectionStore(std::string dir, ModelIdentity model, StoreOptions options)
    : dir_(std::move(dir)), model_(std::move(model)), options_(std::move(options)) {}

CollectionStore::~CollectionStore() = default;

bool CollectionStore::exists(const std::string& dir) { return fs::is_regular_file(fs::path(dir) / "store.json"); }

namespace {

void check_new_store(const std::string& dir, const ModelIdentity& model, const StoreOptions& options) {
  CLIPPO_CHECK(model.dim > 0 && model.dim <= 65536, kInvalidArgument, "store dimension must be in [1, 65536]");
  CLIPPO_CHECK(CollectionStore::exists(dir) == false, kAlreadyExists, "a store already exists in '" + dir + "'");
  std::error_code ec;
  CLIPPO_CHECK(!fs::exists(dir) || fs::is_empty(dir, ec), kAlreadyExists,
               "'" + dir + "' exists and is not empty; give a new folder for the store");
  CLIPPO_CHECK(options.rerank >= 0 && options.rerank <= 1000, kInvalidArgument, "rerank must be in [0, 1000]");
  // The factory and the search parameters are checked before any file is written.
  apply_search_params(*make_faiss_index(model.dim, options.factory), options.search_params);
}

}  // namespace

std::unique_ptr<CollectionStore> CollectionStore::create(const std::string& dir, const ModelIdentity& model,
                                                         const StoreOptions& options) {
  check_new_store(dir, model, options);
  make_directories((fs::path(dir) / "snapshots").string());
  write_file_atomically((fs::path(dir) / "store.json").string(), store_meta(model, options).dump(2) + "\n");
  return open(dir, &model);
}

void CollectionStore::create_bulk(const std::string& dir, const ModelIdentity& model, const StoreOptions& options,
                                  const BulkRows& rows) {
  check_new_store(dir, model, options);
  // Built beside its place and renamed into it when complete: a build killed part-way leaves
  // "<dir>.partial" (removed by the next attempt), never a folder that opens as a store.
  fs::path place = fs::path(dir).lexically_normal();
  if (place.filename().empty()) place = place.parent_path();  // "out/" names "out"
  const std::string partial = place.string() + ".partial";
  remove_tree(partial);
  try {
    write_bulk(partial, model, options, rows);
    if (fs::exists(place)) fs::remove(place);  // empty (checked above)
    fs::rename(partial, place);
    sync_directory_of(place.string());
  } catch (const fs::filesystem_error& e) {
    remove_tree(partial);
    throw Error(ErrorCode::kUnavailable, "cannot create the store '" + dir + "': " + e.code().message());
  } catch (...) {
    try {
      remove_tree(partial);
    } catch (const Error&) {
      // The error being reported matters more than the leftovers.
    }
    throw;
  }
}

void CollectionStore::write_bulk(const std::string& dir, const ModelIdentity& model, const StoreOptions& options,
                                 const BulkRows& rows) {
  const size_t d = static_cast<size_t>(model.dim);
  const fs::path snap = fs::path(dir) / "snapshots" / "1";
  make_directories(snap.string());
  write_file_atomically((fs::path(dir) / "store.json").string(), store_meta(model, options).dump(2) + "\n");
  // Search parameters are set once every row is in: an HNSW coarse quantizer's search depth
  // for queries (2 x nprobe) would make assigning each added vector to its list many times
  // slower than the default depth, which finds the nearest list as well.
  std::unique_ptr<faiss::Index> index = make_faiss_index(model.dim, options.factory);
  if (!index->is_trained && rows.count >= kMinRowsToTrain) {
    Item ignored;
    train_on_sample(*index, rows.count, [&](size_t i, float* out) { rows.read(i, ignored, out); }, options.factory);
    write_index_atomically(*index, (fs::path(dir) / "trained.faiss").string());
  }
  SnapshotFiles files(snap, d);
  constexpr size_t kAddBatch = 16384;
  std::vector<float> batch(kAddBatch * d);
  size_t in_batch = 0;
  int64_t next_id = 0;
  const int64_t t = now_ms();
  // Only an index that is saved is filled: a flat one would copy every vector into memory to
  // be thrown away (the store builds it at open).
  const bool fill_index = [&] { return index->is_trained && worth_saving(*index); }();
  const auto add_batch = [&] {
    if (!fill_index) in_batch = 0;
    if (in_batch == 0) return;
    try {
      index->add(static_cast<int64_t>(in_batch), batch.data());
    } catch (const faiss::FaissException& e) {
      throw Error(ErrorCode::kInternal, "FAISS could not add to '" + options.factory + "': " + e.what());
    }
    in_batch = 0;
  };
  for (size_t i = 0; i < rows.count; ++i) {
    Item item;
    float* vec = batch.data() + in_batch * d;
    rows.read(i, item, vec);
    check_item(item);
    for (size_t j = 0; j < d; ++j) CLIPPO_CHECK(std::isfinite(vec[j]), kInvalidArgument, "vectors must be finite");
    if (item.id < 0) item.id = next_id;
    // Given ids must rise, which keeps them unique without a set of every id.
    CLIPPO_CHECK(item.id >= next_id, kInvalidArgument,
                 "row " + std::to_string(i) + ": id " + std::to_string(item.id) + " is not above the ids before it");
    next_id = std::max(next_id, item.id + 1);
    if (item.added_ms == 0) item.added_ms = t;
    files.add(item, vec);
    if (++in_batch == kAddBatch) add_batch();
    if (rows.on_progress && (i + 1) % kAddBatch == 0) rows.on_progress(i + 1, rows.count);
  }
  add_batch();
  apply_search_params(*index, options.search_params);
  if (worth_saving(*index)) files.save_index(*index);
  files.commit();
  // The log starts after the snapshot: its first record is sequence 1, which the open replays.
  WriteAheadLog((fs::path(dir) / "wal.log").string()).reset(1);
  write_file_atomically((fs::path(dir) / "CURRENT").string(), "1\n");
  if (rows.on_progress) rows.on_progress(rows.count, rows.count);
}

namespace {

// store.json, parsed and checked; errors name the file.
nlohmann::json read_store_meta(const std::string& dir) {
  const std::string meta_path = (fs::path(dir) / "store.json").string();
  CLIPPO_CHECK(fs::is_regular_file(meta_path), kNotFound, "no store in '" + dir + "' (no store.json)");
  try {
    nlohmann::json meta = nlohmann::json::parse(read_file(meta_path, 1 << 20));
    CLIPPO_CHECK(meta.at("format") == kFormat, kFailedPrecondition,
                 meta_path + ": unknown store format " + meta.at("format").dump());
    meta.at("factory").get<std::string>();
    ModelIdentity::from_json(meta.at("model"));
    return meta;
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::kInternal, meta_path + " is damaged: " + e.what());
  }
}

}  // namespace

static StoreOptions options_from_meta(const nlohmann::json& meta, const std::string& dir) {
  StoreOptions options;
  try {
    options.factory = meta.at("factory").get<std::string>();
    options.checkpoint_wal_bytes = meta.value("checkpoint_wal_bytes", options.checkpoint_wal_bytes);
    options.search_params = meta.value("search_params", "");
    options.rerank = meta.value("rerank", 0);
    options.index_on_disk = meta.value("index_on_disk", false);
    options.shard = meta.value("shard", "");
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::kInternal, (fs::path(dir) / "store.json").string() + " is damaged: " + e.what());
  }
  return options;
}

StoreOptions CollectionStore::recorded_options(const std::string& dir) {
  return options_from_meta(read_store_meta(dir), dir);
}

ModelIdentity CollectionStore::recorded_model(const std::string& dir) {
  return ModelIdentity::from_json(read_store_meta(dir).at("model"));
}

std::unique_ptr<CollectionStore> CollectionStore::open(const std::string& dir, const ModelIdentity* expected_model,
                                                       bool read_only, bool build_index) {
  for (int attempt = 0;; ++attempt) {
    try {
      return open_once(dir, expected_model, read_only, build_index);
    } catch (const Error& e) {
      // A writer replacing the snapshot or resetting the log while a reader opens: try again.
      const bool racing_a_writer = e.code() == ErrorCode::kUnavailable || e.code() == ErrorCode::kNotFound;
      if (!read_only || !racing_a_writer || attempt >= 9) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

std::unique_ptr<CollectionStore> CollectionStore::open_once(const std::string& dir, const ModelIdentity* expected_model,
                                                            bool read_only, bool build_index) {
  const nlohmann::json meta = read_store_meta(dir);
  const StoreOptions options = options_from_meta(meta, dir);
  const ModelIdentity model = ModelIdentity::from_json(meta.at("model"));
  if (expected_model != nullptr) {
    CLIPPO_CHECK(expected_model->content_hash == model.content_hash && expected_model->dim == model.dim,
                 kFailedPrecondition,
                 "the store in '" + dir + "' holds vectors of model " + model.content_hash + " (" + model.path + ", " +
                     std::to_string(model.dim) + " dims), not of " + expected_model->content_hash + " (" +
                     expected_model->path + ", " + std::to_string(expected_model->dim) +
                     " dims); searching it with another model would give wrong results");
  }
  std::unique_ptr<CollectionStore> store(new CollectionStore(dir, model, options));
  store->read_only_ = read_only;
  std::unique_lock lock(store->mutex_);
  const std::optional<uint64_t> published = published_snapshot(dir);
  const uint64_t snapshot_seq = published.value_or(0);
  if (published) store->load_snapshot(snapshot_seq, /*verify=*/true);
  store->wal_ = std::make_unique<WriteAheadLog>((fs::path(dir) / "wal.log").string(), read_only);
  const int d = model.dim;
  const auto apply = [&](uint64_t seq, const std::string& rec) {
    if (rec[0] == kUpsert) {
      CLIPPO_CHECK(rec.size() >= 13, kInternal, "short WAL record " + std::to_string(seq));
      const uint32_t json_len = get_u32(rec, 1);
      const size_t vec_at = 5 + static_cast<size_t>(json_len);
      CLIPPO_CHECK(vec_at <= rec.size() && rec.size() == vec_at + static_cast<size_t>(d) * 4, kInternal,
                   "WAL record " + std::to_string(seq) + " does not match the store's dimension");
      Item item;
      try {
        item = item_from_meta(nlohmann::json::parse(rec.substr(5, json_len)));
      } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::kInternal, store->wal_->path() + " record " + std::to_string(seq) + ": " + e.what());
      }
      std::vector<float> vec(static_cast<size_t>(d));
      std::memcpy(vec.data(), rec.data() + vec_at, vec.size() * 4);
      store->apply_upsert(item, vec.data());
    } else if (rec[0] == kRemove) {
      CLIPPO_CHECK(rec.size() == 9, kInternal, "malformed WAL remove record " + std::to_string(seq));
      store->apply_remove(get_i64(rec, 1));
    } else {
      throw Error(ErrorCode::kInternal, "unknown WAL record type in " + store->wal_->path());
    }
  };
  std::vector<std::pair<uint64_t, std::string>> batch;  // records since the last commit
  store->wal_->replay([&](uint64_t seq, const std::string& rec) {
    if (seq < snapshot_seq) return;  // already in the snapshot (crash between CURRENT and the WAL reset)
    CLIPPO_CHECK(!rec.empty(), kInternal, "empty WAL record " + std::to_string(seq));
    if (rec[0] != kCommit) {
      batch.emplace_back(seq, rec);
      return;
    }
    for (const auto& [s, r] : batch) apply(s, r);
    batch.clear();
  });
  if (!store->wal_->grouped()) {
    for (const auto& [s, r] : batch) apply(s, r);  // a log from before commit records: record by record
  } else if (!batch.empty() && !read_only) {
    // A write whose commit record never made it (a crash mid-append) was never acknowledged:
    // cut it out, or the next write's commit would bring it back.
    store->wal_->truncate_to(batch.front().first);
  }
  // A reader that mapped snapshot N while the writer published N' and reset the log to start at
  // N' would pair N with N''s log, missing the writes in between: open again instead.
  // (A writer publishes CURRENT before it resets the log, so otherwise the log never starts
  // after the snapshot.)
  CLIPPO_CHECK(!read_only || store->wal_->first_sequence() <= snapshot_seq, kUnavailable,
               "the store in '" + dir + "' published a new snapshot while it was being opened");
  // A saved index already covers the snapshot (and took the log's rows, unless it is mapped
  // read-only); otherwise build one.
  if (!store->index_ && build_index) store->rebuild_index();
  return store;
}

void CollectionStore::load_snapshot(uint64_t seq, bool verify, bool take_saved_index) {
  const fs::path snap = fs::path(dir_) / "snapshots" / std::to_string(seq);
  auto vectors = std::make_unique<MappedFile>((snap / "vectors.f32").string());
  const MappedFile items_file((snap / "items.jsonl").string());
  // Snapshots written before checksums existed have no checksums.json and open as they did.
  const fs::path sums_path = snap / "checksums.json";
  nlohmann::json sums;
  if (fs::exists(sums_path)) {
    try {
      sums = nlohmann::json::parse(read_file(sums_path.string(), size_t{1} << 30));
    } catch (const nlohmann::json::exception& e) {
      throw Error(ErrorCode::kInternal, sums_path.string() + " is damaged: " + e.what());
    }
    CLIPPO_CHECK(sums.is_object() && sums.contains("vectors.f32") && sums.contains("items.jsonl"), kInternal,
                 sums_path.string() + " is damaged: it does not name vectors.f32 and items.jsonl");
    if (verify) {
      verify_block_checksums((snap / "vectors.f32").string(), vectors->bytes(), sums["vectors.f32"]);
      verify_block_checksums((snap / "items.jsonl").string(), items_file.bytes(), sums["items.jsonl"]);
    }
  }
  const std::string_view text = items_file.bytes();
  size_t row = 0;
  const size_t row_bytes = static_cast<size_t>(model_.dim) * 4;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (line.empty()) continue;
    CLIPPO_CHECK((row + 1) * row_bytes <= vectors->size(), kInternal,
                 snap.string() + ": items.jsonl has more items than vectors.f32 has rows");
    Item item;
    try {
      item = item_from_meta(nlohmann::json::parse(line));
    } catch (const nlohmann::json::exception& e) {
      throw Error(ErrorCode::kInternal, snap.string() + "/items.jsonl line " + std::to_string(row + 1) + ": " + e.what());
    }
    apply_snapshot_row(item);
    ++row;
  }
  CLIPPO_CHECK(row * row_bytes == vectors->size(), kInternal,
               snap.string() + ": vectors.f32 has " + std::to_string(vectors->size() / row_bytes) + " rows for " +
                   std::to_string(row) + " items");
  mapped_vectors_ = std::move(vectors);
  mapped_rows_ = row;
  snapshot_seq_ = seq;
  snapshot_loaded_ = true;
  if (take_saved_index) load_saved_index(snap, verify && sums.contains("index.faiss") ? &sums["index.faiss"] : nullptr);
}

void CollectionStore::load_saved_index(const fs::path& snap, const nlohmann::json* sums) {
  const fs::path path = snap / "index.faiss";
  if (fs::exists(path)) {
    if (sums != nullptr) verify_block_checksums(path.string(), MappedFile(path.string()).bytes(), *sums);
    try {
      index_.reset(faiss::read_index(path.c_str(), options_.index_on_disk ? faiss::IO_FLAG_MMAP : 0));
    } catch (const faiss::FaissException& e) {
      throw Error(ErrorCode::kInternal, path.string() + " is damaged: " + e.what());
    }
    apply_search_params(*index_, options_.search_params);
  } else {
    return;
  }
  CLIPPO_CHECK(index_->d == model_.dim && static_cast<size_t>(index_->ntotal) == mapped_rows_, kInternal,
               path.string() + " does not match the snapshot (" + std::to_string(index_->ntotal) + " rows of " +
                   std::to_string(index_->d) + " dims for " + std::to_string(mapped_rows_) + " of " +
                   std::to_string(model_.dim) + ")");
  indexed_rows_ = mapped_rows_;
  // Inverted lists mapped from the file cannot grow: rows written later are scored exactly.
  index_appendable_ = !(options_.index_on_disk && faiss::ivflib::try_extract_index_ivf(index_.get()) != nullptr);
}

void CollectionStore::apply_snapshot_row(const Item& item) {
  apply_remove(item.id);
  const size_t row = row_ids_.size();
  row_ids_.push_back(item.id);
  items_[item.id] = Entry{row, item};
  ++kind_count(live_kinds_, item.kind);
  next_id_ = std::max(next_id_, item.id + 1);
}

const float* CollectionStore::row(size_t r) const {
  const size_t d = static_cast<size_t>(model_.dim);
  return r < mapped_rows_ ? reinterpret_cast<const float*>(mapped_vectors_->data()) + r * d
                          : tail_.data() + (r - mapped_rows_) * d;
}

void CollectionStore::apply_upsert(const Item& item, const float* vec) {
  apply_remove(item.id);  // replacing: the old row dies, the new one is appended
  const size_t row = row_ids_.size();
  tail_.insert(tail_.end(), vec, vec + model_.dim);
  row_ids_.push_back(item.id);
  items_[item.id] = Entry{row, item};
  ++kind_count(live_kinds_, item.kind);
  next_id_ = std::max(next_id_, item.id + 1);
  if (index_ && index_->is_trained && index_appendable_ && indexed_rows_ == row) {
    index_->add(1, vec);
    ++indexed_rows_;
  }
}

bool CollectionStore::apply_remove(int64_t id) {
  const auto it = items_.find(id);
  if (it == items_.end()) return false;
  row_ids_[it->second.row] = -1;
  ++dead_rows_;
  --kind_count(live_kinds_, it->second.item.kind);
  items_.erase(it);
  return true;
}

std::unique_ptr<faiss::Index> CollectionStore::new_index() {
  std::unique_ptr<faiss::Index> index = make_faiss_index(model_.dim, options_.factory);
  if (!index->is_trained) {
    const fs::path trained = fs::path(dir_) / "trained.faiss";
    std::unique_ptr<faiss::Index> saved;
    if (fs::exists(trained)) {
      try {
        saved.reset(faiss::read_index(trained.c_str()));
      } catch (const faiss::FaissException&) {
        saved.reset();  // unreadable: train again below (it is derived state)
      }
    }
    if (saved && saved->is_trained && saved->ntotal == 0 && saved->d == model_.dim) {
      index = std::move(saved);
    } else if (items_.size() >= kMinRowsToTrain) {
      std::vector<size_t> live;
      live.reserve(items_.size());
      for (size_t r = 0; r < row_ids_.size(); ++r) {
        if (row_ids_[r] >= 0) live.push_back(r);
      }
      const size_t d = static_cast<size_t>(model_.dim);
      train_on_sample(*index, live.size(), [&](size_t i, float* out) { std::memcpy(out, row(live[i]), d * 4); },
                      options_.factory);
      if (!read_only_) {
        try {
          write_index_atomically(*index, trained.string());
        } catch (const Error&) {
          // Only a saving of time later: the trained index is derived from the vectors.
        }
      }
    }
  }
  return index;  // search parameters are the caller's to set, once its rows are added
}

void CollectionStore::rebuild_index() {
  index_ = new_index();
  index_appendable_ = true;
  indexed_rows_ = 0;
  if (!index_->is_trained) {
    apply_search_params(*index_, options_.search_params);
    return;  // exact search until there is enough to train on
  }
  // Every row in row order (removed ones too: the search skips them), in the two runs they are
  // stored in: the mapped snapshot and the rows written since.
  try {
    if (mapped_rows_ > 0) index_->add(static_cast<int64_t>(mapped_rows_), row(0));
    const size_t tail_rows = row_ids_.size() - mapped_rows_;
    if (tail_rows > 0) index_->add(static_cast<int64_t>(tail_rows), tail_.data());
    indexed_rows_ = row_ids_.size();
  } catch (const faiss::FaissException& e) {
    throw Error(ErrorCode::kInternal, "FAISS could not build '" + options_.factory + "': " + e.what());
  }
  apply_search_params(*index_, options_.search_params);
}

void CollectionStore::maybe_compact() {
  // A snapshot writes only the live rows, so it is also the compaction: due when removals pile
  // up, when the log grows, and when rows beyond a read-only mapped index (scored exactly) grow
  // past a tenth of it.
  const size_t unindexed = row_ids_.size() - indexed_rows_;
  const bool compact = dead_rows_ > 1024 && dead_rows_ * 4 > items_.size();
  const bool unindexed_grew = !index_appendable_ && unindexed > std::max<size_t>(10'000, indexed_rows_ / 10);
  if (compact || unindexed_grew || wal_->size_bytes() > options_.checkpoint_wal_bytes) {
    // The write that got here is already durable in the WAL: a snapshot the disk refuses (full,
    // read-only) must not turn it into an error the client would retry. The WAL keeps growing
    // and the next write tries again; the failure is counted, and reported on the first
    // refusal and every 1000th after it rather than on every write.
    try {
      write_snapshot(wal_->next_sequence());
    } catch (const Error& e) {
      if (failed_snapshots_++ % 1000 == 0) {
        std::fprintf(stderr, "clippo: warning: store snapshot refused (%llu so far), writes go on in the log: %s\n",
                     static_cast<unsigned long long>(failed_snapshots_), e.what());
      }
    }
  }
}

void CollectionStore::check_writable() const {
  CLIPPO_CHECK(!read_only_, kFailedPrecondition,
               "the store in '" + dir_ + "' is open read-only: writes go to the process that opened it for writing");
}

std::vector<int64_t> CollectionStore::upsert(std::vector<Item> items, const float* vectors) {
  check_writable();
  const int d = model_.dim;
  for (size_t i = 0; i < items.size() * d; ++i) {
    CLIPPO_CHECK(std::isfinite(vectors[i]), kInvalidArgument, "vectors must be finite");
  }
  std::unique_lock lock(mutex_);
  std::vector<std::string> records;
  std::vector<int64_t> ids;
  int64_t next = next_id_;
  const int64_t t = now_ms();
  for (size_t i = 0; i < items.size(); ++i) {
    Item& item = items[i];
    check_item(item);
    if (item.id < 0) item.id = next++;
    next = std::max(next, item.id + 1);
    if (item.added_ms == 0) item.added_ms = t;
    const std::string meta = item_meta(item).dump();
    std::string rec(1, static_cast<char>(kUpsert));
    for (int b = 0; b < 4; ++b) rec.push_back(static_cast<char>((meta.size() >> (8 * b)) & 0xFF));
    rec += meta;
    rec.append(reinterpret_cast<const char*>(vectors + i * d), static_cast<size_t>(d) * 4);
    records.push_back(std::move(rec));
    ids.push_back(item.id);
  }
  records.emplace_back(1, static_cast<char>(kCommit));
  wal_->append(records);  // durable from here: acknowledged writes survive a crash
  for (size_t i = 0; i < items.size(); ++i) apply_upsert(items[i], vectors + i * d);
  maybe_compact();
  return ids;
}

size_t CollectionStore::remove(const std::vector<int64_t>& ids) {
  check_writable();
  std::unique_lock lock(mutex_);
  std::vector<std::string> records;
  std::vector<int64_t> present;
  for (int64_t id : ids) {
    if (!items_.count(id) || std::find(present.begin(), present.end(), id) != present.end()) continue;
    std::string rec(1, static_cast<char>(kRemove));
    put_i64(rec, id);
    records.push_back(std::move(rec));
    present.push_back(id);
  }
  if (records.empty()) return 0;
  records.emplace_back(1, static_cast<char>(kCommit));
  wal_->append(records);
  for (int64_t id : present) apply_remove(id);
  maybe_compact();
  return present.size();
}

std::optional<Item> CollectionStore::get(int64_t id) const {
  std::shared_lock lock(mutex_);
  const auto it = items_.find(id);
  if (it == items_.end()) return std::nullopt;
  return it->second.item;
}

std::vector<Item> CollectionStore::items() const {
  std::shared_lock lock(mutex_);
  std::vector<Item> out;
  out.reserve(items_.size());
  for (const auto& [id, entry] : items_) out.push_back(entry.item);
  return out;
}

std::vector<int64_t> CollectionStore::ids_in_row_order() const {
  std::shared_lock lock(mutex_);
  std::vector<int64_t> out;
  out.reserve(items_.size());
  for (int64_t id : row_ids_) {
    if (id >= 0) out.push_back(id);
  }
  return out;
}

std::vector<float> CollectionStore::vector(int64_t id) const {
  std::shared_lock lock(mutex_);
  const auto it = items_.find(id);
  if (it == items_.end()) return {};
  const float* v = row(it->second.row);
  return std::vector<float>(v, v + model_.dim);
}

size_t CollectionStore::size() const {
  std::shared_lock lock(mutex_);
  return items_.size();
}

KindCounts CollectionStore::kind_counts() const {
  std::shared_lock lock(mutex_);
  return live_kinds_;
}

uint64_t CollectionStore::wal_bytes() const {
  std::shared_lock lock(mutex_);
  return wal_->size_bytes();
}

std::vector<std::vector<SearchHit>> CollectionStore::search(const float* queries, size_t n, int k,
                                                            KindMask kinds) const {
  CLIPPO_CHECK(k >= 1 && k <= 10000, kInvalidArgument, "k must be in [1, 10000], got " + std::to_string(k));
  CLIPPO_CHECK((kinds & kAllKinds) != 0 && (kinds & ~kAllKinds) == 0, kInvalidArgument,
               "a search must ask for images, texts or both");
  std::shared_lock lock(mutex_);
  const int d = model_.dim;
  std::vector<std::vector<SearchHit>> out(n);
  const size_t rows = row_ids_.size();
  const bool filtered = (kinds & kAllKinds) != kAllKinds;
  const auto wanted = [&](int64_t id) { return !filtered || (kinds & kind_bit(items_.at(id).item.kind)) != 0; };
  // Live rows of the kinds asked for, which bounds how far a search has to look.
  size_t wanted_rows = 0;
  if (kinds & kind_bit(ItemKind::kImage)) wanted_rows += live_kinds_.images;
  if (kinds & kind_bit(ItemKind::kText)) wanted_rows += live_kinds_.texts;
  if (wanted_rows == 0) return out;
  // Every wanted live row in [begin, end) scored exactly against `query`.
  const auto score_rows = [&](const float* query, size_t begin, size_t end, std::vector<SearchHit>& hits) {
    for (size_t r = begin; r < end; ++r) {
      if (row_ids_[r] < 0 || !wanted(row_ids_[r])) continue;
      const float* v = row(r);
      float dot = 0;
      for (int j = 0; j < d; ++j) dot += query[j] * v[j];
      hits.push_back({row_ids_[r], dot});
    }
  };
  // Rows the FAISS index covers are searched there, over-fetching past dead rows; rows it does
  // not cover (an untrained index, or appended since) are scored exactly. With a kind filter,
  // rows of other kinds crowd the head of the ranking: the fetch grows until k wanted hits are
  // found or the whole index has been looked at, so the answer is the same as scoring every
  // wanted row (exactly so for exact indexes).
  if (indexed_rows_ > 0) {
    std::vector<size_t> pending(n);
    for (size_t q = 0; q < n; ++q) pending[q] = q;
    // A first guess that usually suffices: k scaled by how rare the wanted kinds are.
    const size_t scale = (items_.size() + wanted_rows - 1) / wanted_rows;
    // A lossy index's candidates are ranked again by their exact scores: fetch rerank x as many.
    const size_t rerank = static_cast<size_t>(std::max(1, options_.rerank));
    const auto exact = [&](const float* query, size_t r) {
      const float* v = row(r);
      float dot = 0;
      for (int j = 0; j < d; ++j) dot += query[j] * v[j];
      return dot;
    };
    auto fetch = static_cast<int64_t>(
        std::min<size_t>(indexed_rows_, static_cast<size_t>(k) * scale * rerank + dead_rows_));
    while (!pending.empty()) {
      std::vector<float> batch(pending.size() * d);
      for (size_t i = 0; i < pending.size(); ++i) {
        std::copy(queries + pending[i] * d, queries + (pending[i] + 1) * d, batch.begin() + static_cast<ptrdiff_t>(i * d));
      }
      std::vector<float> scores(pending.size() * fetch);
      std::vector<int64_t> labels(pending.size() * fetch);
      index_->search(static_cast<int64_t>(pending.size()), batch.data(), fetch, scores.data(), labels.data());
      std::vector<size_t> again;
      for (size_t i = 0; i < pending.size(); ++i) {
        std::vector<SearchHit>& hits = out[pending[i]];
        hits.clear();
        bool capped = false;  // the index returned fewer neighbours than asked for
        for (int64_t j = 0; j < fetch; ++j) {
          const int64_t row = labels[i * fetch + j];
          capped |= row < 0;
          if (row < 0 || row_ids_[row] < 0 || !wanted(row_ids_[row])) continue;
          hits.push_back({row_ids_[row], options_.rerank > 0 ? exact(queries + pending[i] * d, static_cast<size_t>(row))
                                                             : scores[i * fetch + j]});
        }
        if (!filtered || hits.size() >= static_cast<size_t>(k)) continue;
        if (capped) {
          // A graph index stops at its search depth (HNSW), so a rare kind can stay out of reach
          // however far the fetch grows: score that kind's indexed rows exactly instead.
          hits.clear();
          score_rows(queries + pending[i] * d, 0, indexed_rows_, hits);
        } else if (static_cast<size_t>(fetch) < indexed_rows_) {
          again.push_back(pending[i]);
        }
      }
      pending.swap(again);
      fetch = static_cast<int64_t>(std::min<size_t>(indexed_rows_, static_cast<size_t>(fetch) * 4));
    }
  }
  for (size_t q = 0; q < n; ++q) {
    score_rows(queries + q * d, indexed_rows_, rows, out[q]);
    auto& hits = out[q];
    const size_t keep = std::min<size_t>(hits.size(), static_cast<size_t>(k));
    std::partial_sort(hits.begin(), hits.begin() + static_cast<ptrdiff_t>(keep), hits.end(),
                      [](const SearchHit& a, const SearchHit& b) { return a.score > b.score || (a.score == b.score && a.id < b.id); });
    hits.resize(keep);
  }
  return out;
}

void CollectionStore::write_snapshot(uint64_t seq) {
  CLIPPO_CHECK(!(snapshot_loaded_ && seq == snapshot_seq_), kInternal,
               "snapshot " + std::to_string(seq) + " of '" + dir_ + "' is the published one; it is never rewritten");
  const fs::path snap = fs::path(dir_) / "snapshots" / std::to_string(seq);
  bool published = false;  // CURRENT names this snapshot: from here it is the store's state
  try {
    write_snapshot_files(seq, snap, published);
  } catch (const fs::filesystem_error& e) {
    if (!published) {
      std::error_code ignored;
      std::filesystem::remove_all(snap, ignored);
    }
    throw Error(ErrorCode::kUnavailable, "cannot write the snapshot '" + snap.string() + "': " + e.code().message());
  } catch (const Error&) {
    if (!published) {
      std::error_code ignored;
      std::filesystem::remove_all(snap, ignored);  // a half-written snapshot is never read: CURRENT decides
    }
    throw;
  }
}

void CollectionStore::write_snapshot_files(uint64_t seq, const fs::path& snap, bool& published) {
  make_directories(snap.string());
  sync_directory_of(snap.string());  // the new folder's entry in snapshots/ is durable before CURRENT names it
  const size_t d = static_cast<size_t>(model_.dim);
  SnapshotFiles files(snap, d);
  for (size_t r = 0; r < row_ids_.size(); ++r) {
    if (row_ids_[r] >= 0) files.add(items_.at(row_ids_[r]).item, row(r));
  }
  // The index over exactly the snapshot's rows: the current one when it covers every row and
  // none was removed, else a new one from the trained state with the live rows added in order.
  // An index that was waiting for enough rows to train on is trained now.
  std::unique_ptr<faiss::Index> snapshot_index;
  const bool use_current = index_ && index_->is_trained && worth_saving(*index_) && dead_rows_ == 0 &&
                           indexed_rows_ == row_ids_.size();
  if (!use_current && index_ && (index_->is_trained ? worth_saving(*index_) : items_.size() >= kMinRowsToTrain)) {
    snapshot_index = new_index();
    if (!worth_saving(*snapshot_index)) {
      snapshot_index.reset();
    } else {
      try {
        std::vector<float> batch;
        for (size_t r = 0; r < row_ids_.size(); ++r) {
          if (row_ids_[r] >= 0) batch.insert(batch.end(), row(r), row(r) + d);
          if (batch.size() >= 16384 * d || (r + 1 == row_ids_.size() && !batch.empty())) {
            snapshot_index->add(static_cast<int64_t>(batch.size() / d), batch.data());
            batch.clear();
          }
        }
      } catch (const faiss::FaissException& e) {
        throw Error(ErrorCode::kInternal, "FAISS could not build '" + options_.factory + "': " + e.what());
      }
      apply_search_params(*snapshot_index, options_.search_params);
    }
  }
  const faiss::Index* saved = use_current ? index_.get() : snapshot_index.get();
  if (saved != nullptr) files.save_index(*saved);
  files.commit();
  sync_directory_of((snap / "items.jsonl").string());
  write_file_atomically((fs::path(dir_) / "CURRENT").string(), std::to_string(seq) + "\n");
  published = true;
  wal_->reset(seq);
  for (const auto& entry : fs::directory_iterator(fs::path(dir_) / "snapshots")) {
    if (entry.path().filename() != std::to_string(seq)) remove_tree(entry.path().string());
  }
  // From here the state follows the snapshot: compacted, its vectors mapped from the new file
  // (so the old file's space is freed) and nothing left in memory. Built beside the current
  // state and swapped in whole, so a failure here leaves the (still correct) old state.
  // An index kept in memory is handed over rather than read back from the file just written.
  const bool hand_over = saved != nullptr && !options_.index_on_disk;
  std::unique_ptr<CollectionStore> fresh(new CollectionStore(dir_, model_, options_));
  fresh->read_only_ = read_only_;
  fresh->load_snapshot(seq, /*verify=*/false, /*take_saved_index=*/!hand_over);
  if (hand_over) {  // nothing below can fail
    fresh->index_ = use_current ? std::move(index_) : std::move(snapshot_index);
    fresh->indexed_rows_ = fresh->mapped_rows_;
  } else if (!fresh->index_) {
    fresh->rebuild_index();
  }
  // Ids of removed items are not given again while the store is open (a reopened store starts
  // after its highest live id).
  fresh->next_id_ = std::max(fresh->next_id_, next_id_);
  swap_state(*fresh);
}

void CollectionStore::swap_state(CollectionStore& other) {
  std::swap(index_, other.index_);
  std::swap(indexed_rows_, other.indexed_rows_);
  std::swap(index_appendable_, other.index_appendable_);
  std::swap(snapshot_seq_, other.snapshot_seq_);
  std::swap(snapshot_loaded_, other.snapshot_loaded_);
  std::swap(mapped_vectors_, other.mapped_vectors_);
  std::swap(mapped_rows_, other.mapped_rows_);
  std::swap(tail_, other.tail_);
  std::swap(row_ids_, other.row_ids_);
  std::swap(items_, other.items_);
  std::swap(dead_rows_, other.dead_rows_);
  std::swap(live_kinds_, other.live_kinds_);
  std::swap(next_id_, other.next_id_);
}

bool CollectionStore::refresh() {
  CLIPPO_CHECK(read_only_, kFailedPrecondition, "only a read-only store follows another writer's snapshots");
  const std::optional<uint64_t> published = published_snapshot(dir_);
  CLIPPO_CHECK(published.has_value(), kNotFound, "no such file: '" + (fs::path(dir_) / "CURRENT").string() + "'");
  const uint64_t seq = *published;
  {
    std::shared_lock lock(mutex_);
    if (seq == snapshot_seq_) return false;
  }
  // Opened beside the current state, without the lock: searches go on meanwhile.
  std::unique_ptr<CollectionStore> fresh = open(dir_, &model_, /*read_only=*/true);
  std::unique_lock lock(mutex_);
  swap_state(*fresh);
  std::swap(wal_, fresh->wal_);
  return true;
}

bool CollectionStore::has_unpublished_writes() const {
  std::shared_lock lock(mutex_);
  return wal_->next_sequence() > snapshot_seq_;
}

uint64_t CollectionStore::snapshot_sequence() const {
  std::shared_lock lock(mutex_);
  return snapshot_seq_;
}

uint64_t CollectionStore::failed_snapshots() const {
  std::shared_lock lock(mutex_);
  return failed_snapshots_;
}

void CollectionStore::checkpoint() {
  check_writable();
  std::unique_lock lock(mutex_);
  // Nothing written since the snapshot: it already holds everything. Writing it again would
  // rewrite the published snapshot's own folder (and, failing part-way, remove it).
  if (snapshot_loaded_ && wal_->next_sequence() == snapshot_seq_) return;
  write_snapshot(wal_->next_sequence());
}

}  // namespace clippo::index

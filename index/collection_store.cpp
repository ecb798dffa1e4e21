#include "index/collection_store.h"

// FAISS 1.7.3 headers use uint8_t without <cstdint>; GCC 13 no longer gets it transitively.
#include <cstdint>

#include <faiss/Index.h>
#include <faiss/impl/FaissException.h>
#include <faiss/index_factory.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "core/base/error.h"
#include "core/base/file_io.h"
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

enum Op : uint8_t { kUpsert = 1, kRemove = 2 };

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
  item.id = j.at("id").get<int64_t>();
  item.kind = parse_item_kind(j.value("kind", "image"));
  item.uri = j.value("uri", "");
  item.text = j.value("text", "");
  item.caption = j.value("caption", "");
  item.lang = j.value("lang", "");
  item.added_ms = j.value("added_ms", int64_t{0});
  return item;
}

size_t& kind_count(KindCounts& counts, ItemKind kind) { return kind == ItemKind::kText ? counts.texts : counts.images; }

std::unique_ptr<faiss::Index> make_faiss_index(int dim, const std::string& factory) {
  try {
    return std::unique_ptr<faiss::Index>(faiss::index_factory(dim, factory.c_str(), faiss::METRIC_INNER_PRODUCT));
  } catch (const faiss::FaissException& e) {
    throw Error(ErrorCode::kInvalidArgument, "bad FAISS index description '" + factory + "': " + e.what());
  }
}

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
  m.dim = j.at("dim").get<int>();
  return m;
}

CollectionStore::CollectionStore(std::string dir, ModelIdentity model, StoreOptions options)
    : dir_(std::move(dir)), model_(std::move(model)), options_(std::move(options)) {}

CollectionStore::~CollectionStore() = default;

bool CollectionStore::exists(const std::string& dir) { return fs::is_regular_file(fs::path(dir) / "store.json"); }

std::unique_ptr<CollectionStore> CollectionStore::create(const std::string& dir, const ModelIdentity& model,
                                                         const StoreOptions& options) {
  CLIPPO_CHECK(model.dim > 0 && model.dim <= 65536, kInvalidArgument, "store dimension must be in [1, 65536]");
  CLIPPO_CHECK(!exists(dir), kAlreadyExists, "a store already exists in '" + dir + "'");
  std::error_code ec;
  CLIPPO_CHECK(!fs::exists(dir) || fs::is_empty(dir, ec), kAlreadyExists,
               "'" + dir + "' exists and is not empty; give a new folder for the store");
  make_faiss_index(model.dim, options.factory);  // validates the factory string before any file is written
  fs::create_directories(fs::path(dir) / "snapshots");
  const nlohmann::json meta{{"format", kFormat}, {"dim", model.dim}, {"factory", options.factory},
                            {"metric", "inner_product"}, {"model", model.to_json()}, {"created_ms", now_ms()},
                            {"checkpoint_wal_bytes", options.checkpoint_wal_bytes}};
  write_file_atomically((fs::path(dir) / "store.json").string(), meta.dump(2) + "\n");
  return open(dir, &model);
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

ModelIdentity CollectionStore::recorded_model(const std::string& dir) {
  return ModelIdentity::from_json(read_store_meta(dir).at("model"));
}

std::unique_ptr<CollectionStore> CollectionStore::open(const std::string& dir, const ModelIdentity* expected_model,
                                                       bool read_only) {
  const nlohmann::json meta = read_store_meta(dir);
  StoreOptions options;
  options.factory = meta.at("factory").get<std::string>();
  options.checkpoint_wal_bytes = meta.value("checkpoint_wal_bytes", options.checkpoint_wal_bytes);
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
  uint64_t snapshot_seq = 0;
  const std::string current = (fs::path(dir) / "CURRENT").string();
  if (fs::exists(current)) {
    try {
      snapshot_seq = std::stoull(read_file(current, 64));
    } catch (const std::logic_error&) {
      throw Error(ErrorCode::kInternal, current + " is damaged");
    }
    store->load_snapshot(snapshot_seq);
  }
  store->wal_ = std::make_unique<WriteAheadLog>((fs::path(dir) / "wal.log").string(), read_only);
  const int d = model.dim;
  store->wal_->replay([&](uint64_t seq, const std::string& rec) {
    if (seq < snapshot_seq) return;  // already in the snapshot (crash between CURRENT and the WAL reset)
    CLIPPO_CHECK(!rec.empty(), kInternal, "empty WAL record " + std::to_string(seq));
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
  });
  store->rebuild_index();
  return store;
}

void CollectionStore::load_snapshot(uint64_t seq) {
  const fs::path snap = fs::path(dir_) / "snapshots" / std::to_string(seq);
  const std::string vectors = read_file((snap / "vectors.f32").string(), uint64_t{1} << 40);
  const std::string items_text = read_file((snap / "items.jsonl").string(), uint64_t{1} << 36);
  // Snapshots written before checksums existed have no checksums.json and open as they did.
  const fs::path sums_path = snap / "checksums.json";
  if (fs::exists(sums_path)) {
    nlohmann::json sums;
    try {
      sums = nlohmann::json::parse(read_file(sums_path.string(), size_t{1} << 30));
    } catch (const nlohmann::json::exception& e) {
      throw Error(ErrorCode::kInternal, sums_path.string() + " is damaged: " + e.what());
    }
    CLIPPO_CHECK(sums.is_object() && sums.contains("vectors.f32") && sums.contains("items.jsonl"), kInternal,
                 sums_path.string() + " is damaged: it does not name vectors.f32 and items.jsonl");
    verify_block_checksums((snap / "vectors.f32").string(), vectors, sums["vectors.f32"]);
    verify_block_checksums((snap / "items.jsonl").string(), items_text, sums["items.jsonl"]);
  }
  std::istringstream items(items_text);
  std::string line;
  size_t row = 0;
  const size_t row_bytes = static_cast<size_t>(model_.dim) * 4;
  while (std::getline(items, line)) {
    if (line.empty()) continue;
    CLIPPO_CHECK((row + 1) * row_bytes <= vectors.size(), kInternal,
                 snap.string() + ": items.jsonl has more items than vectors.f32 has rows");
    Item item;
    try {
      item = item_from_meta(nlohmann::json::parse(line));
    } catch (const nlohmann::json::exception& e) {
      throw Error(ErrorCode::kInternal, snap.string() + "/items.jsonl line " + std::to_string(row + 1) + ": " + e.what());
    }
    apply_upsert(item, reinterpret_cast<const float*>(vectors.data() + row * row_bytes));
    ++row;
  }
  CLIPPO_CHECK(row * row_bytes == vectors.size(), kInternal,
               snap.string() + ": vectors.f32 has " + std::to_string(vectors.size() / row_bytes) + " rows for " +
                   std::to_string(row) + " items");
}

void CollectionStore::apply_upsert(const Item& item, const float* vec) {
  apply_remove(item.id);  // replacing: the old row dies, the new one is appended
  const size_t row = row_ids_.size();
  vectors_.insert(vectors_.end(), vec, vec + model_.dim);
  row_ids_.push_back(item.id);
  items_[item.id] = Entry{row, item};
  ++kind_count(live_kinds_, item.kind);
  next_id_ = std::max(next_id_, item.id + 1);
  if (index_ && index_->is_trained && indexed_rows_ == row) {
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

void CollectionStore::rebuild_index() {
  // Compact: drop dead rows, renumber the live ones in their current order.
  if (dead_rows_ > 0) {
    std::vector<float> live;
    live.reserve(items_.size() * model_.dim);
    std::vector<int64_t> ids;
    ids.reserve(items_.size());
    for (size_t r = 0; r < row_ids_.size(); ++r) {
      if (row_ids_[r] < 0) continue;
      items_[row_ids_[r]].row = ids.size();
      ids.push_back(row_ids_[r]);
      live.insert(live.end(), vectors_.begin() + r * model_.dim, vectors_.begin() + (r + 1) * model_.dim);
    }
    vectors_.swap(live);
    row_ids_.swap(ids);
    dead_rows_ = 0;
  }
  index_ = make_faiss_index(model_.dim, options_.factory);
  indexed_rows_ = 0;
  const auto n = static_cast<int64_t>(row_ids_.size());
  try {
    if (!index_->is_trained) {
      if (row_ids_.size() < kMinRowsToTrain) return;  // exact search until there is enough to train on
      index_->train(n, vectors_.data());
    }
    index_->add(n, vectors_.data());
    indexed_rows_ = row_ids_.size();
  } catch (const faiss::FaissException& e) {
    throw Error(ErrorCode::kInternal, "FAISS could not build '" + options_.factory + "': " + e.what());
  }
}

void CollectionStore::maybe_compact() {
  if (dead_rows_ > 1024 && dead_rows_ * 4 > items_.size()) rebuild_index();
  if (wal_->size_bytes() > options_.checkpoint_wal_bytes) {
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
    // The metadata is JSON: ill-formed UTF-8 in any field would make it unwritable after the
    // item was accepted, so it is refused here, naming the field.
    for (const auto& [field, value] : {std::pair<const char*, const std::string*>{"uri", &item.uri},
                                       {"caption", &item.caption}, {"lang", &item.lang}, {"text", &item.text}}) {
      CLIPPO_CHECK(is_valid_utf8(*value), kInvalidArgument, std::string("item ") + field + " is not valid UTF-8");
    }
    if (item.kind == ItemKind::kText) {
      CLIPPO_CHECK(!item.text.empty(), kInvalidArgument, "a text item needs its text");
    } else {
      CLIPPO_CHECK(!item.uri.empty(), kInvalidArgument, "an image item needs a uri");
    }
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

std::vector<float> CollectionStore::vector(int64_t id) const {
  std::shared_lock lock(mutex_);
  const auto it = items_.find(id);
  if (it == items_.end()) return {};
  const auto begin = vectors_.begin() + static_cast<ptrdiff_t>(it->second.row * model_.dim);
  return std::vector<float>(begin, begin + model_.dim);
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
      const float* v = vectors_.data() + r * d;
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
    auto fetch = static_cast<int64_t>(std::min<size_t>(indexed_rows_, static_cast<size_t>(k) * scale + dead_rows_));
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
          hits.push_back({row_ids_[row], scores[i * fetch + j]});
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
  fs::create_directories(snap);
  std::string items, vectors;
  vectors.reserve(items_.size() * model_.dim * 4);
  for (size_t r = 0; r < row_ids_.size(); ++r) {
    if (row_ids_[r] < 0) continue;
    items += item_meta(items_.at(row_ids_[r]).item).dump() + "\n";
    vectors.append(reinterpret_cast<const char*>(vectors_.data() + r * model_.dim), static_cast<size_t>(model_.dim) * 4);
  }
  write_file_atomically((snap / "vectors.f32").string(), vectors);
  write_file_atomically((snap / "items.jsonl").string(), items);
  const nlohmann::json sums = {{"vectors.f32", block_checksums(vectors)}, {"items.jsonl", block_checksums(items)}};
  write_file_atomically((snap / "checksums.json").string(), sums.dump() + "\n");
  sync_directory_of((snap / "items.jsonl").string());
  write_file_atomically((fs::path(dir_) / "CURRENT").string(), std::to_string(seq) + "\n");
  published = true;
  wal_->reset(seq);
  for (const auto& entry : fs::directory_iterator(fs::path(dir_) / "snapshots")) {
    if (entry.path().filename() != std::to_string(seq)) remove_tree(entry.path().string());
  }
}

uint64_t CollectionStore::failed_snapshots() const {
  std::shared_lock lock(mutex_);
  return failed_snapshots_;
}

void CollectionStore::checkpoint() {
  check_writable();
  std::unique_lock lock(mutex_);
  write_snapshot(wal_->next_sequence());
}

}  // namespace clippo::index

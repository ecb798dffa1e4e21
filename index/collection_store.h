// A durable collection of embedded items: a FAISS index for search plus each item's metadata
// and raw vector, persisted in one directory.
//
// Layout of a store directory:
//   store.json            dim, FAISS factory string, the identity of the model that made the
//                         vectors; written once, atomically
//   CURRENT               sequence number of the latest snapshot (atomic replace)
//   snapshots/<seq>/      items.jsonl (one item per line, in row order) + vectors.f32 (rows)
//                         + checksums.json, and index.faiss: the FAISS index over those rows
//                         (any index but a flat one, which is as large as the vectors and as
//                         quick to rebuild), so a trained index is not trained again at open
//   trained.faiss         the index's trained, empty state (IVF centroids, PQ codebooks), kept
//                         so later rebuilds only add vectors
//   wal.log               every acknowledged write since that snapshot (WriteAheadLog)
// A write is acknowledged only after its WAL record is fsync'ed, so an acknowledged item
// survives kill -9; open() replays the WAL onto the snapshot. The FAISS index is derived state,
// rebuilt from the raw vectors when removals pile up, which lets any factory string (Flat, IVF,
// PQ, HNSW) support remove and update without losing precision.
//
// Larger than memory: the snapshot's raw vectors are memory-mapped, not copied into RAM (only
// rows written since the snapshot are held in memory), and with `index_on_disk` the saved IVF
// index's inverted lists are mapped from index.faiss too (FAISS's IO_FLAG_MMAP). What stays in
// RAM is each item's metadata and the index's coarse structures.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace faiss {
struct Index;
}

namespace clippo {
class MappedFile;
}

namespace clippo::index {

class WriteAheadLog;

// "1.7.3": the FAISS this binary was built against.
std::string faiss_version();

// What an item's vector was made from. One store holds both: a picture and a text rendered as
// pixels go through the same model, so any query (text or image) ranks them on one scale.
enum class ItemKind : uint8_t { kImage = 1, kText = 2 };

// A set of kinds, one bit per ItemKind: what a search may return.
using KindMask = uint8_t;
inline constexpr KindMask kAllKinds = static_cast<KindMask>(ItemKind::kImage) | static_cast<KindMask>(ItemKind::kText);
inline constexpr KindMask kind_bit(ItemKind kind) { return static_cast<KindMask>(kind); }

// "image" / "text", and back (InvalidArgument naming the accepted names).
const char* item_kind_name(ItemKind kind);
ItemKind parse_item_kind(const std::string& name);

struct Item {
  int64_t id = -1;       // < 0 on upsert: assign a new id
  std::string uri;       // image items: where the picture lives (file path or URL)
  std::string caption;   // optional
  std::string lang;      // optional BCP-47 code of the caption (image) or the text (text)
  int64_t added_ms = 0;  // Unix time in ms; set on upsert when 0
  ItemKind kind = ItemKind::kImage;
  std::string text;      // text items: the text that was rendered and embedded
};

struct KindCounts {
  size_t images = 0;
  size_t texts = 0;
};

// Which model made a store's vectors; opening with another model is an error.
struct ModelIdentity {
  std::string content_hash;  // e.g. "fnv1a64:..." of the model file
  std::string path;          // informational
  int dim = 0;
  nlohmann::json to_json() const;
  static ModelIdentity from_json(const nlohmann::json& j);
};

struct SearchHit {
  int64_t id;
  float score;  // inner product; cosine for L2-normalised vectors
};

struct StoreOptions {
  std::string factory = "Flat";                  // FAISS index_factory string (inner product)
  uint64_t checkpoint_wal_bytes = uint64_t{256} << 20;  // snapshot when the WAL grows past this
  // FAISS search-time parameters in faiss::ParameterSpace syntax ("nprobe=32", "efSearch=64").
  std::string search_params;
  // > 0: each search takes k * rerank candidates from a lossy index (PQ, SQ) and ranks them by
  // their exact score against the raw vectors; 0 ranks by the index's own (approximate) scores.
  int rerank = 0;
  // Map the saved index's inverted lists from disk instead of reading them into RAM (IVF
  // indexes). Rows written after the snapshot are then scored exactly until the next snapshot.
  bool index_on_disk = false;
  // "i/n" for a store that holds shard i of n of a sharded build (informational; `index merge`
  // checks that the parts cover every shard once).
  std::string shard;
};

// Rows for CollectionStore::create_bulk: `read(i, item, vector)` fills row i (vector: dim
// floats) for i in [0, count); it is called for every row in order, and for a sample of rows
// first when the index needs training.
struct BulkRows {
  size_t count = 0;
  std::function<void(size_t, Item&, float*)> read;
  std::function<void(size_t, size_t)> on_progress;  // (rows written, count)
};

class CollectionStore {
 public:
  // Creates a store in `dir` (absent or empty). Throws AlreadyExists / InvalidArgument.
  static std::unique_ptr<CollectionStore> create(const std::string& dir, const ModelIdentity& model,
                                                 const StoreOptions& options = {});
  // Opens a store. With `expected_model`, a store made by another model is FailedPrecondition
  // naming both. A torn WAL tail is repaired; any other damage is an error naming the file.
  // `read_only` opens without writing anything (a read-only volume, a serving replica): a torn
  // tail is skipped rather than cut, and upsert/remove/checkpoint are FailedPrecondition.
  // `build_index` false skips building a search index when none is saved (a store opened only
  // to read its rows, as merge does: a flat index would copy every vector into memory); its
  // searches are then exact scans of the rows. A read-only open that meets a writer publishing
  // a snapshot meanwhile starts again (a few times) rather than pairing one snapshot with the
  // next one's log.
  static std::unique_ptr<CollectionStore> open(const std::string& dir, const ModelIdentity* expected_model = nullptr,
                                               bool read_only = false, bool build_index = true);
  // Creates a store in `dir` whose first snapshot holds `rows`, written straight to the snapshot
  // files (no write-ahead log, the vectors streamed, never all in memory): the index is trained
  // on a sample of the rows, every row added, and the index saved with the snapshot. Items with
  // id < 0 get ids in row order. What `clippo index merge` and large imports use.
  static void create_bulk(const std::string& dir, const ModelIdentity& model, const StoreOptions& options,
                          const BulkRows& rows);
  static bool exists(const std::string& dir);
  // The identity of the model a store was built with, from store.json alone: no vectors are
  // loaded (callers that only need the model path must not pay for a full open).
  static ModelIdentity recorded_model(const std::string& dir);
  // Its options (factory, search parameters, shard...), from store.json alone.
  static StoreOptions recorded_options(const std::string& dir);
  ~CollectionStore();

  // Adds items, or replaces those whose id exists. vectors: items.size() x dim(), row-major.
  // Durable when it returns; returns the ids (assigned where the item had id < 0).
  std::vector<int64_t> upsert(std::vector<Item> items, const float* vectors);
  // Removes ids that exist; durable when it returns. Returns how many were removed.
  size_t remove(const std::vector<int64_t>& ids);

  std::optional<Item> get(int64_t id) const;
  std::vector<Item> items() const;  // a copy of every item's metadata, in no particular order
  std::vector<int64_t> ids_in_row_order() const;  // every live id, oldest row first
  std::vector<float> vector(int64_t id) const;  // empty when absent
  // queries: n x dim(). Up to k hits per query among the items whose kind is in `kinds`, best
  // first. Thread-safe with writers.
  std::vector<std::vector<SearchHit>> search(const float* queries, size_t n, int k, KindMask kinds = kAllKinds) const;

  // Writes a snapshot and empties the WAL (also done automatically as the WAL grows). Throws
  // Unavailable when the disk refuses; the store is then as it was (the WAL still holds every
  // acknowledged write) and goes on taking writes.
  void checkpoint();
  // Automatic snapshots the disk refused since the store opened (each write after one retries).
  uint64_t failed_snapshots() const;
  // Read-only stores (serving replicas): when another process has published a newer snapshot,
  // opens it beside the current state and swaps it in whole, so searches see one snapshot or
  // the next, never a mix. Returns whether it changed. A snapshot that cannot be opened yet (the
  // writer removing the one just read) leaves the current state and throws.
  bool refresh();
  uint64_t snapshot_sequence() const;  // the snapshot the state was loaded from (0: none)
  bool has_unpublished_writes() const;  // writes in the log that no snapshot holds yet

  size_t size() const;
  KindCounts kind_counts() const;
  int dim() const { return model_.dim; }
  const ModelIdentity& model() const { return model_; }
  const std::string& factory() const { return options_.factory; }
  const StoreOptions& options() const { return options_; }
  const std::string& dir() const { return dir_; }
  bool read_only() const { return read_only_; }
  // FailedPrecondition when the store is open read-only: for callers that write files of their
  // own into the store's folder (uploads) and must refuse before they do.
  void check_writable() const;
  uint64_t wal_bytes() const;

 private:
  CollectionStore(std::string dir, ModelIdentity model, StoreOptions options);
  static std::unique_ptr<CollectionStore> open_once(const std::string& dir, const ModelIdentity* expected_model,
                                                    bool read_only, bool build_index);
  static void write_bulk(const std::string& dir, const ModelIdentity& model, const StoreOptions& options,
                         const BulkRows& rows);
  // Maps snapshot `seq` (checking its checksums when `verify`) and, when `take_saved_index`,
  // reads the index saved with it (mapped, with index_on_disk).
  void load_snapshot(uint64_t seq, bool verify, bool take_saved_index = true);
  void load_saved_index(const std::filesystem::path& snap, const nlohmann::json* sums);
  void apply_snapshot_row(const Item& item);
  void apply_upsert(const Item& item, const float* vec);
  bool apply_remove(int64_t id);
  const float* row(size_t r) const;
  // An empty index of the store's factory, trained when it needs training and enough rows
  // exist (from trained.faiss, else on a sample of the live rows, then saved there); untrained
  // otherwise.
  std::unique_ptr<faiss::Index> new_index();
  void rebuild_index();
  void swap_state(CollectionStore& other);
  void maybe_compact();
  void write_snapshot(uint64_t seq);
  void write_snapshot_files(uint64_t seq, const std::filesystem::path& snap, bool& published);

  std::string dir_;
  ModelIdentity model_;
  StoreOptions options_;
  bool read_only_ = false;
  mutable std::shared_mutex mutex_;
  std::unique_ptr<WriteAheadLog> wal_;
  std::unique_ptr<faiss::Index> index_;   // rows [0, indexed_rows_)
  size_t indexed_rows_ = 0;
  bool index_appendable_ = true;          // false for an index mapped read-only from disk
  uint64_t snapshot_seq_ = 0;
  bool snapshot_loaded_ = false;          // snapshot_seq_ names a published snapshot
  // Raw vectors, row-major, including removed rows: rows [0, mapped_rows_) in the snapshot's
  // mapped vectors.f32, the rest (written since) in tail_.
  std::unique_ptr<MappedFile> mapped_vectors_;
  size_t mapped_rows_ = 0;
  std::vector<float> tail_;
  std::vector<int64_t> row_ids_;          // id per row, -1 once removed or replaced
  struct Entry {
    size_t row;
    Item item;
  };
  std::unordered_map<int64_t, Entry> items_;
  size_t dead_rows_ = 0;
  KindCounts live_kinds_;
  int64_t next_id_ = 0;
  uint64_t failed_snapshots_ = 0;
};

}  // namespace clippo::index

// The search engine: a model (Encoder), a collection (CollectionStore) and a QueryBatcher,
// composed once and shared by `clippo serve`, the index commands and the bulk indexer
// (indexer.h). The store must have been made by this model (checked at open).
//
// Callers go through the engine's own operations (search, embed, add, remove, describe); the
// encoder and the store stay inside, so each rule (query limits, the upload folder, which files
// may be served) lives in one place.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/engine/encoder.h"
#include "api/engine/query_batcher.h"
#include "evaluation/zero_shot.h"
#include "index/collection_store.h"

namespace clippo::engine {

// The most results one search returns (HTTP, CLI and library alike).
inline constexpr int kMaxK = 1000;

struct SearchResult {
  int64_t id;
  float score;
  index::Item item;
};

struct SearchTiming {
  double render_ms = 0;  // text rendering, or image decode + resize
  double encode_ms = 0;  // waiting for and running the batched forward pass
  double search_ms = 0;
  double total_ms = 0;
};

struct SearchResponse {
  std::vector<SearchResult> results;
  SearchTiming took;
};

struct LabelResult {
  std::string label;
  float score;        // cosine between the image and the label's (template-averaged) text
  float probability;  // softmax over the label set of the model's temperature x cosine
};

struct ClassifyResponse {
  std::vector<LabelResult> labels;  // best first
  SearchTiming took;                // render: image decode; encode: image and (first time) labels
};

// Limits of one classification request.
inline constexpr size_t kMaxLabels = 1000;
inline constexpr size_t kMaxTemplates = 16;

struct EngineOptions {
  EncoderOptions encoder;
  int max_batch = 32;     // queries per batched forward pass
  int window_us = 2000;   // how long a query waits for others to join its batch
  size_t max_query_bytes = 16384;
  bool read_only_store = false;  // open the store without writing (a read-only volume, a replica)
  // Called with the model's dimension before a new store is created, to choose its index
  // (`index build --max-memory`).
  std::function<void(int, index::StoreOptions&)> size_new_store;
};

// What /v1/health and `clippo index info` report.
struct EngineInfo {
  size_t items = 0;
  index::KindCounts kinds;  // items by kind
  int dim = 0;
  index::ModelIdentity model;
  std::string model_kind;  // "clippo", "1t-clip", "clip*"
  std::string renderer;    // the renderer's kind; "" for token models, which read ids
  int image_size = 0;      // what the model reads, in pixels a side
  std::string factory;     // the store's FAISS index
  bool read_only = false;  // the store was opened read-only: writes are refused
  uint64_t failed_snapshots = 0;  // automatic snapshots the disk refused since opening
  uint64_t snapshot = 0;          // sequence number of the snapshot the store state comes from
};

// The JSON every front end answers a search with (HTTP, `clippo search --json`):
// {"results": [{"id", "kind", "uri", "caption", "lang", "added_ms", "score"[, "text"]}...],
//  "took_ms": {"render", "encode", "search", "total"}}; "text" for text items.
nlohmann::json item_to_json(const index::Item& item);
nlohmann::json search_response_to_json(const SearchResponse& response);

// The identity a store records for the model behind `encoder`.
index::ModelIdentity model_identity(const Encoder& encoder);

// k in [1, kMaxK], or InvalidArgument saying so.
void check_k(int64_t k);

class SearchEngine {
 public:
  // Opens the model and the store (created when `create_store`), checking they belong together.
  SearchEngine(const std::string& model_path, const std::string& store_dir, const EngineOptions& options = {},
               bool create_store = false, const index::StoreOptions& store_options = {});
  ~SearchEngine();

  // Queries: the best k items of the given kinds for a text, an encoded image or an embedding
  // (dim() floats). Any query searches images, texts or both: text -> image, image -> text,
  // text -> text and image -> image are all one ranking by cosine.
  SearchResponse search_text(const std::string& query, int k, index::KindMask kinds = index::kAllKinds) const;
  SearchResponse search_image(const std::string& encoded_image, int k, index::KindMask kinds = index::kAllKinds) const;
  SearchResponse search_embedding(const std::vector<float>& query, int k, index::KindMask kinds = index::kAllKinds) const;

  // Embeddings (dim() floats, L2-normalised) and what the model sees.
  std::vector<float> embed_text(const std::string& text) const;
  std::vector<float> embed_image(const std::string& encoded_image) const;
  ImageU8 render_text(const std::string& text) const;  // FailedPrecondition for a token model
  std::string render_png(const std::string& text) const;
  ImageU8 preprocess_image(const std::string& encoded_image) const;  // decode + resize to the model's input

  // Writes, each durable on return. add_items takes images already through preprocess_image,
  // embeds them in one pass and upserts them in one WAL record; returns their ids.
  int64_t add_item(index::Item item, const std::string& encoded_image);
  // An uploaded image as an item: refused (a read-only store, a non-image) before anything is
  // written, then kept in the store's uploads folder, named by its content (the same bytes always
  // get the same name, on every build), and added with that path as its uri. Decoded once.
  int64_t add_upload(index::Item item, const std::string& encoded_image);
  std::vector<int64_t> add_items(std::vector<index::Item> items, const std::vector<ImageU8>& pixels);
  // Text items: each item's `text` rendered by the model's renderer (or tokenized, for a token
  // model) and embedded, in batches, then upserted in one WAL record. Returns their ids.
  std::vector<int64_t> add_texts(std::vector<index::Item> items);
  bool remove_item(int64_t id);
  std::optional<index::Item> get_item(int64_t id) const;
  std::vector<index::Item> items() const;  // every item's metadata, in no particular order
  void checkpoint();                       // a snapshot now (also taken as the log grows)
  // Replicas and their writer (`clippo serve --read-only` beside one writer): the writer
  // publishes a snapshot when it has writes the last one lacks; a read-only replica takes the
  // newest published snapshot whole. Each returns whether anything changed.
  bool publish_snapshot();
  bool refresh_store();

  // Files the engine may serve: those under the store's image roots and its uploads folder.
  void add_image_root(const std::string& folder);
  std::string servable_path(const std::string& uri) const;  // the local file, or "" when not allowed

  // Zero-shot classification (evaluation/zero_shot.h): the k most likely of `labels` for an
  // encoded image, each label put into `templates` (empty: the built-in template of the labels'
  // `language`, evaluation::templates_for_language; English "a photo of a {}." without one).
  // The labels' embeddings are computed once per label set and templates and kept (the last 32).
  ClassifyResponse classify_image(const std::string& encoded_image, const std::vector<std::string>& labels,
                                  const std::vector<std::string>& templates, int k,
                                  const std::string& language = "") const;

  EngineInfo info() const;
  int dim() const;
  const QueryBatcher& batcher() const { return *batcher_; }
  size_t max_query_bytes() const { return options_.max_query_bytes; }

 private:
  void check_query(const std::string& query) const;
  int64_t upsert_image(index::Item item, const ImageU8& pixels);
  std::string keep_upload(const std::string& encoded_image);  // its path in uploads/
  // The k best items for one embedding, its search time added to `took`.
  std::vector<SearchResult> nearest(const std::vector<float>& query, int k, index::KindMask kinds,
                                    SearchTiming& took) const;

  EngineOptions options_;
  std::unique_ptr<Encoder> encoder_;
  std::unique_ptr<index::CollectionStore> store_;
  std::unique_ptr<QueryBatcher> batcher_;
  mutable std::mutex roots_mutex_;
  std::vector<std::string> image_roots_;  // canonical; the uploads folder last
  mutable std::mutex classifiers_mutex_;
  mutable std::map<std::string, std::shared_ptr<const evaluation::ZeroShotClassifier>> classifiers_;
  mutable std::deque<std::string> classifier_order_;  // oldest first, for eviction
};

}  // namespace clippo::engine

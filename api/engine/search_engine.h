// The search engine: a model (Encoder), a collection (CollectionStore) and a QueryBatcher,
// composed once and shared by `clippo serve` and the index commands. The store must have been
// made by this model (checked at open).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/engine/encoder.h"
#include "api/engine/query_batcher.h"
#include "index/collection_store.h"

namespace clippo::engine {

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

struct EngineOptions {
  EncoderOptions encoder;
  int max_batch = 32;     // queries per batched forward pass
  int window_us = 2000;   // how long a query waits for others to join its batch
  size_t max_query_bytes = 16384;
};

// The identity a store records for the model behind `encoder`.
index::ModelIdentity model_identity(const Encoder& encoder);

class SearchEngine {
 public:
  // Opens the model and the store (created when `create_store`), checking they belong together.
  SearchEngine(const std::string& model_path, const std::string& store_dir, const EngineOptions& options = {},
               bool create_store = false, const index::StoreOptions& store_options = {});
  ~SearchEngine();

  SearchResponse search_text(const std::string& query, int k) const;
  SearchResponse search_image(const std::string& encoded_image, int k) const;

  // Adds an item whose image is `encoded_image`; returns its id. Durable on return.
  int64_t add_item(index::Item item, const std::string& encoded_image);
  bool remove_item(int64_t id);
  std::optional<index::Item> get_item(int64_t id) const;

  std::vector<float> embed_text(const std::string& text) const;
  std::vector<float> embed_image(const std::string& encoded_image) const;
  std::string render_png(const std::string& text) const;

  const Encoder& encoder() const { return *encoder_; }
  index::CollectionStore& store() { return *store_; }
  const index::CollectionStore& store() const { return *store_; }
  const QueryBatcher& batcher() const { return *batcher_; }

 private:
  SearchResponse search_pixels(const std::function<ImageU8()>& make_pixels, int k) const;
  // Checks k, embeds the query (recording its timings) and searches; total_ms spans it all.
  SearchResponse search_timed(const std::function<std::vector<float>(SearchTiming&)>& embed_query, int k) const;
  SearchResponse search_vector(const std::vector<float>& query, int k, SearchTiming took) const;
  void check_query(const std::string& query) const;

  EngineOptions options_;
  std::unique_ptr<Encoder> encoder_;
  std::unique_ptr<index::CollectionStore> store_;
  std::unique_ptr<QueryBatcher> batcher_;
};

}  // namespace clippo::engine

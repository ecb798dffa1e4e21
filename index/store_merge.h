// `clippo index merge`: partial stores (the shards of a sharded build, or any stores made by one
// model) into one, the way the parts of a clip-retrieval run become one index.
//
// Every part is opened read-only and must hold vectors of the same model (otherwise
// FailedPrecondition naming the parts and their models). Items keep their metadata and vectors
// and get new ids, in part order then row order; an image already taken from an earlier part
// (same uri), or a text (same language and text), is counted as a duplicate and left out. The
// merged store is written with CollectionStore::create_bulk: its index is trained on a sample,
// every vector added and the index saved with the snapshot, so it opens without training.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "index/collection_store.h"

namespace clippo::index {

struct MergeOptions {
  StoreOptions store;        // factory, search parameters, rerank, index_on_disk of the result
  uint64_t max_memory = 0;   // > 0: factory, search parameters and rerank from this budget
                             // (index_sizing.h), replacing those in `store`
  std::function<void(size_t, size_t)> on_progress;  // (rows written, rows to write)
};

struct MergeSummary {
  size_t parts = 0;
  size_t items = 0;       // in the merged store
  size_t duplicates = 0;  // left out
  std::string factory;    // of the merged store
  std::string search_params;
  int rerank = 0;
  // When the parts record shards ("i/n"): shards missing or given twice, one line each.
  std::vector<std::string> shard_warnings;
};

MergeSummary merge_stores(const std::vector<std::string>& parts, const std::string& out, const MergeOptions& options);

}  // namespace clippo::index

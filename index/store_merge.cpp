#include "index/store_merge.h"

#include <map>
#include <memory>
#include <set>
#include <unordered_map>

#include "core/base/error.h"
#include "core/base/hashing.h"
#include "index/index_sizing.h"

namespace clippo::index {
namespace {

// What makes two items the same item: an image's uri, a text's language and text.
std::string identity_key(const Item& item) {
  return item.kind == ItemKind::kText ? "t\x1f" + item.lang + "\x1f" + item.text : "i\x1f" + item.uri;
}

// "i/n" -> (i, n), or nothing for a store that is not a shard.
bool parse_shard_label(const std::string& label, uint64_t& i, uint64_t& n) {
  const size_t slash = label.find('/');
  if (slash == std::string::npos) return false;
  try {
    i = std::stoull(label.substr(0, slash));
    n = std::stoull(label.substr(slash + 1));
  } catch (const std::exception&) {
    return false;
  }
  return n > 0 && i < n;
}

std::vector<std::string> shard_warnings(const std::vector<std::string>& parts,
                                        const std::vector<std::unique_ptr<CollectionStore>>& stores) {
  std::vector<std::string> warnings;
  std::map<uint64_t, std::map<uint64_t, std::vector<std::string>>> by_count;  // n -> i -> parts
  size_t unlabelled = 0;
  for (size_t p = 0; p < stores.size(); ++p) {
    uint64_t i = 0, n = 0;
    if (parse_shard_label(stores[p]->options().shard, i, n)) by_count[n][i].push_back(parts[p]);
    else ++unlabelled;
  }
  if (by_count.empty()) return warnings;
  if (by_count.size() > 1 || unlabelled > 0) {
    warnings.push_back("the parts come from different shardings (or some are not shards): check that none overlap");
  }
  for (const auto& [n, shards] : by_count) {
    for (uint64_t i = 0; i < n; ++i) {
      const auto it = shards.find(i);
      if (it == shards.end()) {
        warnings.push_back("shard " + std::to_string(i) + "/" + std::to_string(n) + " is missing");
      } else if (it->second.size() > 1) {
        std::string names;
        for (const std::string& part : it->second) names += (names.empty() ? "" : ", ") + part;
        warnings.push_back("shard " + std::to_string(i) + "/" + std::to_string(n) + " is given " +
                           std::to_string(it->second.size()) + " times: " + names);
      }
    }
  }
  return warnings;
}

}  // namespace

MergeSummary merge_stores(const std::vector<std::string>& parts, const std::string& out, const MergeOptions& options) {
  CLIPPO_CHECK(!parts.empty(), kInvalidArgument, "give at least one part to merge");
  // The models first, from store.json alone, so a wrong part is named before anything is loaded.
  const ModelIdentity model = CollectionStore::recorded_model(parts.front());
  std::string mismatched;
  for (const std::string& part : parts) {
    const ModelIdentity m = CollectionStore::recorded_model(part);
    if (m.content_hash != model.content_hash || m.dim != model.dim) {
      mismatched += "\n  " + part + ": " + m.content_hash + " (" + m.path + ", " + std::to_string(m.dim) + " dims)";
    }
  }
  CLIPPO_CHECK(mismatched.empty(), kFailedPrecondition,
               "the parts were not all made by one model: " + parts.front() + " holds vectors of " +
                   model.content_hash + " (" + model.path + ", " + std::to_string(model.dim) + " dims), but" +
                   mismatched + "\nmerging them would rank vectors of different models against each other");

  std::vector<std::unique_ptr<CollectionStore>> stores;
  // Opened only to read their rows: no search index (a flat one would copy every vector).
  for (const std::string& part : parts) {
    stores.push_back(CollectionStore::open(part, &model, /*read_only=*/true, /*build_index=*/false));
  }

  MergeSummary summary;
  summary.parts = parts.size();
  summary.shard_warnings = shard_warnings(parts, stores);

  // (part, id) of every item to keep, in order. Identity keys are held as 64-bit hashes; a hash
  // seen before is compared in full before an item is called a duplicate.
  std::vector<std::pair<uint32_t, int64_t>> rows;
  std::unordered_multimap<uint64_t, size_t> seen;  // hash -> index in rows
  for (size_t p = 0; p < stores.size(); ++p) {
    for (const int64_t id : stores[p]->ids_in_row_order()) {
      const std::optional<Item> item = stores[p]->get(id);
      if (!item) continue;
      const std::string key = identity_key(*item);
      const uint64_t h = fnv1a64(key);
      bool duplicate = false;
      for (auto [it, end] = seen.equal_range(h); it != end && !duplicate; ++it) {
        const auto& [q, other] = rows[it->second];
        duplicate = identity_key(*stores[q]->get(other)) == key;
      }
      if (duplicate) {
        ++summary.duplicates;
        continue;
      }
      seen.emplace(h, rows.size());
      rows.emplace_back(static_cast<uint32_t>(p), id);
    }
  }
  seen = {};

  StoreOptions store_options = options.store;
  store_options.shard.clear();
  if (options.max_memory > 0) {
    const IndexChoice choice = choose_index_for_memory(rows.size(), model.dim, options.max_memory);
    store_options.factory = choice.factory;
    store_options.search_params = choice.search_params;
    store_options.rerank = choice.rerank;
  }
  BulkRows bulk;
  bulk.count = rows.size();
  bulk.on_progress = options.on_progress;
  bulk.read = [&](size_t i, Item& item, float* vec) {
    const auto& [p, id] = rows[i];
    item = *stores[p]->get(id);
    item.id = -1;  // new ids, in merged order
    const std::vector<float> v = stores[p]->vector(id);
    std::copy(v.begin(), v.end(), vec);
  };
  CollectionStore::create_bulk(out, model, store_options, bulk);
  summary.items = rows.size();
  summary.factory = store_options.factory;
  summary.search_params = store_options.search_params;
  summary.rerank = store_options.rerank;
  return summary;
}

}  // namespace clippo::index

#include "api/engine/search_engine.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "api/engine/image_roots.h"
#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/hashing.h"
#include "core/base/utf8.h"
#include "render/image_decoder.h"
#include "render/png_codec.h"

namespace clippo::engine {
namespace {

namespace fs = std::filesystem;

// Adds the milliseconds from its construction to its destruction to `slot`.
class TimingScope {
 public:
  explicit TimingScope(double& slot) : slot_(slot), start_(std::chrono::steady_clock::now()) {}
  ~TimingScope() {
    slot_ += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  }
  TimingScope(const TimingScope&) = delete;
  TimingScope& operator=(const TimingScope&) = delete;

 private:
  double& slot_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

nlohmann::json item_to_json(const index::Item& item) {
  nlohmann::json j{{"id", item.id},           {"kind", index::item_kind_name(item.kind)},
                   {"uri", item.uri},         {"caption", item.caption},
                   {"lang", item.lang},       {"added_ms", item.added_ms}};
  if (item.kind == index::ItemKind::kText) j["text"] = item.text;
  return j;
}

nlohmann::json search_response_to_json(const SearchResponse& response) {
  nlohmann::json results = nlohmann::json::array();
  for (const SearchResult& hit : response.results) {
    nlohmann::json j = item_to_json(hit.item);
    j["score"] = hit.score;
    results.push_back(std::move(j));
  }
  return {{"results", std::move(results)},
          {"took_ms",
           {{"render", response.took.render_ms},
            {"encode", response.took.encode_ms},
            {"search", response.took.search_ms},
            {"total", response.took.total_ms}}}};
}

index::ModelIdentity model_identity(const Encoder& encoder) {
  return {encoder.embedder().content_hash(), encoder.embedder().path(), encoder.dim()};
}

void check_k(int64_t k) {
  CLIPPO_CHECK(k >= 1 && k <= kMaxK, kInvalidArgument,
               "k must be in [1, " + std::to_string(kMaxK) + "], got " + std::to_string(k));
}

SearchEngine::SearchEngine(const std::string& model_path, const std::string& store_dir, const EngineOptions& options,
                           bool create_store, const index::StoreOptions& store_options)
    : options_(options), encoder_(std::make_unique<Encoder>(model_path, options.encoder)) {
  const index::ModelIdentity identity = model_identity(*encoder_);
  if (create_store && !index::CollectionStore::exists(store_dir)) {
    index::StoreOptions sized = store_options;
    if (options.size_new_store) options.size_new_store(identity.dim, sized);
    store_ = index::CollectionStore::create(store_dir, identity, sized);
  } else {
    store_ = index::CollectionStore::open(store_dir, &identity, options.read_only_store);
  }
  batcher_ = std::make_unique<QueryBatcher>(*encoder_, options.max_batch, options.window_us);
  image_roots_ = read_image_roots(store_dir);
  image_roots_.push_back((fs::canonical(store_dir) / "uploads").string());
}

SearchEngine::~SearchEngine() = default;

void SearchEngine::check_query(const std::string& query) const {
  CLIPPO_CHECK(query.find_first_not_of(" \t\r\n\f\v") != std::string::npos, kInvalidArgument,
               "the query is empty");
  CLIPPO_CHECK(query.size() <= options_.max_query_bytes, kInvalidArgument,
               "the query is " + std::to_string(query.size()) + " bytes; at most " +
                   std::to_string(options_.max_query_bytes) + " are read");
}

std::vector<SearchResult> SearchEngine::nearest(const std::vector<float>& query, int k, index::KindMask kinds,
                                                SearchTiming& took) const {
  CLIPPO_CHECK(query.size() == static_cast<size_t>(dim()), kInvalidArgument,
               "the query embedding has " + std::to_string(query.size()) + " values; the store holds " +
                   std::to_string(dim()) + "-d vectors");
  TimingScope timing(took.search_ms);
  std::vector<SearchResult> results;
  const std::vector<std::vector<index::SearchHit>> hits = store_->search(query.data(), 1, k, kinds);
  for (const index::SearchHit& hit : hits[0]) {
    // An item removed between search and lookup is simply left out.
    if (auto item = store_->get(hit.id)) results.push_back({hit.id, hit.score, std::move(*item)});
  }
  return results;
}

SearchResponse SearchEngine::search_text(const std::string& query, int k, index::KindMask kinds) const {
  check_k(k);
  check_query(query);
  SearchResponse r;
  {
    TimingScope total(r.took.total_ms);
    std::vector<float> z;
    if (encoder_->reads_tokens()) {  // a token baseline: no pixels to batch, its text side runs alone
      TimingScope encode(r.took.encode_ms);
      z = encoder_->encode_texts({query});
    } else {
      ImageU8 pixels;
      {
        TimingScope render(r.took.render_ms);
        pixels = encoder_->render_text(query);
      }
      TimingScope encode(r.took.encode_ms);
      z = batcher_->embed(std::move(pixels));
    }
    r.results = nearest(z, k, kinds, r.took);
  }
  return r;
}

SearchResponse SearchEngine::search_image(const std::string& encoded_image, int k, index::KindMask kinds) const {
  check_k(k);
  SearchResponse r;
  {
    TimingScope total(r.took.total_ms);
    ImageU8 pixels;
    {
      TimingScope decode(r.took.render_ms);
      pixels = encoder_->preprocess_image(encoded_image);
    }
    std::vector<float> z;
    {
      TimingScope encode(r.took.encode_ms);
      z = batcher_->embed(std::move(pixels));
    }
    r.results = nearest(z, k, kinds, r.took);
  }
  return r;
}

SearchResponse SearchEngine::search_embedding(const std::vector<float>& query, int k, index::KindMask kinds) const {
  check_k(k);
  SearchResponse r;
  {
    TimingScope total(r.took.total_ms);
    r.results = nearest(query, k, kinds, r.took);
  }
  return r;
}

std::vector<float> SearchEngine::embed_text(const std::string& text) const {
  check_query(text);
  if (encoder_->reads_tokens()) return encoder_->encode_texts({text});
  return batcher_->embed(encoder_->render_text(text));
}

std::vector<float> SearchEngine::embed_image(const std::string& encoded_image) const {
  return batcher_->embed(encoder_->preprocess_image(encoded_image));
}

ImageU8 SearchEngine::render_text(const std::string& text) const {
  CLIPPO_CHECK(text.size() <= options_.max_query_bytes, kInvalidArgument, "text too long to render");
  return encoder_->render_text(text);
}

std::string SearchEngine::render_png(const std::string& text) const { return render::encode_png(render_text(text)); }

ImageU8 SearchEngine::preprocess_image(const std::string& encoded_image) const {
  return encoder_->preprocess_image(encoded_image);
}

int64_t SearchEngine::add_item(index::Item item, const std::string& encoded_image) {
  return upsert_image(std::move(item), preprocess_image(encoded_image));
}

int64_t SearchEngine::add_upload(index::Item item, const std::string& encoded_image) {
  // Refuse before anything is written: a read-only store's folder is not this process's to
  // change (the upload would outlive the refused write), and a non-image is never kept.
  store_->check_writable();
  const ImageU8 pixels = preprocess_image(encoded_image);
  item.uri = keep_upload(encoded_image);
  return upsert_image(std::move(item), pixels);
}

int64_t SearchEngine::upsert_image(index::Item item, const ImageU8& pixels) {
  const std::vector<float> z = batcher_->embed(pixels);
  return store_->upsert({std::move(item)}, z.data()).front();
}

std::vector<int64_t> SearchEngine::add_items(std::vector<index::Item> items, const std::vector<ImageU8>& pixels) {
  CLIPPO_CHECK(items.size() == pixels.size(), kInvalidArgument,
               std::to_string(items.size()) + " items for " + std::to_string(pixels.size()) + " images");
  if (items.empty()) return {};
  const std::vector<float> z = encoder_->encode_pixels(pixels);
  return store_->upsert(std::move(items), z.data());
}

std::vector<int64_t> SearchEngine::add_texts(std::vector<index::Item> items) {
  std::vector<std::string> texts;
  texts.reserve(items.size());
  for (index::Item& item : items) {
    item.kind = index::ItemKind::kText;
    item.uri.clear();
    check_query(item.text);  // the limits a text query has: not blank, at most max_query_bytes
    // A query with bad bytes is rendered with replacement characters; a stored text is kept
    // as given, and the store's metadata is JSON, so it must be UTF-8.
    CLIPPO_CHECK(is_valid_utf8(item.text), kInvalidArgument, "a text item is not valid UTF-8");
    texts.push_back(item.text);
  }
  if (items.empty()) return {};
  const std::vector<float> z = encoder_->encode_texts(texts);
  return store_->upsert(std::move(items), z.data());
}

bool SearchEngine::remove_item(int64_t id) { return store_->remove({id}) == 1; }

std::optional<index::Item> SearchEngine::get_item(int64_t id) const { return store_->get(id); }

std::vector<index::Item> SearchEngine::items() const { return store_->items(); }

void SearchEngine::checkpoint() { store_->checkpoint(); }

bool SearchEngine::publish_snapshot() {
  if (!store_->has_unpublished_writes()) return false;
  store_->checkpoint();
  return true;
}

bool SearchEngine::refresh_store() { return store_->refresh(); }

std::string SearchEngine::keep_upload(const std::string& encoded_image) {
  char name[32];
  std::snprintf(name, sizeof name, "%016llx", static_cast<unsigned long long>(fmix64(fnv1a64(encoded_image))));
  const fs::path uploads = fs::path(store_->dir()) / "uploads";
  make_directories(uploads.string());
  const fs::path path = uploads / (std::string(name) + "." + render::image_file_extension(render::detect_image_format(encoded_image)));
  if (!fs::exists(path)) write_file_atomically(path.string(), encoded_image);
  return fs::canonical(path).string();
}

void SearchEngine::add_image_root(const std::string& folder) {
  engine::add_image_root(store_->dir(), folder);
  const std::string canonical = fs::canonical(folder).string();
  std::lock_guard<std::mutex> lock(roots_mutex_);
  if (std::find(image_roots_.begin(), image_roots_.end(), canonical) == image_roots_.end()) {
    image_roots_.insert(image_roots_.end() - 1, canonical);  // the uploads folder stays last
  }
}

std::string SearchEngine::servable_path(const std::string& uri) const {
  std::lock_guard<std::mutex> lock(roots_mutex_);
  return resolve_under_roots(uri, image_roots_);
}

ClassifyResponse SearchEngine::classify_image(const std::string& encoded_image, const std::vector<std::string>& labels,
                                             const std::vector<std::string>& templates, int k,
                                             const std::string& language) const {
  CLIPPO_CHECK(!labels.empty() && labels.size() <= kMaxLabels, kInvalidArgument,
               "give 1 to " + std::to_string(kMaxLabels) + " labels, got " + std::to_string(labels.size()));
  CLIPPO_CHECK(templates.size() <= kMaxTemplates, kInvalidArgument,
               "at most " + std::to_string(kMaxTemplates) + " templates, got " + std::to_string(templates.size()));
  CLIPPO_CHECK(k >= 1, kInvalidArgument, "k must be at least 1, got " + std::to_string(k));
  for (const std::string& text : labels) {
    CLIPPO_CHECK(text.size() <= options_.max_query_bytes, kInvalidArgument, "a label is too long");
  }
  const std::vector<std::string>& used = templates.empty() ? evaluation::templates_for_language(language) : templates;
  ClassifyResponse r;
  {
    TimingScope total(r.took.total_ms);
    ImageU8 pixels;
    {
      TimingScope decode(r.took.render_ms);
      pixels = encoder_->preprocess_image(encoded_image);
    }
    TimingScope encode(r.took.encode_ms);
    std::string key;
    for (const std::string& t : used) key += t + '\x1f';
    key += '\x1e';
    for (const std::string& l : labels) key += l + '\x1f';
    std::shared_ptr<const evaluation::ZeroShotClassifier> classifier;
    {
      std::lock_guard<std::mutex> lock(classifiers_mutex_);
      if (const auto it = classifiers_.find(key); it != classifiers_.end()) classifier = it->second;
    }
    if (!classifier) {
      classifier = std::make_shared<const evaluation::ZeroShotClassifier>(evaluation::build_zero_shot_classifier(
          labels, used, [&](const std::vector<std::string>& texts) { return encoder_->encode_texts(texts); }));
      std::lock_guard<std::mutex> lock(classifiers_mutex_);
      if (classifiers_.emplace(key, classifier).second) {
        classifier_order_.push_back(key);
        if (classifier_order_.size() > 32) {
          classifiers_.erase(classifier_order_.front());
          classifier_order_.pop_front();
        }
      }
    }
    const std::vector<float> z = batcher_->embed(std::move(pixels));
    for (const evaluation::LabelScore& s :
         evaluation::classify(*classifier, z.data(), static_cast<size_t>(k), encoder_->embedder().temperature())) {
      r.labels.push_back({classifier->labels[s.label], s.score, s.probability});
    }
  }
  return r;
}

EngineInfo SearchEngine::info() const {
  EngineInfo info;
  info.items = store_->size();
  info.kinds = store_->kind_counts();
  info.dim = store_->dim();
  info.model = store_->model();
  info.model_kind = model::model_kind_name(encoder_->embedder().text_input().kind);
  info.renderer = encoder_->reads_tokens() ? "" : encoder_->renderer().spec().kind;
  info.image_size = encoder_->embedder().image_size();
  info.factory = store_->factory();
  info.read_only = store_->read_only();
  info.failed_snapshots = store_->failed_snapshots();
  info.snapshot = store_->snapshot_sequence();
  return info;
}

int SearchEngine::dim() const { return store_->dim(); }

}  // namespace clippo::engine

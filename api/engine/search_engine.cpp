#include "api/engine/search_engine.h"

#include <chrono>

#include "core/base/error.h"
#include "render/png_codec.h"

namespace clippo::engine {
namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

}  // namespace

index::ModelIdentity model_identity(const Encoder& encoder) {
  return {encoder.embedder().content_hash(), encoder.embedder().path(), encoder.dim()};
}

SearchEngine::SearchEngine(const std::string& model_path, const std::string& store_dir, const EngineOptions& options,
                           bool create_store, const index::StoreOptions& store_options)
    : options_(options), encoder_(std::make_unique<Encoder>(model_path, options.encoder)) {
  const index::ModelIdentity identity = model_identity(*encoder_);
  store_ = create_store && !index::CollectionStore::exists(store_dir)
               ? index::CollectionStore::create(store_dir, identity, store_options)
               : index::CollectionStore::open(store_dir, &identity);
  batcher_ = std::make_unique<QueryBatcher>(*encoder_, options.max_batch, options.window_us);
}

SearchEngine::~SearchEngine() = default;

void SearchEngine::check_query(const std::string& query) const {
  CLIPPO_CHECK(query.find_first_not_of(" \t\r\n\f\v") != std::string::npos, kInvalidArgument,
               "the query is empty");
  CLIPPO_CHECK(query.size() <= options_.max_query_bytes, kInvalidArgument,
               "the query is " + std::to_string(query.size()) + " bytes; at most " +
                   std::to_string(options_.max_query_bytes) + " are read");
}

SearchResponse SearchEngine::search_vector(const std::vector<float>& query, int k, SearchTiming took) const {
  const auto t = Clock::now();
  const auto hits = store_->search(query.data(), 1, k);
  took.search_ms = ms_since(t);
  SearchResponse response;
  for (const index::SearchHit& hit : hits[0]) {
    // An item removed between search and lookup is simply left out.
    if (auto item = store_->get(hit.id)) response.results.push_back({hit.id, hit.score, std::move(*item)});
  }
  response.took = took;
  return response;
}

SearchResponse SearchEngine::search_text(const std::string& query, int k) const {
  check_query(query);
  if (encoder_->reads_tokens()) {  // a token baseline: no pixels to batch, its text side runs alone
    return search_timed([&](SearchTiming& took) {
      const auto t = Clock::now();
      std::vector<float> z = encoder_->encode_texts({query});
      took.encode_ms = ms_since(t);
      return z;
    }, k);
  }
  return search_pixels([&] { return encoder_->render_text(query); }, k);
}

SearchResponse SearchEngine::search_image(const std::string& encoded_image, int k) const {
  return search_pixels([&] { return encoder_->preprocess_image(encoded_image); }, k);
}

SearchResponse SearchEngine::search_pixels(const std::function<ImageU8()>& make_pixels, int k) const {
  return search_timed([&](SearchTiming& took) {
    const auto start = Clock::now();
    ImageU8 pixels = make_pixels();  // text rendering, or image decode + resize
    took.render_ms = ms_since(start);
    const auto t = Clock::now();
    std::vector<float> z = batcher_->embed(std::move(pixels));
    took.encode_ms = ms_since(t);
    return z;
  }, k);
}

SearchResponse SearchEngine::search_timed(const std::function<std::vector<float>(SearchTiming&)>& embed_query,
                                          int k) const {
  CLIPPO_CHECK(k >= 1 && k <= 1000, kInvalidArgument, "k must be in [1, 1000], got " + std::to_string(k));
  const auto start = Clock::now();
  SearchTiming took;
  const std::vector<float> z = embed_query(took);
  SearchResponse r = search_vector(z, k, took);
  r.took.total_ms = ms_since(start);
  return r;
}

int64_t SearchEngine::add_item(index::Item item, const std::string& encoded_image) {
  const std::vector<float> z = embed_image(encoded_image);
  return store_->upsert({std::move(item)}, z.data()).front();
}

bool SearchEngine::remove_item(int64_t id) { return store_->remove({id}) == 1; }

std::optional<index::Item> SearchEngine::get_item(int64_t id) const { return store_->get(id); }

std::vector<float> SearchEngine::embed_text(const std::string& text) const {
  check_query(text);
  if (encoder_->reads_tokens()) return encoder_->encode_texts({text});
  return batcher_->embed(encoder_->render_text(text));
}

std::vector<float> SearchEngine::embed_image(const std::string& encoded_image) const {
  return batcher_->embed(encoder_->preprocess_image(encoded_image));
}

std::string SearchEngine::render_png(const std::string& text) const {
  CLIPPO_CHECK(text.size() <= options_.max_query_bytes, kInvalidArgument, "text too long to render");
  return render::encode_png(encoder_->render_text(text));
}

}  // namespace clippo::engine

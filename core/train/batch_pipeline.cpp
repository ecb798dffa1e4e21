#include "core/train/batch_pipeline.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>

#include "core/base/error.h"
#include "core/base/hashing.h"
#include "core/base/image.h"
#include "core/train/image_augment.h"
#include "datasets/source_spec.h"
#include "render/image_decoder.h"

namespace clippo::train {
namespace {

constexpr size_t kQueueDepth = 3;  // ready batches kept ahead of the training step

// Several sources read in turn, one example from each, so a batch mixes them.
template <class Example>
class Interleaved {
 public:
  explicit Interleaved(std::vector<std::unique_ptr<datasets::ExampleStream<Example>>> streams)
      : streams_(std::move(streams)) {}

  void next(Example& out) {
    auto& stream = *streams_[turn_];
    turn_ = (turn_ + 1) % streams_.size();
    if (!stream.next(out)) throw Error(ErrorCode::kInvalidArgument, "a training source holds no usable example");
  }

  size_t skipped() const {
    size_t n = 0;
    for (const auto& s : streams_) n += s->counts().n_skipped;
    return n;
  }

 private:
  std::vector<std::unique_ptr<datasets::ExampleStream<Example>>> streams_;
  size_t turn_ = 0;
};

// One splitmix64 step: independent seeds from (seed, step, index).
uint64_t mix(uint64_t x) { return splitmix64_mix(x + kSplitmix64Increment); }

// decode -> augment (crop, resize, flip, colours; core/train/image_augment.h).
ImageU8 prepare_image(const datasets::ImageTextExample& ex, const TrainRecipe& recipe, uint64_t seed) {
  render::DecodeOptions decode;
  const ImageU8 img =
      ex.image_path.empty() ? render::decode_image(ex.image, decode) : render::decode_image_file(ex.image_path, decode);
  return augment_picture(img, recipe.data.augment, recipe.model.image_size, seed);
}

// Rows stay uint8 until the trainer maps them to [-1, 1] on its device: a quarter of the bytes
// to fill here and to copy to a GPU.
void to_tensor_row(const ImageU8& img, torch::Tensor& batch, int64_t row) {
  auto dst = batch[row];
  CLIPPO_CHECK(static_cast<int64_t>(img.pixels.size()) == dst.numel(), kInternal, "pipeline: a row of the wrong size");
  std::memcpy(dst.data_ptr<uint8_t>(), img.data(), img.pixels.size());
}

}  // namespace

BatchComposition batch_composition(const TrainRecipe& recipe) {
  BatchComposition c;
  c.text_pairs = static_cast<int64_t>(std::llround(recipe.data.text_pair_fraction * static_cast<double>(recipe.batch_size)));
  c.image_text = recipe.batch_size - c.text_pairs;
  return c;
}

torch::Tensor pixels_to_model_input(const torch::Tensor& pixels, const torch::Device& device) {
  CLIPPO_CHECK(pixels.scalar_type() == torch::kUInt8, kInternal, "pixels_to_model_input: needs uint8 pixels");
  static const std::vector<float> table = [] {
    ImageU8 all(1, 256, 1);
    for (int v = 0; v < 256; ++v) all.pixels[static_cast<size_t>(v)] = static_cast<uint8_t>(v);
    std::vector<float> t(256);
    value_range(all, t.data());
    return t;
  }();
  const auto lut = torch::from_blob(const_cast<float*>(table.data()), {256}, torch::kFloat32).to(device);
  const auto idx = pixels.to(device).to(torch::kLong);
  return lut.index_select(0, idx.reshape({-1})).view(pixels.sizes());
}

void write_token_ids(const tokenizer_baselines::SentencePieceTokenizer& tokenizer, const std::string& text,
                     torch::Tensor& ids, int64_t row) {
  const std::vector<int32_t> padded = tokenizer.encode_padded(text, static_cast<size_t>(ids.size(1)));
  std::copy(padded.begin(), padded.end(), ids[row].data_ptr<int64_t>());
}

struct BatchPipeline::Impl {
  const TrainRecipe& recipe;
  const render::TextRenderer& renderer;
  const tokenizer_baselines::SentencePieceTokenizer* tokenizer;  // null: text is rendered
  int rank, world_size;
  BatchComposition composition;
  int n_workers;
  std::unique_ptr<Interleaved<datasets::ImageTextExample>> images;
  std::unique_ptr<Interleaved<datasets::TextPairExample>> pairs;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::deque<TrainBatch> ready;
  std::exception_ptr failure;
  bool stopping = false;
  PipelineCounts counts;
  std::thread producer;

  Impl(const TrainRecipe& r, const render::TextRenderer& rr, const tokenizer_baselines::SentencePieceTokenizer* tok,
       int rk, int ws)
      : recipe(r), renderer(rr), tokenizer(tok), rank(rk), world_size(ws), composition(batch_composition(r)) {
    n_workers = r.data.workers > 0 ? r.data.workers : std::max(1u, std::thread::hardware_concurrency());
    datasets::StreamOptions options;
    options.seed = r.seed;
    options.shuffle_buffer = r.data.shuffle_buffer;
    options.repeat = true;
    if (composition.image_text > 0) {
      std::vector<std::unique_ptr<datasets::ExampleStream<datasets::ImageTextExample>>> streams;
      for (const auto& src : r.data.image_text) streams.push_back(datasets::open_image_text_stream(src, options));
      images = std::make_unique<Interleaved<datasets::ImageTextExample>>(std::move(streams));
    }
    if (composition.text_pairs > 0) {
      std::vector<std::unique_ptr<datasets::ExampleStream<datasets::TextPairExample>>> streams;
      for (const auto& src : r.data.text_pairs) streams.push_back(datasets::open_text_pair_stream(src, options));
      pairs = std::make_unique<Interleaved<datasets::TextPairExample>>(std::move(streams));
    }
  }

  // Reads one global batch's examples; returns this process's slice of them.
  void draw(std::vector<datasets::ImageTextExample>& local_images, std::vector<datasets::TextPairExample>& local_pairs,
            int64_t& first_global_row) {
    const int64_t local = recipe.batch_size / world_size;
    const int64_t begin = rank * local, end = begin + local;
    first_global_row = begin;
    int64_t row = 0;
    for (int64_t i = 0; i < composition.image_text; ++i, ++row) {
      datasets::ImageTextExample ex;
      images->next(ex);
      if (row >= begin && row < end) local_images.push_back(std::move(ex));
    }
    for (int64_t i = 0; i < composition.text_pairs; ++i, ++row) {
      datasets::TextPairExample ex;
      pairs->next(ex);
      if (row >= begin && row < end) local_pairs.push_back(std::move(ex));
    }
  }

  torch::Tensor text_tensor(int64_t rows) const {
    if (tokenizer != nullptr) return torch::zeros({rows, recipe.model.seq_len}, torch::kInt64);
    const int64_t size = recipe.model.image_size;
    return torch::empty({rows, size, size, 3}, torch::kUInt8);
  }

  // One text into row `row`: its token ids, or its rendering's pixels.
  void put_text(const std::string& text, torch::Tensor& out, int64_t row) const {
    if (tokenizer != nullptr) {
      write_token_ids(*tokenizer, text, out, row);
    } else {
      to_tensor_row(renderer.render(text), out, row);
    }
  }

  TrainBatch build(int64_t step) {
    std::vector<datasets::ImageTextExample> local_images;
    std::vector<datasets::TextPairExample> local_pairs;
    int64_t first_row = 0;
    draw(local_images, local_pairs, first_row);
    const int64_t n = static_cast<int64_t>(local_images.size() + local_pairs.size());
    const int64_t size = recipe.model.image_size;
    TrainBatch b;
    b.step = step;
    b.n_image_text = static_cast<int64_t>(local_images.size());
    b.images = torch::empty({b.n_image_text, size, size, 3}, torch::kUInt8);
    b.text_a = text_tensor(n - b.n_image_text);
    b.texts = text_tensor(n);
    b.mask = torch::ones({n}, torch::kBool);
    // Per row: its image did not decode. char, not vector<bool>: workers write rows concurrently.
    std::vector<char> failed(static_cast<size_t>(n), 0);
    const auto prepare = [&](int64_t i) {
      if (i < b.n_image_text) {
        const auto& ex = local_images[static_cast<size_t>(i)];
        const uint64_t seed = mix(mix(recipe.seed ^ mix(static_cast<uint64_t>(step))) + static_cast<uint64_t>(first_row + i));
        try {
          to_tensor_row(prepare_image(ex, recipe, seed), b.images, i);
        } catch (const Error&) {
          failed[static_cast<size_t>(i)] = 1;
          b.images[i].zero_();
        }
        put_text(ex.caption, b.texts, i);
      } else {
        const auto& ex = local_pairs[static_cast<size_t>(i - b.n_image_text)];
        put_text(ex.text_a, b.text_a, i - b.n_image_text);
        put_text(ex.text_b, b.texts, i);
      }
    };
    std::vector<std::thread> threads;
    for (int w = 0; w < n_workers; ++w) {
      threads.emplace_back([&, w] {
        for (int64_t i = w; i < n; i += n_workers) prepare(i);
      });
    }
    for (auto& t : threads) t.join();
    std::lock_guard<std::mutex> lock(mu);
    counts.n_examples += static_cast<size_t>(n);
    for (int64_t i = 0; i < n; ++i) {
      if (!failed[static_cast<size_t>(i)]) continue;
      b.mask[i] = false;
      ++counts.n_decode_failures;
    }
    counts.n_skipped_records = (images ? images->skipped() : 0) + (pairs ? pairs->skipped() : 0);
    return b;
  }

  void skip_steps(int64_t steps) {
    for (int64_t s = 0; s < steps; ++s) {
      for (int64_t i = 0; i < composition.image_text; ++i) {
        datasets::ImageTextExample ex;
        images->next(ex);
      }
      for (int64_t i = 0; i < composition.text_pairs; ++i) {
        datasets::TextPairExample ex;
        pairs->next(ex);
      }
    }
  }

  void run(int64_t start_step) {
    try {
      skip_steps(start_step);
      for (int64_t step = start_step;; ++step) {
        {
          std::unique_lock<std::mutex> lock(mu);
          cv.wait(lock, [&] { return stopping || ready.size() < kQueueDepth; });
          if (stopping) return;
        }
        TrainBatch b = build(step);
        std::lock_guard<std::mutex> lock(mu);
        ready.push_back(std::move(b));
        cv.notify_all();
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu);
      failure = std::current_exception();
      cv.notify_all();
    }
  }
};

BatchPipeline::BatchPipeline(const TrainRecipe& recipe, const render::TextRenderer& renderer,
                             const tokenizer_baselines::SentencePieceTokenizer* tokenizer, int rank, int world_size,
                             int64_t start_step)
    : impl_(std::make_unique<Impl>(recipe, renderer, tokenizer, rank, world_size)) {
  CLIPPO_CHECK(recipe.batch_size % world_size == 0, kInvalidArgument,
               "batch_size " + std::to_string(recipe.batch_size) + " does not split over " +
                   std::to_string(world_size) + " processes");
  impl_->producer = std::thread([this, start_step] { impl_->run(start_step); });
}

BatchPipeline::~BatchPipeline() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  if (impl_->producer.joinable()) impl_->producer.join();
}

TrainBatch BatchPipeline::next() {
  std::unique_lock<std::mutex> lock(impl_->mu);
  impl_->cv.wait(lock, [&] { return !impl_->ready.empty() || impl_->failure; });
  if (impl_->ready.empty()) std::rethrow_exception(impl_->failure);
  TrainBatch b = std::move(impl_->ready.front());
  impl_->ready.pop_front();
  impl_->cv.notify_all();
  return b;
}

PipelineCounts BatchPipeline::counts() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->counts;
}

}  // namespace clippo::train

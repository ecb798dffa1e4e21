#include "api/engine/query_batcher.h"

#include "core/base/error.h"

namespace clippo::engine {

QueryBatcher::QueryBatcher(const Encoder& encoder, int max_batch, int window_us)
    : encoder_(encoder), max_batch_(static_cast<size_t>(std::max(1, max_batch))), window_(std::max(0, window_us)) {
  worker_ = std::thread([this] { run(); });
}

QueryBatcher::~QueryBatcher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

std::vector<float> QueryBatcher::embed(ImageU8 pixels) {
  std::future<std::vector<float>> result;
  {
    std::lock_guard lock(mutex_);
    CLIPPO_CHECK(!stopping_, kUnavailable, "the encoder is shutting down");
    queue_.push_back(Pending{std::move(pixels), {}});
    result = queue_.back().result.get_future();
  }
  wake_.notify_one();
  return result.get();
}

void QueryBatcher::run() {
  for (;;) {
    std::vector<Pending> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      // Give concurrent requests a moment to join, unless the batch is already full.
      const auto deadline = std::chrono::steady_clock::now() + window_;
      wake_.wait_until(lock, deadline, [&] { return stopping_ || queue_.size() >= max_batch_; });
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      ++batches_;
      items_ += batch.size();
    }
    std::vector<const ImageU8*> ptrs;
    for (const Pending& p : batch) ptrs.push_back(&p.pixels);
    try {
      const std::vector<float> z = encoder_.encode_pixels(ptrs);
      const size_t d = static_cast<size_t>(encoder_.dim());
      for (size_t i = 0; i < batch.size(); ++i) {
        batch[i].result.set_value(std::vector<float>(z.begin() + static_cast<ptrdiff_t>(i * d),
                                                     z.begin() + static_cast<ptrdiff_t>((i + 1) * d)));
      }
    } catch (...) {
      for (Pending& p : batch) p.result.set_exception(std::current_exception());
    }
  }
}

uint64_t QueryBatcher::batches() const {
  std::lock_guard lock(mutex_);
  return batches_;
}

uint64_t QueryBatcher::items() const {
  std::lock_guard lock(mutex_);
  return items_;
}

}  // namespace clippo::engine

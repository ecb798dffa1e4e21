// The part every stream shares, whatever its format: a worker's share of the source, a shuffle
// buffer, and epochs. Internal to datasets/ (source_spec.h is the public face).
//
// A format provides a SourceReader, which yields examples in source order and counts what it
// skips; the pipeline re-opens it for each epoch through a factory.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <utility>
#include <vector>

#include "core/base/error.h"
#include "core/base/hashing.h"
#include "datasets/examples.h"
#include "datasets/source_spec.h"

namespace clippo::datasets {

template <class Example>
class SourceReader {
 public:
  virtual ~SourceReader() = default;
  // The next example in source order; false at the end. Skipped records go to `counts`.
  virtual bool next(Example& out, ReadCounts& counts) = 0;
};

// A uniform draw from [0, n), n > 0, by rejection: unbiased, and the same on every platform
// (std::uniform_int_distribution's algorithm is implementation-defined).
inline uint64_t uniform_below(std::mt19937_64& rng, uint64_t n) {
  const uint64_t threshold = (0 - n) % n;  // 2^64 mod n: the low values that would bias the draw
  for (;;) {
    const uint64_t r = rng();
    if (r >= threshold) return r % n;
  }
}

// The seed of one epoch: splitmix64 of the run's seed and the epoch, so neighbouring seeds and
// epochs give unrelated orders.
inline uint64_t epoch_seed(uint64_t seed, uint64_t epoch) {
  return splitmix64_mix(seed + kSplitmix64Increment * (epoch + 1));
}

// Fisher-Yates with uniform_below, for reproducible orders of small lists (shard files).
template <class T>
void shuffle_in_place(std::vector<T>& items, std::mt19937_64& rng) {
  for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[uniform_below(rng, i)]);
}

inline void check_stream_options(const StreamOptions& o) {
  CLIPPO_CHECK(o.shard_count >= 1, kInvalidArgument, "stream options: shard_count must be at least 1");
  CLIPPO_CHECK(o.shard_index < o.shard_count, kInvalidArgument,
               "stream options: shard_index " + std::to_string(o.shard_index) + " is not below shard_count " +
                   std::to_string(o.shard_count));
}

template <class Example>
class PipelineStream final : public ExampleStream<Example> {
 public:
  // Opens the source for epoch e. The factory does its own sharding when `shard_by_example` is
  // false (webdataset by file); otherwise the pipeline keeps index i mod shard_count.
  using Factory = std::function<std::unique_ptr<SourceReader<Example>>(uint64_t epoch)>;

  PipelineStream(Factory open, const StreamOptions& options, bool shard_by_example, std::string source_name)
      : open_(std::move(open)),
        o_(options),
        shard_by_example_(shard_by_example),
        name_(std::move(source_name)) {
    start_epoch(0);
  }

  bool next(Example& out) override {
    for (;;) {
      if (next_in_epoch(out)) {
        ++yielded_in_epoch_;
        ++counts_.n_examples;
        return true;
      }
      if (!o_.repeat) return false;
      CLIPPO_CHECK(yielded_in_epoch_ > 0, kFailedPrecondition,
                   name_ + ": an epoch gave no usable example (" + std::to_string(counts_.n_skipped) +
                       " records skipped" +
                       (counts_.skip_reasons.empty() ? "" : ", first: " + counts_.skip_reasons.front()) +
                       ")");
      start_epoch(epoch_ + 1);
    }
  }

  const ReadCounts& counts() const override { return counts_; }

 private:
  void start_epoch(uint64_t epoch) {
    epoch_ = epoch;
    rng_.seed(epoch_seed(o_.seed, epoch));
    source_ = open_(epoch);
    source_index_ = 0;
    yielded_in_epoch_ = 0;
    source_done_ = false;
    buffer_.clear();
  }

  // The next example of this worker's share, in source order.
  bool read_own(Example& out) {
    while (!source_done_) {
      if (!source_->next(out, counts_)) {
        source_done_ = true;
        break;
      }
      const size_t index = source_index_++;
      if (!shard_by_example_ || index % o_.shard_count == o_.shard_index) return true;
    }
    return false;
  }

  // Without a buffer, source order. With one: fill it, hand out a uniformly drawn slot and refill
  // that slot from the source; at the end drain the rest in random order.
  bool next_in_epoch(Example& out) {
    if (o_.shuffle_buffer == 0) return read_own(out);
    while (buffer_.size() < o_.shuffle_buffer) {
      Example e;
      if (!read_own(e)) break;
      buffer_.push_back(std::move(e));
    }
    if (buffer_.empty()) return false;
    const size_t slot = uniform_below(rng_, buffer_.size());
    out = std::move(buffer_[slot]);
    if (!read_own(buffer_[slot])) {
      if (slot + 1 != buffer_.size()) buffer_[slot] = std::move(buffer_.back());
      buffer_.pop_back();
    }
    return true;
  }

  Factory open_;
  StreamOptions o_;
  bool shard_by_example_;
  std::string name_;
  std::unique_ptr<SourceReader<Example>> source_;
  std::mt19937_64 rng_;
  uint64_t epoch_ = 0;
  size_t source_index_ = 0;
  size_t yielded_in_epoch_ = 0;
  bool source_done_ = false;
  std::vector<Example> buffer_;
  ReadCounts counts_;
};

}  // namespace clippo::datasets

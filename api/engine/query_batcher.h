// Turns concurrent embedding requests into batched encoder calls on one worker thread, so the
// server's I/O threads never run the model and a burst of queries costs one forward pass.
//
// A request waits at most `window_us` for others to join it, and a batch holds at most
// `max_batch` images; under no load a query pays only the window.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "api/engine/encoder.h"

namespace clippo::engine {

class QueryBatcher {
 public:
  QueryBatcher(const Encoder& encoder, int max_batch = 32, int window_us = 2000);
  ~QueryBatcher();  // finishes queued requests, then joins the worker
  QueryBatcher(const QueryBatcher&) = delete;
  QueryBatcher& operator=(const QueryBatcher&) = delete;

  // Embeds one model-ready image; blocks until its batch ran. Thread-safe. Rethrows the
  // encoder's error to every request of a failed batch.
  std::vector<float> embed(ImageU8 pixels);

  uint64_t batches() const;
  uint64_t items() const;

 private:
  struct Pending {
    ImageU8 pixels;
    std::promise<std::vector<float>> result;
  };
  void run();

  const Encoder& encoder_;
  const size_t max_batch_;
  const std::chrono::microseconds window_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  uint64_t batches_ = 0, items_ = 0;
  std::thread worker_;
};

}  // namespace clippo::engine

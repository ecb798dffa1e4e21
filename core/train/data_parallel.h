// Data-parallel training over torch's own c10d process groups (README, Training): Gloo between
// processes on CPUs. Every process computes the contrastive loss over the global batch from
// all-gathered embeddings in which only its own slice carries gradients; summing the parameter
// gradients over processes then gives exactly the gradient of the global-batch loss, as one
// process with the whole batch would compute it (up to float summation order).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace clippo::train {

struct DataParallelOptions {
  int rank = 0;
  int world_size = 1;
  // Where processes meet: "file:PATH" (a shared file, e.g. on one host) or "tcp:HOST:PORT"
  // (rank 0 listens). torchrun's variables RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT also work.
  std::string rendezvous;
};

// Fills options from torchrun's environment variables where the options leave them unset.
DataParallelOptions data_parallel_from_environment(DataParallelOptions options);

class DataParallel {
 public:
  // world_size 1 needs no rendezvous and makes no process group.
  explicit DataParallel(const DataParallelOptions& options);
  ~DataParallel();

  int rank() const { return rank_; }
  int world_size() const { return world_size_; }

  // Concatenates every process's `local` (same shape on all) along dim 0, in rank order; the
  // rows of this process are `local` itself, so gradients flow back into it.
  torch::Tensor all_gather_rows(const torch::Tensor& local);

  // Sums each tensor over processes, in place (one flattened buffer per dtype).
  void all_reduce_sum(const std::vector<torch::Tensor>& tensors);
  void barrier();
  // True on every process when `local` is true on any: for a decision all of them must share.
  bool any(bool local);

 private:
  struct Group;
  int rank_ = 0, world_size_ = 1;
  std::unique_ptr<Group> group_;
};

}  // namespace clippo::train

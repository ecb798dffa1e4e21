#include "core/train/data_parallel.h"

#include <cstdlib>

#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "core/base/error.h"

namespace clippo::train {

struct DataParallel::Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg;
};

namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  try {
    return std::stoi(v);
  } catch (const std::exception&) {
    throw Error(ErrorCode::kInvalidArgument, std::string("environment variable ") + name + "='" + v + "' is not a number");
  }
}

c10::intrusive_ptr<c10d::Store> make_store(const DataParallelOptions& o) {
  const std::string& r = o.rendezvous;
  if (r.rfind("file:", 0) == 0) {
    return c10::make_intrusive<c10d::FileStore>(r.substr(5), o.world_size);
  }
  if (r.rfind("tcp:", 0) == 0) {
    const std::string hostport = r.substr(4);
    const size_t colon = hostport.rfind(':');
    if (colon == std::string::npos) throw Error(ErrorCode::kInvalidArgument, "rendezvous '" + r + "' lacks a :PORT");
    c10d::TCPStoreOptions opts;
    try {
      opts.port = static_cast<uint16_t>(std::stoi(hostport.substr(colon + 1)));
    } catch (const std::exception&) {
      throw Error(ErrorCode::kInvalidArgument, "rendezvous '" + r + "' has a bad port");
    }
    opts.isServer = o.rank == 0;
    opts.numWorkers = static_cast<size_t>(o.world_size);
    return c10::make_intrusive<c10d::TCPStore>(hostport.substr(0, colon), opts);
  }
  throw Error(ErrorCode::kInvalidArgument,
              "rendezvous '" + r + "' must be file:PATH or tcp:HOST:PORT (or set MASTER_ADDR and MASTER_PORT)");
}

}  // namespace

DataParallelOptions data_parallel_from_environment(DataParallelOptions o) {
  if (o.world_size <= 1) o.world_size = env_int("WORLD_SIZE", 1);
  if (o.rank == 0) o.rank = env_int("RANK", 0);
  const char* addr = std::getenv("MASTER_ADDR");
  const char* port = std::getenv("MASTER_PORT");
  if (o.rendezvous.empty() && addr != nullptr && port != nullptr) {
    o.rendezvous = std::string("tcp:") + addr + ":" + port;
  }
  return o;
}

DataParallel::DataParallel(const DataParallelOptions& o) : rank_(o.rank), world_size_(o.world_size) {
  if (world_size_ < 1 || rank_ < 0 || rank_ >= world_size_) {
    throw Error(ErrorCode::kInvalidArgument, "data parallel: rank " + std::to_string(rank_) + " is not in a world of " +
                                                 std::to_string(world_size_) + " processes");
  }
  if (world_size_ == 1) return;
  if (o.rendezvous.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "data parallel: " + std::to_string(world_size_) +
                                                 " processes need a rendezvous (file:PATH or tcp:HOST:PORT)");
  }
  group_ = std::make_unique<Group>();
  try {
    group_->store = make_store(o);
    auto options = c10d::ProcessGroupGloo::Options::create();
    options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    group_->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(group_->store, rank_, world_size_, options);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kUnavailable, std::string("data parallel: cannot form the process group: ") + e.what());
  }
}

DataParallel::~DataParallel() = default;

torch::Tensor DataParallel::all_gather_rows(const torch::Tensor& local) {
  if (world_size_ == 1) return local;
  torch::Tensor sent = local.detach().contiguous();
  std::vector<std::vector<torch::Tensor>> gathered(1);
  for (int r = 0; r < world_size_; ++r) gathered[0].push_back(torch::empty_like(sent));
  std::vector<torch::Tensor> inputs{sent};
  group_->pg->allgather(gathered, inputs)->wait();
  gathered[0][rank_] = local;  // this slice keeps its autograd history
  return torch::cat(gathered[0], 0);
}

void DataParallel::all_reduce_sum(const std::vector<torch::Tensor>& tensors) {
  if (world_size_ == 1 || tensors.empty()) return;
  // One flat float32 buffer on the CPU: one collective instead of one per parameter, and Gloo
  // needs no CUDA support of its own.
  std::vector<torch::Tensor> flat_parts;
  for (const auto& t : tensors) flat_parts.push_back(t.reshape({-1}).to(torch::kCPU, torch::kFloat32));
  std::vector<torch::Tensor> buffer{torch::cat(flat_parts)};
  group_->pg->allreduce(buffer)->wait();
  int64_t offset = 0;
  torch::NoGradGuard no_grad;
  for (const auto& t : tensors) {
    const int64_t n = t.numel();
    t.copy_(buffer[0].slice(0, offset, offset + n).view(t.sizes()));
    offset += n;
  }
}

void DataParallel::barrier() {
  if (world_size_ > 1) group_->pg->barrier()->wait();
}

}  // namespace clippo::train

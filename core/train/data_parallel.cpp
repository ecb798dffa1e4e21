#include "core/train/data_parallel.h"

#include <cstdlib>

// LibTorch's Gloo process group needs Gloo's own headers (Debian: libgloo-dev), which PyTorch's
// pip LibTorch does not ship. Without them the build still trains, in one process.
#if __has_include(<gloo/config.h>)
#define CLIPPO_HAVE_GLOO 1
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#else
#define CLIPPO_HAVE_GLOO 0
#endif

#include "core/base/error.h"

namespace clippo::train {

#if CLIPPO_HAVE_GLOO
struct DataParallel::Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg;
};
#else
struct DataParallel::Group {};
#endif

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

#if CLIPPO_HAVE_GLOO
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

#endif

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
#if !CLIPPO_HAVE_GLOO
  throw Error(ErrorCode::kFailedPrecondition,
              "data parallel: this build's LibTorch came without Gloo's headers, so it trains in one process only; "
              "build against a LibTorch with them (Debian: libtorch-dev and libgloo-dev) for several");
#else
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
#endif
}

DataParallel::~DataParallel() = default;

torch::Tensor DataParallel::all_gather_rows(const torch::Tensor& local) {
  if (world_size_ == 1) return local;
  torch::Tensor sent = local.detach().contiguous();
  std::vector<std::vector<torch::Tensor>> gathered(1);
  for (int r = 0; r < world_size_; ++r) gathered[0].push_back(torch::empty_like(sent));
  std::vector<torch::Tensor> inputs{sent};
#if CLIPPO_HAVE_GLOO  // else the constructor refused world_size > 1
  group_->pg->allgather(gathered, inputs)->wait();
#endif
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
#if CLIPPO_HAVE_GLOO  // else the constructor refused world_size > 1
  group_->pg->allreduce(buffer)->wait();
#endif
  int64_t offset = 0;
  torch::NoGradGuard no_grad;
  for (const auto& t : tensors) {
    const int64_t n = t.numel();
    t.copy_(buffer[0].slice(0, offset, offset + n).view(t.sizes()));
    offset += n;
  }
}

bool DataParallel::any(bool local) {
  if (world_size_ == 1) return local;
  auto flag = torch::full({1}, local ? 1.0f : 0.0f);
  all_reduce_sum({flag});
  return flag.item<float>() > 0.5f;
}

void DataParallel::barrier() {
#if CLIPPO_HAVE_GLOO
  if (world_size_ > 1) group_->pg->barrier()->wait();
#endif
}

}  // namespace clippo::train

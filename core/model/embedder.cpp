#include "core/model/embedder.h"

#include <malloc.h>

#include <cmath>
#include <mutex>

#include "core/base/error.h"
#include "core/model/clippo_model.h"
#include "core/model/model_file.h"
#include "core/model/torch_compat.h"
#include "core/model/torch_errors.h"

namespace clippo::model {

bool cuda_available() { return torch::cuda::is_available(); }

std::string torch_version() {
  return std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
         std::to_string(TORCH_VERSION_PATCH);
}

bool torch_built_with_cuda() {
#ifdef CLIPPO_TORCH_CUDA
  return true;
#else
  return false;
#endif
}

namespace {

// LibTorch's CPU allocator is plain malloc. With glibc's defaults every activation of a batch
// (tens of MB) is returned to the kernel when freed and page-faulted back on the next layer:
// Ti/16 at batch 32 ran at 14.6 images/s, 37.9 with freed memory kept (docs/BENCHMARKS.md).
// So a process that runs CPU inference keeps its freed heap; glibc caps the mmap threshold at
// 32 MB, larger buffers are still mapped per use.
void keep_freed_heap_for_reuse() {
  static std::once_flag once;
  std::call_once(once, [] {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
  });
}

}  // namespace

struct Embedder::Impl {
  ModelFile file;
  ClippoModel model{nullptr};
  torch::Device device{torch::kCPU};
  torch::ScalarType dtype = torch::kFloat32;
  int max_batch = 32;

  // Runs `count` inputs through the model max_batch at a time: make_batch(start, n) builds rows
  // [start, start + n) on the CPU, forward(tensor on the device) embeds them. count x dim floats.
  template <class MakeBatch, class Forward>
  std::vector<float> in_batches(size_t count, const MakeBatch& make_batch, const Forward& forward) const {
    const size_t d = static_cast<size_t>(file.config.embedding_dim());
    std::vector<float> out(count * d);
    c10::InferenceMode inference;
    for (size_t start = 0; start < count; start += static_cast<size_t>(max_batch)) {
      const size_t n = std::min(count - start, static_cast<size_t>(max_batch));
      with_torch_errors("embedding a batch of " + std::to_string(n) + " on " + device.str(), [&] {
        const torch::Tensor z = forward(make_batch(start, n).to(device)).to(torch::kCPU, torch::kFloat32).contiguous();
        std::memcpy(out.data() + start * d, z.data_ptr<float>(), n * d * sizeof(float));
      });
    }
    return out;
  }
};

Embedder::Embedder(const std::string& model_path, const EmbedderOptions& options) : impl_(std::make_unique<Impl>()) {
  CLIPPO_CHECK(options.max_batch >= 1 && options.max_batch <= 65536, kInvalidArgument, "max_batch must be in [1, 65536]");
  impl_->max_batch = options.max_batch;
  std::string device = options.device;
  if (device == "auto") device = cuda_available() ? "cuda" : "cpu";
  if (device.rfind("cuda", 0) == 0) {
    CLIPPO_CHECK(cuda_available(), kFailedPrecondition,
                 "device '" + device + "' asked for, but this LibTorch (" + torch_version() + ") sees no CUDA GPU");
  } else {
    CLIPPO_CHECK(device == "cpu", kInvalidArgument, "unknown device '" + device + "' (cpu, cuda, cuda:N, auto)");
  }
  impl_->device = torch::Device(device);
  const bool on_gpu = impl_->device.is_cuda();
  if (!on_gpu) keep_freed_heap_for_reuse();
  const std::string precision = options.precision == "auto" ? (on_gpu ? "bf16" : "fp32") : options.precision;
  if (precision == "fp32") {
    impl_->dtype = torch::kFloat32;
  } else if (precision == "bf16") {
    impl_->dtype = torch::kBFloat16;
  } else if (precision == "fp16") {
    CLIPPO_CHECK(on_gpu, kInvalidArgument, "fp16 inference needs a CUDA device");
    impl_->dtype = torch::kFloat16;
  } else {
    throw Error(ErrorCode::kInvalidArgument, "unknown precision '" + precision + "' (fp32, bf16, fp16, auto)");
  }
  impl_->file = read_model_file(model_path, options.image_size);
  impl_->model = with_torch_errors(
      "loading " + model_path, [&] { return ClippoModel(ClippoModelImpl::load(impl_->file)); },
      ErrorCode::kInvalidArgument);
  impl_->file.arrays.clear();  // the tensors hold the weights now
  with_torch_errors("moving " + model_path + " to " + device, [&] {
    impl_->model->eval();
    impl_->model->to(impl_->device, impl_->dtype);
    impl_->model->fuse_qkv();  // frozen weights: one GEMM for q, k, v
  });
}

Embedder::~Embedder() = default;

std::vector<float> Embedder::embed(const std::vector<ImageU8>& images) const {
  std::vector<const ImageU8*> views;
  views.reserve(images.size());
  for (const ImageU8& image : images) views.push_back(&image);
  return embed(views);
}

std::vector<float> Embedder::embed(const std::vector<const ImageU8*>& images) const {
  const int size = image_size();
  const auto make_batch = [&](size_t start, size_t n) {
    auto batch = torch::empty({static_cast<int64_t>(n), size, size, 3}, torch::kUInt8);
    uint8_t* dst = batch.data_ptr<uint8_t>();
    const size_t per_image = static_cast<size_t>(size) * size * 3;
    for (size_t i = 0; i < n; ++i) {
      const ImageU8* img = images[start + i];
      CLIPPO_CHECK(img != nullptr && img->height == size && img->width == size && img->channels == 3,
                   kInvalidArgument,
                   "the model reads " + std::to_string(size) + "x" + std::to_string(size) + "x3 images");
      std::memcpy(dst + i * per_image, img->data(), per_image);
    }
    return batch;
  };
  return impl_->in_batches(images.size(), make_batch, [&](const torch::Tensor& batch) {
    // big_vision value_range(-1, 1): x / 255 * 2 - 1, in float32 before any downcast.
    return impl_->model->embed(batch.to(torch::kFloat32).div_(255.0f).mul_(2.0f).sub_(1.0f).to(impl_->dtype));
  });
}

std::vector<float> Embedder::embed_tokens(const std::vector<std::vector<int32_t>>& ids) const {
  const TextInput& text = impl_->file.text;
  CLIPPO_CHECK(text.reads_tokens(), kFailedPrecondition,
               impl_->file.path + " is a CLIPPO model: it reads text rendered as pixels, not token ids");
  const auto make_batch = [&](size_t start, size_t n) {
    auto batch = torch::empty({static_cast<int64_t>(n), text.seq_len}, torch::kInt64);
    int64_t* dst = batch.data_ptr<int64_t>();
    for (size_t i = 0; i < n; ++i) {
      const auto& row = ids[start + i];
      CLIPPO_CHECK(row.size() == static_cast<size_t>(text.seq_len), kInvalidArgument,
                   "the model reads " + std::to_string(text.seq_len) + " token ids per text, got " +
                       std::to_string(row.size()));
      std::copy(row.begin(), row.end(), dst + i * text.seq_len);
    }
    return batch;
  };
  return impl_->in_batches(ids.size(), make_batch,
                           [&](const torch::Tensor& batch) { return impl_->model->embed_tokens(batch); });
}

bool Embedder::reads_tokens() const { return impl_->file.text.reads_tokens(); }
const TextInput& Embedder::text_input() const { return impl_->file.text; }

int Embedder::dim() const { return impl_->file.config.embedding_dim(); }
int Embedder::image_size() const { return impl_->file.config.image_size; }
const ViTConfig& Embedder::config() const { return impl_->file.config; }
const nlohmann::json& Embedder::meta() const { return impl_->file.meta; }
const std::string& Embedder::content_hash() const { return impl_->file.content_hash; }
const std::string& Embedder::path() const { return impl_->file.path; }
std::string Embedder::device() const { return impl_->device.str(); }
std::string Embedder::precision() const {
  return impl_->dtype == torch::kFloat32 ? "fp32" : impl_->dtype == torch::kBFloat16 ? "bf16" : "fp16";
}
float Embedder::temperature() const {
  return with_torch_errors("reading the temperature", [&] {
    return std::exp(impl_->model->log_temperature.to(torch::kCPU, torch::kFloat32).item<float>());
  });
}

}  // namespace clippo::model

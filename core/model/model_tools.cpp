#include "core/model/model_tools.h"

#include <filesystem>

#include "core/base/error.h"
#include "core/model/clippo_model.h"
#include "core/model/model_file.h"

namespace clippo::model {

void init_model_file(const std::string& out_path, const ViTConfig& config, const nlohmann::json& meta,
                     uint64_t seed, DType dtype) {
  torch::manual_seed(seed);
  ClippoModel model(config, meta);
  model->save(out_path, dtype);
}

void convert_model_file(const std::string& in_path, const std::string& out_path, const ConvertOptions& options) {
  std::error_code ec;
  CLIPPO_CHECK(!std::filesystem::equivalent(in_path, out_path, ec), kInvalidArgument,
               "refusing to overwrite the input model '" + in_path + "' in place");
  const ModelFile file = read_model_file(in_path, options.image_size);
  auto model = ClippoModelImpl::load(file);
  if (options.scan >= 0) {
    ViTConfig c = model->config();
    c.scan = options.scan == 1;
    // The layout is a property of how the file stores blocks, not of the network.
    auto relaid = std::make_shared<ClippoModelImpl>(c, model->meta);
    torch::NoGradGuard no_grad;
    for (const auto& name : model->vit->param_names()) relaid->vit->param(name).copy_(model->vit->param(name));
    relaid->log_temperature.copy_(model->log_temperature);
    model = relaid;
  }
  if (options.meta_patch) {
    const nlohmann::json patch = options.meta_patch(file);
    CLIPPO_CHECK(patch.is_object(), kInvalidArgument, "metadata to merge must be a JSON object");
    if (!model->meta.is_object()) model->meta = nlohmann::json::object();
    model->meta.merge_patch(patch);
  }
  model->save(out_path, options.dtype);
}

}  // namespace clippo::model

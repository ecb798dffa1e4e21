#include "core/model/model_tools.h"

#include <filesystem>

#include "core/base/error.h"
#include "core/model/clippo_model.h"
#include "core/model/model_file.h"

namespace clippo::model {

void init_model_file(const std::string& out_path, const ViTConfig& config, const nlohmann::json& meta,
                     uint64_t seed, DType dtype, const TextInput& text) {
  torch::manual_seed(seed);
  ClippoModel model(config, meta, 10.0, text);
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
    TextInput text = model->text_input;
    if (text.kind == ModelKind::kTwoTowers) text.tower.scan = c.scan;  // both towers store blocks alike
    // The layout is a property of how the file stores blocks, not of the network.
    auto relaid = std::make_shared<ClippoModelImpl>(c, model->meta, 10.0, text);
    torch::NoGradGuard no_grad;
    const auto from = model->named_tensors();
    const auto to = relaid->named_tensors();
    for (size_t i = 0; i < to.size(); ++i) to[i].second.copy_(from[i].second);
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

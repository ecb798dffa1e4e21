#include "core/model/clippo_model.h"

#include <cmath>
#include <map>

#include "core/base/error.h"

namespace clippo::model {

ClippoModelImpl::ClippoModelImpl(const ViTConfig& config, nlohmann::json meta_json, double temperature_init)
    : meta(std::move(meta_json)) {
  vit = register_module("img", ViT(config));
  log_temperature = register_parameter("t", torch::full({1}, std::log(temperature_init)));
}

std::shared_ptr<ClippoModelImpl> ClippoModelImpl::load(const std::string& path) { return load(read_model_file(path)); }

std::shared_ptr<ClippoModelImpl> ClippoModelImpl::load(const ModelFile& file) {
  torch::NoGradGuard no_grad;
  auto model = std::make_shared<ClippoModelImpl>(file.config, file.meta);
  for (const auto& [name, shape] : expected_param_shapes(file.config)) {
    int block = -1;
    const std::string stored = file.prefix + (file.config.scan ? scanned_name(name, &block) : name);
    std::vector<float> values = file.arrays.at(stored).to_float32();
    auto all = torch::from_blob(values.data(), {static_cast<int64_t>(values.size())}, torch::kFloat32);
    torch::Tensor value;
    if (block >= 0) {  // stacked layout: this block's slice of the leading depth axis
      const int64_t per_block = static_cast<int64_t>(values.size()) / file.config.depth;
      value = all.slice(0, block * per_block, (block + 1) * per_block);
    } else {
      value = all;
    }
    model->vit->param(name).copy_(value.view(shape));
  }
  if (!file.temperature_key.empty()) {
    model->log_temperature.fill_(file.arrays.at(file.temperature_key).to_float32()[0]);
  }
  return model;
}

torch::Tensor ClippoModelImpl::embed(const torch::Tensor& images) {
  auto z = vit->forward(images).to(torch::kFloat32);
  return z / (z.norm(2, {1}, /*keepdim=*/true) + 1e-8);
}

void ClippoModelImpl::save(const std::string& path, DType dtype) {
  torch::NoGradGuard no_grad;
  std::map<std::string, std::vector<float>> params;
  for (const std::string& name : vit->param_names()) {
    auto t = vit->param(name).detach().to(torch::kCPU, torch::kFloat32).contiguous();
    params[name].assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
  }
  nlohmann::json m = meta.is_object() ? meta : nlohmann::json::object();
  m["format"] = "clippo-model-1";
  m["vit"] = to_json(config());
  m["image_size"] = config().image_size;
  write_model_file(path, config(), params, log_temperature.item<float>(), m, dtype);
}

}  // namespace clippo::model

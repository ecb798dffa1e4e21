#include "core/model/clippo_model.h"

#include <cmath>
#include <map>

#include "core/base/error.h"

namespace clippo::model {

ClippoModelImpl::ClippoModelImpl(const ViTConfig& config, nlohmann::json meta_json, double temperature_init,
                                 const TextInput& text)
    : meta(std::move(meta_json)), text_input(text) {
  vit = register_module("img", ViT(config));
  log_temperature = register_parameter("t", torch::full({1}, std::log(temperature_init)));
  if (!text.reads_tokens()) return;
  CLIPPO_CHECK(text.vocab_size > 0 && text.seq_len > 0, kInvalidArgument,
               "a token model needs a vocabulary and a sequence length");
  const int64_t width = text.kind == ModelKind::kTwoTowers ? text.tower.width : config.width;
  // flax nn.Embed's default: variance_scaling(1, fan_in, normal) over the feature axis.
  token_embedding_ = register_parameter("txt_embedding", torch::randn({text.vocab_size, width}) / std::sqrt(double(width)));
  if (text.kind == ModelKind::kOneTowerTokens) {
    text_pos_embedding_ =
        register_parameter("txt_pos_embedding", torch::randn({1, text.seq_len, width}) / std::sqrt(double(width)));
  } else {
    CLIPPO_CHECK(text.tower.seq_len == text.seq_len, kInvalidArgument, "the text tower's seq_len must match the input's");
    CLIPPO_CHECK(text.tower.embedding_dim() == config.embedding_dim(), kInvalidArgument,
                 "the text tower must embed into the image tower's " + std::to_string(config.embedding_dim()) + " dims");
    text_tower_ = register_module("txt", ViT(text.tower));
  }
}

torch::Tensor ClippoModelImpl::text_param(const std::string& name) const {
  if (name == "Embed_0/embedding") return token_embedding_;
  if (text_input.kind == ModelKind::kOneTowerTokens) {
    CLIPPO_CHECK(name == "pos_embedding", kNotFound, "the 1t-clip text side has no parameter '" + name + "'");
    return text_pos_embedding_;
  }
  return text_tower_->param(name);
}

std::vector<std::pair<std::string, torch::Tensor>> ClippoModelImpl::named_tensors() const {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const std::string& name : vit->param_names()) out.emplace_back("img/" + name, vit->param(name));
  for (const auto& [name, shape] : expected_text_param_shapes(text_input, config().width)) {
    out.emplace_back("txt/" + name, text_param(name));
  }
  out.emplace_back("t", log_temperature);
  return out;
}

namespace {

// Copies one tower's stored arrays (per-block names relative to `prefix`) into `param(name)`.
template <class Param>
void copy_tower(const ModelFile& file, const std::string& prefix,
                const std::vector<std::pair<std::string, std::vector<int64_t>>>& expected, bool scan, int depth,
                const Param& param) {
  for (const auto& [name, shape] : expected) {
    int block = -1;
    const std::string stored = prefix + (scan ? scanned_name(name, &block) : name);
    std::vector<float> values = file.arrays.at(stored).to_float32();
    auto all = torch::from_blob(values.data(), {static_cast<int64_t>(values.size())}, torch::kFloat32);
    torch::Tensor value;
    if (block >= 0) {  // stacked layout: this block's slice of the leading depth axis
      const int64_t per_block = static_cast<int64_t>(values.size()) / depth;
      value = all.slice(0, block * per_block, (block + 1) * per_block);
    } else {
      value = all;
    }
    param(name).copy_(value.view(shape));
  }
}

}  // namespace

std::shared_ptr<ClippoModelImpl> ClippoModelImpl::load(const std::string& path) { return load(read_model_file(path)); }

std::shared_ptr<ClippoModelImpl> ClippoModelImpl::load(const ModelFile& file) {
  torch::NoGradGuard no_grad;
  auto model = std::make_shared<ClippoModelImpl>(file.config, file.meta, 10.0, file.text);
  copy_tower(file, file.prefix, expected_param_shapes(file.config), file.config.scan, file.config.depth,
             [&](const std::string& name) { return model->vit->param(name); });
  if (file.text.reads_tokens()) {
    copy_tower(file, file.text_prefix, expected_text_param_shapes(file.text, file.config.width), file.text.tower.scan,
               file.text.tower.depth, [&](const std::string& name) { return model->text_param(name); });
  }
  if (!file.temperature_key.empty()) {
    model->log_temperature.fill_(file.arrays.at(file.temperature_key).to_float32()[0]);
  }
  return model;
}

namespace {
torch::Tensor unit_norm(const torch::Tensor& z) {
  const auto z32 = z.to(torch::kFloat32);
  return z32 / (z32.norm(2, {1}, /*keepdim=*/true) + 1e-8);
}
}  // namespace

torch::Tensor ClippoModelImpl::embed(const torch::Tensor& images) { return unit_norm(vit->forward(images)); }

torch::Tensor ClippoModelImpl::embed_tokens(const torch::Tensor& ids) {
  CLIPPO_CHECK(text_input.reads_tokens(), kFailedPrecondition, "a CLIPPO model reads rendered text, not token ids");
  CLIPPO_CHECK(ids.dim() == 2 && ids.size(1) == text_input.seq_len, kInvalidArgument,
               "the model reads (N, " + std::to_string(text_input.seq_len) + ") token ids");
  // Out-of-range ids would index past the table: refuse them instead of reading garbage.
  if (ids.numel() > 0) {
    const auto lo = ids.min().item<int64_t>(), hi = ids.max().item<int64_t>();
    CLIPPO_CHECK(lo >= 0 && hi < text_input.vocab_size, kInvalidArgument,
                 "token id " + std::to_string(lo < 0 ? lo : hi) + " outside the vocabulary of " +
                     std::to_string(text_input.vocab_size));
  }
  auto x = torch::embedding(token_embedding_, ids.to(token_embedding_.device(), torch::kInt64));
  if (text_input.kind == ModelKind::kOneTowerTokens) {
    return unit_norm(vit->encode(x + text_pos_embedding_.to(x.scalar_type())));
  }
  return unit_norm(text_tower_->forward_embedded(x));
}

void ClippoModelImpl::fuse_qkv() {
  vit->fuse_qkv();
  if (text_tower_) text_tower_->fuse_qkv();
}

void ClippoModelImpl::save(const std::string& path, DType dtype) {
  torch::NoGradGuard no_grad;
  const auto values = [](const torch::Tensor& t) {
    auto cpu = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    return std::vector<float>(cpu.data_ptr<float>(), cpu.data_ptr<float>() + cpu.numel());
  };
  std::map<std::string, std::vector<float>> params, text_params;
  for (const std::string& name : vit->param_names()) params[name] = values(vit->param(name));
  for (const auto& [name, shape] : expected_text_param_shapes(text_input, config().width)) {
    text_params[name] = values(text_param(name));
  }
  nlohmann::json m = meta.is_object() ? meta : nlohmann::json::object();
  m["format"] = "clippo-model-1";
  m["vit"] = to_json(config());
  m["image_size"] = config().image_size;
  if (text_input.reads_tokens()) m["text"] = to_json(text_input);
  write_model_file(path, config(), params, log_temperature.item<float>(), m, dtype, text_input, text_params);
}

}  // namespace clippo::model

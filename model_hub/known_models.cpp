#include "model_hub/known_models.h"

#include <cstdlib>

namespace clippo::model_hub {

const std::vector<KnownModel>& known_models() {
  static const std::vector<KnownModel> models = {
      {"clippo_b16_yfcc100m", "B/16", "YFCC-100M image/alt-text pairs"},
      {"clippo_b16_yfcc100m_i21k_init", "B/16", "YFCC-100M, initialised from ImageNet-21k"},
      {"clippo_b16_yfcc100m_i21k_init_25c4", "B/16", "YFCC-100M + 25% C4 text pairs, ImageNet-21k init"},
      {"clippo_b16_yfcc100m_i21k_init_50c4", "B/16", "YFCC-100M + 50% C4 text pairs, ImageNet-21k init"},
      {"clippo_b16_yfcc100m_i21k_init_75c4", "B/16", "YFCC-100M + 75% C4 text pairs, ImageNet-21k init"},
      {"clippo_b16_100c4", "B/16", "C4 text pairs only"},
  };
  return models;
}

const KnownModel* find_known_model(const std::string& name) {
  for (const KnownModel& m : known_models()) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

std::string known_models_base_url() {
  const char* base = std::getenv("CLIPPO_MODEL_BASE_URL");
  std::string url = base != nullptr && *base != '\0' ? base : "https://storage.googleapis.com/big_vision/clippo";
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

std::string known_model_url(const KnownModel& model) { return known_models_base_url() + "/" + model.name + ".npz"; }

}  // namespace clippo::model_hub

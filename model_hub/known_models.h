// The published CLIPPO checkpoints clippo knows by name: the six ViT-B/16 models of the paper,
// released by big_vision in its public bucket. `clippo model fetch NAME` and every `--model NAME`
// resolve them (model_fetch.h).
#pragma once

#include <string>
#include <vector>

namespace clippo::model_hub {

struct KnownModel {
  std::string name;         // big_vision's name, e.g. "clippo_b16_yfcc100m"
  std::string variant;      // the architecture the file must load as ("B/16")
  std::string description;  // training data, one line
};

const std::vector<KnownModel>& known_models();
const KnownModel* find_known_model(const std::string& name);  // nullptr when unknown

// Where the named files live: $CLIPPO_MODEL_BASE_URL when set (a mirror, or a local server in
// tests), else big_vision's bucket over HTTPS.
std::string known_models_base_url();
std::string known_model_url(const KnownModel& model);

}  // namespace clippo::model_hub

// SourceSpec from and to JSON, and its validation: a recipe with a typo fails when it is read,
// naming the key, not hours into a run.
#include "datasets/source_spec.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "core/base/error.h"

namespace clippo::datasets {
namespace {

constexpr std::array<const char*, 5> kFormats = {"xm3600", "karpathy", "webdataset", "tsv", "text_pairs_tsv"};
constexpr std::array<const char*, 4> kKarpathySplits = {"train", "val", "test", "restval"};

template <size_t N>
bool is_one_of(const std::string& value, const std::array<const char*, N>& options) {
  return std::find(options.begin(), options.end(), value) != options.end();
}

[[noreturn]] void bad_key(const std::string& key, const std::string& why) {
  throw Error(ErrorCode::kInvalidArgument, "source spec: '" + key + "' " + why);
}

std::string string_field(const nlohmann::json& j, const std::string& key) {
  if (!j.at(key).is_string()) bad_key(key, "must be a string, got " + j.at(key).dump());
  return j.at(key).get<std::string>();
}

std::vector<std::string> string_list_field(const nlohmann::json& j, const std::string& key) {
  const nlohmann::json& v = j.at(key);
  if (!v.is_array()) bad_key(key, "must be a list of strings, got " + v.dump());
  std::vector<std::string> out;
  for (const nlohmann::json& item : v) {
    if (!item.is_string()) bad_key(key, "must be a list of strings, has " + item.dump());
    out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace

void validate_source_spec(const SourceSpec& s) {
  if (!is_one_of(s.format, kFormats)) {
    bad_key("format", "'" + s.format + "' is not one of xm3600, karpathy, webdataset, tsv, text_pairs_tsv");
  }
  if (s.paths.empty()) bad_key("paths", "must name at least one file or folder");
  for (const std::string& p : s.paths) {
    if (p.empty()) bad_key("paths", "has an empty path");
  }
  const bool per_image_format = s.format == "xm3600" || s.format == "karpathy";
  if (per_image_format && s.paths.size() != 1) {
    bad_key("paths", "must hold exactly one path for format " + s.format);
  }
  if (!s.image_root.empty() && s.format != "karpathy" && s.format != "tsv") {
    bad_key("image_root", "applies to formats karpathy and tsv only");
  }
  if (!s.split.empty() && !per_image_format) bad_key("split", "applies to formats xm3600 and karpathy only");
  if (s.format == "karpathy" && !s.split.empty() && !is_one_of(s.split, kKarpathySplits)) {
    bad_key("split", "'" + s.split + "' is not one of train, val, test, restval");
  }
  if (s.first_caption_only && !per_image_format) {
    bad_key("first_caption_only", "applies to formats xm3600 and karpathy only");
  }
}

bool SourceSpec::keeps_language(const std::string& language) const {
  return languages.empty() || std::find(languages.begin(), languages.end(), language) != languages.end();
}

SourceSpec source_spec_from_json(const nlohmann::json& j) {
  CLIPPO_CHECK(j.is_object(), kInvalidArgument, "source spec: must be a JSON object, got " + j.dump());
  for (const auto& [key, value] : j.items()) {
    static const std::array<const char*, 6> kKeys = {"format", "paths",     "image_root",
                                                     "split",  "languages", "first_caption_only"};
    if (!is_one_of(key, kKeys)) bad_key(key, "is not a source spec key");
  }
  if (!j.contains("format")) bad_key("format", "is missing");
  if (!j.contains("paths")) bad_key("paths", "is missing");
  SourceSpec s;
  s.format = string_field(j, "format");
  s.paths = string_list_field(j, "paths");
  if (j.contains("image_root")) s.image_root = string_field(j, "image_root");
  if (j.contains("split")) s.split = string_field(j, "split");
  if (j.contains("languages")) s.languages = string_list_field(j, "languages");
  if (j.contains("first_caption_only")) {
    if (!j.at("first_caption_only").is_boolean()) {
      bad_key("first_caption_only", "must be true or false, got " + j.at("first_caption_only").dump());
    }
    s.first_caption_only = j.at("first_caption_only").get<bool>();
  }
  validate_source_spec(s);
  return s;
}

nlohmann::json to_json(const SourceSpec& s) {
  nlohmann::json j = {{"format", s.format}, {"paths", s.paths}};
  if (!s.image_root.empty()) j["image_root"] = s.image_root;
  if (!s.split.empty()) j["split"] = s.split;
  if (!s.languages.empty()) j["languages"] = s.languages;
  if (s.first_caption_only) j["first_caption_only"] = true;
  return j;
}

}  // namespace clippo::datasets

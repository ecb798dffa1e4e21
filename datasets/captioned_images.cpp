// Crossmodal-3600 folders are read line by line (captions.jsonl can be large); a Karpathy JSON is
// one document and is parsed whole, without its token lists, which are most of its bytes.
#include "datasets/captioned_images.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "datasets/path_checks.h"

namespace clippo::datasets {
namespace {

namespace fs = std::filesystem;

// Keeps the non-empty strings of `list` (a JSON array, checked by the caller), at most one when
// first_caption_only; an empty or non-string entry is a skipped record.
std::vector<std::string> usable_captions(const nlohmann::json& list, const SourceSpec& spec,
                                         const std::string& where, ReadCounts& counts) {
  std::vector<std::string> out;
  for (const nlohmann::json& c : list) {
    if (!c.is_string() || c.get_ref<const std::string&>().empty()) {
      counts.add_skip(where + ": unusable caption " + c.dump());
      continue;
    }
    out.push_back(c.get<std::string>());
    if (spec.first_caption_only) break;
  }
  return out;
}

// The keys of one split of split.json.
std::set<std::string> read_split_keys(const fs::path& dir, const std::string& split) {
  const fs::path path = dir / "split.json";
  CLIPPO_CHECK(is_file(path), kNotFound,
               "split '" + split + "' asked but '" + path.string() + "' does not exist");
  const nlohmann::json j = nlohmann::json::parse(read_file(path.string()), nullptr, false);
  CLIPPO_CHECK(j.is_object(), kInvalidArgument, "'" + path.string() + "' is not a JSON object");
  CLIPPO_CHECK(j.contains(split) && j.at(split).is_array(), kInvalidArgument,
               "'" + path.string() + "' has no list '" + split + "'");
  std::set<std::string> keys;
  for (const nlohmann::json& k : j.at(split)) {
    CLIPPO_CHECK(k.is_string(), kInvalidArgument,
                 "'" + path.string() + "': split '" + split + "' holds a non-string " + k.dump());
    keys.insert(k.get<std::string>());
  }
  return keys;
}

class Xm3600Reader final : public CaptionedImageReader {
 public:
  explicit Xm3600Reader(const SourceSpec& spec) : spec_(spec), dir_(spec.paths.front()) {
    CLIPPO_CHECK(fs::is_directory(dir_), kNotFound, "no such dataset folder: '" + dir_.string() + "'");
    captions_path_ = (dir_ / "captions.jsonl").string();
    CLIPPO_CHECK(is_file(captions_path_), kNotFound,
                 "dataset folder '" + dir_.string() + "' has no captions.jsonl (incomplete download?)");
    if (!spec.split.empty()) split_keys_ = read_split_keys(dir_, spec.split);
    in_.open(captions_path_, std::ios::binary);
    CLIPPO_CHECK(in_.good(), kUnavailable, "cannot open '" + captions_path_ + "'");
  }

  bool next(CaptionedImage& out, ReadCounts& counts) override {
    std::string line;
    while (std::getline(in_, line)) {
      ++line_no_;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      if (parse_line(line, out, counts)) return true;
    }
    return false;
  }

 private:
  bool parse_line(const std::string& line, CaptionedImage& out, ReadCounts& counts) {
    const std::string where = captions_path_ + " line " + std::to_string(line_no_);
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("image/key") || !j["image/key"].is_string()) {
      counts.add_skip(where + ": not a JSON object with a string \"image/key\"");
      return false;
    }
    const std::string key = j["image/key"];
    // The key becomes a file name: one that could leave images/ is refused.
    if (key.empty() || key.find('/') != std::string::npos || key.find('\\') != std::string::npos ||
        key[0] == '.') {
      counts.add_skip(where + ": unusable image key '" + key + "'");
      return false;
    }
    if (!spec_.split.empty() && split_keys_.count(key) == 0) return false;
    out = CaptionedImage{key, find_image(key), "images/" + key + ".{jpg,jpeg,png,webp}", where, {}};
    for (const auto& [language, value] : j.items()) {  // nlohmann::json keeps keys sorted
      // Keys with a '/' ("image/key", and any "image/..." a variant adds) describe the image.
      if (language.find('/') != std::string::npos || !spec_.keeps_language(language)) continue;
      if (!value.is_object() || !value.contains("caption") || !value["caption"].is_array()) {
        counts.add_skip(where + ": '" + language + "' is not {\"caption\": [...]}");
        continue;
      }
      out.captions.emplace_back(language, usable_captions(value["caption"], spec_, where, counts));
    }
    return true;
  }

  std::string find_image(const std::string& key) const {
    for (const char* ext : kImageExtensions) {
      const fs::path p = dir_ / "images" / (key + ext);
      if (is_file(p)) return p.string();
    }
    return "";
  }

  SourceSpec spec_;
  fs::path dir_;
  std::string captions_path_;
  std::set<std::string> split_keys_;
  std::ifstream in_;
  size_t line_no_ = 0;
};

// Parses a Karpathy file without its "tokens" lists (COCO's file is ~150 MB, mostly tokens).
nlohmann::json parse_karpathy(const std::string& path) {
  CLIPPO_CHECK(is_file(path), kNotFound, "no such Karpathy JSON file: '" + path + "'");
  const nlohmann::json::parser_callback_t drop_tokens = [](int, nlohmann::json::parse_event_t event,
                                                           nlohmann::json& parsed) {
    return !(event == nlohmann::json::parse_event_t::key && parsed == "tokens");
  };
  nlohmann::json j = nlohmann::json::parse(read_file(path), drop_tokens, /*allow_exceptions=*/false);
  CLIPPO_CHECK(j.is_object() && j.contains("images") && j["images"].is_array(), kInvalidArgument,
               "'" + path + "' is not a Karpathy dataset JSON ({\"images\": [...]})");
  return j;
}

class KarpathyReader final : public CaptionedImageReader {
 public:
  explicit KarpathyReader(const SourceSpec& spec)
      : spec_(spec), path_(spec.paths.front()), root_(spec.image_root), json_(parse_karpathy(path_)) {
    if (root_.empty()) root_ = fs::path(path_).parent_path();
  }

  bool next(CaptionedImage& out, ReadCounts& counts) override {
    const nlohmann::json& images = json_["images"];
    while (index_ < images.size()) {
      const size_t i = index_++;
      if (parse_image(images[i], path_ + " images[" + std::to_string(i) + "]", out, counts)) return true;
    }
    return false;
  }

 private:
  bool parse_image(const nlohmann::json& image, const std::string& where, CaptionedImage& out,
                   ReadCounts& counts) {
    const auto string_or_empty = [&](const char* key) {
      return image.contains(key) && image[key].is_string() ? image[key].get<std::string>() : std::string();
    };
    const std::string filename = string_or_empty("filename");
    if (!image.is_object() || filename.empty() || !image.contains("sentences") ||
        !image["sentences"].is_array()) {
      counts.add_skip(where + ": no \"filename\" or \"sentences\"");
      return false;
    }
    if (!spec_.split.empty() && string_or_empty("split") != spec_.split) return false;
    const std::string filepath = string_or_empty("filepath");  // COCO has it, Flickr30k does not
    const std::string relative = filepath.empty() ? filename : filepath + "/" + filename;
    const fs::path image_path = root_ / relative;
    out = CaptionedImage{relative, is_file(image_path) ? image_path.string() : "", relative, where, {}};
    if (!spec_.keeps_language("en")) return true;
    nlohmann::json raw = nlohmann::json::array();
    for (const nlohmann::json& sentence : image["sentences"]) {
      raw.push_back(sentence.is_object() && sentence.contains("raw") ? sentence["raw"] : nlohmann::json());
    }
    out.captions.emplace_back("en", usable_captions(raw, spec_, where, counts));
    return true;
  }

  SourceSpec spec_;
  std::string path_;
  fs::path root_;
  nlohmann::json json_;
  size_t index_ = 0;
};

}  // namespace

std::unique_ptr<CaptionedImageReader> open_captioned_images(const SourceSpec& spec) {
  validate_source_spec(spec);
  if (spec.format == "xm3600") return std::make_unique<Xm3600Reader>(spec);
  CLIPPO_CHECK(spec.format == "karpathy", kInvalidArgument,
               "format '" + spec.format + "' is not a per-image caption format (xm3600, karpathy)");
  return std::make_unique<KarpathyReader>(spec);
}

}  // namespace clippo::datasets

// The emoji sources of the corpus: Iconify's npm emoji sets (SVG, drawn with librsvg) and
// Debian's iso-flags PNGs, all captioned with CLDR's names and keywords (corpus_source.h).
//
// Iconify set (`@iconify-json/<prefix>`): `icons.json` is {"prefix", "width", "height", "icons":
// {name: {"body": "<svg inner markup>", "width"?, "height"?, "left"?, "top"?}}, "aliases": ...};
// `chars.json`, where a set has it, maps "1f600" or "1f469-200d-1f467" to an icon name. Sets
// without it name icons by CLDR's English name as a slug ("1st-place-medal"), matched here
// through name_slug. Aliases repeat a body under another name and are not read.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "datasets/path_checks.h"
#include "core/base/utf8.h"
#include "datasets/cldr_annotations.h"
#include "datasets/corpus/corpus_source.h"
#include "datasets/corpus/picture_canvas.h"
#include "datasets/corpus/svg_rasterizer.h"
#include "datasets/emoji_renderer.h"
#include "render/image_decoder.h"

namespace clippo::datasets {
namespace {

namespace fs = std::filesystem;

// "1f469-200d-1f467" or "1F600-FE0F" -> "1f469_200d_1f467", "1f600".
std::string key_of_iconify_chars(const std::string& hex) {
  std::string key, part;
  auto flush = [&] {
    if (!part.empty() && part != "fe0f") key += (key.empty() ? "" : "_") + part;
    part.clear();
  };
  for (const char c : hex) {
    if (c == '-' || c == '_') flush();
    else part += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  flush();
  return key;
}

// The SVG document of one icon: the set's default box unless the icon has its own.
std::string iconify_svg(const nlohmann::json& set, const nlohmann::json& icon) {
  auto number = [&](const char* field, double fallback) {
    if (icon.contains(field) && icon.at(field).is_number()) return icon.at(field).get<double>();
    if (set.contains(field) && set.at(field).is_number()) return set.at(field).get<double>();
    return fallback;
  };
  const double w = number("width", 16), h = number("height", 16), left = number("left", 0), top = number("top", 0);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"" +
         std::to_string(left) + " " + std::to_string(top) + " " + std::to_string(w) + " " + std::to_string(h) +
         "\" width=\"" + std::to_string(w) + "\" height=\"" + std::to_string(h) + "\">" +
         icon.at("body").get<std::string>() + "</svg>";
}

class IconifySource final : public CorpusSource {
 public:
  IconifySource(IconifySetSpec set, const std::string& npm_dir, std::shared_ptr<const EmojiCaptionTable> captions)
      : set_(std::move(set)), dir_(fs::path(npm_dir) / "@iconify-json" / set_.name), captions_(std::move(captions)) {}

  std::string name() const override { return set_.name; }

  std::string missing() const override {
    if (is_file(dir_ / "icons.json")) return "";
    return "npm package @iconify-json/" + set_.name + " (no " + (dir_ / "icons.json").string() + ")";
  }

  std::vector<CorpusItem> list_items(std::map<std::string, size_t>& notes) const override {
    const std::string icons_path = (dir_ / "icons.json").string();
    auto set = std::make_shared<const nlohmann::json>(nlohmann::json::parse(read_file(icons_path), nullptr, false));
    CLIPPO_CHECK(set->is_object() && set->contains("icons") && set->at("icons").is_object(), kInvalidArgument,
                 "'" + icons_path + "' is not an Iconify icon set (no \"icons\" object)");
    // icon name -> emoji key, from chars.json when the set has a non-empty one (several ship
    // "{}"), else from CLDR's English names.
    std::map<std::string, std::string> key_of_name;
    if (is_file(dir_ / "chars.json")) {
      const nlohmann::json chars = nlohmann::json::parse(read_file((dir_ / "chars.json").string()), nullptr, false);
      CLIPPO_CHECK(chars.is_object(), kInvalidArgument, "'" + (dir_ / "chars.json").string() + "' is not an object");
      for (const auto& [hex, icon_name] : chars.items()) {
        if (icon_name.is_string()) key_of_name.emplace(icon_name.get<std::string>(), key_of_iconify_chars(hex));
      }
    }
    const bool by_chars = !key_of_name.empty();
    if (!by_chars) {
      for (const auto& [key, locales] : *captions_) {
        const auto en = locales.find("en");
        if (en != locales.end() && !en->second.empty()) key_of_name.emplace(name_slug(en->second.front()), key);
      }
    }
    std::vector<CorpusItem> items;
    std::set<std::string> keys_done;
    for (const auto& [icon_name, icon] : set->at("icons").items()) {
      if (!icon.is_object() || !icon.contains("body") || !icon.at("body").is_string()) {
        ++notes["icons without an SVG body"];
        continue;
      }
      const auto k = key_of_name.find(by_chars ? icon_name : name_slug(icon_name));
      if (k == key_of_name.end()) {
        ++notes["icons that match no emoji CLDR names"];
        continue;
      }
      const auto caps = captions_->find(k->second);
      if (caps == captions_->end()) {
        ++notes["emoji without CLDR captions"];
        continue;
      }
      if (!keys_done.insert(k->second).second) {
        ++notes["second icons of one emoji"];
        continue;
      }
      CorpusItem item;
      item.key = set_.name + "-" + k->second;
      item.source = set_.name;
      item.concept_id = emoji_concept(k->second);
      item.licence = set_.licence;
      item.origin = "npm @iconify-json/" + set_.name + " icons.json#" + icon_name;
      item.captions = caps->second;
      const std::string svg = iconify_svg(*set, icon);
      const std::string where = icons_path + "#" + icon_name;
      item.draw = [svg, where](int size_px) { return rasterize_svg(svg, size_px, where); };
      items.push_back(std::move(item));
    }
    return items;
  }

 private:
  IconifySetSpec set_;
  fs::path dir_;
  std::shared_ptr<const EmojiCaptionTable> captions_;
};

// Debian's iso-flags-png-320x240: `<alpha-2>.png` per country, captioned as the flag emoji of
// that country (regional indicator pair), which CLDR names in every locale.
class IsoFlagsSource final : public CorpusSource {
 public:
  IsoFlagsSource(const std::string& root, std::shared_ptr<const EmojiCaptionTable> captions)
      : dir_(fs::path(root) / "usr/share/iso-flags-png-320x240"), captions_(std::move(captions)) {}

  std::string name() const override { return "iso-flags"; }
  std::string missing() const override {
    std::error_code ec;
    return fs::is_directory(dir_, ec) ? "" : "Debian package iso-flags-png-320x240 (no " + dir_.string() + ")";
  }

  std::vector<CorpusItem> list_items(std::map<std::string, size_t>& notes) const override {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      if (entry.path().extension() == ".png") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    std::vector<CorpusItem> items;
    for (const fs::path& file : files) {
      const std::string cc = file.stem().string();
      if (cc.size() != 2 || !std::isalpha(static_cast<unsigned char>(cc[0])) ||
          !std::isalpha(static_cast<unsigned char>(cc[1]))) {
        ++notes["flags that are not a country code (regions, organisations)"];
        continue;
      }
      std::string emoji;
      for (const char c : cc) append_utf8(0x1F1E6 + (std::tolower(static_cast<unsigned char>(c)) - 'a'), emoji);
      const std::string key = emoji_key(emoji);
      const auto caps = captions_->find(key);
      if (caps == captions_->end()) {
        ++notes["flags whose emoji CLDR does not name"];
        continue;
      }
      CorpusItem item;
      item.key = "isoflag-" + key;
      item.source = name();
      item.concept_id = emoji_concept(key);
      item.licence = "LicenseRef-iso-flags-public-domain";
      item.origin = "Debian iso-flags-png-320x240 " + file.filename().string();
      item.captions = caps->second;
      const std::string path = file.string();
      item.draw = [path](int size_px) {
        return fit_on_square(render::decode_image_file(path), size_px);
      };
      items.push_back(std::move(item));
    }
    return items;
  }

 private:
  fs::path dir_;
  std::shared_ptr<const EmojiCaptionTable> captions_;
};

}  // namespace

EmojiCaptionTable read_emoji_caption_table(const std::vector<std::string>& cldr_dirs) {
  const LocaleAnnotations annotations = read_cldr_annotation_folders(cldr_dirs);
  EmojiCaptionTable table;
  for (const auto& [locale, emoji_map] : annotations) {
    for (const auto& [emoji, a] : emoji_map) {
      if (a.name.empty()) continue;  // keywords without a name: a partial translation
      std::vector<std::string> captions{a.name};
      std::set<std::string> seen{a.name};
      for (const std::string& k : a.keywords) {
        if (!k.empty() && seen.insert(k).second) captions.push_back(k);
      }
      table[emoji_key(emoji)][locale] = std::move(captions);
    }
  }
  return table;
}

std::string emoji_concept(const std::string& key) {
  std::string out, part;
  auto flush = [&] {
    const bool skin_tone = part.size() == 5 && part.compare(0, 4, "1f3f") == 0 && part[4] >= 'b' && part[4] <= 'f';
    if (!part.empty() && !skin_tone) out += (out.empty() ? "" : "_") + part;
    part.clear();
  };
  for (const char c : key) {
    if (c == '_') flush();
    else part += c;
  }
  flush();
  return "emoji:" + out;
}

std::string name_slug(const std::string& name) {
  std::string out;
  for (const char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c))) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string key_part(const std::string& relative_path) {
  std::string out;
  for (const char c : relative_path) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    out += ok ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : (c == '/' ? '-' : '_');
  }
  return out;
}

const std::vector<IconifySetSpec>& iconify_emoji_sets() {
  // Licences as each package's info.json states them. Apple's, Facebook's and JoyPixels' sets
  // are left out: their licences are not free.
  static const std::vector<IconifySetSpec> sets = {
      {"noto", "Apache-2.0"},          {"twemoji", "CC-BY-4.0"},          {"openmoji", "CC-BY-SA-4.0"},
      {"fluent-emoji-flat", "MIT"},    {"fluent-emoji", "MIT"},           {"emojione", "CC-BY-4.0"},
      {"emojione-v1", "CC-BY-SA-4.0"}, {"noto-v1", "Apache-2.0"},         {"fxemoji", "Apache-2.0"},
      {"streamline-emojis", "CC-BY-4.0"}};
  return sets;
}

std::unique_ptr<CorpusSource> make_iconify_source(const IconifySetSpec& set, const std::string& npm_dir,
                                                  std::shared_ptr<const EmojiCaptionTable> captions) {
  return std::make_unique<IconifySource>(set, npm_dir, std::move(captions));
}

std::unique_ptr<CorpusSource> make_iso_flags_source(const std::string& root,
                                                    std::shared_ptr<const EmojiCaptionTable> captions) {
  return std::make_unique<IsoFlagsSource>(root, std::move(captions));
}

}  // namespace clippo::datasets

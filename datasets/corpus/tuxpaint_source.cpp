// Tux Paint's stamps as a corpus source (corpus_source.h), from the Debian package
// `tuxpaint-stamps-default`: usr/share/tuxpaint/stamps/<category>/.../<name>.{svg,png}, each with
// `<name>.txt` beside it, a one-sentence description in English and in up to 72 other locales
// (stamp_description.h). About 950 photos, cut-outs and cartoons of animals, food, clothes,
// vehicles, buildings, plants and symbols: picture styles none of the other sources has.
//
// A stamp drawn both as SVG and PNG is read once, from the SVG (as Tux Paint does); a
// `<name>_mirror.png` beside `<name>.png` is its left-right flip and is not read. PNGs keep
// their alpha until they are composited over white like every other picture.
#include <filesystem>
#include <set>
#include <system_error>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/utf8.h"
#include "datasets/corpus/corpus_source.h"
#include "datasets/corpus/picture_canvas.h"
#include "datasets/corpus/po_catalog.h"
#include "datasets/corpus/stamp_description.h"
#include "datasets/corpus/svg_rasterizer.h"
#include "datasets/path_checks.h"
#include "render/png_codec.h"

namespace clippo::datasets {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxDescriptionBytes = 1 << 20;
constexpr size_t kMaxPictureBytes = 64 << 20;
constexpr int64_t kMaxPicturePixels = 16'000'000;

class TuxPaintStampsSource final : public CorpusSource {
 public:
  explicit TuxPaintStampsSource(const std::string& root) : dir_(fs::path(root) / "usr/share/tuxpaint/stamps") {}

  std::string name() const override { return "tuxpaint"; }
  std::string missing() const override {
    return is_dir(dir_) ? "" : "Debian package tuxpaint-stamps-default (no " + dir_.string() + ")";
  }

  std::vector<CorpusItem> list_items(std::map<std::string, size_t>& notes) const override {
    // Stem (path without extension) -> its picture: the SVG where there is one, else the first
    // name ("x.PNG" before "x.png"), so directory order never decides; sorted, so the list is fixed.
    const auto is_svg = [](const fs::path& p) { return ascii_lower(p.extension().string()) == ".svg"; };
    const auto read_first = [&](const fs::path& a, const fs::path& b) {
      return is_svg(a) != is_svg(b) ? is_svg(a) : a < b;
    };
    std::map<fs::path, fs::path> picture_of;
    for (const auto& entry : fs::recursive_directory_iterator(dir_, fs::directory_options::skip_permission_denied)) {
      std::error_code ec;
      if (!entry.is_regular_file(ec)) continue;
      const fs::path& path = entry.path();
      const std::string ext = ascii_lower(path.extension().string());
      if (ext != ".svg" && ext != ".png") continue;
      fs::path stem = path;
      stem.replace_extension();
      auto [it, inserted] = picture_of.emplace(stem, path);
      if (inserted) continue;
      if (read_first(path, it->second)) it->second = path;
      ++notes["extra picture files of a stamp (not read: the SVG first, else the first name)"];
    }
    // "<name>_mirror" flips the stamp "<name>" left to right: the same picture, read once.
    for (auto it = picture_of.begin(); it != picture_of.end();) {
      const std::string stem = it->first.string();
      const std::string suffix = "_mirror";
      const bool mirror = stem.size() > suffix.size() && stem.compare(stem.size() - suffix.size(), suffix.size(), suffix) == 0;
      if (mirror && picture_of.count(fs::path(stem.substr(0, stem.size() - suffix.size())))) {
        ++notes["mirrored copies of another stamp (not read)"];
        it = picture_of.erase(it);
      } else {
        ++it;
      }
    }
    std::vector<CorpusItem> items;
    std::set<std::string> keys;
    for (const auto& [stem, picture] : picture_of) {
      const std::string txt = stem.string() + ".txt";
      if (!is_file(txt)) {
        ++notes["stamps without a description"];
        continue;
      }
      StampDescription description;
      try {
        description = parse_stamp_description(read_file(txt, kMaxDescriptionBytes), txt);
      } catch (const Error&) {
        ++notes["descriptions that cannot be read"];
        continue;
      }
      if (description.english.empty()) {
        ++notes["descriptions without English"];
        continue;
      }
      const fs::path relative = stem.lexically_relative(dir_);
      CorpusItem item;
      // Keys keep letters, digits, '-' and '_' only, so two names can meet ("Cow", "cow"): number them.
      item.key = "tuxpaint-" + key_part(relative.generic_string());
      for (int n = 2; !keys.insert(item.key).second; ++n) {
        item.key = "tuxpaint-" + key_part(relative.generic_string()) + "-" + std::to_string(n);
      }
      item.source = name();
      item.concept_id = "tuxpaint:" + relative.generic_string();
      item.licence = "GPL-2.0-or-later";  // debian/copyright: "Files: *", GPL-2 "or any later version"
      item.origin = "Debian tuxpaint-stamps-default " + picture.lexically_relative(dir_).generic_string();
      item.captions["en"] = {description.english};
      for (const auto& [gettext_locale, text] : description.translations) {
        const std::string locale = cldr_locale_of_gettext(gettext_locale);
        // An untranslated entry repeats the English; it says nothing about the locale.
        if (locale.empty() || text == description.english || item.captions.count(locale)) continue;
        item.captions[locale] = {text};
      }
      const std::string path = picture.string();
      if (is_svg(picture)) {
        item.draw = [path](int size_px) { return rasterize_svg(read_file(path, kMaxPictureBytes), size_px, path); };
      } else {
        item.draw = [path](int size_px) {
          return fit_on_square(
              composite_over_white(render::decode_png_rgba(read_file(path, kMaxPictureBytes), kMaxPicturePixels)),
              size_px);
        };
      }
      items.push_back(std::move(item));
    }
    return items;
  }

 private:
  fs::path dir_;
};

}  // namespace

std::unique_ptr<CorpusSource> make_tuxpaint_stamps_source(const std::string& root) {
  return std::make_unique<TuxPaintStampsSource>(root);
}

}  // namespace clippo::datasets

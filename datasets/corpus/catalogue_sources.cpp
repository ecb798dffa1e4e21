// Two more of the corpus's sources (corpus_source.h), both Debian packages:
//
// Sweet Home 3D furniture (`sweethome3d-furniture`): usr/share/sweethome3d/furniture/*.sh3f, each
// a zip holding PluginFurnitureCatalog.properties (piece n: `name#n`, `category#n`, `tags#n`,
// `icon#n` = a PNG in the same zip), and PluginFurnitureCatalog_<locale>.properties with the
// translated `name#n` / `category#n` / `tags#n`. Each piece is drawn from its icon (a render of
// the 3D model on a transparent background). Captions: the name, then the category and tags.
//
// Fashion-MNIST (`dataset-fashion-mnist`): usr/share/datasets/fashion-mnist/train-*-idx*-ubyte.gz,
// 60,000 28x28 grey product photos in 10 classes. The first `per_class` photos of each class are
// read; a class that an emoji shows (T-shirt, trousers, dress, coat, sandal, sneaker, bag,
// boot) takes that emoji's concept and its CLDR captions in every locale after the class name.
// These are photos: they keep their black studio background (the only source not drawn over
// white), scaled up to the canvas.
#include <algorithm>
#include <filesystem>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/strings.h"
#include "core/base/zip_archive.h"
#include "datasets/corpus/corpus_source.h"
#include "datasets/corpus/picture_canvas.h"
#include "datasets/corpus/properties_catalog.h"
#include "datasets/path_checks.h"
#include "render/png_codec.h"

namespace clippo::datasets {
namespace {

namespace fs = std::filesystem;

// Catalogue locale suffix -> CLDR locale; "" = not read (en_US only respells the English).
std::string cldr_locale(const std::string& suffix) {
  if (suffix == "en_US") return "";
  if (suffix == "zh_CN") return "zh";
  if (suffix == "zh_TW") return "zh_Hant";
  return suffix;
}

// Licences of the five libraries, from the package's debian/copyright.
std::string furniture_licence(const std::string& library) {
  if (library == "BlendSwap-CC-0") return "CC0-1.0";
  if (library == "BlendSwap-CC-BY" || library == "Scopia") return "CC-BY-3.0";
  if (library == "KatorLegaz" || library == "Reallusion") return "CC-BY-3.0-US";
  return "LicenseRef-see-debian-copyright-sweethome3d-furniture";
}

// The name, then the category, then each tag (comma-separated), each once; tags naming the
// library's provider ("Blend Swap") say nothing about the picture and are left out.
std::vector<std::string> furniture_captions(const std::map<std::string, std::string>& catalogue, const std::string& n) {
  std::vector<std::string> out;
  auto add = [&](std::string_view field) {
    std::string text(trim(field, " "));
    if (text.empty() || text.size() > 200 || text == "Blend Swap") return;
    if (std::find(out.begin(), out.end(), text) == out.end()) out.push_back(std::move(text));
  };
  const auto get = [&](const std::string& field) {
    const auto it = catalogue.find(field + "#" + n);
    return it == catalogue.end() ? std::string() : it->second;
  };
  const std::string name = get("name");
  if (name.empty()) return out;
  add(name);
  add(get("category"));
  for (const std::string& tag : split_fields(get("tags"), ',')) add(tag);
  return out;
}

class SweetHome3dSource final : public CorpusSource {
 public:
  explicit SweetHome3dSource(const std::string& root) : dir_(fs::path(root) / "usr/share/sweethome3d/furniture") {}

  std::string name() const override { return "sweethome3d"; }
  std::string missing() const override {
    return is_dir(dir_) ? "" : "Debian package sweethome3d-furniture (no " + dir_.string() + ")";
  }

  std::vector<CorpusItem> list_items(std::map<std::string, size_t>& notes) const override {
    std::vector<fs::path> libraries;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      if (entry.is_regular_file() && entry.path().extension() == ".sh3f") libraries.push_back(entry.path());
    }
    std::sort(libraries.begin(), libraries.end());
    std::vector<CorpusItem> items;
    for (const fs::path& file : libraries) {
      std::shared_ptr<const ZipArchive> zip;
      std::map<std::string, std::string> english;
      try {
        zip = std::make_shared<const ZipArchive>(ZipArchive::open(file.string(), uint64_t{1} << 30));
        english = parse_properties(zip->read("PluginFurnitureCatalog.properties", 64 << 20),
                                   file.string() + ":PluginFurnitureCatalog.properties");
      } catch (const Error&) {
        ++notes["libraries that cannot be read (" + file.filename().string() + ")"];
        continue;
      }
      // locale -> its catalogue
      std::map<std::string, std::map<std::string, std::string>> translated;
      for (const std::string& member : zip->member_names()) {
        const std::string prefix = "PluginFurnitureCatalog_", suffix = ".properties";
        if (member.rfind(prefix, 0) != 0 || member.size() <= prefix.size() + suffix.size() ||
            member.compare(member.size() - suffix.size(), suffix.size(), suffix) != 0)
          continue;
        const std::string locale =
            cldr_locale(member.substr(prefix.size(), member.size() - prefix.size() - suffix.size()));
        if (locale.empty()) continue;
        try {
          translated[locale] = parse_properties(zip->read(member, 64 << 20), file.string() + ":" + member);
        } catch (const Error&) {
          ++notes["translations that cannot be read"];
        }
      }
      const std::string library = file.stem().string();
      for (int n = 1;; ++n) {
        const std::string index = std::to_string(n);
        const auto icon = english.find("icon#" + index);
        if (english.count("id#" + index) == 0 && icon == english.end()) break;
        std::vector<std::string> en = furniture_captions(english, index);
        if (icon == english.end() || en.empty()) {
          ++notes["pieces without a name or icon"];
          continue;
        }
        std::string member = icon->second;
        if (!member.empty() && member.front() == '/') member.erase(member.begin());
        if (!zip->contains(member)) {
          ++notes["pieces whose icon is not in the library"];
          continue;
        }
        CorpusItem item;
        std::string slug = name_slug(en.front());
        item.key = "sweethome3d-" + name_slug(library) + "-" + index;
        item.source = name();
        item.concept_id = "sweethome3d:" + slug;
        item.licence = furniture_licence(library);
        item.origin = "Debian sweethome3d-furniture " + file.filename().string() + ":" + member;
        item.captions["en"] = std::move(en);
        for (const auto& [locale, catalogue] : translated) {
          std::vector<std::string> captions = furniture_captions(catalogue, index);
          if (!captions.empty()) item.captions[locale] = std::move(captions);
        }
        item.draw = [zip, member](int size_px) {
          return fit_on_square(composite_over_white(render::decode_png_rgba(zip->read(member, 64 << 20), 16'000'000)),
                               size_px);
        };
        items.push_back(std::move(item));
      }
    }
    return items;
  }

 private:
  fs::path dir_;
};

// Fashion-MNIST's classes in label order, with the emoji that shows each ("" when none does).
struct FashionClass {
  const char* name;
  const char* emoji_key;
};
constexpr FashionClass kFashionClasses[] = {
    {"T-shirt", "1f455"}, {"trousers", "1f456"}, {"pullover", ""},     {"dress", "1f457"},
    {"coat", "1f9e5"},    {"sandal", "1f461"},   {"shirt", ""},        {"sneaker", "1f45f"},
    {"bag", "1f45c"},     {"ankle boot", "1f462"}};

uint32_t big_endian_u32(const std::string& b, size_t at) {
  return (uint32_t{static_cast<unsigned char>(b[at])} << 24) | (uint32_t{static_cast<unsigned char>(b[at + 1])} << 16) |
         (uint32_t{static_cast<unsigned char>(b[at + 2])} << 8) | uint32_t{static_cast<unsigned char>(b[at + 3])};
}

class FashionMnistSource final : public CorpusSource {
 public:
  FashionMnistSource(const std::string& root, std::shared_ptr<const EmojiCaptionTable> captions, size_t per_class)
      : dir_(fs::path(root) / "usr/share/datasets/fashion-mnist"), captions_(std::move(captions)), per_class_(per_class) {}

  std::string name() const override { return "fashion-mnist"; }
  std::string missing() const override {
    for (const char* file : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"}) {
      if (!path_exists((dir_ / file).string())) return "Debian package dataset-fashion-mnist (no " + (dir_ / file).string() + ")";
    }
    return "";
  }

  std::vector<CorpusItem> list_items(std::map<std::string, size_t>& notes) const override {
    const std::string images_path = (dir_ / "train-images-idx3-ubyte.gz").string();
    const std::string labels_path = (dir_ / "train-labels-idx1-ubyte.gz").string();
    auto images = std::make_shared<const std::string>(gunzip(read_file(images_path, 256 << 20), images_path, 256 << 20));
    const std::string labels = gunzip(read_file(labels_path, 16 << 20), labels_path, 16 << 20);
    CLIPPO_CHECK(images->size() >= 16 && big_endian_u32(*images, 0) == 0x803, kInvalidArgument,
                 images_path + ": not an IDX file of uint8 images");
    CLIPPO_CHECK(labels.size() >= 8 && big_endian_u32(labels, 0) == 0x801, kInvalidArgument,
                 labels_path + ": not an IDX file of uint8 labels");
    const size_t n = big_endian_u32(*images, 4), rows = big_endian_u32(*images, 8), cols = big_endian_u32(*images, 12);
    CLIPPO_CHECK(rows == 28 && cols == 28 && n == big_endian_u32(labels, 4) && images->size() == 16 + n * rows * cols &&
                     labels.size() == 8 + n,
                 kInvalidArgument, images_path + ": sizes do not match the labels file or 28x28 pictures");
    std::vector<size_t> taken(std::size(kFashionClasses), 0);
    std::vector<CorpusItem> items;
    for (size_t i = 0; i < n; ++i) {
      const auto label = static_cast<unsigned char>(labels[8 + i]);
      if (label >= std::size(kFashionClasses)) {
        ++notes["photos with an unknown label"];
        continue;
      }
      if (taken[label] >= per_class_) continue;
      ++taken[label];
      const FashionClass& c = kFashionClasses[label];
      CorpusItem item;
      item.key = "fashion-mnist-" + std::to_string(i);
      item.source = name();
      item.licence = "MIT";  // Debian's copyright file: Expat
      item.origin = "Debian dataset-fashion-mnist train-images-idx3-ubyte.gz #" + std::to_string(i);
      // A class an emoji shows is that emoji's concept (held out with it), captioned by CLDR too.
      item.concept_id = *c.emoji_key ? emoji_concept(c.emoji_key) : std::string("fashion-mnist:") + c.name;
      item.captions["en"] = {c.name};
      const auto emoji = captions_->find(c.emoji_key);
      if (emoji != captions_->end()) {
        for (const auto& [locale, texts] : emoji->second) {
          std::vector<std::string>& out = item.captions[locale];
          for (const std::string& t : texts) {
            if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
          }
        }
      }
      const size_t offset = 16 + i * rows * cols;
      item.draw = [images, offset](int size_px) {
        ImageU8 rgb(28, 28, 3);
        for (size_t p = 0; p < 28 * 28; ++p) {
          for (int ch = 0; ch < 3; ++ch) rgb.data()[p * 3 + ch] = static_cast<uint8_t>((*images)[offset + p]);
        }
        return fit_on_square(rgb, size_px);
      };
      items.push_back(std::move(item));
    }
    return items;
  }

 private:
  fs::path dir_;
  std::shared_ptr<const EmojiCaptionTable> captions_;
  size_t per_class_;
};

}  // namespace

std::unique_ptr<CorpusSource> make_sweethome3d_source(const std::string& root) {
  return std::make_unique<SweetHome3dSource>(root);
}

std::unique_ptr<CorpusSource> make_fashion_mnist_source(const std::string& root,
                                                        std::shared_ptr<const EmojiCaptionTable> captions,
                                                        size_t per_class) {
  return std::make_unique<FashionMnistSource>(root, std::move(captions), per_class);
}

}  // namespace clippo::datasets

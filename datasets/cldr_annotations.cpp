// The CLDR annotations reader: a scanner over the few XML constructs LDML annotation files use
// (declaration, DOCTYPE without internal subset, comments, elements with quoted attributes),
// and the per-folder, per-locale merge.
#include "datasets/cldr_annotations.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <string_view>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/strings.h"
#include "core/base/utf8.h"

namespace clippo::datasets {
namespace {

// A CLDR annotations file is a few MB at most; this bound only stops a wrong path (a disk
// image, say) from being read whole.
constexpr size_t kMaxXmlBytes = size_t{256} << 20;

[[noreturn]] void malformed(const std::string& source, size_t offset, const std::string& what) {
  throw Error(ErrorCode::kInvalidArgument, "malformed CLDR annotations in '" + source + "' at byte " +
                                               std::to_string(offset) + ": " + what);
}

bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Parses the digits of a numeric character reference ("#128512" or "#x1F600" without '&', ';').
// Returns 0 when they do not name a Unicode scalar value (0 itself is not allowed in XML).
char32_t parse_char_ref(std::string_view ref) {
  const bool hex = ref.size() > 1 && (ref[1] == 'x' || ref[1] == 'X');
  const std::string_view digits = ref.substr(hex ? 2 : 1);
  if (digits.empty() || digits.size() > 8) return 0;
  uint32_t value = 0;
  for (const char c : digits) {
    int d = -1;
    if (c >= '0' && c <= '9') d = c - '0';
    if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    if (d < 0) return 0;
    value = value * (hex ? 16 : 10) + static_cast<uint32_t>(d);
    if (value > 0x10FFFF) return 0;
  }
  if (value >= 0xD800 && value <= 0xDFFF) return 0;  // surrogates are not characters
  return static_cast<char32_t>(value);
}

// Replaces entity and character references in text or an attribute value. `offset` is where
// `text` starts in the file, for error messages.
std::string decode_xml_text(std::string_view text, const std::string& source, size_t offset) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text[i] != '&') {
      out += text[i++];
      continue;
    }
    const size_t semi = text.find(';', i);
    // The longest reference we accept is "&#x0010FFFF;"; a longer run is a bare '&'.
    if (semi == std::string_view::npos || semi - i > 12) malformed(source, offset + i, "bare '&'");
    const std::string_view ref = text.substr(i + 1, semi - i - 1);
    if (ref == "amp") {
      out += '&';
    } else if (ref == "lt") {
      out += '<';
    } else if (ref == "gt") {
      out += '>';
    } else if (ref == "quot") {
      out += '"';
    } else if (ref == "apos") {
      out += '\'';
    } else if (!ref.empty() && ref[0] == '#') {
      const char32_t cp = parse_char_ref(ref);
      if (cp == 0) malformed(source, offset + i, "bad character reference '&" + std::string(ref) + ";'");
      append_utf8(cp, out);
    } else {
      malformed(source, offset + i, "unknown entity '&" + std::string(ref) + ";'");
    }
    i = semi + 1;
  }
  return out;
}

// One start or end tag: `<name a="v" ...>`, `<name .../>` or `</name>`.
struct Tag {
  std::string_view name;
  bool closing = false;
  bool self_closing = false;
  std::map<std::string, std::string> attributes;  // values decoded
  size_t end = 0;                                 // offset just past '>'
};

Tag parse_tag(const std::string& xml, size_t lt, const std::string& source) {
  Tag tag;
  size_t i = lt + 1;
  if (i < xml.size() && xml[i] == '/') {
    tag.closing = true;
    ++i;
  }
  const auto is_name_char = [](char c) {
    return c != '>' && c != '/' && c != '=' && c != '"' && c != '\'' && c != '<' && !is_xml_space(c);
  };
  const size_t name_start = i;
  while (i < xml.size() && is_name_char(xml[i])) ++i;
  tag.name = std::string_view(xml).substr(name_start, i - name_start);
  if (tag.name.empty()) malformed(source, lt, "'<' not followed by a tag name");
  for (;;) {
    while (i < xml.size() && is_xml_space(xml[i])) ++i;
    if (i >= xml.size()) malformed(source, lt, "unterminated tag");
    if (xml[i] == '>') {
      tag.end = i + 1;
      return tag;
    }
    if (xml[i] == '/' && i + 1 < xml.size() && xml[i + 1] == '>') {
      tag.self_closing = true;
      tag.end = i + 2;
      return tag;
    }
    const size_t attr_start = i;
    while (i < xml.size() && is_name_char(xml[i])) ++i;
    const std::string attr_name = xml.substr(attr_start, i - attr_start);
    while (i < xml.size() && is_xml_space(xml[i])) ++i;
    if (attr_name.empty() || i >= xml.size() || xml[i] != '=')
      malformed(source, i, "expected name=\"value\"");
    ++i;
    while (i < xml.size() && is_xml_space(xml[i])) ++i;
    if (i >= xml.size() || (xml[i] != '"' && xml[i] != '\''))
      malformed(source, i, "unquoted attribute value");
    const size_t close = xml.find(xml[i], i + 1);
    if (close == std::string::npos) malformed(source, i, "unterminated attribute value");
    const std::string_view raw = std::string_view(xml).substr(i + 1, close - i - 1);
    if (raw.find('<') != std::string_view::npos) malformed(source, i, "'<' in an attribute value");
    tag.attributes[attr_name] = decode_xml_text(raw, source, i + 1);
    i = close + 1;
  }
}

// Skips a construct that starts with `open` and ends with `close` at `pos`; returns the offset
// past it.
size_t skip_past(const std::string& xml, size_t pos, std::string_view close, const std::string& source,
                 const char* what) {
  const size_t end = xml.find(close, pos);
  if (end == std::string::npos) malformed(source, pos, std::string("unterminated ") + what);
  return end + close.size();
}

void add_annotation(const Tag& tag, std::string_view content, const CldrReadOptions& options,
                    EmojiAnnotations& out) {
  const auto draft = tag.attributes.find("draft");
  if (!options.include_unconfirmed && draft != tag.attributes.end() &&
      (draft->second == "unconfirmed" || draft->second == "provisional")) {
    return;
  }
  // alt="..." marks alternative forms (none in CLDR 41's annotations); keep the main one only.
  if (tag.attributes.count("alt") != 0) return;
  const auto type = tag.attributes.find("type");
  EmojiAnnotation& a = out[tag.attributes.at("cp")];
  if (type == tag.attributes.end()) {
    a.keywords.clear();
    size_t start = 0;
    for (;;) {
      const size_t bar = content.find('|', start);
      const std::string_view word = trim(content.substr(start, bar - start));
      if (!word.empty()) a.keywords.emplace_back(word);
      if (bar == std::string_view::npos) break;
      start = bar + 1;
    }
  } else if (type->second == "tts") {
    a.name = std::string(trim(content));
  }
}

}  // namespace

EmojiAnnotations parse_cldr_annotations(const std::string& xml, const std::string& source,
                                        const CldrReadOptions& options) {
  // Checked once here so that every name and keyword is valid UTF-8 for the JSON writer.
  CLIPPO_CHECK(is_valid_utf8(xml), kInvalidArgument, "CLDR annotations in '" + source + "' are not UTF-8");
  EmojiAnnotations out;
  size_t pos = 0;
  while ((pos = xml.find('<', pos)) != std::string::npos) {
    const std::string_view rest = std::string_view(xml).substr(pos);
    if (rest.starts_with("<!--")) {
      pos = skip_past(xml, pos + 4, "-->", source, "comment");
    } else if (rest.starts_with("<?")) {
      pos = skip_past(xml, pos + 2, "?>", source, "processing instruction");
    } else if (rest.starts_with("<![CDATA[")) {
      malformed(source, pos, "CDATA sections are not supported");
    } else if (rest.starts_with("<!")) {
      // <!DOCTYPE ldml SYSTEM "...">: LDML files have no internal subset, so no nested '>'.
      pos = skip_past(xml, pos + 2, ">", source, "declaration");
    } else {
      const Tag tag = parse_tag(xml, pos, source);
      pos = tag.end;
      if (tag.name != "annotation" || tag.closing) continue;
      if (tag.attributes.count("cp") == 0 || tag.attributes.at("cp").empty()) {
        malformed(source, pos, "<annotation> without a cp attribute");
      }
      std::string content;
      if (!tag.self_closing) {
        const size_t lt = xml.find('<', pos);
        if (lt == std::string::npos || std::string_view(xml).substr(lt, 13) != "</annotation>") {
          malformed(source, pos, "<annotation> must hold text only and end with </annotation>");
        }
        content = decode_xml_text(std::string_view(xml).substr(pos, lt - pos), source, pos);
        pos = lt + 13;
      }
      add_annotation(tag, content, options, out);
    }
  }
  return out;
}

EmojiAnnotations read_cldr_annotations(const std::string& xml_path, const CldrReadOptions& options) {
  return parse_cldr_annotations(read_file(xml_path, kMaxXmlBytes), xml_path, options);
}

std::string cldr_locale_of(const std::string& xml_path) {
  return std::filesystem::path(xml_path).stem().string();
}

LocaleAnnotations read_cldr_annotation_folders(const std::vector<std::string>& folders,
                                               const std::vector<std::string>& locales,
                                               const CldrReadOptions& options) {
  const std::set<std::string> wanted(locales.begin(), locales.end());
  LocaleAnnotations out;
  for (const std::string& folder : folders) {
    std::error_code ec;
    CLIPPO_CHECK(
        std::filesystem::is_directory(folder, ec), kNotFound,
        "CLDR annotations folder not found: '" + folder + "' (Debian: apt-get install unicode-cldr-core)");
    // Directory order is the file system's; sort so that merges (and errors) are reproducible.
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
      if (entry.is_regular_file() && entry.path().extension() == ".xml")
        files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    for (const std::string& file : files) {
      const std::string locale = cldr_locale_of(file);
      if (locale == "root" || (!wanted.empty() && wanted.count(locale) == 0)) continue;
      EmojiAnnotations& merged = out[locale];
      for (auto& [emoji, annotation] : read_cldr_annotations(file, options)) {
        EmojiAnnotation& into = merged[emoji];
        if (into.name.empty()) into.name = std::move(annotation.name);
        if (into.keywords.empty()) into.keywords = std::move(annotation.keywords);
      }
    }
  }
  for (const std::string& locale : wanted) {
    if (out.count(locale) != 0) continue;
    std::string where;
    for (const std::string& folder : folders) where += (where.empty() ? "'" : ", '") + folder + "'";
    throw Error(ErrorCode::kNotFound, "no CLDR annotations for locale '" + locale + "' in " + where);
  }
  return out;
}

}  // namespace clippo::datasets

// The .po parser (po_catalog.h): one pass over lines, a small state machine over keywords.
#include "datasets/corpus/po_catalog.h"

#include <sstream>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/utf8.h"

namespace clippo::datasets {
namespace {

[[noreturn]] void fail(const std::string& source, size_t line_no, const std::string& what) {
  throw Error(ErrorCode::kInvalidArgument, "'" + source + "' line " + std::to_string(line_no) + ": " + what);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The string of one "..." token starting at s[pos] == '"'; pos ends past the closing quote.
std::string unquote(const std::string& s, size_t& pos, const std::string& source, size_t line_no) {
  std::string out;
  ++pos;
  while (pos < s.size() && s[pos] != '"') {
    char c = s[pos++];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (pos >= s.size()) fail(source, line_no, "a backslash ends the line");
    c = s[pos++];
    switch (c) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'v': out += '\v'; break;
      case '"': case '\\': case '\'': case '?': out += c; break;
      case 'x': {
        int v = 0, n = 0;
        while (pos < s.size() && n < 2 && hex_value(s[pos]) >= 0) v = v * 16 + hex_value(s[pos++]), ++n;
        if (n == 0) fail(source, line_no, "\\x without hex digits");
        out += static_cast<char>(v);
        break;
      }
      default:
        if (c >= '0' && c <= '7') {
          int v = c - '0', n = 1;
          while (pos < s.size() && n < 3 && s[pos] >= '0' && s[pos] <= '7') v = v * 8 + (s[pos++] - '0'), ++n;
          out += static_cast<char>(v & 0xFF);
        } else {
          fail(source, line_no, std::string("unknown escape \\") + c);
        }
    }
  }
  if (pos >= s.size()) fail(source, line_no, "unterminated string");
  ++pos;
  return out;
}

}  // namespace

std::vector<PoEntry> parse_po_catalog(const std::string& text, const std::string& source) {
  CLIPPO_CHECK(is_valid_utf8(text), kInvalidArgument, "'" + source + "' is not UTF-8");
  std::vector<PoEntry> out;
  PoEntry entry;
  bool has_msgid = false, has_msgstr = false, next_fuzzy = false;
  std::string* target = nullptr;  // the string continuation lines append to
  std::string ignored;            // msgid_plural and msgstr[n > 0]
  size_t line_no = 0;
  auto finish = [&] {
    // Octal and hex escapes can spell bytes that are not UTF-8 in a file that is (found by fuzzing).
    for (const std::string* field : {&entry.context, &entry.msgid, &entry.msgstr}) {
      if (!is_valid_utf8(*field)) fail(source, line_no, "an escape makes the entry before this line not UTF-8");
    }
    if (has_msgid && !entry.msgid.empty()) out.push_back(entry);
    entry = PoEntry{};
    has_msgid = has_msgstr = false;
    target = nullptr;
  };
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    if (line[start] == '#') {
      if (line.compare(start, 2, "#,") == 0 && line.find("fuzzy", start) != std::string::npos) next_fuzzy = true;
      continue;
    }
    size_t pos = start;
    if (line[pos] != '"') {
      const size_t end = line.find_first_of(" \t", pos);
      const std::string keyword = line.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
      pos = end == std::string::npos ? line.size() : line.find_first_not_of(" \t", end);
      if (pos == std::string::npos || pos >= line.size() || line[pos] != '"')
        fail(source, line_no, "'" + keyword + "' without a quoted string");
      if (keyword == "msgctxt") {
        if (has_msgid) finish();
        target = &entry.context;
      } else if (keyword == "msgid") {
        if (has_msgstr || has_msgid) finish();
        has_msgid = true;
        entry.fuzzy = next_fuzzy;
        next_fuzzy = false;
        target = &entry.msgid;
      } else if (keyword == "msgid_plural") {
        ignored.clear();
        target = &ignored;
      } else if (keyword == "msgstr" || keyword == "msgstr[0]") {
        if (!has_msgid) fail(source, line_no, "msgstr without msgid");
        has_msgstr = true;
        target = &entry.msgstr;
      } else if (keyword.rfind("msgstr[", 0) == 0) {
        ignored.clear();
        target = &ignored;
      } else {
        fail(source, line_no, "unknown keyword '" + keyword + "'");
      }
    } else if (target == nullptr) {
      fail(source, line_no, "a string outside any entry");
    }
    *target += unquote(line, pos, source, line_no);
    const size_t rest = line.find_first_not_of(" \t", pos);
    if (rest != std::string::npos) fail(source, line_no, "text after the closing quote");
  }
  finish();
  return out;
}

std::vector<PoEntry> read_po_catalog(const std::string& path) {
  return parse_po_catalog(read_file(path), path);
}

std::string cldr_locale_of_gettext(const std::string& locale) {
  if (locale == "en" || locale.rfind("en_", 0) == 0 || locale.rfind("en@", 0) == 0) return "";
  if (locale == "zh_CN") return "zh";
  if (locale == "zh_TW") return "zh_Hant";
  if (locale == "pt_BR") return "pt";
  if (locale == "pt") return "pt_PT";
  if (locale == "sr@latin") return "sr_Latn";
  if (locale.find('@') != std::string::npos) return "";
  return locale;
}

}  // namespace clippo::datasets

#include "datasets/corpus/properties_catalog.h"

#include <string_view>
#include <vector>

#include "core/base/error.h"
#include "core/base/utf8.h"

namespace clippo::datasets {
namespace {

// The file as code points: UTF-8 when valid, else ISO-8859-1 (each byte one code point).
std::u32string decode_text(const std::string& bytes) {
  if (is_valid_utf8(bytes)) return decode_utf8(bytes);
  std::u32string out;
  out.reserve(bytes.size());
  for (const char c : bytes) out.push_back(static_cast<unsigned char>(c));
  return out;
}

bool is_blank(char32_t c) { return c == ' ' || c == '\t' || c == '\f'; }

// Logical lines (continuations joined, comments and blank lines dropped), each with the number
// of the physical line it starts on.
std::vector<std::pair<std::u32string, size_t>> logical_lines(const std::u32string& text) {
  std::vector<std::pair<std::u32string, size_t>> out;
  size_t pos = 0, line_no = 1;
  while (pos < text.size()) {
    std::u32string logical;
    size_t start_line = line_no;  // the first line with content, past comments and blank lines
    bool continuing = false;
    while (pos < text.size()) {
      size_t end = pos;
      while (end < text.size() && text[end] != '\n' && text[end] != '\r') ++end;
      std::u32string_view physical(text.data() + pos, end - pos);
      // Past the line break (\n, \r or \r\n).
      pos = end;
      if (pos < text.size() && text[pos] == '\r') {
        ++pos;
        if (pos < text.size() && text[pos] == '\n') ++pos;
      } else if (pos < text.size() && text[pos] == '\n') {
        ++pos;
      }
      const size_t this_line = line_no++;
      size_t first = 0;
      while (first < physical.size() && is_blank(physical[first])) ++first;
      physical.remove_prefix(first);
      if (!continuing && (physical.empty() || physical[0] == '#' || physical[0] == '!')) {
        if (pos >= text.size()) break;
        continue;  // a comment or blank line is never continued
      }
      if (!continuing) start_line = this_line;
      size_t backslashes = 0;
      while (backslashes < physical.size() && physical[physical.size() - 1 - backslashes] == '\\') ++backslashes;
      if (backslashes % 2 == 1) {
        logical.append(physical.substr(0, physical.size() - 1));
        continuing = true;
        if (pos >= text.size()) break;
        continue;
      }
      logical.append(physical);
      break;
    }
    // A continuation onto nothing (`\` then a blank line) is an empty logical line: Java drops it.
    if (!logical.empty()) out.emplace_back(std::move(logical), start_line);
  }
  return out;
}

int hex_value(char32_t c) {
  if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<int>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<int>(c - 'A' + 10);
  return -1;
}

// Unescapes [from, to) of `line` into UTF-8, joining UTF-16 surrogate pairs; a lone surrogate
// becomes U+FFFD.
std::string unescape(const std::u32string& line, size_t from, size_t to, const std::string& where) {
  std::string out;
  char32_t pending_high = 0;
  auto flush_high = [&] {
    if (pending_high) append_utf8(0xFFFD, out);
    pending_high = 0;
  };
  for (size_t i = from; i < to; ++i) {
    char32_t c = line[i];
    if (c == '\\' && i + 1 < to) {
      c = line[++i];
      if (c == 'u') {
        char32_t unit = 0;
        for (int k = 1; k <= 4; ++k) {
          const int v = i + k < to ? hex_value(line[i + k]) : -1;
          CLIPPO_CHECK(v >= 0, kInvalidArgument, where + ": malformed \\uxxxx escape");
          unit = (unit << 4) | static_cast<char32_t>(v);
        }
        i += 4;
        if (unit >= 0xD800 && unit <= 0xDBFF) {
          flush_high();
          pending_high = unit;
          continue;
        }
        if (unit >= 0xDC00 && unit <= 0xDFFF) {
          if (pending_high) {
            append_utf8(0x10000 + ((pending_high - 0xD800) << 10) + (unit - 0xDC00), out);
            pending_high = 0;
          } else {
            append_utf8(0xFFFD, out);
          }
          continue;
        }
        flush_high();
        append_utf8(unit, out);
        continue;
      }
      c = c == 't' ? U'\t' : c == 'n' ? U'\n' : c == 'r' ? U'\r' : c == 'f' ? U'\f' : c;
    } else if (c == '\\') {
      continue;  // a lone backslash at the end of the value: dropped, as Java does
    }
    flush_high();
    append_utf8(c, out);
  }
  flush_high();
  return out;
}

}  // namespace

std::map<std::string, std::string> parse_properties(const std::string& bytes, const std::string& source) {
  std::map<std::string, std::string> out;
  const std::u32string text = decode_text(bytes);
  for (const auto& [line, line_no] : logical_lines(text)) {
    const std::string where = source + ":" + std::to_string(line_no);
    // The key ends at the first unescaped '=', ':' or blank.
    size_t key_end = 0;
    while (key_end < line.size()) {
      const char32_t c = line[key_end];
      if (c == '\\') {
        key_end += 2;
        continue;
      }
      if (c == '=' || c == ':' || is_blank(c)) break;
      ++key_end;
    }
    key_end = std::min(key_end, line.size());
    size_t value_start = key_end;
    while (value_start < line.size() && is_blank(line[value_start])) ++value_start;
    if (value_start < line.size() && (line[value_start] == '=' || line[value_start] == ':')) ++value_start;
    while (value_start < line.size() && is_blank(line[value_start])) ++value_start;
    out[unescape(line, 0, key_end, where)] = unescape(line, value_start, line.size(), where);
  }
  return out;
}

}  // namespace clippo::datasets

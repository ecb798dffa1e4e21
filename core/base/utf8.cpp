#include "core/base/utf8.h"

namespace clippo {
namespace {

// Length of the well-formed prefix of a sequence starting at `s` (1..4), and its code point.
// Returns 0 when s[0] cannot start a sequence. Follows Table 3-7 of the Unicode standard, so
// the number of bytes consumed on failure is the maximal subpart.
struct Step {
  size_t consumed;  // bytes consumed (>= 1)
  char32_t cp;      // decoded code point, or kReplacementChar
  bool ok;          // false when the bytes were ill-formed
};

Step decode_one(const unsigned char* s, size_t n) {
  const unsigned char b0 = s[0];
  if (b0 < 0x80) return {1, b0, true};
  size_t need;
  char32_t cp;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1; cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2; cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3; cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;  // <= U+10FFFF
  } else {
    return {1, kReplacementChar, false};  // C0, C1, F5..FF, stray continuation byte
  }
  size_t i = 1;
  for (; i <= need; ++i) {
    if (i >= n) return {i, kReplacementChar, false};  // truncated: the prefix is one maximal subpart
    const unsigned char b = s[i];
    const unsigned char l = (i == 1) ? lo : 0x80, h = (i == 1) ? hi : 0xBF;
    if (b < l || b > h) return {i, kReplacementChar, false};
    cp = (cp << 6) | (b & 0x3F);
  }
  return {need + 1, cp, true};
}

}  // namespace

std::u32string decode_utf8(std::string_view text, size_t max_chars) {
  std::u32string out;
  out.reserve(text.size());
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  size_t pos = 0;
  while (pos < text.size() && (max_chars == 0 || out.size() < max_chars)) {
    const Step step = decode_one(s + pos, text.size() - pos);
    out.push_back(step.cp);
    pos += step.consumed;
  }
  return out;
}

void append_utf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string sanitize_utf8(std::string_view text) {
  if (is_valid_utf8(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 8);
  for (char32_t cp : decode_utf8(text)) append_utf8(cp, out);
  return out;
}

bool is_valid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  size_t pos = 0;
  while (pos < text.size()) {
    if (s[pos] < 0x80) { ++pos; continue; }
    const Step step = decode_one(s + pos, text.size() - pos);
    if (!step.ok) return false;
    pos += step.consumed;
  }
  return true;
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace clippo

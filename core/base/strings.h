// Small string helpers shared by the readers of line- and list-shaped text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace clippo {

// The fields of `text` between `separator`s, empty ones kept: "a,,b" -> {"a", "", "b"}, "" -> {""}.
inline std::vector<std::string> split_fields(std::string_view text, char separator) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (size_t at; (at = text.find(separator, start)) != std::string_view::npos; start = at + 1) {
    fields.emplace_back(text.substr(start, at - start));
  }
  fields.emplace_back(text.substr(start));
  return fields;
}

// `text` without the leading and trailing characters listed in `chars` (by default ASCII spaces,
// tabs and line breaks: XML's white space).
inline std::string_view trim(std::string_view text, std::string_view chars = " \t\r\n") {
  const size_t begin = text.find_first_not_of(chars);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(chars) - begin + 1);
}

// Equality whose time depends on the lengths only, not on where the strings first differ: for
// secrets (an API key) a byte-by-byte early exit would let a client find the key by timing.
inline bool constant_time_equal(std::string_view a, std::string_view b) {
  const size_t n = a.size() > b.size() ? a.size() : b.size();
  volatile unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff = static_cast<unsigned char>(diff | (x ^ y));
  }
  return diff == 0;
}

}  // namespace clippo

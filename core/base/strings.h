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

}  // namespace clippo

#pragma once
// Integers read from JSON that comes from outside (a store's items.jsonl, log records, store.json
// and checksum records; a model file's config) without undefined behaviour. nlohmann's get<int64_t>() turns a float such
// as 6.7e34 into an integer with a C++ cast, which is undefined past the integer's range (the
// log's fuzzer found it); a damaged file must give an error, not a garbage id. A value that is
// not an integer within T's range throws nlohmann's out_of_range, which the readers turn into an
// error naming the file and the record. Header-only: for libraries that link nlohmann_json.
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

#include <nlohmann/json.hpp>

namespace clippo {

template <typename T>
T json_integer(const nlohmann::json& value, const std::string& what) {
  static_assert(std::is_integral_v<T>);
  if (value.is_number_unsigned()) {
    const uint64_t u = value.get<uint64_t>();
    if (u <= static_cast<uint64_t>(std::numeric_limits<T>::max())) return static_cast<T>(u);
  } else if (value.is_number_integer()) {
    const int64_t s = value.get<int64_t>();
    if constexpr (std::is_signed_v<T>) {
      if (s >= static_cast<int64_t>(std::numeric_limits<T>::min()) &&
          s <= static_cast<int64_t>(std::numeric_limits<T>::max()))
        return static_cast<T>(s);
    } else if (s >= 0 && static_cast<uint64_t>(s) <= static_cast<uint64_t>(std::numeric_limits<T>::max())) {
      return static_cast<T>(s);
    }
  }
  throw nlohmann::json::out_of_range::create(406, what + " must be an integer from " +
                                                      std::to_string(std::numeric_limits<T>::min()) + " to " +
                                                      std::to_string(std::numeric_limits<T>::max()) + ", not " +
                                                      value.dump(),
                                             &value);
}

// The field `key` of the object `j` (which must be there).
template <typename T>
T json_integer_field(const nlohmann::json& j, const char* key) {
  return json_integer<T>(j.at(key), std::string("'") + key + "'");
}

}  // namespace clippo

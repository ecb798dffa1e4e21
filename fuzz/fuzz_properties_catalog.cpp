// Fuzzes the Java .properties reader (Sweet Home 3D's furniture catalogues) with arbitrary bytes:
// any input parses or throws clippo::Error naming the line; every key and value that comes back
// is valid UTF-8, whatever the file's encoding was.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/base/error.h"
#include "core/base/utf8.h"
#include "datasets/corpus/properties_catalog.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto entries = clippo::datasets::parse_properties(std::string(reinterpret_cast<const char*>(data), size),
                                                            "fuzz.properties");
    for (const auto& [key, value] : entries) {
      if (!clippo::is_valid_utf8(key) || !clippo::is_valid_utf8(value)) std::abort();
    }
  } catch (const clippo::Error&) {
  }
  return 0;
}

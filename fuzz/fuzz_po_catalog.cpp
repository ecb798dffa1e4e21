// Fuzzes the gettext .po reader (pysiogame's word lists) with arbitrary text: any input parses
// or throws clippo::Error naming the line; what parses is valid UTF-8, as the reader promises.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/base/error.h"
#include "core/base/utf8.h"
#include "datasets/corpus/po_catalog.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto entries = clippo::datasets::parse_po_catalog(std::string(reinterpret_cast<const char*>(data), size), "fuzz.po");
    for (const auto& entry : entries) {
      if (entry.msgid.empty()) std::abort();  // the header entry is left out
      if (!clippo::is_valid_utf8(entry.msgid) || !clippo::is_valid_utf8(entry.msgstr) ||
          !clippo::is_valid_utf8(entry.context)) {
        std::abort();
      }
    }
  } catch (const clippo::Error&) {
  }
  return 0;
}

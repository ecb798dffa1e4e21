// Fuzzes the gettext .mo reader (iso-codes, kgeography, Wesnoth catalogues) with arbitrary
// bytes: any input parses or throws clippo::Error naming the fault; no over-read.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/base/error.h"
#include "datasets/mo_catalog.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto entries = clippo::datasets::parse_mo_catalog(std::string(reinterpret_cast<const char*>(data), size), "fuzz.mo");
    for (const auto& entry : entries) {
      if (entry.msgid.empty()) std::abort();  // the header entry, and any other without a msgid, is left out
    }
  } catch (const clippo::Error&) {
  }
  return 0;
}

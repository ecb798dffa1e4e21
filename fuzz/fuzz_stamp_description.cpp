// Fuzzes the Tux Paint stamp description reader (the corpus builder's tuxpaint source) with
// arbitrary bytes: any input parses or throws clippo::Error naming the line; the English text
// and every translation that comes back are valid UTF-8, non-empty translations with locales that
// map to a CLDR locale or to "" without failing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/base/error.h"
#include "core/base/utf8.h"
#include "datasets/corpus/po_catalog.h"
#include "datasets/corpus/stamp_description.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const clippo::datasets::StampDescription d = clippo::datasets::parse_stamp_description(
        std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.txt");
    if (!clippo::is_valid_utf8(d.english)) std::abort();
    for (const auto& [locale, text] : d.translations) {
      if (locale.empty() || text.empty() || !clippo::is_valid_utf8(text)) std::abort();
      (void)clippo::datasets::cldr_locale_of_gettext(locale);
    }
  } catch (const clippo::Error&) {
  }
  return 0;
}

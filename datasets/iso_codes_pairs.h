// Translation pairs from Debian's iso-codes: English names of languages (ISO 639-2), countries
// (ISO 3166-1) and currencies (ISO 4217) with their names in each locale, read from the gettext
// catalogues iso-codes installs (`<locale dir>/<locale>/LC_MESSAGES/iso_3166-1.mo`, ...; the
// English names are the msgids). Written as a text-pairs TSV
// (`English<TAB>translation<TAB>en<TAB><locale>`): text/text training data in ~150 locales.
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "datasets/examples.h"

namespace clippo::datasets {

inline constexpr const char* kSystemLocaleDir = "/usr/share/locale";

struct IsoCodesPairsOptions {
  std::string locale_dir = kSystemLocaleDir;
  std::string out_path;  // the TSV, replaced atomically
  std::vector<std::string> catalogues = {"iso_639-2", "iso_3166-1", "iso_4217"};  // without .mo
};

struct IsoCodesPairsSummary {
  size_t n_locales = 0;  // locale folders that gave at least one pair
  size_t n_pairs = 0;    // lines written
  std::map<std::string, size_t> n_pairs_by_catalogue;
  size_t n_identical = 0;  // translations equal to the English name, left out
  size_t n_corrupt_catalogues = 0;
  std::vector<std::string> errors;  // one per corrupt catalogue, naming it
};

// {"n_locales": ..., "n_pairs_by_catalogue": {"iso_3166-1": ...}, ...}
nlohmann::json to_json(const IsoCodesPairsSummary& summary);

// The pairs, for every locale folder (sorted by name) holding at least one of the catalogues,
// catalogue by catalogue in the options' order, entries in file order; a pair already given by
// an earlier catalogue of the same locale is not repeated. The locale is the folder name
// ("de", "pt_BR", "sr@latin"). A corrupt catalogue is counted in `summary` and passed over.
// Throws NotFound when the locale folder does not exist or holds none of the catalogues.
std::vector<TextPairExample> collect_iso_codes_pairs(const IsoCodesPairsOptions& options,
                                                     IsoCodesPairsSummary& summary);

// collect_iso_codes_pairs, then write_text_pairs_tsv to options.out_path. Also throws
// InvalidArgument (no out_path), Unavailable (cannot write).
IsoCodesPairsSummary build_iso_codes_pairs(const IsoCodesPairsOptions& options);

}  // namespace clippo::datasets

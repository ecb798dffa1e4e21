// Builds English/translation pairs from the iso-codes gettext catalogues.
#include "datasets/iso_codes_pairs.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "core/base/error.h"
#include "datasets/mo_catalog.h"
#include "datasets/tsv_format.h"

namespace clippo::datasets {
namespace {

namespace fs = std::filesystem;

// Locale folders, sorted: directory order differs between file systems.
std::vector<std::string> sorted_locales(const std::string& locale_dir) {
  std::error_code ec;
  CLIPPO_CHECK(fs::is_directory(locale_dir, ec), kNotFound, "no such locale folder: '" + locale_dir + "'");
  std::vector<std::string> locales;
  for (const fs::directory_entry& entry : fs::directory_iterator(locale_dir)) {
    if (entry.is_directory()) locales.push_back(entry.path().filename().string());
  }
  std::sort(locales.begin(), locales.end());
  return locales;
}

}  // namespace

nlohmann::json to_json(const IsoCodesPairsSummary& s) {
  return {{"n_locales", s.n_locales},
          {"n_pairs", s.n_pairs},
          {"n_pairs_by_catalogue", s.n_pairs_by_catalogue},
          {"n_identical", s.n_identical},
          {"n_corrupt_catalogues", s.n_corrupt_catalogues},
          {"errors", s.errors}};
}

std::vector<TextPairExample> collect_iso_codes_pairs(const IsoCodesPairsOptions& o,
                                                     IsoCodesPairsSummary& summary) {
  CLIPPO_CHECK(!o.catalogues.empty(), kInvalidArgument, "iso-codes pairs: give at least one catalogue");
  std::vector<TextPairExample> pairs;
  size_t n_catalogues_found = 0;
  for (const std::string& locale : sorted_locales(o.locale_dir)) {
    std::set<std::pair<std::string, std::string>> seen;  // per locale, across catalogues
    for (const std::string& catalogue : o.catalogues) {
      const fs::path path = fs::path(o.locale_dir) / locale / "LC_MESSAGES" / (catalogue + ".mo");
      std::error_code ec;
      if (!fs::is_regular_file(path, ec)) continue;
      ++n_catalogues_found;
      std::vector<MoEntry> entries;
      try {
        entries = read_mo_catalog(path.string());
      } catch (const Error& e) {
        ++summary.n_corrupt_catalogues;
        summary.errors.push_back(e.what());
        continue;
      }
      size_t& n_from_catalogue = summary.n_pairs_by_catalogue[catalogue];
      for (const MoEntry& e : entries) {
        if (e.msgstr.empty()) continue;  // untranslated
        if (e.msgstr == e.msgid) {
          ++summary.n_identical;
          continue;
        }
        if (!seen.emplace(e.msgid, e.msgstr).second) continue;
        pairs.push_back(TextPairExample{e.msgid, e.msgstr, "en", locale});
        ++n_from_catalogue;
      }
    }
    if (!seen.empty()) ++summary.n_locales;
  }
  CLIPPO_CHECK(n_catalogues_found > 0, kNotFound,
               "no iso-codes catalogues under '" + o.locale_dir + "' (is Debian's iso-codes installed?)");
  summary.n_pairs = pairs.size();
  return pairs;
}

IsoCodesPairsSummary build_iso_codes_pairs(const IsoCodesPairsOptions& o) {
  CLIPPO_CHECK(!o.out_path.empty(), kInvalidArgument, "iso-codes pairs: give an output file");
  IsoCodesPairsSummary summary;
  write_text_pairs_tsv(o.out_path, collect_iso_codes_pairs(o, summary));
  return summary;
}

}  // namespace clippo::datasets

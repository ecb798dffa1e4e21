// A reader of GNU gettext translation sources (.po), as pysiogame ships its word lists.
//
// The subset gettext's own tools write (GNU gettext manual, "The Format of PO Files"): entries
// of `msgctxt`, `msgid`, `msgid_plural`, `msgstr` / `msgstr[n]`, each a run of "quoted" strings
// that concatenate, with the C escapes \n \t \" \\ \r \a \b \f \v and octal/hex; `#` lines are
// comments. Obsolete entries (`#~`) are comments here.
#pragma once

#include <string>
#include <vector>

namespace clippo::datasets {

struct PoEntry {
  std::string context;  // msgctxt, "" when none
  std::string msgid;    // the source string
  std::string msgstr;   // the translation; msgstr[0] when plural; "" when untranslated
  bool fuzzy = false;   // marked "#, fuzzy": a guess the translator has not confirmed
};

// Entries in file order, without the header entry (empty msgid). Throws NotFound (no such
// file) or InvalidArgument naming the file and line (a string outside quotes, an unknown
// keyword, an unterminated string, a bad escape, not UTF-8).
std::vector<PoEntry> read_po_catalog(const std::string& path);
std::vector<PoEntry> parse_po_catalog(const std::string& text, const std::string& source);

// A gettext locale (a catalogue's name, a Tux Paint translation's tag) -> the corpus's CLDR
// locale: "zh_CN" -> "zh", "zh_TW" -> "zh_Hant", "pt_BR" -> "pt", "pt" -> "pt_PT" (gettext's
// "pt" is Portugal's Portuguese, CLDR's is Brazil's), "sr@latin" -> "sr_Latn", "fr" -> "fr". ""
// for a locale not read: English and its variants (en_GB, en_AU respell the English) and other
// @-variants (ca@valencia).
std::string cldr_locale_of_gettext(const std::string& locale);

}  // namespace clippo::datasets

// A reader of GNU gettext message catalogues (.mo), as Debian's iso-codes installs them.
//
// Layout (GNU gettext manual, "The Format of GNU MO Files"): a header of 32-bit words in the
// writer's byte order, magic 0x950412de, revision, N strings, offset O of the original-string
// table, offset T of the translation table; each table holds N (length, offset) pairs, the
// strings NUL-terminated. A msgid "ctx\x04text" carries a msgctxt; plural forms are NUL-separated.
#pragma once

#include <string>
#include <vector>

namespace clippo::datasets {

struct MoEntry {
  std::string context;  // msgctxt, "" when none
  std::string msgid;    // the source (English) string; the singular when plural
  std::string msgstr;   // the translation; its first form when plural
};

// Entries in file order (msgfmt sorts them by msgid), without the header entry (empty msgid)
// and without any other entry whose msgid is empty (a context or plural alone).
// Throws NotFound (no such file) or InvalidArgument naming the file and the fault (bad magic,
// unknown major revision, a table or string outside the file).
std::vector<MoEntry> read_mo_catalog(const std::string& path);
std::vector<MoEntry> parse_mo_catalog(const std::string& bytes, const std::string& source);

}  // namespace clippo::datasets

// A reader of Tux Paint's stamp descriptions (tuxpaint-stamps-default: each stamp picture
// `<name>.png` or `<name>.svg` has a `<name>.txt` beside it).
//
// The format, as Tux Paint reads it: UTF-8 text, one entry per line. The first line that is not
// a translation is the English description ("A red kangaroo."); a translation is
// `<locale>.utf8=<text>`, the locale as gettext names it ("fr", "pt_BR", "sr@latin"). Lines end
// in LF, CRLF or CR; a UTF-8 byte-order mark is dropped; blank lines and later untagged lines are
// ignored, as are empty translations.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace clippo::datasets {

struct StampDescription {
  std::string english;                              // "" when the file has none
  std::map<std::string, std::string> translations;  // gettext locale -> text; a repeated locale keeps its first
};

// Throws InvalidArgument naming `source` and the line when the text is not valid UTF-8 or a line
// is longer than 4,096 bytes (no description is; a longer one is not a description file).
StampDescription parse_stamp_description(std::string_view text, const std::string& source);

// A gettext locale of a Tux Paint translation -> the corpus's CLDR locale: "zh_CN" -> "zh",
// "zh_TW" -> "zh_Hant", "pt_BR" -> "pt", "pt" -> "pt_PT", "sr@latin" -> "sr_Latn", "fr" -> "fr".
// "" for a locale not read: English variants (en_GB, en_AU respell the English) and other
// @-variants (ca@valencia).
std::string cldr_locale_of_gettext(const std::string& locale);

}  // namespace clippo::datasets

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

}  // namespace clippo::datasets

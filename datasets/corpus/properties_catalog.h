// A reader of Java .properties files, as Sweet Home 3D ships its furniture catalogues
// (PluginFurnitureCatalog[_<locale>].properties inside each .sh3f library).
//
// The format of java.util.Properties.load: one `key=value`, `key:value` or `key value` per
// logical line; `#` and `!` start comments; a line ending in an odd number of backslashes
// continues on the next (its leading blanks dropped); escapes \t \n \r \f, \uXXXX (UTF-16, pairs
// joined) and `\` before any other character (that character). Files are read as UTF-8 when
// they are valid UTF-8 (Java 9+ resource bundles), else as ISO-8859-1 (the classic encoding).
#pragma once

#include <map>
#include <string>

namespace clippo::datasets {

// key -> value (UTF-8); a key given twice keeps its last value, as Java does. Throws
// InvalidArgument naming `source` and the line for a malformed \u escape.
std::map<std::string, std::string> parse_properties(const std::string& bytes, const std::string& source);

}  // namespace clippo::datasets

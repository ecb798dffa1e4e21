// Unicode CLDR emoji annotations: names and keywords for each emoji, per locale.
//
// CLDR ships them as LDML files, one per locale (`common/annotations/de.xml`, and derived ones
// for skin-tone, ZWJ and flag sequences in `common/annotationsDerived/`). Each emoji has two
// elements: `<annotation cp="😀" type="tts">grinning face</annotation>` (its short name, what a
// screen reader says) and `<annotation cp="😀">face | grin | grinning face</annotation>` (search
// keywords separated by " | "). The files are flat and regular, so a small hand-written reader
// handles them; it knows the five predefined XML entities and numeric character references, and
// nothing else of XML (no CDATA, no DTD entities: CLDR uses neither in these files).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace clippo::datasets {

// Where Debian's `unicode-cldr-core` installs the annotation folders.
inline constexpr const char* kCldrAnnotationsDir = "/usr/share/unicode/cldr/common/annotations";
inline constexpr const char* kCldrAnnotationsDerivedDir = "/usr/share/unicode/cldr/common/annotationsDerived";

struct EmojiAnnotation {
  std::string name;                   // the type="tts" text; empty when the file gives none
  std::vector<std::string> keywords;  // the " | "-separated list, in file order, trimmed
};

// emoji (UTF-8, as in the `cp` attribute: CLDR removes U+FE0F there) -> annotation.
// Ordered by UTF-8 bytes, which is code point order, so everything built on it is deterministic.
using EmojiAnnotations = std::map<std::string, EmojiAnnotation>;

// locale (from the file name: "de", "zh_Hant") -> its annotations.
using LocaleAnnotations = std::map<std::string, EmojiAnnotations>;

struct CldrReadOptions {
  // CLDR marks votes that did not reach consensus draft="unconfirmed" or "provisional". ICU
  // builds its data from "contributed" and better, and so do we unless asked otherwise: some
  // locales (kab, to, ccp) are mostly unconfirmed text.
  bool include_unconfirmed = false;
};

// Reads one LDML annotations file. Throws NotFound (no such file), InvalidArgument (not UTF-8,
// or malformed markup, naming the file and byte offset).
EmojiAnnotations read_cldr_annotations(const std::string& xml_path, const CldrReadOptions& options = {});

// Parses LDML annotations text already in memory; `source` names it in error messages.
EmojiAnnotations parse_cldr_annotations(const std::string& xml, const std::string& source,
                                        const CldrReadOptions& options = {});

// The locale code of an annotations file: "…/zh_Hant.xml" -> "zh_Hant".
std::string cldr_locale_of(const std::string& xml_path);

// Reads every `<locale>.xml` in each folder (root.xml is skipped: it holds no annotations) and
// merges the folders per locale: an emoji already read keeps its name and keywords, and only
// gains what it lacked. `locales` keeps just those locales (empty: all); a requested locale
// found in no folder is NotFound, as is a missing folder, naming it.
LocaleAnnotations read_cldr_annotation_folders(const std::vector<std::string>& folders,
                                               const std::vector<std::string>& locales = {},
                                               const CldrReadOptions& options = {});

}  // namespace clippo::datasets

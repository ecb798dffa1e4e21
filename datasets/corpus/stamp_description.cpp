#include "datasets/corpus/stamp_description.h"

#include <cctype>

#include "core/base/error.h"
#include "core/base/utf8.h"

namespace clippo::datasets {
namespace {

constexpr size_t kMaxLineBytes = 4096;

// `fr.utf8=`, `pt_BR.utf8=`, `sr@latin.utf8=`: letters, then letters, digits, '_' or '@'.
// Returns the locale, or "" when the line is not a translation.
std::string_view translation_locale(std::string_view line, size_t& text_at) {
  const size_t tag = line.find(".utf8=");
  if (tag == std::string_view::npos || tag == 0 || tag > 32) return {};
  const std::string_view locale = line.substr(0, tag);
  if (!std::isalpha(static_cast<unsigned char>(locale.front()))) return {};
  for (const char c : locale) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '@') return {};
  }
  text_at = tag + 6;
  return locale;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

StampDescription parse_stamp_description(std::string_view text, const std::string& source) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  StampDescription out;
  size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    // Lines end in LF, CRLF or a bare CR (old Mac files).
    const size_t end = text.find_first_of("\r\n");
    const std::string_view raw = text.substr(0, end);
    if (end == std::string_view::npos) {
      text.remove_prefix(text.size());
    } else {
      text.remove_prefix(text.compare(end, 2, "\r\n") == 0 ? end + 2 : end + 1);
    }
    const std::string where = source + ":" + std::to_string(line_number);
    CLIPPO_CHECK(raw.size() <= kMaxLineBytes, kInvalidArgument,
                 where + ": a line longer than " + std::to_string(kMaxLineBytes) + " bytes; not a stamp description");
    CLIPPO_CHECK(is_valid_utf8(raw), kInvalidArgument, where + ": not valid UTF-8");
    const std::string_view line = trimmed(raw);
    if (line.empty()) continue;
    size_t text_at = 0;
    const std::string_view locale = translation_locale(line, text_at);
    if (locale.empty()) {
      if (out.english.empty()) out.english = std::string(line);
      continue;
    }
    const std::string_view translation = trimmed(line.substr(text_at));
    if (!translation.empty()) out.translations.emplace(std::string(locale), std::string(translation));
  }
  return out;
}

}  // namespace clippo::datasets

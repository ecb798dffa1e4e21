// UTF-8 decoding that never fails: ill-formed input becomes U+FFFD.
//
// Each maximal subpart of an ill-formed sequence is replaced by one U+FFFD (Unicode 15,
// section 3.9, "U+FFFD Substitution of Maximal Subparts"), which is what ICU's converter, and
// therefore TensorFlow's `tf.strings.unicode_decode(errors="replace")` used by big_vision, do.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace clippo {

inline constexpr char32_t kReplacementChar = 0xFFFD;

// Decodes `text` into code points, replacing ill-formed parts with U+FFFD.
// Stops after `max_chars` code points when max_chars > 0.
std::u32string decode_utf8(std::string_view text, size_t max_chars = 0);

// Encodes one code point (must be a Unicode scalar value) and appends it to `out`.
void append_utf8(char32_t cp, std::string& out);

// Re-encodes `text` as well-formed UTF-8 (ill-formed parts become U+FFFD).
std::string sanitize_utf8(std::string_view text);

// True when `text` is well-formed UTF-8.
bool is_valid_utf8(std::string_view text);

// Lower-cases ASCII A-Z only, byte by byte, as `tf.strings.lower` with its default empty
// encoding does (big_vision's render_unifont relies on this: "Ä" stays "Ä").
std::string ascii_lower(std::string_view text);

}  // namespace clippo

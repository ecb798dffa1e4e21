#include "render/text_renderer.h"

#include <unicode/locid.h>
#include <unicode/unistr.h>

#include "core/base/error.h"
#include "core/base/utf8.h"
#include "render/shaped_renderer.h"
#include "render/unifont_renderer.h"

namespace clippo::render {

std::unique_ptr<TextRenderer> make_text_renderer(const RendererSpec& spec) {
  spec.validate();
  if (spec.kind == "unifont") return std::make_unique<UnifontRenderer>(spec);
  if (spec.kind == "shaped") return std::make_unique<ShapedRenderer>(spec);
  throw Error(ErrorCode::kInvalidArgument, "unknown renderer '" + spec.kind + "'");
}

std::string apply_lower_case(std::string_view text, LowerCase lower) {
  switch (lower) {
    case LowerCase::kAscii: return ascii_lower(text);
    case LowerCase::kNone: return std::string(text);
    case LowerCase::kUnicode: {
      // ICU maps ill-formed UTF-8 to U+FFFD, as decode_utf8 would.
      icu::UnicodeString s = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
      s.toLower(icu::Locale::getRoot());
      std::string out;
      s.toUTF8String(out);
      return out;
    }
  }
  return std::string(text);
}

}  // namespace clippo::render

#include "render/renderer_spec.h"

#include <nlohmann/json.hpp>

#include "core/base/error.h"

namespace clippo::render {

void RendererSpec::validate() const {
  CLIPPO_CHECK(kind == "unifont" || kind == "shaped", kInvalidArgument,
               "unknown renderer '" + kind + "' (expected 'unifont' or 'shaped')");
  CLIPPO_CHECK(image_size >= 16 && image_size <= 4096, kInvalidArgument,
               "image_size must be in [16, 4096], got " + std::to_string(image_size));
  CLIPPO_CHECK(max_chars >= 0 && max_chars <= 1'000'000, kInvalidArgument,
               "max_chars must be in [0, 1000000], got " + std::to_string(max_chars));
  CLIPPO_CHECK(background >= 0 && background <= 255 && text >= 0 && text <= 255, kInvalidArgument,
               "background and text brightness must be in [0, 255]");
  CLIPPO_CHECK(spacing >= 0 && spacing <= 16, kInvalidArgument,
               "spacing must be in [0, 16], got " + std::to_string(spacing));
  CLIPPO_CHECK(min_width >= 0 && min_width <= 16, kInvalidArgument,
               "min_width must be in [0, 16], got " + std::to_string(min_width));
  CLIPPO_CHECK(line_height_px >= 4 && line_height_px <= 256, kInvalidArgument,
               "line_height_px must be in [4, 256], got " + std::to_string(line_height_px));
  CLIPPO_CHECK(font_size_px >= 4 && font_size_px <= line_height_px * 2, kInvalidArgument,
               "font_size_px must be in [4, 2 * line_height_px], got " + std::to_string(font_size_px));
}

LowerCase parse_lower_case(const std::string& name) {
  if (name == "ascii") return LowerCase::kAscii;
  if (name == "unicode") return LowerCase::kUnicode;
  if (name == "none") return LowerCase::kNone;
  throw Error(ErrorCode::kInvalidArgument,
              "unknown lower-casing '" + name + "' (expected 'ascii', 'unicode' or 'none')");
}

std::string lower_case_name(LowerCase lower) {
  switch (lower) {
    case LowerCase::kAscii: return "ascii";
    case LowerCase::kUnicode: return "unicode";
    case LowerCase::kNone: return "none";
  }
  return "ascii";
}

nlohmann::json to_json(const RendererSpec& s) {
  return nlohmann::json{{"kind", s.kind},
                        {"image_size", s.image_size},
                        {"max_chars", s.max_chars},
                        {"background", s.background},
                        {"text", s.text},
                        {"lower", lower_case_name(s.lower)},
                        {"monospace", s.monospace},
                        {"spacing", s.spacing},
                        {"min_width", s.min_width},
                        {"unifont_hex", s.unifont_hex},
                        {"unifont_upper", s.unifont_upper},
                        {"line_height_px", s.line_height_px},
                        {"font_size_px", s.font_size_px},
                        {"fonts", s.fonts}};
}

namespace {

template <typename T>
void read_field(const nlohmann::json& j, const char* key, T& out) {
  const auto it = j.find(key);
  if (it == j.end()) return;  // absent: keep the default
  try {
    out = it->template get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(ErrorCode::kInvalidArgument,
                std::string("renderer field '") + key + "' has the wrong type: " + it->dump());
  }
}

}  // namespace

RendererSpec renderer_spec_from_json(const nlohmann::json& j) {
  CLIPPO_CHECK(j.is_object(), kInvalidArgument, "renderer spec must be a JSON object");
  static const char* kKnown[] = {"kind", "image_size", "max_chars", "background", "text",
                                 "lower", "monospace", "spacing", "min_width", "unifont_hex",
                                 "unifont_upper", "line_height_px", "font_size_px", "fonts"};
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const char* k : kKnown) known = known || key == k;
    CLIPPO_CHECK(known, kInvalidArgument, "unknown renderer field '" + key + "'");
  }
  RendererSpec s;
  read_field(j, "kind", s.kind);
  read_field(j, "image_size", s.image_size);
  read_field(j, "max_chars", s.max_chars);
  read_field(j, "background", s.background);
  read_field(j, "text", s.text);
  std::string lower = lower_case_name(s.lower);
  read_field(j, "lower", lower);
  s.lower = parse_lower_case(lower);
  read_field(j, "monospace", s.monospace);
  read_field(j, "spacing", s.spacing);
  read_field(j, "min_width", s.min_width);
  read_field(j, "unifont_hex", s.unifont_hex);
  read_field(j, "unifont_upper", s.unifont_upper);
  read_field(j, "line_height_px", s.line_height_px);
  read_field(j, "font_size_px", s.font_size_px);
  read_field(j, "fonts", s.fonts);
  s.validate();
  return s;
}

}  // namespace clippo::render

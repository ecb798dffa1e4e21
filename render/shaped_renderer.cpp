// The shaped renderer: UTF-8 text -> code points -> paragraphs (hard breaks) -> ICU bidi
// levels, script runs and per-code-point font fallback -> HarfBuzz runs -> greedy lines at ICU
// line-break opportunities (grapheme boundaries for over-long words) -> visual order per line
// -> FreeType coverage bitmaps blended into the canvas.
//
// It owns the font chain (opened lazily: the default Noto chain has ~160 files and most texts
// need two or three of them), the code point -> font cache and the rasterised glyph cache.
// One std::shared_mutex guards both caches, font opening and every FreeType call (FT_Face is
// not thread-safe); HarfBuzz fonts are immutable once published, so shaping runs unlocked.
#include "render/shaped_renderer.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include <hb-ot.h>
#include <hb.h>
#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/ubidi.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utext.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "core/base/error.h"
#include "core/base/utf8.h"

namespace clippo::render {
namespace {

constexpr int kMarginPx = 2;  // kept free left and right so antialiased edges are not cut

struct Font {  // fields written once, under the unique lock, when first needed
  enum State { kUnopened, kOpen, kFailed };
  std::string path;
  State state = kUnopened;
  hb_blob_t* blob = nullptr;
  hb_font_t* hb = nullptr;
  FT_Face ft = nullptr;
};

struct Glyph {  // coverage bitmap, rows top to bottom; left/top as FreeType's bitmap_left/top
  int left = 0, top = 0, width = 0, height = 0;
  std::vector<uint8_t> coverage;
};

struct ShapedGlyph {
  uint32_t gid;
  int cluster;                        // UTF-16 offset in the paragraph
  int x_advance, x_offset, y_offset;  // 26.6 pixels
};

struct Placed {
  int font;
  uint32_t gid;
  int x, y;  // pen position on the baseline, canvas pixels
};

struct Item {  // maximal run of one bidi level, script and font, logical order
  int start, end, level, font;
  hb_script_t script;
  std::vector<ShapedGlyph> glyphs;
};

bool is_hard_break(char16_t c) {
  return c == u'\n' || c == u'\r' || c == 0x0B || c == 0x0C || c == 0x85 || c == 0x2028 || c == 0x2029;
}

bool is_mark(UChar32 cp) {
  const int8_t type = u_charType(cp);
  return type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK || type == U_COMBINING_SPACING_MARK;
}

// Invisible controls that modify the character before them. They stay in its run even when
// its font lacks them (HarfBuzz hides them then); a fallback font would draw them as boxes.
bool is_joiner_or_selector(UChar32 cp) {
  return cp == 0x200C || cp == 0x200D || u_hasBinaryProperty(cp, UCHAR_VARIATION_SELECTOR);
}

// CLIPPO_FONT_DIRS is a CMake list (';'); ':' as in PATH is accepted too.
std::vector<std::string> split_dirs(const std::string& list) {
  std::vector<std::string> dirs;
  size_t begin = 0;
  while (begin <= list.size()) {
    const size_t end = std::min(list.find_first_of(";:", begin), list.size());
    if (end > begin) dirs.push_back(list.substr(begin, end - begin));
    begin = end + 1;
  }
  return dirs;
}

// NotoSans-Regular, the script-specific NotoSans*-Regular fonts (sorted by name), CJK, DejaVu,
// then Unifont, which covers nearly all of the BMP, as the last resort.
std::vector<std::string> default_font_chain(const std::vector<std::string>& dirs) {
  namespace fs = std::filesystem;
  std::vector<std::string> chain;
  auto first_existing = [&](const std::vector<std::string>& candidates) {
    for (const auto& p : candidates) {
      std::error_code ec;
      if (fs::is_regular_file(p, ec)) return chain.push_back(p);
    }
  };
  auto in_dirs = [&](const std::string& name) {
    std::vector<std::string> out;
    for (const auto& d : dirs) out.push_back(d + "/" + name);
    return out;
  };
  first_existing(in_dirs("NotoSans-Regular.ttf"));
  std::vector<std::pair<std::string, std::string>> found;  // (file name, path): sort by name
  for (const auto& d : dirs) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(d, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with("NotoSans") && name.ends_with("-Regular.ttf") && name != "NotoSans-Regular.ttf")
        found.emplace_back(name, entry.path().string());
    }
  }
  std::sort(found.begin(), found.end());
  for (auto& [name, path] : found) chain.push_back(std::move(path));
  first_existing(in_dirs("NotoSansCJK-Regular.ttc"));
  auto dejavu = in_dirs("DejaVuSans.ttf");
  dejavu.push_back("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
  first_existing(dejavu);
  const fs::path upper = CLIPPO_UNIFONT_UPPER_OTF;  // Debian's fonts-unifont, beside unifont.otf
  first_existing({(upper.parent_path() / "unifont.otf").string()});
  first_existing({upper.string()});
  return chain;
}

// Per-thread ICU / HarfBuzz state: these objects are not shareable, and creating them per call
// (a BreakIterator clone in particular) would dominate the cost of a short caption.
struct Scratch {
  std::unique_ptr<hb_buffer_t, decltype(&hb_buffer_destroy)> buffer{hb_buffer_create(), &hb_buffer_destroy};
  std::unique_ptr<UBiDi, decltype(&ubidi_close)> para{ubidi_open(), &ubidi_close}, line{ubidi_open(), &ubidi_close};
  std::unique_ptr<icu::BreakIterator> line_breaks, graphemes;
  std::vector<uint8_t> coverage;
  Scratch() {
    UErrorCode status = U_ZERO_ERROR;
    line_breaks.reset(icu::BreakIterator::createLineInstance(icu::Locale::getRoot(), status));
    graphemes.reset(icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));
    CLIPPO_CHECK(U_SUCCESS(status), kInternal,
                 std::string("ICU break iterators unavailable: ") + u_errorName(status));
  }
};

}  // namespace

struct ShapedRenderer::Impl {
  RendererSpec spec;
  FT_Library ft_library = nullptr;
  std::vector<std::unique_ptr<Font>> fonts;  // fixed at construction; entries open lazily
  int primary = 0;                           // first font that opened: .notdef comes from it
  std::array<uint8_t, 256> blend{};          // coverage -> brightness
  std::vector<hb_script_t> hb_scripts;       // by UScriptCode

  mutable std::shared_mutex mutex;
  mutable std::unordered_map<char32_t, int> font_of_cp;  // first covering font, or primary
  // (font << 32 | gid). Nodes never move or go, so pointers taken under the shared lock stay
  // valid after it; bounded by the glyph counts of the fonts in use.
  mutable std::unordered_map<uint64_t, Glyph> glyphs;

  ~Impl() {
    for (auto& f : fonts) {
      if (f->ft) FT_Done_Face(f->ft);
      hb_font_destroy(f->hb);
      hb_blob_destroy(f->blob);
    }
    if (ft_library) FT_Done_FreeType(ft_library);
  }

  // Caller holds the unique lock. A font that cannot be read or sized is skipped for good.
  bool open(int index) const {
    Font& f = *fonts[index];
    if (f.state != Font::kUnopened) return f.state == Font::kOpen;
    f.blob = hb_blob_create_from_file_or_fail(f.path.c_str());
    bool ok = f.blob != nullptr;
    if (ok) {
      hb_face_t* face = hb_face_create(f.blob, 0);
      ok = hb_face_get_glyph_count(face) > 0;
      f.hb = hb_font_create(face);
      hb_face_destroy(face);
      hb_ot_font_set_funcs(f.hb);
      hb_font_set_scale(f.hb, spec.font_size_px * 64, spec.font_size_px * 64);
      hb_font_make_immutable(f.hb);
      unsigned int size = 0;
      const char* data = hb_blob_get_data(f.blob, &size);
      ok = ok && FT_New_Memory_Face(ft_library, reinterpret_cast<const FT_Byte*>(data),
                                    static_cast<FT_Long>(size), 0, &f.ft) == 0;
      ok = ok && FT_Set_Pixel_Sizes(f.ft, 0, static_cast<FT_UInt>(spec.font_size_px)) == 0;
    }
    f.state = ok ? Font::kOpen : Font::kFailed;
    return ok;
  }

  // For open fonts only; hb fonts are immutable, so any thread may ask.
  bool covers(int index, char32_t cp) const {
    hb_codepoint_t gid = 0;
    return hb_font_get_nominal_glyph(fonts[index]->hb, cp, &gid) != 0;
  }

  // Caller holds the unique lock.
  int first_covering_font(char32_t cp) const {
    for (int i = 0; i < static_cast<int>(fonts.size()); ++i)
      if (open(i) && covers(i, cp)) return i;
    return primary;
  }

  // Caller holds the unique lock.
  const Glyph& rasterise(int font, uint32_t gid) const {
    Glyph g;
    FT_Face face = fonts[font]->ft;
    // LIGHT hinting snaps vertically only, so HarfBuzz's unhinted advances still fit the shapes.
    if (FT_Load_Glyph(face, gid, FT_LOAD_RENDER | FT_LOAD_TARGET_LIGHT) == 0) {
      const FT_Bitmap& bm = face->glyph->bitmap;
      g.left = face->glyph->bitmap_left;
      g.top = face->glyph->bitmap_top;
      g.width = static_cast<int>(bm.width);
      g.height = static_cast<int>(bm.rows);
      g.coverage.resize(static_cast<size_t>(g.width) * g.height);
      for (int y = 0; y < g.height; ++y) {
        const uint8_t* row = bm.buffer + static_cast<ptrdiff_t>(y) * bm.pitch;
        for (int x = 0; x < g.width; ++x) {
          uint8_t c = 0;
          if (bm.pixel_mode == FT_PIXEL_MODE_GRAY)
            c = static_cast<uint8_t>(row[x] * 255 / std::max(bm.num_grays - 1, 1));
          else if (bm.pixel_mode == FT_PIXEL_MODE_MONO)
            c = (row[x >> 3] & (0x80 >> (x & 7))) ? 255 : 0;
          g.coverage[static_cast<size_t>(y) * g.width + x] = c;
        }
      }
    }
    return glyphs.emplace((uint64_t{static_cast<uint32_t>(font)} << 32) | gid, std::move(g)).first->second;
  }

  void shape(Scratch& s, const char16_t* text, int text_len, int start, int len, const Item& item,
             int cluster_base, std::vector<ShapedGlyph>& out) const {
    hb_buffer_t* buf = s.buffer.get();
    hb_buffer_clear_contents(buf);
    hb_buffer_add_utf16(buf, reinterpret_cast<const uint16_t*>(text), text_len,
                        static_cast<unsigned>(start), len);
    hb_buffer_set_direction(buf, (item.level & 1) ? HB_DIRECTION_RTL : HB_DIRECTION_LTR);
    hb_buffer_set_script(buf, item.script);
    hb_shape(fonts[item.font]->hb, buf, nullptr, 0);
    unsigned int n = 0;
    const hb_glyph_info_t* info = hb_buffer_get_glyph_infos(buf, &n);
    const hb_glyph_position_t* pos = hb_buffer_get_glyph_positions(buf, &n);
    for (unsigned int i = 0; i < n; ++i)
      out.push_back({info[i].codepoint, static_cast<int>(info[i].cluster) + cluster_base, pos[i].x_advance,
                     pos[i].x_offset, pos[i].y_offset});
  }

  void layout_paragraph(Scratch& s, const char16_t* text, int n, const int16_t* font_of,
                        const hb_script_t* script_of, int& line_index, std::vector<Placed>& placed) const;
};

ShapedRenderer::ShapedRenderer(const RendererSpec& spec) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.spec = spec;
  m.spec.validate();
  CLIPPO_CHECK(m.spec.kind == "shaped", kInvalidArgument, "ShapedRenderer needs kind 'shaped'");
  for (int c = 0; c < 256; ++c)
    m.blend[c] = static_cast<uint8_t>(
        std::lround(m.spec.background + (m.spec.text - m.spec.background) * c / 255.0));
  m.hb_scripts.resize(USCRIPT_CODE_LIMIT, HB_SCRIPT_COMMON);
  for (int code = 0; code < USCRIPT_CODE_LIMIT; ++code)
    if (const char* tag = uscript_getShortName(static_cast<UScriptCode>(code)))
      m.hb_scripts[code] = hb_script_from_string(tag, -1);
  if (FT_Init_FreeType(&m.ft_library) != 0) throw Error(ErrorCode::kInternal, "FreeType failed to initialise");
  Scratch probe;  // fails fast when ICU's break rules are missing

  std::vector<std::string> paths = m.spec.fonts;
  if (paths.empty()) {
    const auto dirs = split_dirs(CLIPPO_FONT_DIRS);
    paths = default_font_chain(dirs);
    CLIPPO_CHECK(!paths.empty(), kNotFound,
                 "shaped renderer: no fonts found in CLIPPO_FONT_DIRS (" + std::string(CLIPPO_FONT_DIRS) +
                     ") nor Unifont at " CLIPPO_UNIFONT_UPPER_OTF "; install fonts-noto-core or set the "
                     "spec's fonts");
  } else {
    for (const auto& p : paths) {
      std::error_code ec;
      CLIPPO_CHECK(std::filesystem::is_regular_file(p, ec), kNotFound, "font file not found: " + p);
    }
  }
  CLIPPO_CHECK(paths.size() <= 4096, kInvalidArgument, "at most 4096 fonts in a fallback chain");
  for (auto& p : paths) {
    m.fonts.push_back(std::make_unique<Font>());
    m.fonts.back()->path = std::move(p);
  }
  std::unique_lock lock(m.mutex);
  if (!m.spec.fonts.empty()) {  // fonts the caller named must all be usable: fail fast
    for (int i = 0; i < static_cast<int>(m.fonts.size()); ++i)
      CLIPPO_CHECK(m.open(i), kInvalidArgument, "not a usable font file: " + m.fonts[i]->path);
    return;
  }
  m.primary = -1;
  for (int i = 0; i < static_cast<int>(m.fonts.size()) && m.primary < 0; ++i)
    if (m.open(i)) m.primary = i;
  CLIPPO_CHECK(m.primary >= 0, kNotFound,
               "shaped renderer: none of the fonts in " + std::string(CLIPPO_FONT_DIRS) + " could be opened");
}

ShapedRenderer::~ShapedRenderer() = default;

const RendererSpec& ShapedRenderer::spec() const { return impl_->spec; }

void ShapedRenderer::Impl::layout_paragraph(Scratch& s, const char16_t* text, int n, const int16_t* font_of,
                                            const hb_script_t* script_of, int& line_index,
                                            std::vector<Placed>& placed) const {
  UErrorCode status = U_ZERO_ERROR;
  ubidi_setPara(s.para.get(), text, n, UBIDI_DEFAULT_LTR, nullptr, &status);
  if (U_FAILURE(status)) return;
  const bool rtl = (ubidi_getParaLevel(s.para.get()) & 1) != 0;
  const UBiDiLevel* levels = ubidi_getLevels(s.para.get(), &status);
  if (U_FAILURE(status)) return;

  // Items, shaped with the whole paragraph as context; their advances measure the lines.
  std::vector<Item> items;
  for (int i = 0; i < n; ++i) {
    if (U16_IS_TRAIL(text[i]) && i > 0 && U16_IS_LEAD(text[i - 1])) continue;
    if (items.empty() || items.back().level != levels[i] || items.back().font != font_of[i] ||
        items.back().script != script_of[i]) {
      if (!items.empty()) items.back().end = i;
      items.push_back({i, n, levels[i], font_of[i], script_of[i], {}});
    }
  }
  std::vector<int64_t> prefix(n + 1, 0);  // 26.6 advance of text[0, i)
  for (Item& item : items) {
    shape(s, text, n, item.start, item.end - item.start, item, 0, item.glyphs);
    for (const ShapedGlyph& g : item.glyphs) prefix[g.cluster + 1] += g.x_advance;
  }
  for (int i = 0; i < n; ++i) prefix[i + 1] += prefix[i];
  auto trim = [&](int from, int to) {  // drop trailing white space: it neither shows nor counts
    while (to > from && u_isUWhiteSpace(text[to - 1])) --to;
    return to;
  };
  const int64_t avail = int64_t{spec.image_size - 2 * kMarginPx} * 64;
  auto fits = [&](int from, int to) { return prefix[trim(from, to)] - prefix[from] <= avail; };

  // Greedy lines: the last break opportunity that fits; a word wider than a line is broken at
  // grapheme boundaries. Short captions fit on one line and skip the break iterators entirely.
  std::vector<std::pair<int, int>> lines;
  // Lines that would start below the canvas are not worth finding.
  const int max_lines = (spec.image_size + spec.line_height_px - 1) / spec.line_height_px - line_index;
  if (fits(0, n)) {
    lines.emplace_back(0, n);
  } else {
    UText ut = UTEXT_INITIALIZER;
    utext_openUChars(&ut, text, n, &status);
    s.line_breaks->setText(&ut, status);
    s.graphemes->setText(&ut, status);
    utext_close(&ut);
    if (U_FAILURE(status)) return;
    for (int pos = 0; pos < n && static_cast<int>(lines.size()) < max_lines;) {
      int end = pos;
      for (int b = s.line_breaks->following(pos); b != icu::BreakIterator::DONE && fits(pos, b);
           b = s.line_breaks->following(b))
        end = b;
      if (end == pos) {
        const int word_end = s.line_breaks->following(pos);
        for (int g = s.graphemes->following(pos); g != icu::BreakIterator::DONE && g <= word_end && fits(pos, g);
             g = s.graphemes->following(g))
          end = g;
        if (end == pos) end = s.graphemes->following(pos);  // one grapheme wider than a line
      }
      lines.emplace_back(pos, end);
      pos = end;
    }
  }

  std::vector<ShapedGlyph> line_glyphs;
  std::vector<std::vector<ShapedGlyph>> reshaped(items.size());
  for (auto [ls, le_full] : lines) {
    const int top = line_index++ * spec.line_height_px;
    if (top >= spec.image_size) return;
    const int le = trim(ls, le_full);
    if (le == ls) continue;
    // Items cut by this line are reshaped with the line alone as context, so a word broken
    // across lines gets its final and initial forms (Arabic joining) at the break.
    for (size_t k = 0; k < items.size(); ++k) {
      const Item& it = items[k];
      reshaped[k].clear();
      if (it.end <= ls || it.start >= le || (it.start >= ls && it.end <= le)) continue;
      const int a = std::max(it.start, ls), b = std::min(it.end, le);
      shape(s, text + ls, le - ls, a - ls, b - a, it, ls, reshaped[k]);
    }
    ubidi_setLine(s.para.get(), ls, le, s.line.get(), &status);
    if (U_FAILURE(status)) return;
    line_glyphs.clear();
    const int32_t n_runs = ubidi_countRuns(s.line.get(), &status);
    for (int32_t r = 0; r < n_runs; ++r) {
      int32_t run_start = 0, run_len = 0;
      const bool run_rtl = ubidi_getVisualRun(s.line.get(), r, &run_start, &run_len) == UBIDI_RTL;
      const int vs = ls + run_start, ve = vs + run_len;
      // Items inside a right-to-left run are placed from right to left, i.e. in reverse.
      for (size_t j = 0; j < items.size(); ++j) {
        const size_t k = run_rtl ? items.size() - 1 - j : j;
        if (items[k].end <= vs || items[k].start >= ve) continue;
        const auto& source = reshaped[k].empty() ? items[k].glyphs : reshaped[k];
        for (const ShapedGlyph& g : source)
          if (g.cluster >= vs && g.cluster < ve) line_glyphs.push_back(g);
      }
    }
    int64_t width = 0;
    for (const ShapedGlyph& g : line_glyphs) width += g.x_advance;
    int64_t pen = int64_t{rtl ? spec.image_size - kMarginPx : kMarginPx} * 64 - (rtl ? width : 0);
    const int baseline = top + static_cast<int>(std::lround(0.8 * spec.line_height_px));
    for (const ShapedGlyph& g : line_glyphs) {
      placed.push_back({font_of[g.cluster], g.gid, static_cast<int>((pen + g.x_offset + 32) >> 6),
                        baseline - static_cast<int>((g.y_offset + 32) >> 6)});
      pen += g.x_advance;
    }
  }
}

ImageU8 ShapedRenderer::render(std::string_view text) const {
  const Impl& m = *impl_;
  const int size = m.spec.image_size;
  ImageU8 image(size, size, 3, static_cast<uint8_t>(m.spec.background));
  const std::u32string cps = decode_utf8(apply_lower_case(text, m.spec.lower), static_cast<size_t>(m.spec.max_chars));
  if (cps.empty()) return image;

  // UTF-16 for ICU and HarfBuzz; controls other than hard breaks show as spaces, not boxes.
  std::u16string u16;
  u16.reserve(cps.size() + 8);
  for (char32_t cp : cps) {
    if (cp < 0x10000) {
      const auto c = static_cast<char16_t>(cp);
      u16.push_back(u_charType(cp) == U_CONTROL_CHAR && !is_hard_break(c) ? u' ' : c);
    } else {
      u16.push_back(static_cast<char16_t>(U16_LEAD(cp)));
      u16.push_back(static_cast<char16_t>(U16_TRAIL(cp)));
    }
  }
  const int n = static_cast<int>(u16.size());

  // Script per code unit: Common, Inherited and unassigned code points join the run around
  // them (leading ones the first real script that follows).
  std::vector<hb_script_t> script_of(n, HB_SCRIPT_COMMON);
  std::vector<uint8_t> common(n, 0);
  hb_script_t current = HB_SCRIPT_INVALID;
  for (int i = 0; i < n;) {
    const int at = i;
    UChar32 cp;
    U16_NEXT(u16.data(), i, n, cp);
    UErrorCode status = U_ZERO_ERROR;
    const UScriptCode sc = uscript_getScript(cp, &status);
    common[at] = sc <= USCRIPT_INHERITED || sc == USCRIPT_UNKNOWN || sc >= USCRIPT_CODE_LIMIT;
    if (!common[at]) {
      if (current == HB_SCRIPT_INVALID) std::fill(script_of.begin(), script_of.begin() + at, m.hb_scripts[sc]);
      current = m.hb_scripts[sc];
    }
    if (current != HB_SCRIPT_INVALID) std::fill(script_of.begin() + at, script_of.begin() + i, current);
  }

  // Font per code unit: cache hits under one shared lock; misses resolved under the unique one.
  std::vector<int16_t> font_of(n, static_cast<int16_t>(m.primary));
  std::vector<char32_t> misses;
  auto assign_fonts = [&] {
    int prev = -1;
    for (int i = 0; i < n;) {
      const int at = i;
      UChar32 cp;
      U16_NEXT(u16.data(), i, n, cp);
      int font = m.primary;
      // Marks stay with their base so HarfBuzz can position them; spaces, punctuation and
      // digits stay in the font around them, keeping runs whole. Both only where that font has
      // them: a mark from another font still shows, a .notdef box would not.
      const bool stay = prev >= 0 && (is_joiner_or_selector(cp) || ((common[at] || is_mark(cp)) &&
                                                                     m.covers(prev, static_cast<char32_t>(cp))));
      if (stay)
        font = prev;
      else if (auto it = m.font_of_cp.find(static_cast<char32_t>(cp)); it != m.font_of_cp.end())
        font = it->second;
      else
        misses.push_back(static_cast<char32_t>(cp));
      if (cp < 0x10000 && is_hard_break(static_cast<char16_t>(cp))) font = m.primary;
      std::fill(font_of.begin() + at, font_of.begin() + i, static_cast<int16_t>(font));
      prev = font;
    }
  };
  {
    std::shared_lock lock(m.mutex);
    assign_fonts();
  }
  if (!misses.empty()) {
    std::unique_lock lock(m.mutex);
    for (char32_t cp : misses)
      if (!m.font_of_cp.contains(cp)) m.font_of_cp.emplace(cp, m.first_covering_font(cp));
    assign_fonts();  // again: a resolved font changes which fonts its neighbours stay in
  }

  thread_local Scratch scratch;
  std::vector<Placed> placed;
  int line_index = 0;
  for (int start = 0; start <= n && line_index * m.spec.line_height_px < size;) {
    int end = start;
    while (end < n && !is_hard_break(u16[end])) ++end;
    if (end > start)
      m.layout_paragraph(scratch, u16.data() + start, end - start, font_of.data() + start, script_of.data() + start,
                         line_index, placed);
    else
      ++line_index;
    if (end >= n) break;
    start = end + (u16[end] == u'\r' && end + 1 < n && u16[end + 1] == u'\n' ? 2 : 1);
  }
  if (placed.empty()) return image;

  // Glyph bitmaps: hits under the shared lock; misses rasterised under the unique lock.
  std::vector<const Glyph*> bitmaps(placed.size(), nullptr);
  bool missing = false;
  {
    std::shared_lock lock(m.mutex);
    for (size_t i = 0; i < placed.size(); ++i) {
      auto it = m.glyphs.find((uint64_t{static_cast<uint32_t>(placed[i].font)} << 32) | placed[i].gid);
      if (it != m.glyphs.end()) bitmaps[i] = &it->second;
      else missing = true;
    }
  }
  if (missing) {
    std::unique_lock lock(m.mutex);
    for (size_t i = 0; i < placed.size(); ++i) {
      if (bitmaps[i]) continue;
      const uint64_t key = (uint64_t{static_cast<uint32_t>(placed[i].font)} << 32) | placed[i].gid;
      auto it = m.glyphs.find(key);
      bitmaps[i] = it != m.glyphs.end() ? &it->second : &m.rasterise(placed[i].font, placed[i].gid);
    }
  }

  // Coverage canvas (max over overlapping glyphs); only the touched rows are blended.
  std::vector<uint8_t>& cov = scratch.coverage;
  cov.assign(static_cast<size_t>(size) * size, 0);
  int y_min = size, y_max = -1;
  for (size_t i = 0; i < placed.size(); ++i) {
    const Glyph& g = *bitmaps[i];
    const int x0 = placed[i].x + g.left, y0 = placed[i].y - g.top;
    const int ya = std::max(y0, 0), yb = std::min(y0 + g.height, size);
    const int xa = std::max(x0, 0), xb = std::min(x0 + g.width, size);
    if (ya >= yb || xa >= xb) continue;
    y_min = std::min(y_min, ya);
    y_max = std::max(y_max, yb - 1);
    for (int y = ya; y < yb; ++y) {
      const uint8_t* src = g.coverage.data() + static_cast<size_t>(y - y0) * g.width;
      uint8_t* dst = cov.data() + static_cast<size_t>(y) * size;
      for (int x = xa; x < xb; ++x) dst[x] = std::max(dst[x], src[x - x0]);
    }
  }
  for (int y = y_min; y <= y_max; ++y) {
    const uint8_t* c = cov.data() + static_cast<size_t>(y) * size;
    uint8_t* px = image.data() + static_cast<size_t>(y) * size * 3;
    for (int x = 0; x < size; ++x)
      if (c[x]) px[3 * x] = px[3 * x + 1] = px[3 * x + 2] = m.blend[c[x]];
  }
  return image;
}

}  // namespace clippo::render

// Token efficiency: CLIPPO's sequence length against tokenizers' token counts, per language
// (CLIPPO paper, Sec. 4.3 and Fig. 4).
//
// CLIPPO's sequence length for a text is the paper's: render it (by default with big_vision's
// Unifont renderer, 224x224, 16x16 patches) and count the patches in row-major order up to and
// including the last one that holds any rendered-text pixel (a pixel differing from the
// background). Blank text: 0. The tokenizers' length is their token count without BOS/EOS.
//
// Samples. The paper samples sentences; here each paragraph is cut into sentences (after . ! ?
// and their CJK, Devanagari, Arabic, Ethiopic, Armenian, Myanmar and Khmer forms, when followed by
// a space or, for the full-width/script forms, anywhere), and a sentence longer than
// max_sample_chars code points is cut at the last space before the bound (or at the bound, for
// scripts without spaces). The default bound, 160, keeps every sample inside one 224x224 render
// whatever its script: Unifont glyphs are at most 16 px wide, so a row holds at least
// floor(208 / 16) = 13 glyphs and the 14 rows at least 182, and no sample is cropped (a cropped
// render would undercount CLIPPO's length).
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "render/renderer_spec.h"
#include "tokenizer_baselines/sentencepiece_tokenizer.h"

namespace clippo::evaluation {

using tokenizer_baselines::TokenCounter;

// Sentences of `paragraph`, each at most max_chars code points (see above), trimmed, non-empty.
std::vector<std::string> split_into_samples(std::string_view paragraph, size_t max_chars = 160);

// The paper's CLIPPO sequence length of one rendered image: rgb is size x size x 3 (HWC,
// row-major), patches patch x patch. Returns the 1-based row-major index of the last patch with
// any pixel != background, or 0 for a blank image.
size_t clippo_sequence_length(const uint8_t* rgb, int image_size, int patch_size, uint8_t background);

// One language's sample texts (e.g. UDHR sentences for an mC4 language).
struct LanguageSamples {
  std::string code;     // the report's key ("en", "iw", ...)
  std::string name;     // "English"
  std::string source;   // where the text is from, e.g. "udhr:eng"
  std::vector<std::string> samples;
};

struct TokenReportOptions {
  render::RendererSpec renderer;  // default: big_vision's render_unifont
  int patch_size = 16;            // CLIPPO B/16
  size_t n_threads = 0;           // languages rendered in parallel; 0: hardware threads
};

struct LengthStats {
  double mean = 0;
  double median = 0;
  size_t min = 0, max = 0;
};

struct TokenizerStats {
  std::string tokenizer;
  LengthStats tokens;
  double clippo_shorter_fraction = 0;  // samples where CLIPPO's length < the token count
  double clippo_shorter_or_equal_fraction = 0;
};

struct LanguageTokenStats {
  std::string code, name, source;
  size_t n_samples = 0;
  LengthStats clippo;
  std::vector<TokenizerStats> tokenizers;  // in the order the tokenizers were given
};

struct TokenReport {
  std::vector<std::string> tokenizers;       // names, in order
  std::vector<LanguageTokenStats> languages; // in the order given; languages without samples left out
  // Languages listed without text: code -> why (e.g. "romanised web text; the UDHR has no ...").
  std::vector<std::pair<std::string, std::string>> without_text;
  render::RendererSpec renderer;
  int patch_size = 16;
  size_t max_sample_chars = 0;  // informational, set by the caller
};

// Computes the report. Languages with no samples go to without_text ("no sample text").
// Throws InvalidArgument for duplicate tokenizer names or a name the JSON reserves ("clippo",
// "n_samples", "name", "source"); rendering errors propagate.
TokenReport build_token_report(const std::vector<LanguageSamples>& languages,
                               const std::vector<const TokenCounter*>& tokenizers, const TokenReportOptions& options);

// {"languages": {"<code>": {"name", "source", "n_samples": N, "clippo": {"mean","median","min","max"},
//                           "<tokenizer>": {"mean","median","min","max","clippo_shorter_fraction",
//                                           "clippo_shorter_or_equal_fraction"}}},
//  "summary": {"n_languages", "languages_without_text": {"<code>": "why"}, "clippo_mean",
//              "renderer", "patch_size", "max_sample_chars",
//              "tokenizers": {"<tokenizer>": {"n_languages_clippo_shorter_over_75pct",
//                             "share_of_languages_clippo_shorter_over_75pct",
//                             "mean_clippo_shorter_fraction", "token_mean"}}}}
nlohmann::json to_json(const TokenReport& report);
// A Markdown table, one row per language (sorted as the SVG), and the summary lines.
std::string token_report_markdown(const TokenReport& report);
// Figure 4's form: per language, mean CLIPPO length (bars) and each tokenizer's mean token count
// (points), languages sorted by the first tokenizer's tokens/CLIPPO ratio (by CLIPPO length when
// there is no tokenizer). A standalone SVG document.
std::string token_report_svg(const TokenReport& report);

}  // namespace clippo::evaluation

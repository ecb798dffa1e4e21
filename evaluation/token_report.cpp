// Token efficiency report: renders every sample, counts patches and tokens, and formats the
// table, the chart and the JSON.
#include "evaluation/token_report.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "core/base/error.h"
#include "core/base/utf8.h"
#include "evaluation/svg_chart.h"
#include "render/text_renderer.h"
#include "render/unifont_renderer.h"

namespace clippo::evaluation {
namespace {

// Ends a sentence wherever it stands (full-width and script-specific full stops).
bool is_script_stop(char32_t cp) {
  switch (cp) {
    case 0x3002:  // 。 ideographic full stop
    case 0xFF01:  // ！
    case 0xFF1F:  // ？
    case 0xFF0E:  // ．
    case 0x0964:  // । danda
    case 0x0965:  // ॥ double danda
    case 0x06D4:  // ۔ Urdu full stop
    case 0x061F:  // ؟ Arabic question mark
    case 0x1362:  // ። Ethiopic full stop
    case 0x1367:  // ፧ Ethiopic question mark
    case 0x0589:  // ։ Armenian full stop
    case 0x104B:  // ။ Myanmar section mark
    case 0x17D4:  // ។ Khmer khan
      return true;
    default:
      return false;
  }
}

bool is_space(char32_t cp) { return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0 || cp == 0x3000; }

std::string encode(const std::u32string& cps, size_t begin, size_t end) {
  while (begin < end && is_space(cps[begin])) ++begin;
  while (end > begin && is_space(cps[end - 1])) --end;
  std::string out;
  for (size_t i = begin; i < end; ++i) append_utf8(cps[i], out);
  return out;
}

// Cuts one sentence [begin, end) into pieces of at most max_chars code points.
void push_bounded(const std::u32string& cps, size_t begin, size_t end, size_t max_chars, std::vector<std::string>& out) {
  while (begin < end && is_space(cps[begin])) ++begin;
  while (end - begin > max_chars) {
    size_t cut = begin + max_chars;
    size_t space = cut;
    while (space > begin + 1 && !is_space(cps[space])) --space;
    if (space > begin + 1) cut = space;
    std::string piece = encode(cps, begin, cut);
    if (!piece.empty()) out.push_back(std::move(piece));
    begin = cut;
    while (begin < end && is_space(cps[begin])) ++begin;
  }
  std::string piece = encode(cps, begin, end);
  if (!piece.empty()) out.push_back(std::move(piece));
}

LengthStats stats_of(std::vector<size_t> values) {
  LengthStats s;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  double sum = 0;
  for (const size_t v : values) sum += static_cast<double>(v);
  s.mean = sum / static_cast<double>(values.size());
  const size_t n = values.size();
  s.median = n % 2 ? static_cast<double>(values[n / 2])
                   : (static_cast<double>(values[n / 2 - 1]) + static_cast<double>(values[n / 2])) / 2.0;
  s.min = values.front();
  s.max = values.back();
  return s;
}

nlohmann::json stats_json(const LengthStats& s) {
  return {{"mean", s.mean}, {"median", s.median}, {"min", s.min}, {"max", s.max}};
}

std::string fixed(double x, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

// Languages in the chart's order: by the first tokenizer's tokens/CLIPPO ratio, descending;
// by CLIPPO length, ascending, without tokenizers. Ties by code.
std::vector<const LanguageTokenStats*> sorted_languages(const TokenReport& r) {
  std::vector<const LanguageTokenStats*> out;
  for (const LanguageTokenStats& l : r.languages) out.push_back(&l);
  const auto key = [&](const LanguageTokenStats* l) {
    if (r.tokenizers.empty()) return -l->clippo.mean;
    return l->clippo.mean > 0 ? l->tokenizers[0].tokens.mean / l->clippo.mean : 0.0;
  };
  std::stable_sort(out.begin(), out.end(), [&](const LanguageTokenStats* a, const LanguageTokenStats* b) {
    const double ka = key(a), kb = key(b);
    if (ka != kb) return ka > kb;
    return a->code < b->code;
  });
  return out;
}

struct TokenizerSummary {
  size_t n_over_75 = 0;
  double mean_fraction = 0;
  double token_mean = 0;
};

TokenizerSummary summarize(const TokenReport& r, size_t t) {
  TokenizerSummary s;
  size_t n_samples = 0;
  for (const LanguageTokenStats& l : r.languages) {
    const TokenizerStats& ts = l.tokenizers[t];
    if (ts.clippo_shorter_fraction > 0.75) ++s.n_over_75;
    s.mean_fraction += ts.clippo_shorter_fraction;
    s.token_mean += ts.tokens.mean * static_cast<double>(l.n_samples);
    n_samples += l.n_samples;
  }
  if (!r.languages.empty()) s.mean_fraction /= static_cast<double>(r.languages.size());
  if (n_samples > 0) s.token_mean /= static_cast<double>(n_samples);
  return s;
}

double clippo_mean_over_samples(const TokenReport& r) {
  double sum = 0;
  size_t n = 0;
  for (const LanguageTokenStats& l : r.languages) {
    sum += l.clippo.mean * static_cast<double>(l.n_samples);
    n += l.n_samples;
  }
  return n ? sum / static_cast<double>(n) : 0.0;
}

}  // namespace

std::vector<std::string> split_into_samples(std::string_view paragraph, size_t max_chars) {
  CLIPPO_CHECK(max_chars >= 1, kInvalidArgument, "sample length bound must be at least 1 character");
  const std::u32string cps = decode_utf8(paragraph);
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i < cps.size(); ++i) {
    const char32_t c = cps[i];
    bool stop = is_script_stop(c);
    if (!stop && (c == '.' || c == '!' || c == '?')) stop = i + 1 == cps.size() || is_space(cps[i + 1]);
    if (!stop) continue;
    // Keep closing quotes and brackets with their sentence.
    size_t end = i + 1;
    while (end < cps.size() && (cps[end] == '"' || cps[end] == ')' || cps[end] == 0x201D || cps[end] == 0x300D ||
                                cps[end] == 0xBB)) {
      ++end;
    }
    push_bounded(cps, start, end, max_chars, out);
    start = end;
    i = end - 1;
  }
  if (start < cps.size()) push_bounded(cps, start, cps.size(), max_chars, out);
  return out;
}

size_t clippo_sequence_length(const uint8_t* rgb, int image_size, int patch_size, uint8_t background) {
  CLIPPO_CHECK(patch_size > 0 && image_size >= patch_size && image_size % patch_size == 0, kInvalidArgument,
               "patch size " + std::to_string(patch_size) + " does not tile an image of " +
                   std::to_string(image_size) + " px");
  const int grid = image_size / patch_size;
  const size_t row_bytes = static_cast<size_t>(image_size) * 3;
  // Whether a row differs from the background anywhere, by memcmp against a blank row (libc's
  // vectorised compare: blank rows below short texts are most of the image).
  thread_local std::vector<uint8_t> blank_row;
  blank_row.assign(row_bytes, background);
  const auto row_inked = [&](int y) {
    return std::memcmp(rgb + static_cast<size_t>(y) * row_bytes, blank_row.data(), row_bytes) != 0;
  };
  int last_row = image_size - 1;
  while (last_row >= 0 && !row_inked(last_row)) --last_row;
  if (last_row < 0) return 0;
  // The last inked patch is in the patch row holding last_row: its rightmost inked column over
  // that patch row's pixel rows decides the patch.
  const int py = last_row / patch_size;
  int last_x = -1;
  for (int y = py * patch_size; y < (py + 1) * patch_size; ++y) {
    const uint8_t* row = rgb + static_cast<size_t>(y) * row_bytes;
    for (int x = image_size - 1; x > last_x; --x) {
      const uint8_t* px = row + static_cast<size_t>(x) * 3;
      if (px[0] != background || px[1] != background || px[2] != background) {
        last_x = x;
        break;
      }
    }
  }
  return static_cast<size_t>(py) * static_cast<size_t>(grid) + static_cast<size_t>(last_x / patch_size) + 1;
}

TokenReport build_token_report(const std::vector<LanguageSamples>& languages,
                               const std::vector<const TokenCounter*>& tokenizers, const TokenReportOptions& options) {
  std::set<std::string> names;
  for (const TokenCounter* t : tokenizers) {
    CLIPPO_CHECK(t != nullptr, kInvalidArgument, "token report: null tokenizer");
    const std::string& name = t->name();
    CLIPPO_CHECK(!name.empty(), kInvalidArgument, "token report: a tokenizer has an empty name");
    CLIPPO_CHECK(name != "clippo" && name != "n_samples" && name != "name" && name != "source", kInvalidArgument,
                 "token report: tokenizer name '" + name + "' is reserved (choose another NAME)");
    CLIPPO_CHECK(names.insert(name).second, kInvalidArgument, "token report: two tokenizers named '" + name + "'");
  }
  options.renderer.validate();
  const auto renderer = render::make_text_renderer(options.renderer);
  const auto* unifont = dynamic_cast<const render::UnifontRenderer*>(renderer.get());
  const int size = renderer->spec().image_size;
  const uint8_t background = static_cast<uint8_t>(renderer->spec().background);
  // Validates the patch grid once, up front.
  {
    std::vector<uint8_t> blank(static_cast<size_t>(size) * size * 3, background);
    clippo_sequence_length(blank.data(), size, options.patch_size, background);
  }

  TokenReport report;
  for (const TokenCounter* t : tokenizers) report.tokenizers.push_back(t->name());
  report.renderer = renderer->spec();
  report.patch_size = options.patch_size;

  std::vector<LanguageTokenStats> results(languages.size());
  std::atomic<size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  const auto work = [&]() {
    std::vector<uint8_t> buffer(static_cast<size_t>(size) * size * 3);
    try {
      for (size_t li = next++; li < languages.size(); li = next++) {
        const LanguageSamples& in = languages[li];
        LanguageTokenStats& out = results[li];
        out.code = in.code;
        out.name = in.name;
        out.source = in.source;
        out.n_samples = in.samples.size();
        std::vector<size_t> clippo_lengths;
        clippo_lengths.reserve(in.samples.size());
        for (const std::string& text : in.samples) {
          if (unifont != nullptr) {
            unifont->render_into(text, buffer.data());
            clippo_lengths.push_back(clippo_sequence_length(buffer.data(), size, options.patch_size, background));
          } else {
            const ImageU8 image = renderer->render(text);
            clippo_lengths.push_back(clippo_sequence_length(image.data(), size, options.patch_size, background));
          }
        }
        out.clippo = stats_of(clippo_lengths);
        for (const TokenCounter* t : tokenizers) {
          std::vector<size_t> counts;
          counts.reserve(in.samples.size());
          size_t shorter = 0, not_longer = 0;
          for (size_t k = 0; k < in.samples.size(); ++k) {
            const size_t n = t->count(in.samples[k]);
            counts.push_back(n);
            shorter += clippo_lengths[k] < n ? 1 : 0;
            not_longer += clippo_lengths[k] <= n ? 1 : 0;
          }
          TokenizerStats ts;
          ts.tokenizer = t->name();
          ts.tokens = stats_of(counts);
          if (!counts.empty()) {
            ts.clippo_shorter_fraction = static_cast<double>(shorter) / static_cast<double>(counts.size());
            ts.clippo_shorter_or_equal_fraction = static_cast<double>(not_longer) / static_cast<double>(counts.size());
          }
          out.tokenizers.push_back(std::move(ts));
        }
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      next = languages.size();
    }
  };
  size_t n_threads = options.n_threads ? options.n_threads : std::max(1u, std::thread::hardware_concurrency());
  n_threads = std::min(n_threads, std::max<size_t>(languages.size(), 1));
  std::vector<std::thread> pool;
  for (size_t i = 1; i < n_threads; ++i) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);

  for (LanguageTokenStats& l : results) {
    if (l.n_samples == 0) {
      report.without_text.emplace_back(l.code, "no sample text");
    } else {
      report.languages.push_back(std::move(l));
    }
  }
  return report;
}

nlohmann::json to_json(const TokenReport& r) {
  nlohmann::json languages = nlohmann::json::object();
  for (const LanguageTokenStats& l : r.languages) {
    nlohmann::json j = {{"name", l.name}, {"source", l.source}, {"n_samples", l.n_samples}, {"clippo", stats_json(l.clippo)}};
    for (const TokenizerStats& t : l.tokenizers) {
      nlohmann::json tj = stats_json(t.tokens);
      tj["clippo_shorter_fraction"] = t.clippo_shorter_fraction;
      tj["clippo_shorter_or_equal_fraction"] = t.clippo_shorter_or_equal_fraction;
      j[t.tokenizer] = std::move(tj);
    }
    languages[l.code] = std::move(j);
  }
  nlohmann::json without = nlohmann::json::object();
  for (const auto& [code, why] : r.without_text) without[code] = why;
  nlohmann::json tokenizers = nlohmann::json::object();
  for (size_t t = 0; t < r.tokenizers.size(); ++t) {
    const TokenizerSummary s = summarize(r, t);
    tokenizers[r.tokenizers[t]] = {
        {"n_languages_clippo_shorter_over_75pct", s.n_over_75},
        {"share_of_languages_clippo_shorter_over_75pct",
         r.languages.empty() ? 0.0 : static_cast<double>(s.n_over_75) / static_cast<double>(r.languages.size())},
        {"mean_clippo_shorter_fraction", s.mean_fraction},
        {"token_mean", s.token_mean}};
  }
  nlohmann::json summary = {{"n_languages", r.languages.size()},
                            {"languages_without_text", std::move(without)},
                            {"clippo_mean", clippo_mean_over_samples(r)},
                            {"renderer", render::to_json(r.renderer)},
                            {"patch_size", r.patch_size},
                            {"max_sample_chars", r.max_sample_chars},
                            {"tokenizers", std::move(tokenizers)}};
  return {{"languages", std::move(languages)}, {"summary", std::move(summary)}};
}

std::string token_report_markdown(const TokenReport& r) {
  std::string md = "# Token efficiency: CLIPPO patches vs tokenizer tokens\n\n";
  md += "CLIPPO length: 16x16 patches up to the last one with rendered text (row-major), renderer `" +
        r.renderer.kind + "` " + std::to_string(r.renderer.image_size) + "x" + std::to_string(r.renderer.image_size) +
        ", patch " + std::to_string(r.patch_size) + ". \"CLIPPO shorter\": share of samples where CLIPPO's length " +
        "is below the token count.\n\n";
  md += "| language | code | samples | CLIPPO mean |";
  std::string rule = "| --- | --- | ---: | ---: |";
  for (const std::string& t : r.tokenizers) {
    md += " " + markdown_cell(t) + " mean | CLIPPO shorter vs " + markdown_cell(t) + " |";
    rule += " ---: | ---: |";
  }
  md += "\n" + rule + "\n";
  for (const LanguageTokenStats* l : sorted_languages(r)) {
    md += "| " + markdown_cell(l->name) + " | " + markdown_cell(l->code) + " | " + std::to_string(l->n_samples) + " | " +
          fixed(l->clippo.mean, 1) + " |";
    for (const TokenizerStats& t : l->tokenizers) {
      md += " " + fixed(t.tokens.mean, 1) + " | " + fixed(100.0 * t.clippo_shorter_fraction, 1) + "% |";
    }
    md += "\n";
  }
  md += "\n## Summary\n\n";
  md += "- languages with text: " + std::to_string(r.languages.size()) + "; mean CLIPPO length over all samples: " +
        fixed(clippo_mean_over_samples(r), 1) + " patches\n";
  for (size_t t = 0; t < r.tokenizers.size(); ++t) {
    const TokenizerSummary s = summarize(r, t);
    md += "- " + markdown_cell(r.tokenizers[t]) + ": CLIPPO shorter for over 75% of samples in " +
          std::to_string(s.n_over_75) + " of " + std::to_string(r.languages.size()) + " languages (" +
          fixed(r.languages.empty() ? 0.0 : 100.0 * static_cast<double>(s.n_over_75) /
                                                 static_cast<double>(r.languages.size()),
                1) +
          "%); mean token count " + fixed(s.token_mean, 1) + "\n";
  }
  if (!r.without_text.empty()) {
    md += "\n## Languages without text here\n\n";
    for (const auto& [code, why] : r.without_text) md += "- " + markdown_cell(code) + ": " + markdown_cell(why) + "\n";
  }
  return md;
}

std::string token_report_svg(const TokenReport& r) {
  ChartSpec chart;
  chart.title = r.tokenizers.empty() ? "CLIPPO sequence length per language"
                                     : "Sequence length per language: CLIPPO patches vs tokens";
  chart.y_label = "mean sequence length";
  const auto order = sorted_languages(r);
  ChartSeries clippo{"CLIPPO (16x16 patches)", {}, false};
  std::vector<ChartSeries> tokens;
  for (const std::string& t : r.tokenizers) tokens.push_back({t + " (tokens)", {}, true});
  for (const LanguageTokenStats* l : order) {
    chart.categories.push_back(l->code);
    clippo.values.push_back(l->clippo.mean);
    for (size_t t = 0; t < tokens.size(); ++t) tokens[t].values.push_back(l->tokenizers[t].tokens.mean);
  }
  chart.series.push_back(std::move(clippo));
  for (ChartSeries& s : tokens) chart.series.push_back(std::move(s));
  return render_svg_chart(chart);
}

}  // namespace clippo::evaluation

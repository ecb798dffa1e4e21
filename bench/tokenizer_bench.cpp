// SentencePiece encoding against Unifont rendering, per caption, on one thread, same captions,
// same run; then the whole token report (all mC4 languages with UDHR text) in-process.
//
//   build/bench/bench_tokenizer [model.model] [seconds_per_case]
//
// Without a model it trains a multilingual 8k unigram model on every UDHR translation first
// (what `clippo tokenizer train --udhr all --vocab-size 8000` does) and times that too.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "bench/bench_captions.h"
#include "datasets/udhr_corpus.h"
#include "evaluation/token_report.h"
#include "render/unifont_renderer.h"
#include "tokenizer_baselines/mc4_languages.h"
#include "tokenizer_baselines/sentencepiece_tokenizer.h"

namespace {

namespace tb = clippo::tokenizer_baselines;
namespace ev = clippo::evaluation;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Runs `step` repeatedly for about `seconds`; returns calls per second.
double rate(double seconds, const std::function<void(size_t)>& step) {
  for (size_t i = 0; i < 20; ++i) step(i);
  size_t n = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    for (int k = 0; k < 64; ++k) step(n++);
    elapsed = seconds_since(start);
  }
  return static_cast<double>(n) / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string model_path = argc > 1 ? argv[1] : "";
  const double seconds = argc > 2 ? std::atof(argv[2]) : 2.0;
  const auto& captions = clippo::bench::mixed_script_captions();

  std::unique_ptr<tb::SentencePieceTokenizer> tokenizer;
  double train_s = 0;
  size_t train_lines = 0;
  if (model_path.empty()) {
    const auto corpus = clippo::datasets::read_udhr_corpus({});
    std::vector<std::string> lines;
    for (const auto& t : corpus.translations) {
      for (const auto& p : t.paragraphs) lines.push_back(p.text);
    }
    train_lines = lines.size();
    tb::SentencePieceTrainOptions options;
    options.vocab_size = 8000;
    const auto start = Clock::now();
    tokenizer = tb::SentencePieceTokenizer::from_bytes(tb::train_sentencepiece(lines, options), "udhr_multi_8k");
    train_s = seconds_since(start);
  } else {
    tokenizer = tb::SentencePieceTokenizer::load(model_path);
  }

  volatile size_t sink = 0;
  const double encode_rate = rate(seconds, [&](size_t i) { sink = sink + tokenizer->count(captions[i % captions.size()]); });

  const clippo::render::UnifontRenderer unifont(clippo::render::RendererSpec{});
  std::vector<uint8_t> buffer(224 * 224 * 3);
  const double render_rate = rate(seconds, [&](size_t i) {
    unifont.render_into(captions[i % captions.size()], buffer.data());
    sink = sink + buffer[i % buffer.size()];
  });
  const double length_rate = rate(seconds, [&](size_t i) {
    unifont.render_into(captions[i % captions.size()], buffer.data());
    sink = sink + ev::clippo_sequence_length(buffer.data(), 224, 16, 127);
  });

  // The whole report, in-process: UDHR read + sentence split + render + encode, all languages.
  const auto report_start = Clock::now();
  std::vector<std::string> codes;
  for (const tb::Mc4Language& l : tb::mc4_languages()) {
    if (!l.udhr_codes.empty()) codes.push_back(l.udhr_codes[0]);
  }
  const auto corpus = clippo::datasets::read_udhr_corpus({"", codes});
  std::vector<ev::LanguageSamples> samples;
  size_t n_samples = 0;
  for (const tb::Mc4Language& l : tb::mc4_languages()) {
    if (l.udhr_codes.empty()) continue;
    const auto* t = corpus.find(l.udhr_codes[0]);
    if (t == nullptr) continue;
    ev::LanguageSamples s{l.code, l.name, "udhr", {}};
    for (const auto& p : t->paragraphs) {
      for (std::string& text : ev::split_into_samples(p.text)) s.samples.push_back(std::move(text));
    }
    n_samples += s.samples.size();
    samples.push_back(std::move(s));
  }
  const double gather_s = seconds_since(report_start);
  ev::TokenReportOptions one_thread;
  one_thread.n_threads = 1;
  auto start = Clock::now();
  const ev::TokenReport r1 = ev::build_token_report(samples, {tokenizer.get()}, one_thread);
  const double report1_s = seconds_since(start);
  start = Clock::now();
  const ev::TokenReport r2 = ev::build_token_report(samples, {tokenizer.get()}, {});
  const double report_all_s = seconds_since(start);

  std::printf("bench_tokenizer: one thread, %zu mixed-script captions, %.1f s per case, tokenizer %s (%zu pieces)\n",
              captions.size(), seconds, tokenizer->name().c_str(), tokenizer->vocab_size());
  if (train_s > 0) std::printf("trained on %zu UDHR paragraphs in %.1f s\n", train_lines, train_s);
  std::printf("%-50s %12s %10s\n", "case", "captions/s", "vs render");
  std::printf("%-50s %12.0f %10.3f\n", "unifont render_into (reused buffer)", render_rate, 1.0);
  std::printf("%-50s %12.0f %10.3f\n", "unifont render_into + CLIPPO sequence length", length_rate,
              length_rate / render_rate);
  std::printf("%-50s %12.0f %10.3f\n", "SentencePiece encode (count tokens)", encode_rate, encode_rate / render_rate);
  std::printf("token report: %zu languages, %zu samples; UDHR read+split %.2f s; report 1 thread %.2f s, "
              "all threads %.2f s\n",
              r2.languages.size(), n_samples, gather_s, report1_s, report_all_s);
  return sink == 1 && r1.languages.empty() ? 1 : 0;
}

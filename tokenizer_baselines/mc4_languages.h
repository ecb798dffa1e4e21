// The mC4 languages (mT5's pre-training corpus) that CLIPPO's token-efficiency figure covers
// (Tschannen et al. 2023, Fig. 4), each with the UDHR translation(s) that give it sample text.
//
// Source of the list: tensorflow_datasets, `tensorflow_datasets/text/c4.py`, MC4_LANGUAGES
// (c4 3.0.1, "Remove mC4 languages with less than 10k pages"): 107 codes, 101 languages as in the
// mT5 paper (Xue et al. 2021, Table 6) plus six romanised variants (bg-Latn, el-Latn, hi-Latn,
// ja-Latn, ru-Latn, zh-Latn). mC4 uses CLD3's codes, so Hebrew is "iw", Filipino "fil".
// The paper's figure shows 104 of them; which three it leaves out is not stated, so all 107 are
// listed and the report says which have no text here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace clippo::tokenizer_baselines {

struct Mc4Language {
  std::string code;  // mC4 / CLD3 code: "en", "iw", "zh", "ru-Latn"
  std::string name;  // English name
  // UDHR translation codes (udhr package file stems) that serve it, best first; the report
  // samples the first. Empty when the UDHR has no such text.
  std::vector<std::string> udhr_codes;
  // Why udhr_codes is empty, or how the match was made when it is not exact ("" otherwise).
  std::string note;
};

// All 107, in TFDS order (alphabetical by code).
const std::vector<Mc4Language>& mc4_languages();

// The entry for an mC4 code, or nullptr.
const Mc4Language* find_mc4_language(std::string_view code);

}  // namespace clippo::tokenizer_baselines

// SentencePiece tokenizers: the token baselines CLIPPO is compared against (paper Fig. 4 counts
// mT5/mC4 SentencePiece tokens against CLIPPO's patches), trained here from our corpora or loaded
// from any existing `.model` (T5, mT5 and the like).
//
// Training goes through the SentencePiece library (Debian libsentencepiece-dev) with sentences fed
// from memory. It is made deterministic where the library allows: input sentences are not
// shuffled or sampled away (input_sentence_size caps them in file order), one training thread,
// and a fixed random seed. Library failures become clippo::Error with SentencePiece's message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace clippo::tokenizer_baselines {

// Anything that counts tokens: the token report takes any set of these.
class TokenCounter {
 public:
  virtual ~TokenCounter() = default;
  virtual const std::string& name() const = 0;
  // Tokens for `text` (UTF-8; ill-formed bytes count as U+FFFD). Thread-safe.
  virtual size_t count(std::string_view text) const = 0;
};

enum class SentencePieceModelType { kUnigram, kBpe };

SentencePieceModelType parse_model_type(const std::string& name);  // "unigram" | "bpe"
std::string model_type_name(SentencePieceModelType type);

struct SentencePieceTrainOptions {
  size_t vocab_size = 8000;
  SentencePieceModelType model_type = SentencePieceModelType::kUnigram;
  // Share of characters the vocabulary must cover; SentencePiece recommends 0.9995 for
  // languages with large character sets (CJK), 1.0 for small ones.
  double character_coverage = 0.9995;
  bool byte_fallback = false;  // unknown characters as UTF-8 byte pieces instead of <unk>
  // Sentences used at most, the first ones in input order (0: all). SentencePiece's own sampling
  // is off so the same input gives the same model.
  size_t input_sentence_size = 0;
  size_t max_sentence_length_bytes = 4192;  // SentencePiece's default; longer lines are dropped
  unsigned int seed = 42;
  // Unigram: when false, the vocabulary may come out smaller than vocab_size on a small corpus
  // instead of failing ("Vocabulary size too high").
  bool hard_vocab_limit = true;
};

// Trains on `sentences` (one per element, UTF-8; ill-formed bytes are replaced by U+FFFD, empty
// lines skipped) and returns the serialized ModelProto (the bytes of a `.model` file).
// Throws InvalidArgument for bad options or an empty corpus, Internal with SentencePiece's
// message when it fails (e.g. a vocabulary larger than the corpus allows).
std::string train_sentencepiece(const std::vector<std::string>& sentences, const SentencePieceTrainOptions& options);

// Reads text files as one sentence per line (UTF-8, '\r\n' accepted).
std::vector<std::string> read_sentence_files(const std::vector<std::string>& paths);

class SentencePieceTokenizer final : public TokenCounter {
 public:
  // Loads a `.model` file. Throws NotFound (missing) or InvalidArgument naming the file when it is
  // not a SentencePiece model.
  static std::unique_ptr<SentencePieceTokenizer> load(const std::string& model_path, std::string name = "");
  // From a serialized ModelProto in memory (`origin` names it in errors).
  static std::unique_ptr<SentencePieceTokenizer> from_bytes(const std::string& model_bytes, std::string name,
                                                            const std::string& origin = "<memory>");
  ~SentencePieceTokenizer() override;

  const std::string& name() const override { return name_; }
  size_t count(std::string_view text) const override;

  // Token ids and pieces of `text` (no BOS/EOS added). Thread-safe (SentencePiece's const API).
  std::vector<int> encode_ids(std::string_view text) const;
  std::vector<std::string> encode_pieces(std::string_view text) const;
  // What a token model (1T-CLIP, CLIP*) reads: exactly `length` ids, the text's first ones,
  // padded with 0 as big_vision's tokenize op pads (pad_value 0, no EOS, no attention mask).
  std::vector<int32_t> encode_padded(std::string_view text, size_t length) const;
  size_t vocab_size() const;
  // The vocabulary as SentencePiece's `.vocab` file writes it: "piece<TAB>score" per line.
  std::string vocab_tsv() const;

 private:
  SentencePieceTokenizer(void* processor, std::string name);
  void* processor_;  // owned; a SentencePieceProcessor inside libclippo_sentencepiece.so (sentencepiece_shim.h)
  std::string name_;
};

// Trains and writes `<prefix>.model` and `<prefix>.vocab` (atomically), as spm_train does.
// Returns the loaded tokenizer.
std::unique_ptr<SentencePieceTokenizer> train_sentencepiece_to_files(const std::vector<std::string>& sentences,
                                                                     const SentencePieceTrainOptions& options,
                                                                     const std::string& model_prefix);

}  // namespace clippo::tokenizer_baselines

// SentencePiece training (deterministic, both model types), loading, encoding and errors.
#include "tokenizer_baselines/sentencepiece_tokenizer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "tests/datasets/temp_dir.h"

namespace clippo::tokenizer_baselines {
namespace {

using datasets::testing::TempDir;
using datasets::testing::write_text;

// A small made-up corpus: enough distinct words for a vocabulary of 64.
std::vector<std::string> corpus() {
  std::vector<std::string> lines;
  const char* words[] = {"human", "rights", "freedom", "dignity", "everyone", "shall", "have", "the",
                         "right", "to",     "life",    "liberty", "security", "of",    "person", "Menschen"};
  for (int i = 0; i < 200; ++i) {
    std::string line;
    for (int k = 0; k < 8; ++k) line += std::string(words[(i * 7 + k * 3) % 16]) + " ";
    lines.push_back(line);
  }
  lines.push_back("Все люди рождаются свободными");
  lines.push_back("人人生而自由");
  return lines;
}

TEST(SentencePieceTokenizerTest, TrainsUnigramAndBpeDeterministically) {
  for (const auto type : {SentencePieceModelType::kUnigram, SentencePieceModelType::kBpe}) {
    SentencePieceTrainOptions o;
    o.vocab_size = 64;
    o.model_type = type;
    o.hard_vocab_limit = false;
    const std::string a = train_sentencepiece(corpus(), o);
    const std::string b = train_sentencepiece(corpus(), o);
    EXPECT_EQ(a, b) << model_type_name(type);
    const auto tok = SentencePieceTokenizer::from_bytes(a, "t");
    EXPECT_LE(tok->vocab_size(), 64u);
    EXPECT_GT(tok->vocab_size(), 20u);
    const std::vector<int> ids = tok->encode_ids("human rights");
    EXPECT_FALSE(ids.empty());
    EXPECT_EQ(tok->count("human rights"), ids.size());
    EXPECT_EQ(tok->encode_pieces("human rights").size(), ids.size());
  }
}

TEST(SentencePieceTokenizerTest, ByteFallbackEncodesUnseenCharactersAsBytes) {
  SentencePieceTrainOptions o;
  o.vocab_size = 300;  // 256 byte pieces + the rest
  o.byte_fallback = true;
  o.hard_vocab_limit = false;
  o.model_type = SentencePieceModelType::kBpe;
  const auto tok = SentencePieceTokenizer::from_bytes(train_sentencepiece(corpus(), o), "bytes");
  // U+00E9 never appears in the corpus: two UTF-8 bytes, two byte pieces (plus the word boundary).
  const std::vector<std::string> pieces = tok->encode_pieces("\xC3\xA9");
  bool has_byte_piece = false;
  for (const std::string& p : pieces) has_byte_piece = has_byte_piece || p.rfind("<0x", 0) == 0;
  EXPECT_TRUE(has_byte_piece);
}

TEST(SentencePieceTokenizerTest, WritesModelAndVocabAndLoadsThemBack) {
  TempDir dir;
  SentencePieceTrainOptions o;
  o.vocab_size = 60;
  o.hard_vocab_limit = false;
  const auto trained = train_sentencepiece_to_files(corpus(), o, dir / "sub/m");
  ASSERT_TRUE(std::filesystem::exists(dir / "sub/m.model"));
  const std::string vocab = read_file(dir / "sub/m.vocab");
  EXPECT_EQ(std::count(vocab.begin(), vocab.end(), '\n'), static_cast<long>(trained->vocab_size()));
  const auto loaded = SentencePieceTokenizer::load(dir / "sub/m.model");
  EXPECT_EQ(loaded->name(), "m");
  EXPECT_EQ(loaded->encode_ids("the right to life"), trained->encode_ids("the right to life"));
}

TEST(SentencePieceTokenizerTest, EncodingIsThreadSafeAndAcceptsIllFormedUtf8) {
  SentencePieceTrainOptions o;
  o.vocab_size = 64;
  o.hard_vocab_limit = false;
  const auto tok = SentencePieceTokenizer::from_bytes(train_sentencepiece(corpus(), o), "t");
  const std::vector<int> expected = tok->encode_ids("everyone shall have the right");
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      int good = 0;
      for (int i = 0; i < 200; ++i) good += tok->encode_ids("everyone shall have the right") == expected;
      ok[t] = good;
    });
  }
  for (auto& th : threads) th.join();
  for (const int good : ok) EXPECT_EQ(good, 200);
  EXPECT_NO_THROW(tok->count("bad \xFF\xFE bytes \xC3"));
  EXPECT_GT(tok->count("bad \xFF\xFE bytes \xC3"), 0u);
}

TEST(SentencePieceTokenizerTest, BadModelsAndCorporaGiveClearErrors) {
  TempDir dir;
  write_text(dir / "corrupt.model", "this is not a protobuf \x01\x02\x03 at all");
  write_text(dir / "empty.model", "");
  for (const std::string name : {"corrupt.model", "empty.model"}) {
    try {
      SentencePieceTokenizer::load(dir / name);
      ADD_FAILURE() << name << " loaded";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  }
  try {
    SentencePieceTokenizer::load(dir / "missing.model");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  }
  // A truncated real model.
  SentencePieceTrainOptions o;
  o.vocab_size = 64;
  o.hard_vocab_limit = false;
  const std::string model = train_sentencepiece(corpus(), o);
  EXPECT_THROW(SentencePieceTokenizer::from_bytes(model.substr(0, model.size() / 3), "t", "cut.model"), Error);

  EXPECT_THROW(train_sentencepiece({}, o), Error);
  EXPECT_THROW(train_sentencepiece({"", "   "}, o), Error);
  SentencePieceTrainOptions huge = o;
  huge.vocab_size = 100000;
  huge.hard_vocab_limit = true;
  try {
    train_sentencepiece(corpus(), huge);
    ADD_FAILURE() << "a 100k vocabulary from 200 lines";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("SentencePiece"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_model_type("wordpiece"), Error);
  SentencePieceTrainOptions bad = o;
  bad.character_coverage = 1.5;
  EXPECT_THROW(train_sentencepiece(corpus(), bad), Error);
}

TEST(SentencePieceTokenizerTest, ReadsSentenceFilesLineByLine) {
  TempDir dir;
  write_text(dir / "a.txt", "one\r\ntwo\n\nthree");
  write_text(dir / "b.txt", "four\n");
  EXPECT_EQ(read_sentence_files({dir / "a.txt", dir / "b.txt"}),
            (std::vector<std::string>{"one", "two", "three", "four"}));
  EXPECT_THROW(read_sentence_files({dir / "none.txt"}), Error);
}

}  // namespace
}  // namespace clippo::tokenizer_baselines

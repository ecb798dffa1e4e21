// Training and loading SentencePiece models; SentencePiece's util::Status becomes clippo::Error.
#include "tokenizer_baselines/sentencepiece_tokenizer.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <utility>

#include "core/base/error.h"
#include "core/base/sanitizers.h"
#include "core/base/install_layout.h"
#include "core/base/file_io.h"
#include "core/base/utf8.h"
#include "tokenizer_baselines/sentencepiece_shim.h"

namespace clippo::tokenizer_baselines {
namespace {

// The SentencePiece shim, loaded once, in its own symbol scope (sentencepiece_shim.h says why).
struct SentencePieceLibrary {
  decltype(&clippo_spm_load) load;
  decltype(&clippo_spm_destroy) destroy;
  decltype(&clippo_spm_piece_size) piece_size;
  decltype(&clippo_spm_score) score;
  decltype(&clippo_spm_id_to_piece) id_to_piece;
  decltype(&clippo_spm_encode) encode;
  decltype(&clippo_spm_train) train;
  decltype(&clippo_spm_free) free;
};

template <class F>
void bind(void* handle, const char* name, F& out) {
  out = reinterpret_cast<F>(dlsym(handle, name));
  CLIPPO_CHECK(out != nullptr, kUnavailable, std::string("SentencePiece shim lacks ") + name);
}

// RTLD_DEEPBIND keeps the shim's protobuf apart from LibTorch's. AddressSanitizer's runtime
// cannot work with it; the sanitized build runs the tokenizer tests without LibTorch loaded.
constexpr int kDeepBind = CLIPPO_ADDRESS_SANITIZER ? 0 : RTLD_DEEPBIND;

const SentencePieceLibrary& spm() {
  static const SentencePieceLibrary lib = [] {
    const char* env = std::getenv("CLIPPO_SENTENCEPIECE_SHIM");
    // An installed clippo keeps the shim in PREFIX/lib/clippo (core/base/install_layout.h).
    const std::string path = env != nullptr && *env != '\0'
                                 ? std::string(env)
                                 : installed_or("lib/clippo/libclippo_sentencepiece.so", CLIPPO_SENTENCEPIECE_SHIM);
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | kDeepBind);
    if (handle == nullptr) {
      const char* why = dlerror();
      throw Error(ErrorCode::kUnavailable, "cannot load the SentencePiece shim " + path + ": " + (why ? why : "?") +
                                               " (build the clippo_sentencepiece target, or set CLIPPO_SENTENCEPIECE_SHIM)");
    }
    SentencePieceLibrary l{};
    bind(handle, "clippo_spm_load", l.load);
    bind(handle, "clippo_spm_destroy", l.destroy);
    bind(handle, "clippo_spm_piece_size", l.piece_size);
    bind(handle, "clippo_spm_score", l.score);
    bind(handle, "clippo_spm_id_to_piece", l.id_to_piece);
    bind(handle, "clippo_spm_encode", l.encode);
    bind(handle, "clippo_spm_train", l.train);
    bind(handle, "clippo_spm_free", l.free);
    return l;
  }();
  return lib;
}

// Takes ownership of a shim-allocated error message.
std::string take_error(char* error) {
  std::string s = error != nullptr ? error : "unknown SentencePiece error";
  if (error != nullptr) spm().free(error);
  return s;
}

std::string format_double(double x) {
  std::ostringstream s;
  s.precision(17);
  s << x;
  return s.str();
}

// SentencePiece's trainer keeps process-wide state (the seed, its log level): one at a time.
std::mutex& training_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace

SentencePieceModelType parse_model_type(const std::string& name) {
  if (name == "unigram") return SentencePieceModelType::kUnigram;
  if (name == "bpe") return SentencePieceModelType::kBpe;
  throw Error(ErrorCode::kInvalidArgument, "unknown SentencePiece model type '" + name + "' (unigram or bpe)");
}

std::string model_type_name(SentencePieceModelType type) {
  return type == SentencePieceModelType::kBpe ? "bpe" : "unigram";
}

std::string train_sentencepiece(const std::vector<std::string>& sentences, const SentencePieceTrainOptions& o) {
  CLIPPO_CHECK(o.vocab_size >= 8, kInvalidArgument,
               "tokenizer training: vocab size must be at least 8, got " + std::to_string(o.vocab_size));
  CLIPPO_CHECK(o.character_coverage > 0.0 && o.character_coverage <= 1.0, kInvalidArgument,
               "tokenizer training: character coverage must be in (0, 1], got " + format_double(o.character_coverage));
  std::vector<std::string> clean;
  clean.reserve(sentences.size());
  for (const std::string& s : sentences) {
    std::string line = is_valid_utf8(s) ? s : sanitize_utf8(s);
    for (char& c : line) {
      if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    }
    if (line.find_first_not_of(' ') == std::string::npos) continue;
    clean.push_back(std::move(line));
    if (o.input_sentence_size > 0 && clean.size() >= o.input_sentence_size) break;
  }
  CLIPPO_CHECK(!clean.empty(), kInvalidArgument, "tokenizer training: the corpus has no non-empty line");

  const std::vector<std::pair<std::string, std::string>> args = {
      {"model_type", model_type_name(o.model_type)},
      {"vocab_size", std::to_string(o.vocab_size)},
      {"character_coverage", format_double(o.character_coverage)},
      {"byte_fallback", o.byte_fallback ? "true" : "false"},
      {"hard_vocab_limit", o.hard_vocab_limit ? "true" : "false"},
      {"max_sentence_length", std::to_string(o.max_sentence_length_bytes)},
      // Determinism: every sentence, in order, one thread; the seed below for what samples.
      {"input_sentence_size", "0"},
      {"shuffle_input_sentence", "false"},
      {"num_threads", "1"},
      {"minloglevel", "2"},  // SentencePiece logs every EM step on stderr otherwise
  };
  std::vector<const char*> keys, values, lines;
  std::vector<size_t> sizes;
  for (const auto& [k, v] : args) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  for (const auto& line : clean) {
    lines.push_back(line.data());
    sizes.push_back(line.size());
  }
  char* bytes = nullptr;
  size_t size = 0;
  char* error = nullptr;
  int rc;
  {
    std::lock_guard<std::mutex> lock(training_mutex());
    rc = spm().train(keys.data(), values.data(), keys.size(), lines.data(), sizes.data(), lines.size(), o.seed, &bytes,
                     &size, &error);
  }
  CLIPPO_CHECK(rc == 0, kInternal, "SentencePiece training failed: " + take_error(error));
  std::string model(bytes, size);
  spm().free(bytes);
  CLIPPO_CHECK(!model.empty(), kInternal, "SentencePiece training produced no model");
  return model;
}

std::vector<std::string> read_sentence_files(const std::vector<std::string>& paths) {
  std::vector<std::string> lines;
  for (const std::string& path : paths) {
    const std::string text = read_file(path);
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) lines.push_back(std::move(line));
      start = end + 1;
    }
  }
  return lines;
}

SentencePieceTokenizer::SentencePieceTokenizer(void* processor, std::string name)
    : processor_(processor), name_(std::move(name)) {}

SentencePieceTokenizer::~SentencePieceTokenizer() { spm().destroy(processor_); }

std::unique_ptr<SentencePieceTokenizer> SentencePieceTokenizer::from_bytes(const std::string& bytes, std::string name,
                                                                           const std::string& origin) {
  CLIPPO_CHECK(!bytes.empty(), kInvalidArgument, "not a SentencePiece model: " + origin + " is empty");
  char* error = nullptr;
  void* processor = spm().load(bytes.data(), bytes.size(), &error);
  CLIPPO_CHECK(processor != nullptr, kInvalidArgument,
               "not a SentencePiece model: " + origin + " (" + take_error(error) + ")");
  if (name.empty()) name = std::filesystem::path(origin).stem().string();
  auto tokenizer = std::unique_ptr<SentencePieceTokenizer>(new SentencePieceTokenizer(processor, std::move(name)));
  CLIPPO_CHECK(tokenizer->vocab_size() > 0, kInvalidArgument, "not a SentencePiece model: " + origin + " has no pieces");
  return tokenizer;
}

std::unique_ptr<SentencePieceTokenizer> SentencePieceTokenizer::load(const std::string& model_path, std::string name) {
  // A .model is a few MB at most (mT5's 250k vocabulary: 4.3 MB); 1 GiB keeps a wrong path sane.
  return from_bytes(read_file(model_path, static_cast<size_t>(1) << 30), std::move(name), model_path);
}

namespace {

struct Encoded {
  std::vector<int> ids;
  std::vector<std::string>* pieces = nullptr;
};

void collect(void* ctx, int id, const char* piece, size_t size) {
  auto* out = static_cast<Encoded*>(ctx);
  out->ids.push_back(id);
  if (out->pieces != nullptr) out->pieces->emplace_back(piece, size);
}

}  // namespace

std::vector<int> SentencePieceTokenizer::encode_ids(std::string_view text) const {
  Encoded out;
  const std::string clean = sanitize_utf8(text);
  char* error = nullptr;
  CLIPPO_CHECK(spm().encode(processor_, clean.data(), clean.size(), collect, &out, &error) == 0, kInternal,
               "SentencePiece encode failed (" + name_ + "): " + take_error(error));
  return out.ids;
}

std::vector<int32_t> SentencePieceTokenizer::encode_padded(std::string_view text, size_t length) const {
  const std::vector<int> ids = encode_ids(text);
  std::vector<int32_t> out(length, 0);
  std::copy(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(std::min(length, ids.size())), out.begin());
  return out;
}

std::vector<std::string> SentencePieceTokenizer::encode_pieces(std::string_view text) const {
  std::vector<std::string> pieces;
  Encoded out;
  out.pieces = &pieces;
  const std::string clean = sanitize_utf8(text);
  char* error = nullptr;
  CLIPPO_CHECK(spm().encode(processor_, clean.data(), clean.size(), collect, &out, &error) == 0, kInternal,
               "SentencePiece encode failed (" + name_ + "): " + take_error(error));
  return pieces;
}

size_t SentencePieceTokenizer::count(std::string_view text) const { return encode_ids(text).size(); }

size_t SentencePieceTokenizer::vocab_size() const { return static_cast<size_t>(spm().piece_size(processor_)); }

std::string SentencePieceTokenizer::vocab_tsv() const {
  std::string out;
  char score[32];
  const int n = spm().piece_size(processor_);
  for (int id = 0; id < n; ++id) {
    std::snprintf(score, sizeof score, "%g", static_cast<double>(spm().score(processor_, id)));
    size_t size = 0;
    const char* piece = spm().id_to_piece(processor_, id, &size);
    out.append(piece, size).append(1, '\t').append(score).append(1, '\n');
  }
  return out;
}

std::unique_ptr<SentencePieceTokenizer> train_sentencepiece_to_files(const std::vector<std::string>& sentences,
                                                                     const SentencePieceTrainOptions& options,
                                                                     const std::string& model_prefix) {
  CLIPPO_CHECK(!model_prefix.empty(), kInvalidArgument, "tokenizer training: give a model prefix");
  const std::string bytes = train_sentencepiece(sentences, options);
  const std::string model_path = model_prefix + ".model";
  auto tokenizer = SentencePieceTokenizer::from_bytes(bytes, "", model_path);
  const auto parent = std::filesystem::path(model_path).parent_path();
  if (!parent.empty()) make_directories(parent.string());
  write_file_atomically(model_path, bytes);
  write_file_atomically(model_prefix + ".vocab", tokenizer->vocab_tsv());
  return tokenizer;
}

}  // namespace clippo::tokenizer_baselines

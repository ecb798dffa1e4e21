// The shim library's side of sentencepiece_shim.h: the only code that includes SentencePiece.
// Nothing here throws across the C boundary.
#include "tokenizer_baselines/sentencepiece_shim.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

char* copy_out(const std::string& s) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (out != nullptr) {
    std::memcpy(out, s.data(), s.size());
    out[s.size()] = '\0';
  }
  return out;
}

int fail(char** error, const std::string& message) {
  if (error != nullptr) *error = copy_out(message);
  return 1;
}

// Feeds the caller's lines to the trainer without copying them all first.
class LineIterator final : public sentencepiece::SentenceIterator {
 public:
  LineIterator(const char* const* lines, const size_t* sizes, size_t n) : lines_(lines), sizes_(sizes), n_(n) {
    load();
  }
  bool done() const override { return i_ >= n_; }
  void Next() override {
    ++i_;
    load();
  }
  const std::string& value() const override { return value_; }
  sentencepiece::util::Status status() const override { return {}; }

 private:
  void load() {
    if (i_ < n_) value_.assign(lines_[i_], sizes_[i_]);
  }
  const char* const* lines_;
  const size_t* sizes_;
  size_t n_;
  size_t i_ = 0;
  std::string value_;
};

const sentencepiece::SentencePieceProcessor* as_processor(const void* p) {
  return static_cast<const sentencepiece::SentencePieceProcessor*>(p);
}

}  // namespace

extern "C" {

int clippo_spm_train(const char* const* keys, const char* const* values, size_t n_args, const char* const* lines,
                     const size_t* line_sizes, size_t n_lines, unsigned int seed, char** model, size_t* model_size,
                     char** error) {
  try {
    std::unordered_map<std::string, std::string> args;
    for (size_t i = 0; i < n_args; ++i) args[keys[i]] = values[i];
    sentencepiece::SetRandomGeneratorSeed(seed);
    LineIterator it(lines, line_sizes, n_lines);
    std::string bytes;
    const auto status = sentencepiece::SentencePieceTrainer::Train(args, &it, &bytes);
    if (!status.ok()) return fail(error, status.ToString());
    *model = static_cast<char*>(std::malloc(bytes.empty() ? 1 : bytes.size()));
    if (*model == nullptr) return fail(error, "out of memory");
    std::memcpy(*model, bytes.data(), bytes.size());
    *model_size = bytes.size();
    return 0;
  } catch (const std::exception& e) {
    return fail(error, e.what());
  } catch (...) {
    return fail(error, "unknown error in SentencePiece training");
  }
}

void* clippo_spm_load(const char* bytes, size_t size, char** error) {
  try {
    auto* p = new sentencepiece::SentencePieceProcessor();
    const auto status = p->LoadFromSerializedProto(std::string_view(bytes, size));
    if (!status.ok()) {
      delete p;
      fail(error, status.ToString());
      return nullptr;
    }
    return p;
  } catch (const std::exception& e) {
    fail(error, e.what());
    return nullptr;
  }
}

void clippo_spm_destroy(void* processor) { delete static_cast<sentencepiece::SentencePieceProcessor*>(processor); }

int clippo_spm_encode(const void* processor, const char* text, size_t size, clippo_spm_token_fn fn, void* ctx,
                      char** error) {
  try {
    const auto* p = as_processor(processor);
    std::vector<int> ids;
    auto status = p->Encode(std::string_view(text, size), &ids);
    if (!status.ok()) return fail(error, status.ToString());
    for (const int id : ids) {
      const std::string& piece = p->IdToPiece(id);
      fn(ctx, id, piece.data(), piece.size());
    }
    return 0;
  } catch (const std::exception& e) {
    return fail(error, e.what());
  } catch (...) {
    return fail(error, "unknown error in SentencePiece encoding");
  }
}

int clippo_spm_piece_size(const void* processor) { return as_processor(processor)->GetPieceSize(); }

const char* clippo_spm_id_to_piece(const void* processor, int id, size_t* size) {
  const std::string& piece = as_processor(processor)->IdToPiece(id);
  *size = piece.size();
  return piece.data();
}

float clippo_spm_score(const void* processor, int id) { return as_processor(processor)->GetScore(id); }

void clippo_spm_free(void* buffer) { std::free(buffer); }

}  // extern "C"

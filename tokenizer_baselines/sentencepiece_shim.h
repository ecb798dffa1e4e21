// A C interface over SentencePiece, built as its own shared library (clippo_sentencepiece) and
// opened with dlopen(RTLD_LOCAL | RTLD_DEEPBIND) by sentencepiece_tokenizer.cpp.
//
// Why: Debian's libsentencepiece.so carries its own copy of protobuf-lite 3.14 and exports all of
// its symbols, while LibTorch (in the same `clippo` process) loads libprotobuf.so.32 (3.21). With
// both in the global symbol scope one interposes on the other: the process crashes while loading
// (SIGSEGV in libprotobuf's static initialisers) or protobuf aborts on its version check. Kept in a
// deep-bound local scope, SentencePiece sees only its own protobuf and nothing else sees it.
// Only plain C types cross this boundary; buffers and messages the shim allocates are freed with
// clippo_spm_free. Functions returning int give 0 on success, else non-zero with *error set.
#pragma once

#include <stddef.h>

extern "C" {

// Receives one token of an encoding: its id and piece (piece_size bytes, not NUL-terminated).
typedef void (*clippo_spm_token_fn)(void* ctx, int id, const char* piece, size_t piece_size);

// Trains on n_lines UTF-8 lines with SentencePiece's string arguments (key/value pairs, e.g.
// "vocab_size"="8000"). On success *model holds the serialized ModelProto (*model_size bytes).
int clippo_spm_train(const char* const* keys, const char* const* values, size_t n_args, const char* const* lines,
                     const size_t* line_sizes, size_t n_lines, unsigned int seed, char** model, size_t* model_size,
                     char** error);

// Loads a serialized ModelProto; returns an opaque processor, or null with *error set.
void* clippo_spm_load(const char* bytes, size_t size, char** error);
void clippo_spm_destroy(void* processor);

// Encodes text, calling `fn` once per token in order. Thread-safe on one processor.
int clippo_spm_encode(const void* processor, const char* text, size_t size, clippo_spm_token_fn fn, void* ctx,
                      char** error);

int clippo_spm_piece_size(const void* processor);
// The piece of `id` (valid while the processor lives; *size bytes) and its score.
const char* clippo_spm_id_to_piece(const void* processor, int id, size_t* size);
float clippo_spm_score(const void* processor, int id);

void clippo_spm_free(void* buffer);

}  // extern "C"

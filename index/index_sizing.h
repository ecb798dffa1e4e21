// Choosing a FAISS index from a memory budget, the way autofaiss does, for `--max-memory`.
//
// The rule, for n vectors of d dimensions and a budget of B bytes for the index (the raw vectors
// are memory-mapped from the snapshot and not counted; item metadata is not counted either):
//  1. Flat (exact) when n * d * 4 <= B.
//  2. Otherwise IVF{nlist},PQ{m}: nlist is the power of two nearest 4 * sqrt(n), within
//     [64, 65536] and at most n / 64 (64 training rows per list); from 4096 lists on the
//     coarse quantizer is an HNSW graph (IVF{nlist}_HNSW32,PQ{m}). m is the largest of
//     64, 48, 32, 24, 16, 12, 8, 4 that divides d and keeps
//       n * (m + 8)          one m-byte code and one 8-byte id per vector
//     + nlist * d * 4        the coarse centroids
//     + 256 * d * 4          the product quantizer's codebooks
//     + nlist * 256          the HNSW graph's base-level links, when there is one
//     within B. Searches visit nprobe = nlist / 64 lists (at least 8, at most 256; the HNSW
//     quantizer searched with efSearch = 2 * nprobe) and rank rerank = 8 candidates per result
//     by their exact scores against the raw vectors, which buys back most of what the
//     1-byte-per-subvector codes lose.
//  3. ResourceExhausted naming the smallest budget that would do when even m = 4 does not fit.
#pragma once

#include <cstdint>
#include <string>

namespace clippo::index {

struct IndexChoice {
  std::string factory;        // FAISS index_factory string
  std::string search_params;  // faiss::ParameterSpace string ("nprobe=64"), may be empty
  int rerank = 0;             // StoreOptions::rerank
  uint64_t index_bytes = 0;   // the rule's estimate of the index's memory
};

IndexChoice choose_index_for_memory(uint64_t n, int d, uint64_t budget_bytes);

// "8G", "512M", "1.5GiB", "2048" (bytes): K, M, G and T are powers of 1024, with or without a
// trailing "B" or "iB". InvalidArgument for anything else.
uint64_t parse_memory_size(const std::string& text);

}  // namespace clippo::index

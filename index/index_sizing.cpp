#include "index/index_sizing.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/base/error.h"

namespace clippo::index {

IndexChoice choose_index_for_memory(uint64_t n, int d, uint64_t budget_bytes) {
  CLIPPO_CHECK(d > 0, kInvalidArgument, "the vectors' dimension must be positive");
  const auto dim = static_cast<uint64_t>(d);
  IndexChoice choice;
  if (n * dim * 4 <= budget_bytes) {
    choice.factory = "Flat";
    choice.index_bytes = n * dim * 4;
    return choice;
  }
  const double ideal = 4.0 * std::sqrt(static_cast<double>(n));
  uint64_t nlist = uint64_t{1} << static_cast<int>(std::lround(std::log2(std::max(ideal, 1.0))));
  nlist = std::clamp<uint64_t>(nlist, 64, 65536);
  while (nlist > 64 && nlist * 64 > n) nlist /= 2;
  // From 4096 lists on, the coarse quantizer is an HNSW graph over the centroids (as autofaiss
  // does): assigning a vector then costs a graph walk instead of nlist dot products, which is
  // what makes adding 10M vectors minutes rather than an hour on two cores. Its links: 64 ids
  // of 4 bytes per centroid on the base level.
  const bool hnsw_quantizer = nlist >= 4096;
  const uint64_t fixed = nlist * dim * 4 + 256 * dim * 4 + (hnsw_quantizer ? nlist * 64 * 4 : 0);
  for (const uint64_t m : {64, 48, 32, 24, 16, 12, 8, 4}) {
    if (dim % m != 0) continue;
    const uint64_t bytes = n * (m + 8) + fixed;
    if (bytes > budget_bytes) continue;
    const uint64_t nprobe = std::clamp<uint64_t>(nlist / 64, 8, 256);
    choice.factory = "IVF" + std::to_string(nlist) + (hnsw_quantizer ? "_HNSW32" : "") + ",PQ" + std::to_string(m);
    choice.search_params = "nprobe=" + std::to_string(nprobe);
    if (hnsw_quantizer) choice.search_params += ",quantizer_efSearch=" + std::to_string(2 * nprobe);
    choice.rerank = 8;
    choice.index_bytes = bytes;
    return choice;
  }
  uint64_t smallest_m = 0;
  for (const uint64_t m : {4, 8, 12, 16, 24, 32, 48, 64}) {
    if (dim % m == 0) {
      smallest_m = m;
      break;
    }
  }
  CLIPPO_CHECK(smallest_m > 0, kInvalidArgument,
               "no product quantizer fits " + std::to_string(d) + " dimensions (none of 4..64 divides it)");
  throw Error(ErrorCode::kResourceExhausted,
              "a memory budget of " + std::to_string(budget_bytes) + " bytes cannot hold an index of " +
                  std::to_string(n) + " vectors; the smallest (IVF" + std::to_string(nlist) +
                  (hnsw_quantizer ? "_HNSW32" : "") + ",PQ" +
                  std::to_string(smallest_m) + ") needs " + std::to_string(n * (smallest_m + 8) + fixed) + " bytes");
}

uint64_t parse_memory_size(const std::string& text) {
  size_t at = 0;
  while (at < text.size() && (std::isdigit(static_cast<unsigned char>(text[at])) || text[at] == '.')) ++at;
  std::string unit = text.substr(at);
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (unit.size() >= 2 && unit.substr(unit.size() - 2) == "IB") unit.resize(unit.size() - 2);
  else if (!unit.empty() && unit.back() == 'B') unit.pop_back();
  int shift = -1;
  if (unit.empty()) shift = 0;
  else if (unit == "K") shift = 10;
  else if (unit == "M") shift = 20;
  else if (unit == "G") shift = 30;
  else if (unit == "T") shift = 40;
  double value = -1;
  try {
    size_t used = 0;
    if (at > 0) value = std::stod(text.substr(0, at), &used);
    if (used != at) value = -1;
  } catch (const std::exception&) {
    value = -1;
  }
  CLIPPO_CHECK(shift >= 0 && value > 0 && value * std::ldexp(1.0, shift) < 1.8e19, kInvalidArgument,
               "'" + text + "' is not a memory size; give bytes or a number with K, M, G or T (powers of 1024), "
               "for example 8G");
  return static_cast<uint64_t>(value * std::ldexp(1.0, shift));
}

}  // namespace clippo::index

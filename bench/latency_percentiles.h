// The p50 and p99 of a set of latencies, as every benchmark here reports them.
#pragma once

#include <algorithm>
#include <vector>

namespace clippo::bench {

struct Percentiles {
  double p50, p99;
};

inline Percentiles percentiles(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)]};
}

}  // namespace clippo::bench

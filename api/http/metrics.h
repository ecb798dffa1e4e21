// Prometheus text-format metrics for the server: request counts by route/method/status,
// latency histograms by route, and gauges read at scrape time (index size, batching).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace clippo::http {

class Metrics {
 public:
  void observe(const std::string& route, const std::string& method, int status, double seconds);
  // Adds a gauge whose value is read when /metrics is scraped.
  void add_gauge(const std::string& name, const std::string& help, std::function<double()> read);
  std::string render() const;

 private:
  static const std::vector<double>& buckets();
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
  struct Histogram {
    std::vector<uint64_t> counts;
    double sum = 0;
    uint64_t count = 0;
  };
  std::map<std::string, Histogram> latency_;
  struct Gauge {
    std::string name, help;
    std::function<double()> read;
  };
  std::vector<Gauge> gauges_;
};

}  // namespace clippo::http

#include "api/http/metrics.h"

#include <sstream>

namespace clippo::http {

const std::vector<double>& Metrics::buckets() {
  static const std::vector<double> b = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return b;
}

void Metrics::observe(const std::string& route, const std::string& method, int status, double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{route, method, status}];
  Histogram& h = latency_[route];
  if (h.counts.empty()) h.counts.assign(buckets().size(), 0);
  for (size_t i = 0; i < buckets().size(); ++i) h.counts[i] += seconds <= buckets()[i];
  h.sum += seconds;
  ++h.count;
}

void Metrics::add_gauge(const std::string& name, const std::string& help, std::function<double()> read) {
  std::lock_guard lock(mutex_);
  gauges_.push_back({name, help, std::move(read)});
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  out << "# HELP clippo_http_requests_total HTTP requests by route, method and status.\n"
      << "# TYPE clippo_http_requests_total counter\n";
  uint64_t errors = 0;
  for (const auto& [key, n] : requests_) {
    const auto& [route, method, status] = key;
    out << "clippo_http_requests_total{route=\"" << route << "\",method=\"" << method << "\",status=\"" << status
        << "\"} " << n << "\n";
    if (status >= 400) errors += n;
  }
  out << "# HELP clippo_http_errors_total HTTP responses with status >= 400.\n"
      << "# TYPE clippo_http_errors_total counter\nclippo_http_errors_total " << errors << "\n";
  out << "# HELP clippo_http_request_duration_seconds Request latency by route.\n"
      << "# TYPE clippo_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    for (size_t i = 0; i < buckets().size(); ++i) {
      out << "clippo_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"" << buckets()[i] << "\"} "
          << h.counts[i] << "\n";
    }
    out << "clippo_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"+Inf\"} " << h.count << "\n"
        << "clippo_http_request_duration_seconds_sum{route=\"" << route << "\"} " << h.sum << "\n"
        << "clippo_http_request_duration_seconds_count{route=\"" << route << "\"} " << h.count << "\n";
  }
  for (const Gauge& g : gauges_) {
    out << "# HELP " << g.name << " " << g.help << "\n# TYPE " << g.name << " gauge\n" << g.name << " " << g.read() << "\n";
  }
  return out.str();
}

}  // namespace clippo::http

// The HTTP transport (Boost.Beast): a listener accepting connections, one session per
// connection with a body limit, a read timeout and keep-alive, and a worker pool that runs the
// ApiHandler so no request blocks an I/O thread (as Beast's advanced server example does).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "api/http/api_handler.h"

namespace clippo::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;          // 0: any free port (see port())
  int io_threads = 1;
  int worker_threads = 4;
  uint64_t body_limit_bytes = uint64_t{16} << 20;  // larger bodies get 413
  int timeout_s = 30;            // per read/write of a request or response
  // Admission control, in front of the model. Requests that run it (POST /v1/search, /v1/embed,
  // /v1/classify, /v1/items) wait for one of `worker_threads` in a bounded queue: past
  // `max_queued` waiting (0: as many as there are workers) a request is answered 503 with
  // Retry-After at once; one that waited longer than `queue_deadline_ms` (0: no deadline) is
  // answered 503 without being run. Everything else (the page, item images and metadata,
  // renders, removals) runs on `file_threads` of its own, so a page stays quick while searches
  // queue, with a generous bound (`max_file_queued`). GET /v1/health and /metrics are answered
  // on the I/O thread and never queue.
  int max_queued = 0;
  int queue_deadline_ms = 1000;
  int file_threads = 2;
  int max_file_queued = 1024;
};

// What admission control did so far (for /metrics).
struct AdmissionStats {
  int64_t queued = 0;           // requests for the model waiting for a worker now
  uint64_t rejected = 0;        // answered 503 because a queue was full
  uint64_t deadline_dropped = 0;  // answered 503 because they waited past the deadline
};

// True for an address only this machine reaches (127.0.0.0/8, ::1, "localhost"); false for
// any other, including 0.0.0.0 and :: (every interface) and unparsable text.
bool is_loopback_host(const std::string& host);

class HttpServer {
 public:
  // Binds and listens immediately (throws Unavailable naming host:port when it cannot).
  HttpServer(ApiHandler& handler, const ServerOptions& options);
  ~HttpServer();

  uint16_t port() const;
  AdmissionStats admission() const;
  // Serves until stop() or SIGINT/SIGTERM, then finishes in-flight requests and returns.
  void run();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace clippo::http

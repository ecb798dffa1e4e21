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
};

class HttpServer {
 public:
  // Binds and listens immediately (throws Unavailable naming host:port when it cannot).
  HttpServer(ApiHandler& handler, const ServerOptions& options);
  ~HttpServer();

  uint16_t port() const;
  // Serves until stop() or SIGINT/SIGTERM, then finishes in-flight requests and returns.
  void run();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace clippo::http

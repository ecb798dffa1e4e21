#include "api/http/http_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "core/base/error.h"

namespace clippo::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Shared {
  ApiHandler& handler;
  ServerOptions options;
  net::thread_pool workers;       // requests that run the model
  net::thread_pool file_workers;  // everything else a worker answers
  std::atomic<int64_t> queued{0}, file_queued{0};
  std::atomic<uint64_t> rejected{0}, deadline_dropped{0};
  Shared(ApiHandler& h, const ServerOptions& o)
      : handler(h),
        options(o),
        workers(static_cast<size_t>(o.worker_threads)),
        file_workers(static_cast<size_t>(std::max(1, o.file_threads))) {
    if (options.max_queued <= 0) options.max_queued = options.worker_threads;
  }
};

// The routes that run the model: what the bounded queue and its deadline are for.
bool runs_model(const HttpRequest& r, const std::string& path) {
  if (r.method != "POST") return false;
  return path == "/v1/search" || path == "/v1/embed" || path == "/v1/classify" || path == "/v1/items";
}

// Cheap, and what a load balancer or monitor polls: answered without queueing.
bool answered_inline(const HttpRequest& r, const std::string& path) {
  if (r.method != "GET" && r.method != "HEAD") return false;
  return path == "/v1/health" || path == "/metrics";
}

HttpResponse busy(const std::string& why) {
  HttpResponse r = ApiHandler::error(503, "unavailable", "the server is busy (" + why + "); retry after 1 s");
  r.headers.push_back({"Retry-After", "1"});
  return r;
}

bhttp::response<bhttp::string_body> to_beast(const HttpResponse& r, unsigned version, bool keep_alive, bool head) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
  res.set(bhttp::field::server, "clippo");
  res.set(bhttp::field::content_type, r.content_type);
  for (const auto& [name, value] : r.headers) res.set(name, value);
  res.keep_alive(keep_alive);
  if (head) {
    res.content_length(r.body.size());  // the length a GET would send, and no body
  } else {
    res.body() = r.body;
    res.prepare_payload();
  }
  return res;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Shared& shared) : stream_(std::move(socket)), shared_(shared) {}

  void run() { net::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::read, shared_from_this())); }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(shared_.options.body_limit_bytes);
    parser_->header_limit(64 * 1024);
    stream_.expires_after(std::chrono::seconds(shared_.options.timeout_s));
    bhttp::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, size_t) {
    if (ec == bhttp::error::end_of_stream) return close();
    if (ec == bhttp::error::body_limit) {
      return write(ApiHandler::error(413, "resource_exhausted",
                                     "request body over the limit of " + std::to_string(shared_.options.body_limit_bytes) +
                                         " bytes"),
                   11, false, false);
    }
    if (ec == bhttp::error::header_limit) {
      return write(ApiHandler::error(431, "resource_exhausted", "request headers over the limit of 64 KiB"), 11, false,
                   false);
    }
    if (ec) {
      // A malformed request gets a 400; a timeout or reset just closes the connection.
      if (ec.category() == beast::error_code(bhttp::error::bad_target).category()) {
        return write(ApiHandler::error(400, "invalid_argument", "malformed HTTP request: " + ec.message()), 11, false, false);
      }
      return close();
    }
    auto req = parser_->release();
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    for (const auto& h : req) {
      std::string name(h.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers[name] = std::string(h.value());
    }
    request.body = std::move(req.body());
    const unsigned version = req.version();
    const bool keep_alive = req.keep_alive();
    const bool head = req.method() == bhttp::verb::head;
    const std::string path = request.target.substr(0, request.target.find('?'));
    if (answered_inline(request, path)) return write(shared_.handler.handle(request), version, keep_alive, head);
    const bool model_work = runs_model(request, path);
    // Admission: a place in the bounded queue, or an immediate 503 the client can retry.
    std::atomic<int64_t>& queued = model_work ? shared_.queued : shared_.file_queued;
    const int64_t max_queued = model_work ? shared_.options.max_queued : shared_.options.max_file_queued;
    if (queued.fetch_add(1) >= max_queued) {
      queued.fetch_sub(1);
      shared_.rejected.fetch_add(1);
      return write(busy(std::to_string(max_queued) + " requests already waiting"), version, keep_alive, head);
    }
    const auto admitted = std::chrono::steady_clock::now();
    // The model and the index run on the worker pools; the I/O thread only moves bytes.
    net::post(model_work ? shared_.workers : shared_.file_workers,
              [self = shared_from_this(), request = std::move(request), version, keep_alive, head, admitted,
               model_work]() mutable {
      Shared& shared = self->shared_;
      (model_work ? shared.queued : shared.file_queued).fetch_sub(1);
      const int deadline_ms = model_work ? shared.options.queue_deadline_ms : 0;
      const auto waited = std::chrono::steady_clock::now() - admitted;
      HttpResponse response;
      if (deadline_ms > 0 && waited > std::chrono::milliseconds(deadline_ms)) {
        shared.deadline_dropped.fetch_add(1);  // its client has waited long enough: do not run it
        response = busy("the request waited over " + std::to_string(deadline_ms) + " ms for a worker");
      } else {
        response = shared.handler.handle(request);
      }
      net::post(self->stream_.get_executor(), [self, response = std::move(response), version, keep_alive, head]() mutable {
        self->write(response, version, keep_alive, head);
      });
    });
  }

  void write(const HttpResponse& response, unsigned version, bool keep_alive, bool head) {
    response_ = std::make_shared<bhttp::response<bhttp::string_body>>(to_beast(response, version, keep_alive, head));
    stream_.expires_after(std::chrono::seconds(shared_.options.timeout_s));
    bhttp::async_write(stream_, *response_,
                       beast::bind_front_handler(&Session::on_write, shared_from_this(), response_->need_eof()));
  }

  void on_write(bool close_after, beast::error_code ec, size_t) {
    if (ec) return;
    if (close_after) return close();
    response_.reset();
    read();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<bhttp::response<bhttp::string_body>> response_;
  Shared& shared_;
};

}  // namespace

struct HttpServer::Impl {
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  Shared shared;
  net::signal_set signals{ioc, SIGINT, SIGTERM};
  net::steady_timer grace{ioc};
  Impl(ApiHandler& h, const ServerOptions& o) : ioc(o.io_threads), shared(h, o) {}

  void accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec == net::error::operation_aborted) return;  // stopping
      } else {
        std::make_shared<Session>(std::move(socket), shared)->run();
      }
      accept();
    });
  }
};

bool is_loopback_host(const std::string& host) {
  if (host == "localhost") return true;
  beast::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

HttpServer::HttpServer(ApiHandler& handler, const ServerOptions& options) : impl_(std::make_unique<Impl>(handler, options)) {
  CLIPPO_CHECK(options.io_threads >= 1 && options.worker_threads >= 1, kInvalidArgument, "thread counts must be >= 1");
  CLIPPO_CHECK(options.max_queued >= 0 && options.queue_deadline_ms >= 0, kInvalidArgument,
               "max_queued and queue_deadline_ms must be >= 0");
  beast::error_code ec;
  const auto address = net::ip::make_address(options.host, ec);
  CLIPPO_CHECK(!ec, kInvalidArgument, "bad host address '" + options.host + "': " + ec.message());
  const tcp::endpoint endpoint{address, options.port};
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  CLIPPO_CHECK(!ec, kUnavailable,
               "cannot listen on " + options.host + ":" + std::to_string(options.port) + ": " + ec.message());
}

HttpServer::~HttpServer() {
  impl_->shared.workers.join();
  impl_->shared.file_workers.join();
}

uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

AdmissionStats HttpServer::admission() const {
  const Shared& s = impl_->shared;
  return {s.queued.load(), s.rejected.load(), s.deadline_dropped.load()};
}

void HttpServer::run() {
  impl_->signals.async_wait([this](beast::error_code, int) { stop(); });
  impl_->accept();
  std::vector<std::thread> threads;
  for (int i = 1; i < impl_->shared.options.io_threads; ++i) threads.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : threads) t.join();
  impl_->shared.workers.join();  // in-flight handlers finish before the engine goes away
  impl_->shared.file_workers.join();
}

void HttpServer::stop() {
  // Stop accepting at once; give requests in flight a moment to get their responses out, then
  // end idle keep-alive connections by stopping the loop.
  net::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->signals.cancel(ec);
    impl_->grace.expires_after(std::chrono::milliseconds(1500));
    impl_->grace.async_wait([this](beast::error_code) { impl_->ioc.stop(); });
  });
}

}  // namespace clippo::http

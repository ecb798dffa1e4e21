// A small HTTP/1.1 file server on 127.0.0.1 for download tests, with the faults a real network
// has: each path has a body and a behaviour (serve it, honouring "Range: bytes=N-"; cut the
// connection halfway on the first request; claim the full length but always stop halfway;
// answer 404). Requests are handled one at a time on one thread; every request's path and
// Range header are recorded.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace clippo::model_hub::testing {

enum class Behaviour { kServe, kCutFirstRequest, kAlwaysTruncated, kNotFound };

class LocalHttpServer {
 public:
  struct Seen {
    std::string path, range;
  };

  LocalHttpServer() : acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] { serve(); });
  }
  ~LocalHttpServer() {
    stopping_ = true;
    boost::system::error_code ec;
    // Wake the blocking accept with a connection of our own.
    boost::asio::ip::tcp::socket poke(ioc_);
    poke.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
  }

  void add(const std::string& path, std::string body, Behaviour behaviour = Behaviour::kServe) {
    std::lock_guard<std::mutex> lock(mutex_);
    files_[path] = {std::move(body), behaviour, 0};
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + path;
  }
  std::vector<Seen> seen() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return seen_;
  }

 private:
  struct File {
    std::string body;
    Behaviour behaviour;
    int requests;
  };

  void serve() {
    namespace http = boost::beast::http;
    while (!stopping_) {
      boost::asio::ip::tcp::socket socket(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) continue;
      boost::beast::flat_buffer buffer;
      http::request<http::empty_body> req;
      http::read(socket, buffer, req, ec);
      if (ec) continue;
      const std::string path(req.target());
      const std::string range(req[http::field::range]);
      File file;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        seen_.push_back({path, range});
        auto it = files_.find(path);
        if (it == files_.end()) {
          file.behaviour = Behaviour::kNotFound;
        } else {
          ++it->second.requests;
          file = it->second;
        }
      }
      if (file.behaviour == Behaviour::kNotFound) {
        write_raw(socket, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found");
        continue;
      }
      size_t from = 0;
      if (range.rfind("bytes=", 0) == 0) from = std::stoull(range.substr(6));
      if (from > file.body.size()) {
        write_raw(socket, "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        continue;
      }
      const std::string rest = file.body.substr(from);
      std::string head = from > 0 ? "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " + std::to_string(from) + "-" +
                                        std::to_string(file.body.size() - 1) + "/" + std::to_string(file.body.size()) + "\r\n"
                                  : std::string("HTTP/1.1 200 OK\r\n");
      head += "Content-Length: " + std::to_string(rest.size()) + "\r\nConnection: close\r\n\r\n";
      const bool cut = file.behaviour == Behaviour::kAlwaysTruncated ||
                       (file.behaviour == Behaviour::kCutFirstRequest && file.requests == 1);
      write_raw(socket, head + (cut ? rest.substr(0, rest.size() / 2) : rest));
    }
  }

  static void write_raw(boost::asio::ip::tcp::socket& socket, const std::string& bytes) {
    boost::system::error_code ec;
    boost::asio::write(socket, boost::asio::buffer(bytes), ec);
    socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::map<std::string, File> files_;
  std::vector<Seen> seen_;
};

}  // namespace clippo::model_hub::testing

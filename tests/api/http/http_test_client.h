// A minimal blocking HTTP/1.1 client (Boost.Beast) for server tests.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <map>
#include <string>

namespace clippo::http::testing {

struct Reply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
};

inline Reply request(uint16_t port, const std::string& method, const std::string& target, const std::string& body = "",
                     const std::map<std::string, std::string>& headers = {{"Content-Type", "application/json"}}) {
  namespace beast = boost::beast;
  namespace bhttp = beast::http;
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  stream.connect(resolver.resolve("127.0.0.1", std::to_string(port)));
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  try {
    bhttp::write(stream, req);
  } catch (const beast::system_error&) {
    // The server may answer (413) and close before the whole body is sent: read the answer.
  }
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(std::uint64_t{1} << 30);
  parser.skip(method == "HEAD");  // a reply to HEAD has headers only
  bhttp::read(stream, buffer, parser);
  Reply reply;
  reply.status = static_cast<int>(parser.get().result_int());
  reply.body = parser.get().body();
  for (const auto& h : parser.get()) reply.headers[std::string(h.name_string())] = std::string(h.value());
  beast::error_code ec;
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  return reply;
}

}  // namespace clippo::http::testing

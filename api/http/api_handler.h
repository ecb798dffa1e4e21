// The HTTP API's request handling, apart from the transport: a plain request in, a plain
// response out, every error turned into {"error": {"code", "message"}} with its status. The
// Beast server (http_server.h) calls it on worker threads. See docs/API.md.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "api/engine/search_engine.h"
#include "api/http/metrics.h"

namespace clippo::http {

struct HttpRequest {
  std::string method;                         // "GET", "POST", ...
  std::string target;                         // path and query, e.g. "/v1/render?text=hi"
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct ApiOptions {
  std::string api_key;                    // writes need "Authorization: Bearer <key>" when set
  std::vector<std::string> cors_origins;  // allowed Origin values; "*" allows any
  std::string web_dir;                    // served at "/"; empty: no web page
  std::string openapi_path;               // served at /v1/openapi.json
};

class ApiHandler {
 public:
  ApiHandler(engine::SearchEngine& engine, ApiOptions options, Metrics& metrics);

  // Never throws: bad input of any kind becomes a 4xx, a bug a 500.
  HttpResponse handle(const HttpRequest& request);

  // Until set, every /v1 route but health answers 503.
  void set_ready(bool ready) { ready_ = ready; }

  // A JSON error response; `code` is snake_case ("invalid_argument").
  static HttpResponse error(int status, const std::string& code, const std::string& message);

 private:
  // What a handler gets: the request, the {id} of the path when its pattern has one, and the
  // query string.
  struct Call {
    const HttpRequest& request;
    int64_t id = -1;
    std::string query;
  };
  // One endpoint: a method and a path pattern ("/v1/items/{id}/image"; {id} matches one
  // segment, a non-negative integer, else 404). Routes that need the model wait for
  // set_ready(); writes need the API key.
  struct Route {
    std::string method;
    std::string pattern;
    bool needs_ready;
    bool writes;
    std::function<HttpResponse(const Call&)> handler;
  };
  std::vector<Route> routes();

  HttpResponse dispatch(const HttpRequest& request, std::string& route_label);
  HttpResponse health() const;
  HttpResponse search(const Call& call);
  HttpResponse embed(const Call& call);
  HttpResponse classify(const Call& call);
  HttpResponse add_item(const Call& call);
  HttpResponse get_item(const Call& call) const;
  HttpResponse remove_item(const Call& call);
  HttpResponse item_image(const Call& call) const;
  HttpResponse render(const Call& call) const;
  HttpResponse static_file(const std::string& path) const;
  bool authorized(const HttpRequest& request) const;
  void add_cors(const HttpRequest& request, HttpResponse& response) const;

  engine::SearchEngine& engine_;
  ApiOptions options_;
  Metrics& metrics_;
  std::atomic<bool> ready_{false};
  std::vector<Route> routes_;
};

}  // namespace clippo::http

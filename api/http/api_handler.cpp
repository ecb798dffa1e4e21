#include "api/http/api_handler.h"

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "api/engine/image_roots.h"
#include "core/base/base64.h"
#include "core/base/error.h"
#include "core/base/file_io.h"
#include "render/image_decoder.h"

namespace clippo::http {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// Error responses carry the HTTP status of the library's error code (docs/ARCHITECTURE.md, Errors).
int status_of(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kAlreadyExists: return 409;
    case ErrorCode::kFailedPrecondition: return 409;
    case ErrorCode::kResourceExhausted: return 413;
    case ErrorCode::kUnsupportedFormat: return 415;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

// Responses never fail on text a client or a file put in the store: invalid UTF-8 is replaced.
std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

HttpResponse json_response(int status, const Json& j) { return {status, "application/json", dump(j), {}}; }

Json parse_json_body(const HttpRequest& r) {
  try {
    return Json::parse(r.body);
  } catch (const Json::parse_error& e) {
    throw_error(ErrorCode::kInvalidArgument, std::string("malformed JSON: ") + e.what());
  }
}

// A field of an expected type, or InvalidArgument naming it; never a silent default.
template <typename T>
T field(const Json& j, const char* name, const T& fallback, bool required = false) {
  const auto it = j.find(name);
  if (it == j.end() || it->is_null()) {
    CLIPPO_CHECK(!required, kInvalidArgument, std::string("missing field '") + name + "'");
    return fallback;
  }
  if constexpr (std::is_same_v<T, std::string>) {
    CLIPPO_CHECK(it->is_string(), kInvalidArgument, std::string("field '") + name + "' must be a string");
  } else if constexpr (std::is_integral_v<T>) {
    CLIPPO_CHECK(it->is_number_integer(), kInvalidArgument, std::string("field '") + name + "' must be an integer");
  }
  return it->get<T>();
}

std::string url_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%') {
      CLIPPO_CHECK(i + 2 < s.size() + 0 && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
                       std::isxdigit(static_cast<unsigned char>(s[i + 2])),
                   kInvalidArgument, "malformed percent-encoding in the query string");
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(const std::string& qs) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= qs.size() && !qs.empty()) {
    const size_t amp = qs.find('&', pos);
    const std::string pair = qs.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    const size_t eq = pair.find('=');
    if (!pair.empty()) out[url_decode(pair.substr(0, eq))] = eq == std::string::npos ? "" : url_decode(pair.substr(eq + 1));
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return out;
}

int parse_k(const std::string& text, int max_k) {
  int k = 0;
  try {
    size_t used = 0;
    k = std::stoi(text, &used);
    CLIPPO_CHECK(used == text.size(), kInvalidArgument, "k must be an integer");
  } catch (const std::logic_error&) {
    throw_error(ErrorCode::kInvalidArgument, "k must be an integer in [1, " + std::to_string(max_k) + "]");
  }
  return k;
}

Json item_json(const index::Item& item) {
  return {{"id", item.id}, {"uri", item.uri}, {"caption", item.caption}, {"lang", item.lang}, {"added_ms", item.added_ms}};
}

const char* image_content_type(const std::string& bytes) {
  switch (render::detect_image_format(bytes)) {
    case render::ImageFormat::kJpeg: return "image/jpeg";
    case render::ImageFormat::kPng: return "image/png";
    case render::ImageFormat::kWebp: return "image/webp";
    default: return "application/octet-stream";
  }
}

bool is_image_media_type(const std::string& content_type) {
  return content_type.rfind("image/jpeg", 0) == 0 || content_type.rfind("image/png", 0) == 0 ||
         content_type.rfind("image/webp", 0) == 0;
}

}  // namespace

ApiHandler::ApiHandler(engine::SearchEngine& engine, ApiOptions options, Metrics& metrics)
    : engine_(engine), options_(std::move(options)), metrics_(metrics) {
  image_roots_ = engine::read_image_roots(engine_.store().dir());
  const fs::path uploads = fs::path(engine_.store().dir()) / "uploads";
  fs::create_directories(uploads);
  image_roots_.push_back(fs::canonical(uploads).string());
}

HttpResponse ApiHandler::error(int status, const std::string& code, const std::string& message) {
  return json_response(status, Json{{"error", {{"code", code}, {"message", message}}}});
}

HttpResponse ApiHandler::handle(const HttpRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  std::string label = "unmatched";
  HttpResponse response;
  try {
    response = route(request, label);
  } catch (const Error& e) {
    response = error(status_of(e.code()), std::string(error_code_name(e.code())), e.what());
  } catch (const std::bad_alloc&) {
    response = error(413, "resource_exhausted", "the request needs more memory than the server has");
  } catch (const std::exception& e) {
    response = error(500, "internal", e.what());
  }
  add_cors(request, response);
  metrics_.observe(label, request.method, response.status,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return response;
}

bool ApiHandler::authorized(const HttpRequest& r) const {
  if (options_.api_key.empty()) return true;
  const auto it = r.headers.find("authorization");
  return it != r.headers.end() && it->second == "Bearer " + options_.api_key;
}

void ApiHandler::add_cors(const HttpRequest& r, HttpResponse& response) const {
  const auto origin = r.headers.find("origin");
  if (origin == r.headers.end()) return;
  for (const auto& allowed : options_.cors_origins) {
    if (allowed == "*" || allowed == origin->second) {
      response.headers.push_back({"Access-Control-Allow-Origin", allowed == "*" ? "*" : origin->second});
      response.headers.push_back({"Vary", "Origin"});
      return;
    }
  }
}

HttpResponse ApiHandler::route(const HttpRequest& r, std::string& label) {
  const size_t q = r.target.find('?');
  const std::string path = r.target.substr(0, q);
  const std::string query = q == std::string::npos ? "" : r.target.substr(q + 1);
  // HEAD is GET without a body (RFC 9110); the transport leaves the body out.
  const std::string m = r.method == "HEAD" ? "GET" : r.method;
  auto method_not_allowed = [&](const char* allow) {
    HttpResponse resp = error(405, "method_not_allowed", m + " is not allowed on " + path + " (allowed: " + allow + ")");
    resp.headers.push_back({"Allow", allow});
    return resp;
  };
  if (m == "OPTIONS") {  // CORS preflight
    label = "preflight";
    HttpResponse resp{204, "text/plain", "", {}};
    resp.headers.push_back({"Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS"});
    resp.headers.push_back({"Access-Control-Allow-Headers", "Content-Type, Authorization"});
    resp.headers.push_back({"Access-Control-Max-Age", "600"});
    return resp;
  }
  if (path == "/v1/health") {
    label = path;
    return m == "GET" ? health() : method_not_allowed("GET");
  }
  if (path == "/metrics") {
    label = path;
    if (m != "GET") return method_not_allowed("GET");
    return {200, "text/plain; version=0.0.4", metrics_.render(), {}};
  }
  if (path == "/v1/openapi.json") {
    label = path;
    if (m != "GET") return method_not_allowed("GET");
    return {200, "application/json", read_file(options_.openapi_path, 1 << 20), {}};
  }
  if (path.rfind("/v1/", 0) == 0 && !ready_) {
    label = "not_ready";
    return error(503, "unavailable", "the server is still loading");
  }
  if (path == "/v1/search") {
    label = path;
    return m == "POST" ? search(r, query) : method_not_allowed("POST");
  }
  if (path == "/v1/embed") {
    label = path;
    return m == "POST" ? embed(r) : method_not_allowed("POST");
  }
  if (path == "/v1/render") {
    label = path;
    return m == "GET" ? render(query) : method_not_allowed("GET");
  }
  if (path == "/v1/items") {
    label = path;
    if (m != "POST") return method_not_allowed("POST");
    if (!authorized(r)) return error(401, "unauthenticated", "writes need 'Authorization: Bearer <api key>'");
    return add_item(r);
  }
  static const std::string kItems = "/v1/items/";
  if (path.rfind(kItems, 0) == 0) {
    std::string rest = path.substr(kItems.size());
    const bool image = rest.size() > 6 && rest.compare(rest.size() - 6, 6, "/image") == 0;
    if (image) rest.resize(rest.size() - 6);
    label = image ? "/v1/items/{id}/image" : "/v1/items/{id}";
    int64_t id = -1;
    try {
      size_t used = 0;
      id = std::stoll(rest, &used);
      CLIPPO_CHECK(used == rest.size() && id >= 0, kNotFound, "no such item: '" + rest + "'");
    } catch (const std::logic_error&) {
      throw_error(ErrorCode::kNotFound, "no such item: '" + rest + "'");
    }
    if (image) return m == "GET" ? item_image(id) : method_not_allowed("GET");
    return item(m, id, r);
  }
  if (m == "GET" && !options_.web_dir.empty() && path.rfind("/v1", 0) != 0) {
    label = "static";
    return static_file(path == "/" ? "/index.html" : path);
  }
  return error(404, "not_found", "no route " + path);
}

HttpResponse ApiHandler::health() const {
  if (!ready_) return error(503, "unavailable", "the server is still loading");
  return json_response(200, Json{{"status", "ok"},
                                 {"items", engine_.store().size()},
                                 {"dim", engine_.store().dim()},
                                 {"model", engine_.store().model().to_json()},
                                 // Token baselines (1t-clip, clip*) read SentencePiece ids: no renderer.
                                 {"model_kind", model::model_kind_name(engine_.encoder().embedder().text_input().kind)},
                                 {"renderer", engine_.encoder().reads_tokens()
                                                  ? Json(nullptr)
                                                  : Json(engine_.encoder().renderer().spec().kind)}});
}

HttpResponse ApiHandler::search(const HttpRequest& r, const std::string& query_string) {
  const auto ct = r.headers.count("content-type") ? r.headers.at("content-type") : std::string();
  engine::SearchResponse result;
  if (is_image_media_type(ct)) {  // raw upload: the body is the image
    const auto params = parse_query(query_string);
    const int k = params.count("k") ? parse_k(params.at("k"), options_.max_k) : 10;
    result = engine_.search_image(r.body, k);
  } else {
    CLIPPO_CHECK(ct.empty() || ct.rfind("application/json", 0) == 0, kUnsupportedFormat,
                 "send JSON (application/json) or an image (image/jpeg, image/png, image/webp), not '" + ct + "'");
    const Json body = parse_json_body(r);
    CLIPPO_CHECK(body.is_object(), kInvalidArgument, "the body must be a JSON object");
    const int64_t k = field<int64_t>(body, "k", 10);
    CLIPPO_CHECK(k >= 1 && k <= options_.max_k, kInvalidArgument,
                 "k must be in [1, " + std::to_string(options_.max_k) + "], got " + std::to_string(k));
    const bool has_query = body.contains("query"), has_image = body.contains("image");
    CLIPPO_CHECK(has_query != has_image, kInvalidArgument, "give exactly one of 'query' (text) and 'image' (base64)");
    result = has_query ? engine_.search_text(field<std::string>(body, "query", ""), static_cast<int>(k))
                       : engine_.search_image(base64_decode(field<std::string>(body, "image", "")), static_cast<int>(k));
  }
  Json results = Json::array();
  for (const auto& hit : result.results) {
    Json j = item_json(hit.item);
    j["score"] = hit.score;
    j["image_url"] = "/v1/items/" + std::to_string(hit.id) + "/image";
    results.push_back(std::move(j));
  }
  return json_response(200, Json{{"results", results},
                                 {"took_ms", {{"render", result.took.render_ms},
                                              {"encode", result.took.encode_ms},
                                              {"search", result.took.search_ms},
                                              {"total", result.took.total_ms}}}});
}

HttpResponse ApiHandler::embed(const HttpRequest& r) {
  const Json body = parse_json_body(r);
  CLIPPO_CHECK(body.is_object(), kInvalidArgument, "the body must be a JSON object");
  Json out = Json::array();
  const bool texts = body.contains("texts"), images = body.contains("images");
  CLIPPO_CHECK(texts != images, kInvalidArgument, "give exactly one of 'texts' and 'images' (arrays)");
  const Json& list = texts ? body["texts"] : body["images"];
  CLIPPO_CHECK(list.is_array() && !list.empty() && list.size() <= 256, kInvalidArgument,
               "'texts' / 'images' must be an array of 1 to 256 strings");
  for (const Json& v : list) {
    CLIPPO_CHECK(v.is_string(), kInvalidArgument, "'texts' / 'images' must hold strings");
    out.push_back(texts ? engine_.embed_text(v.get<std::string>()) : engine_.embed_image(base64_decode(v.get<std::string>())));
  }
  return json_response(200, Json{{"embeddings", out}, {"dim", engine_.store().dim()}});
}

HttpResponse ApiHandler::add_item(const HttpRequest& r) {
  const Json body = parse_json_body(r);
  CLIPPO_CHECK(body.is_object(), kInvalidArgument, "the body must be a JSON object");
  index::Item item;
  item.id = field<int64_t>(body, "id", -1);
  CLIPPO_CHECK(body.value("id", Json()).is_null() || item.id >= 0, kInvalidArgument, "'id' must be >= 0");
  item.caption = field<std::string>(body, "caption", "");
  item.lang = field<std::string>(body, "lang", "");
  std::string bytes;
  if (body.contains("image")) {
    bytes = base64_decode(field<std::string>(body, "image", ""));
    render::decode_image(bytes);  // refuse non-images before anything is written
    // Uploaded images live in the store's uploads/ folder, named by content, so items served
    // from there never depend on a client-chosen path.
    const std::string name = std::to_string(std::hash<std::string>{}(bytes)) + "." +
                             std::string(image_content_type(bytes)).substr(6);
    const fs::path path = fs::path(image_roots_.back()) / name;
    if (!fs::exists(path)) write_file_atomically(path.string(), bytes);
    item.uri = path.string();
  } else {
    const std::string uri = field<std::string>(body, "uri", "", /*required=*/true);
    const std::string local = engine::resolve_under_roots(uri, image_roots_);
    CLIPPO_CHECK(!local.empty(), kInvalidArgument,
                 "'uri' must name an image file under the store's image roots, or send the image as 'image' (base64)");
    bytes = read_file(local, size_t{64} << 20);
    item.uri = local;
  }
  const int64_t id = engine_.add_item(item, bytes);
  return json_response(201, Json{{"id", id}});
}

HttpResponse ApiHandler::item(const std::string& method, int64_t id, const HttpRequest& r) {
  if (method == "GET") {
    const auto found = engine_.get_item(id);
    CLIPPO_CHECK(found.has_value(), kNotFound, "no item " + std::to_string(id));
    return json_response(200, item_json(*found));
  }
  if (method == "DELETE") {
    if (!authorized(r)) return error(401, "unauthenticated", "writes need 'Authorization: Bearer <api key>'");
    CLIPPO_CHECK(engine_.remove_item(id), kNotFound, "no item " + std::to_string(id));
    return json_response(200, Json{{"removed", true}, {"id", id}});
  }
  HttpResponse resp = error(405, "method_not_allowed", method + " is not allowed on /v1/items/{id}");
  resp.headers.push_back({"Allow", "GET, DELETE"});
  return resp;
}

HttpResponse ApiHandler::item_image(int64_t id) const {
  const auto found = engine_.get_item(id);
  CLIPPO_CHECK(found.has_value(), kNotFound, "no item " + std::to_string(id));
  // Only files under the store's image roots, whatever the item's uri says.
  const std::string local = engine::resolve_under_roots(found->uri, image_roots_);
  CLIPPO_CHECK(!local.empty(), kNotFound, "item " + std::to_string(id) + " has no image this server may serve");
  const std::string bytes = read_file(local, size_t{64} << 20);
  HttpResponse resp{200, image_content_type(bytes), bytes, {}};
  resp.headers.push_back({"Cache-Control", "max-age=3600"});
  return resp;
}

HttpResponse ApiHandler::render(const std::string& query_string) const {
  const auto params = parse_query(query_string);
  const auto text = params.find("text");
  CLIPPO_CHECK(text != params.end(), kInvalidArgument, "missing query parameter 'text'");
  return {200, "image/png", engine_.render_png(text->second), {}};
}

HttpResponse ApiHandler::static_file(const std::string& path) const {
  const std::string name = path.substr(1);
  const bool plain = !name.empty() && name.find_first_not_of(
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == std::string::npos && name[0] != '.';
  CLIPPO_CHECK(plain, kNotFound, "no route " + path);
  const fs::path file = fs::path(options_.web_dir) / name;
  CLIPPO_CHECK(fs::is_regular_file(file), kNotFound, "no route " + path);
  const std::string ext = file.extension().string();
  const char* type = ext == ".html" ? "text/html; charset=utf-8"
                     : ext == ".js"  ? "text/javascript; charset=utf-8"
                     : ext == ".css" ? "text/css; charset=utf-8"
                     : ext == ".svg" ? "image/svg+xml"
                     : ext == ".png" ? "image/png"
                     : ext == ".json" ? "application/json"
                                      : "application/octet-stream";
  return {200, type, read_file(file.string(), size_t{8} << 20), {}};
}

}  // namespace clippo::http

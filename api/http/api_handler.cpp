#include "api/http/api_handler.h"

#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <system_error>
#include <nlohmann/json.hpp>

#include "core/base/base64.h"
#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/strings.h"
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
  } catch (const Json::exception& e) {  // parse_error, and out_of_range for a number past 1e308 (found by fuzzing)
    throw Error(ErrorCode::kInvalidArgument, std::string("malformed JSON: ") + e.what());
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

// k from a query string: an integer in [1, kMaxK], or InvalidArgument.
int parse_k(const std::string& text) {
  int64_t k = 0;
  try {
    size_t used = 0;
    k = std::stoll(text, &used);
    CLIPPO_CHECK(used == text.size(), kInvalidArgument, "k must be an integer, got '" + text + "'");
  } catch (const std::logic_error&) {
    throw Error(ErrorCode::kInvalidArgument, "k must be an integer, got '" + text + "'");
  }
  engine::check_k(k);
  return static_cast<int>(k);
}

// The {id} segment of an item path: a non-negative integer, else the item does not exist.
int64_t parse_item_id(const std::string& segment) {
  try {
    size_t used = 0;
    const int64_t id = std::stoll(segment, &used);
    if (used == segment.size() && id >= 0 && segment[0] != '+') return id;
  } catch (const std::logic_error&) {
  }
  throw Error(ErrorCode::kNotFound, "no such item: '" + segment + "'");
}

std::vector<std::string> path_segments(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

// Whether `path` fits `pattern`; sets *id_segment to the segment that {id} matched.
bool matches(const std::string& pattern, const std::vector<std::string>& path, std::string* id_segment) {
  const std::vector<std::string> want = path_segments(pattern);
  if (want.size() != path.size()) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i] == "{id}") {
      if (path[i].empty()) return false;
      *id_segment = path[i];
    } else if (want[i] != path[i]) {
      return false;
    }
  }
  return true;
}

bool is_image_media_type(const std::string& content_type) {
  return content_type.rfind("image/jpeg", 0) == 0 || content_type.rfind("image/png", 0) == 0 ||
         content_type.rfind("image/webp", 0) == 0;
}

// "kinds": which items a search may return, as names ("image", "text"); absent: all.
index::KindMask kinds_from_names(const std::vector<std::string>& names) {
  CLIPPO_CHECK(!names.empty(), kInvalidArgument, "'kinds' must name at least one of \"image\" and \"text\"");
  index::KindMask mask = 0;
  for (const std::string& name : names) mask |= index::kind_bit(index::parse_item_kind(name));
  return mask;
}

index::KindMask parse_kinds(const Json& body) {
  if (!body.contains("kinds")) return index::kAllKinds;
  const Json& kinds = body.at("kinds");
  CLIPPO_CHECK(kinds.is_array(), kInvalidArgument, "'kinds' must be an array of \"image\" and \"text\"");
  std::vector<std::string> names;
  for (const Json& k : kinds) {
    CLIPPO_CHECK(k.is_string(), kInvalidArgument, "'kinds' must be an array of \"image\" and \"text\"");
    names.push_back(k.get<std::string>());
  }
  return kinds_from_names(names);
}

}  // namespace

ApiHandler::ApiHandler(engine::SearchEngine& engine, ApiOptions options, Metrics& metrics)
    : engine_(engine), options_(std::move(options)), metrics_(metrics), routes_(routes()) {}

std::vector<ApiHandler::Route> ApiHandler::routes() {
  // method, pattern, needs the model, writes, handler. docs/API.md and openapi.json list the same.
  return {
      {"GET", "/v1/health", false, false, [this](const Call&) { return health(); }},
      {"GET", "/metrics", false, false,
       [this](const Call&) { return HttpResponse{200, "text/plain; version=0.0.4", metrics_.render(), {}}; }},
      {"GET", "/v1/openapi.json", false, false,
       [this](const Call&) { return HttpResponse{200, "application/json", read_file(options_.openapi_path, 1 << 20), {}}; }},
      {"POST", "/v1/search", true, false, [this](const Call& c) { return search(c); }},
      {"POST", "/v1/embed", true, false, [this](const Call& c) { return embed(c); }},
      {"POST", "/v1/classify", true, false, [this](const Call& c) { return classify(c); }},
      {"GET", "/v1/render", true, false, [this](const Call& c) { return render(c); }},
      {"POST", "/v1/items", true, true, [this](const Call& c) { return add_item(c); }},
      {"GET", "/v1/items/{id}", true, false, [this](const Call& c) { return get_item(c); }},
      {"DELETE", "/v1/items/{id}", true, true, [this](const Call& c) { return remove_item(c); }},
      {"GET", "/v1/items/{id}/image", true, false, [this](const Call& c) { return item_image(c); }},
  };
}

HttpResponse ApiHandler::error(int status, const std::string& code, const std::string& message) {
  return json_response(status, Json{{"error", {{"code", code}, {"message", message}}}});
}

HttpResponse ApiHandler::handle(const HttpRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  std::string label = "unmatched";
  HttpResponse response;
  try {
    response = dispatch(request, label);
  } catch (const Error& e) {
    response = error(status_of(e.code()), std::string(error_code_name(e.code())), e.what());
  } catch (const std::bad_alloc&) {
    response = error(413, "resource_exhausted", "the request needs more memory than the server has");
  } catch (const std::exception& e) {
    response = error(500, "internal", e.what());
  }
  add_cors(request, response);
  // The method is client text: as a metric label it would grow the metrics without bound and
  // could break their format (found by fuzzing), so methods outside HTTP's own are "other".
  static const std::set<std::string> kMethods = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"};
  const std::string method_label = kMethods.count(request.method) ? request.method : "other";
  metrics_.observe(label, method_label, response.status,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return response;
}

bool ApiHandler::authorized(const HttpRequest& r) const {
  if (options_.api_key.empty()) return true;
  const auto it = r.headers.find("authorization");
  return it != r.headers.end() && constant_time_equal(it->second, "Bearer " + options_.api_key);
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

HttpResponse ApiHandler::dispatch(const HttpRequest& r, std::string& label) {
  const size_t q = r.target.find('?');
  const std::string path = r.target.substr(0, q);
  const std::string query = q == std::string::npos ? "" : r.target.substr(q + 1);
  // HEAD is GET without a body (RFC 9110); the transport leaves the body out.
  const std::string m = r.method == "HEAD" ? "GET" : r.method;
  if (m == "OPTIONS") {  // CORS preflight
    label = "preflight";
    HttpResponse resp{204, "text/plain", "", {}};
    resp.headers.push_back({"Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS"});
    resp.headers.push_back({"Access-Control-Allow-Headers", "Content-Type, Authorization"});
    resp.headers.push_back({"Access-Control-Max-Age", "600"});
    return resp;
  }
  // Only origin-form targets ("/path?query"); "*", "?x" or an absolute URL name no route here
  // (an empty path reached the static files as an out-of-range read: found by fuzzing).
  if (path.empty() || path[0] != '/') {
    label = "bad_target";
    return error(400, "invalid_argument", "the request target must be a path starting with '/'");
  }
  const std::vector<std::string> segments = path_segments(path);
  std::string allowed;  // methods of the routes whose pattern fits, for a 405
  for (const Route& route : routes_) {
    std::string id_segment;
    if (!matches(route.pattern, segments, &id_segment)) continue;
    label = route.pattern;
    if (route.method != m) {
      allowed += (allowed.empty() ? "" : ", ") + route.method;
      continue;
    }
    if (route.needs_ready && !ready_) {
      label = "not_ready";
      return error(503, "unavailable", "the server is still loading");
    }
    if (route.writes && !authorized(r)) {
      return error(401, "unauthenticated", "writes need 'Authorization: Bearer <api key>'");
    }
    Call call{r, -1, query};
    if (!id_segment.empty()) call.id = parse_item_id(id_segment);
    return route.handler(call);
  }
  if (!allowed.empty()) {
    HttpResponse resp = error(405, "method_not_allowed", m + " is not allowed on " + path + " (allowed: " + allowed + ")");
    resp.headers.push_back({"Allow", allowed});
    return resp;
  }
  if (m == "GET" && !options_.web_dir.empty() && path.rfind("/v1", 0) != 0) {
    label = "static";
    return static_file(path == "/" ? "/index.html" : path);
  }
  return error(404, "not_found", "no route " + path);
}

HttpResponse ApiHandler::health() const {
  if (!ready_) return error(503, "unavailable", "the server is still loading");
  const engine::EngineInfo info = engine_.info();
  return json_response(200, Json{{"status", "ok"},
                                 {"items", info.items},
                                 {"kinds", Json{{"image", info.kinds.images}, {"text", info.kinds.texts}}},
                                 {"dim", info.dim},
                                 {"model", info.model.to_json()},
                                 {"model_kind", info.model_kind},
                                 {"image_size", info.image_size},
                                 // Token baselines (1t-clip, clip*) read SentencePiece ids: no renderer.
                                 {"renderer", info.renderer.empty() ? Json(nullptr) : Json(info.renderer)},
                                 {"read_only", info.read_only},
                                 {"snapshot", info.snapshot}});
}

HttpResponse ApiHandler::search(const Call& call) {
  const HttpRequest& r = call.request;
  const auto ct = r.headers.count("content-type") ? r.headers.at("content-type") : std::string();
  engine::SearchResponse result;
  if (is_image_media_type(ct)) {  // raw upload: the body is the image
    const auto params = parse_query(call.query);
    const int k = params.count("k") ? parse_k(params.at("k")) : 10;
    const index::KindMask kinds =
        params.count("kinds") ? kinds_from_names(split_fields(params.at("kinds"), ',')) : index::kAllKinds;
    result = engine_.search_image(r.body, k, kinds);
  } else {
    CLIPPO_CHECK(ct.empty() || ct.rfind("application/json", 0) == 0, kUnsupportedFormat,
                 "send JSON (application/json) or an image (image/jpeg, image/png, image/webp), not '" + ct + "'");
    const Json body = parse_json_body(r);
    CLIPPO_CHECK(body.is_object(), kInvalidArgument, "the body must be a JSON object");
    const int64_t k = field<int64_t>(body, "k", 10);
    engine::check_k(k);
    const index::KindMask kinds = parse_kinds(body);
    const bool has_query = body.contains("query"), has_image = body.contains("image");
    CLIPPO_CHECK(has_query != has_image, kInvalidArgument, "give exactly one of 'query' (text) and 'image' (base64)");
    result = has_query
                 ? engine_.search_text(field<std::string>(body, "query", ""), static_cast<int>(k), kinds)
                 : engine_.search_image(base64_decode(field<std::string>(body, "image", "")), static_cast<int>(k), kinds);
  }
  Json body = engine::search_response_to_json(result);
  for (Json& hit : body["results"]) hit["image_url"] = "/v1/items/" + std::to_string(hit["id"].get<int64_t>()) + "/image";
  return json_response(200, body);
}

HttpResponse ApiHandler::embed(const Call& call) {
  const Json body = parse_json_body(call.request);
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
  return json_response(200, Json{{"embeddings", out}, {"dim", engine_.dim()}});
}

// Labels and templates: JSON arrays of strings, or (raw image upload) comma-separated in the query.
static std::vector<std::string> string_list(const Json& body, const char* name) {
  std::vector<std::string> out;
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) return out;
  CLIPPO_CHECK(it->is_array(), kInvalidArgument, std::string("'") + name + "' must be an array of strings");
  for (const Json& v : *it) {
    CLIPPO_CHECK(v.is_string(), kInvalidArgument, std::string("'") + name + "' must be an array of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

HttpResponse ApiHandler::classify(const Call& call) {
  const HttpRequest& r = call.request;
  const auto ct = r.headers.count("content-type") ? r.headers.at("content-type") : std::string();
  std::vector<std::string> labels, templates;
  int k = 5;
  std::string image, lang;
  if (is_image_media_type(ct)) {  // raw upload: ?labels=cat,dog[&template=...][&lang=de][&k=N]
    const auto params = parse_query(call.query);
    if (const auto it = params.find("labels"); it != params.end()) labels = split_fields(it->second, ',');
    if (const auto it = params.find("template"); it != params.end()) templates = {it->second};
    if (const auto it = params.find("lang"); it != params.end()) lang = it->second;
    if (params.count("k")) k = parse_k(params.at("k"));
    image = r.body;
  } else {
    CLIPPO_CHECK(ct.empty() || ct.rfind("application/json", 0) == 0, kUnsupportedFormat,
                 "send JSON (application/json) or an image (image/jpeg, image/png, image/webp), not '" + ct + "'");
    const Json body = parse_json_body(r);
    CLIPPO_CHECK(body.is_object(), kInvalidArgument, "the body must be a JSON object");
    labels = string_list(body, "labels");
    templates = string_list(body, "templates");
    lang = field<std::string>(body, "lang", "");
    const int64_t k64 = field<int64_t>(body, "k", 5);
    engine::check_k(k64);
    k = static_cast<int>(k64);
    image = base64_decode(field<std::string>(body, "image", "", /*required=*/true));
  }
  const engine::ClassifyResponse result = engine_.classify_image(image, labels, templates, k, lang);
  Json out = Json::array();
  for (const engine::LabelResult& l : result.labels) {
    out.push_back({{"label", l.label}, {"score", l.score}, {"probability", l.probability}});
  }
  return json_response(200, Json{{"labels", out},
                                 {"took_ms", {{"decode", result.took.render_ms},
                                              {"encode", result.took.encode_ms},
                                              {"total", result.took.total_ms}}}});
}

HttpResponse ApiHandler::add_item(const Call& call) {
  const Json body = parse_json_body(call.request);
  CLIPPO_CHECK(body.is_object(), kInvalidArgument, "the body must be a JSON object");
  index::Item item;
  item.id = field<int64_t>(body, "id", -1);
  CLIPPO_CHECK(body.value("id", Json()).is_null() || item.id >= 0, kInvalidArgument, "'id' must be >= 0");
  item.caption = field<std::string>(body, "caption", "");
  item.lang = field<std::string>(body, "lang", "");
  // A text item, or an image item (an uploaded `image`, which wins over `uri` as it always has).
  CLIPPO_CHECK(!body.contains("text") || !(body.contains("image") || body.contains("uri")), kInvalidArgument,
               "a text item ('text') has no 'image' or 'uri'");
  if (body.contains("text")) {
    // A text item: rendered and embedded as a text query would be, found by any query.
    item.text = field<std::string>(body, "text", "");
    const int64_t id = engine_.add_texts({item}).at(0);
    return json_response(201, Json{{"id", id}});
  }
  int64_t id = -1;
  if (body.contains("image")) {
    // Uploaded images live in the store's uploads/ folder, named by content, so items served
    // from there never depend on a client-chosen path.
    id = engine_.add_upload(item, base64_decode(field<std::string>(body, "image", "")));
  } else {
    const std::string uri = field<std::string>(body, "uri", "", /*required=*/true);
    const std::string local = engine_.servable_path(uri);
    CLIPPO_CHECK(!local.empty(), kInvalidArgument,
                 "'uri' must name an image file under the store's image roots, or send the image as 'image' (base64)");
    item.uri = local;
    id = engine_.add_item(item, read_file(local, size_t{64} << 20));
  }
  return json_response(201, Json{{"id", id}});
}

HttpResponse ApiHandler::get_item(const Call& call) const {
  const auto found = engine_.get_item(call.id);
  CLIPPO_CHECK(found.has_value(), kNotFound, "no item " + std::to_string(call.id));
  return json_response(200, engine::item_to_json(*found));
}

HttpResponse ApiHandler::remove_item(const Call& call) {
  CLIPPO_CHECK(engine_.remove_item(call.id), kNotFound, "no item " + std::to_string(call.id));
  return json_response(200, Json{{"removed", true}, {"id", call.id}});
}

HttpResponse ApiHandler::item_image(const Call& call) const {
  const auto found = engine_.get_item(call.id);
  CLIPPO_CHECK(found.has_value(), kNotFound, "no item " + std::to_string(call.id));
  if (found->kind == index::ItemKind::kText) {
    // A text item's picture is what the model saw: its text rendered.
    HttpResponse resp{200, "image/png", engine_.render_png(found->text), {}};
    resp.headers.push_back({"Cache-Control", "max-age=3600"});
    return resp;
  }
  // Only files under the store's image roots, whatever the item's uri says.
  const std::string local = engine_.servable_path(found->uri);
  CLIPPO_CHECK(!local.empty(), kNotFound, "item " + std::to_string(call.id) + " has no image this server may serve");
  const std::string bytes = read_file(local, size_t{64} << 20);
  HttpResponse resp{200, render::image_media_type(render::detect_image_format(bytes)), bytes, {}};
  resp.headers.push_back({"Cache-Control", "max-age=3600"});
  return resp;
}

HttpResponse ApiHandler::render(const Call& call) const {
  const auto params = parse_query(call.query);
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
  // The overload that reports through an error code: a name past the file system's length limit
  // made the throwing one raise "File name too long" (with the server's folder in it), a 500
  // (found by fuzzing). Any such failure means there is no file of that name to serve.
  std::error_code no_such_file;
  CLIPPO_CHECK(fs::is_regular_file(file, no_such_file), kNotFound, "no route " + path);
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

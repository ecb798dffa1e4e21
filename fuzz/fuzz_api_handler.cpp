// Fuzzes the HTTP API's request handling (ApiHandler, without a socket) with arbitrary
// requests over a real tiny model and store. An input is a request in HTTP/1.1's shape:
//   METHOD TARGET\n  then "name: value" header lines, an empty line, and the body.
// Every request gets a well-formed response: a status in [200, 599] but never 500 (a 500 is
// a bug that escaped the handler's own checks), a JSON body for every JSON response, and
// nothing from outside the web folder (a marker file sits next to it, for path traversal).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "api/engine/search_engine.h"
#include "api/http/api_handler.h"
#include "api/http/metrics.h"
#include "core/base/error.h"
#include "core/model/model_tools.h"
#include "fuzz/fuzz_temp_file.h"

namespace {

constexpr const char* kSecretMarker = "CLIPPO-FUZZ-SECRET-7f3a";

struct Fixture {
  std::unique_ptr<clippo::engine::SearchEngine> engine;
  clippo::http::Metrics metrics;
  std::unique_ptr<clippo::http::ApiHandler> handler;
};

void write_text(const std::filesystem::path& path, const std::string& text) { std::ofstream(path) << text; }

Fixture& fixture() {
  static Fixture* f = [] {
    namespace fs = std::filesystem;
    const fs::path dir = clippo::fuzz::scratch_dir();
    fs::create_directories(dir / "web" / "assets");
    fs::create_directories(dir / "images");
    write_text(dir / "web" / "index.html", "<!doctype html><title>clippo</title>");
    write_text(dir / "web" / "assets" / "app.js", "console.log(1);");
    write_text(dir / "secret.txt", kSecretMarker);  // outside web/ and images/: never served
    write_text(dir / "openapi.json", "{\"openapi\": \"3.1.0\"}");
    clippo::model::ViTConfig config = clippo::model::vit_variant("mu/16");
    config.depth = 1;
    config.out_dim = 16;
    config.image_size = 32;
    clippo::model::init_model_file((dir / "m.npz").string(), config, nullptr, 4);
    auto* made = new Fixture;
    made->engine = std::make_unique<clippo::engine::SearchEngine>((dir / "m.npz").string(), (dir / "store").string(),
                                                                 clippo::engine::EngineOptions{}, true);
    made->engine->add_image_root((dir / "images").string());
    clippo::http::ApiOptions options;
    options.api_key = "k";
    options.cors_origins = {"http://example.test"};
    options.web_dir = (dir / "web").string();
    options.openapi_path = (dir / "openapi.json").string();
    made->handler = std::make_unique<clippo::http::ApiHandler>(*made->engine, options, made->metrics);
    made->handler->set_ready(true);
    return made;
  }();
  return *f;
}

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  const size_t e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

clippo::http::HttpRequest parse_request(const std::string& input) {
  clippo::http::HttpRequest request;
  size_t line_end = input.find('\n');
  const std::string first = input.substr(0, line_end);
  const size_t space = first.find(' ');
  request.method = trim(first.substr(0, space));
  request.target = space == std::string::npos ? "/" : trim(first.substr(space + 1));
  size_t pos = line_end == std::string::npos ? input.size() : line_end + 1;
  while (pos < input.size()) {
    line_end = input.find('\n', pos);
    const std::string line = input.substr(pos, line_end == std::string::npos ? std::string::npos : line_end - pos);
    pos = line_end == std::string::npos ? input.size() : line_end + 1;
    if (trim(line).empty()) break;
    const size_t colon = line.find(':');
    std::string name = trim(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers[name] = colon == std::string::npos ? "" : trim(line.substr(colon + 1));
  }
  request.body = input.substr(pos);
  return request;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Fixture& f = fixture();
  const std::string input(reinterpret_cast<const char*>(data), size);
  const clippo::http::HttpRequest request = parse_request(input);
  const clippo::http::HttpResponse response = f.handler->handle(request);
  const bool bad_status = response.status < 200 || response.status > 599 || response.status == 500;
  // A file served whole is the body whole. Only that counts: error messages may echo the
  // request, and items may hold what earlier inputs wrote (both found as false alarms).
  const bool leaked = response.body == kSecretMarker && input.find(kSecretMarker) == std::string::npos;
  const bool bad_json = response.content_type == "application/json" && !nlohmann::json::accept(response.body);
  if (bad_status || leaked || bad_json) {
    std::fprintf(stderr, "request %s %s answered %d %s: %.500s\n", request.method.c_str(), request.target.c_str(),
                 response.status, response.content_type.c_str(), response.body.c_str());
    std::abort();
  }
  return 0;
}

#include "model_hub/model_fetch.h"

#include <cstdlib>
#include <filesystem>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/model/model_file.h"
#include "model_hub/http_download.h"
#include "model_hub/known_models.h"

namespace clippo::model_hub {
namespace {

namespace fs = std::filesystem;

bool is_url(const std::string& s) { return s.rfind("https://", 0) == 0 || s.rfind("http://", 0) == 0; }

std::string known_names() {
  std::string out;
  for (const KnownModel& m : known_models()) out += (out.empty() ? "" : ", ") + m.name;
  return out;
}

// The file name a URL's path ends with ("x.npz" of "https://host/a/x.npz?sig=..").
std::string url_file_name(const std::string& url) {
  std::string path = url.substr(0, url.find_first_of("?#"));
  const size_t slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  CLIPPO_CHECK(!name.empty() && name != "." && name != "..", kInvalidArgument,
               "the URL " + url + " names no file; give -o PATH");
  return name;
}

// Loads the downloaded file as a model (and as `variant` when given); InvalidArgument naming
// the URL when it is not one.
void check_model_file(const std::string& path, const std::string& url, const std::string& variant) {
  model::ModelFile file;
  try {
    file = model::read_model_file(path);
  } catch (const Error& e) {
    throw Error(ErrorCode::kInvalidArgument, url + " did not give a model file: " + e.what());
  }
  if (variant.empty()) return;
  const model::ViTConfig want = model::vit_variant(variant);
  const model::ViTConfig& got = file.config;
  CLIPPO_CHECK(got.width == want.width && got.depth == want.depth && got.patch_size == want.patch_size &&
                   got.num_heads == want.num_heads,
               kInvalidArgument,
               url + " is not a ViT-" + variant + " (width " + std::to_string(got.width) + ", depth " +
                   std::to_string(got.depth) + ", patch " + std::to_string(got.patch_size) + ")");
}

}  // namespace

std::string model_cache_dir() {
  const auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr ? std::string(v) : std::string();
  };
  fs::path root;
  if (const std::string c = env("CLIPPO_CACHE"); !c.empty()) {
    root = c;
  } else if (const std::string x = env("XDG_CACHE_HOME"); !x.empty()) {
    root = fs::path(x) / "clippo";
  } else {
    const std::string home = env("HOME");
    CLIPPO_CHECK(!home.empty(), kFailedPrecondition, "no cache folder: set CLIPPO_CACHE (or HOME)");
    root = fs::path(home) / ".cache" / "clippo";
  }
  return (root / "models").string();
}

bool is_remote_model(const std::string& spec) { return find_known_model(spec) != nullptr || is_url(spec); }

std::string fetch_model(const std::string& name_or_url, const std::string& out_path, const FetchOptions& o) {
  std::string url, variant;
  if (const KnownModel* known = find_known_model(name_or_url)) {
    url = known_model_url(*known);
    variant = known->variant;
  } else if (is_url(name_or_url)) {
    url = name_or_url;
  } else {
    throw Error(ErrorCode::kInvalidArgument,
                "'" + name_or_url + "' is neither a known model (" + known_names() + ") nor an http(s) URL");
  }
  const fs::path dest = out_path.empty() ? fs::path(model_cache_dir()) / url_file_name(url) : fs::path(out_path);
  std::error_code ec;
  if (fs::is_regular_file(dest, ec)) return dest.string();  // only checked files are ever renamed there

  if (dest.has_parent_path()) make_directories(dest.parent_path().string());
  const std::string part = dest.string() + ".part";
  if (o.on_message) o.on_message("downloading " + url + " to " + dest.string());
  DownloadOptions d;
  d.on_progress = o.on_progress;
  for (int attempt = 1;; ++attempt) {
    try {
      download_resumable(url, part, d);
      break;
    } catch (const Error& e) {
      if (e.code() != ErrorCode::kUnavailable || attempt >= std::max(1, o.attempts)) {
        if (e.code() == ErrorCode::kUnavailable) {
          throw Error(e.code(), std::string(e.what()) + ". Without network: download " + url + " elsewhere and place it at " +
                                    dest.string() + " (or give its path to --model)");
        }
        throw;
      }
      if (o.on_message) o.on_message(std::string(e.what()) + "; retrying");
    }
  }
  try {
    check_model_file(part, url, variant);
  } catch (const Error&) {
    fs::remove(part, ec);  // not a model: nothing to resume
    throw;
  }
  fs::rename(part, dest, ec);
  CLIPPO_CHECK(!ec, kUnavailable, "cannot move " + part + " to " + dest.string() + ": " + ec.message());
  return dest.string();
}

std::string resolve_model(const std::string& spec, const FetchOptions& o) {
  std::error_code ec;
  if (fs::is_regular_file(spec, ec)) return spec;
  if (is_remote_model(spec)) return fetch_model(spec, "", o);
  throw Error(ErrorCode::kNotFound,
              "no model file '" + spec + "' (a path to a .npz, an http(s) URL, or a known name: " + known_names() + ")");
}

}  // namespace clippo::model_hub

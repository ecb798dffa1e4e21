#include "model_hub/http_download.h"

#include <curl/curl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>

#include "core/base/error.h"

namespace clippo::model_hub {
namespace {

namespace fs = std::filesystem;

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  FILE* file = nullptr;
  CURL* curl = nullptr;
  uint64_t existing = 0;  // bytes in the file before this request
  uint64_t written = 0;   // bytes written by this request
  bool checked_status = false;
  bool restarted = false;  // the server ignored the range: the file was emptied
  bool write_failed = false;
  const DownloadOptions* options = nullptr;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  if (!t->checked_status) {
    t->checked_status = true;
    long status = 0;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
    if (t->existing > 0 && status == 200) {  // the whole file again: start it over
      if (std::fflush(t->file) != 0 || ftruncate(fileno(t->file), 0) != 0) {
        t->write_failed = true;
        return 0;
      }
      std::rewind(t->file);
      t->existing = 0;
      t->restarted = true;
    }
  }
  const size_t bytes = size * n;
  if (std::fwrite(data, 1, bytes, t->file) != bytes) {
    t->write_failed = true;
    return 0;  // curl stops with CURLE_WRITE_ERROR
  }
  t->written += bytes;
  return bytes;
}

int on_progress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
  const auto* t = static_cast<Transfer*>(user);
  if (t->options->on_progress) {
    const uint64_t full = total > 0 ? t->existing + static_cast<uint64_t>(total) : 0;
    t->options->on_progress(t->existing + static_cast<uint64_t>(now), full);
  }
  return 0;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};

}  // namespace

DownloadResult download_resumable(const std::string& url, const std::string& part_path, const DownloadOptions& o) {
  init_curl_once();
  std::error_code ec;
  const uint64_t existing = fs::exists(part_path, ec) ? fs::file_size(part_path, ec) : 0;
  std::unique_ptr<FILE, FileCloser> file(std::fopen(part_path.c_str(), "ab"));
  CLIPPO_CHECK(file != nullptr, kUnavailable, "cannot write " + part_path);
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  CLIPPO_CHECK(curl != nullptr, kInternal, "libcurl failed to initialise");

  Transfer t;
  t.file = file.get();
  t.curl = curl.get();
  t.existing = existing;
  t.options = &o;
  char error_text[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);  // an error page is never written into the model
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o.connect_timeout_s);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, o.stall_timeout_s);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "clippo-model-fetch");
  if (existing > 0) curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, static_cast<curl_off_t>(existing));

  const CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  const bool flushed = std::fflush(file.get()) == 0 && fsync(fileno(file.get())) == 0;
  file.reset();

  if (rc == CURLE_HTTP_RETURNED_ERROR && status == 416 && existing > 0) {
    // The partial file is not a prefix the server can continue (it changed, or it is longer):
    // start over once, from nothing.
    fs::remove(part_path, ec);
    return download_resumable(url, part_path, o);
  }
  if (rc == CURLE_HTTP_RETURNED_ERROR) {
    const ErrorCode code = status == 404 || status == 410 ? ErrorCode::kNotFound : ErrorCode::kUnavailable;
    throw Error(code, "HTTP " + std::to_string(status) + " from " + url);
  }
  CLIPPO_CHECK(!t.write_failed && flushed, kUnavailable, "cannot write " + part_path + " (disk full?)");
  if (rc != CURLE_OK) {
    const std::string reason = error_text[0] != '\0' ? error_text : curl_easy_strerror(rc);
    throw Error(ErrorCode::kUnavailable, "cannot download " + url + ": " + reason + " (" + std::to_string(t.existing + t.written) +
                                             " bytes kept in " + part_path + "; run again to continue)");
  }
  DownloadResult r;
  r.bytes = t.existing + t.written;
  r.resumed_from = t.restarted ? 0 : existing;
  return r;
}

}  // namespace clippo::model_hub

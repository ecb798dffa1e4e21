// One file over HTTP(S) with libcurl, resumable: bytes already in the partial file are asked for
// no more (a Range request), and a server that ignores the range starts the file over.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace clippo::model_hub {

struct DownloadOptions {
  // (bytes in the file so far, the file's full size or 0 while unknown), a few times a second.
  std::function<void(uint64_t, uint64_t)> on_progress;
  long connect_timeout_s = 30;
  long stall_timeout_s = 60;  // give up when under 1 KB/s for this long
};

struct DownloadResult {
  uint64_t bytes = 0;         // the file's size when complete
  uint64_t resumed_from = 0;  // bytes that were already there (0: a fresh download)
};

// Appends `url`'s body to `part_path` until the file is complete; returns when it is, fsync'ed.
// Throws NotFound for HTTP 404/410, Unavailable for any other failure (no network, a cut
// connection, a server error), with the URL and the reason; what arrived stays in part_path for
// the next call to continue.
DownloadResult download_resumable(const std::string& url, const std::string& part_path,
                                  const DownloadOptions& options = {});

}  // namespace clippo::model_hub

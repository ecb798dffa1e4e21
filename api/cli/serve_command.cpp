// `clippo serve`: the HTTP API and the web page over one store.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>
#include <memory>

#include "api/cli/commands.h"
#include "api/cli/model_arg.h"
#include "api/engine/search_engine.h"
#include "api/http/http_server.h"
#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/install_layout.h"

namespace clippo::cli {
namespace {

struct ServeOptions {
  std::string store, model, host = "127.0.0.1", port_file, api_key, web_dir = installed_or("share/clippo/web", CLIPPO_WEB_DIR), device = "cpu";
  int port = 8080, workers = 4, batch = 32, window_us = 2000;
  int body_limit_mb = 16;
  int max_queued = 0, queue_deadline_ms = 1000;
  int refresh_ms = 2000, publish_ms = 0;
  bool read_only = false;
  std::vector<std::string> cors;
};

int run_serve(const ServeOptions& o) {
  const std::string model = o.model.empty() ? index::CollectionStore::recorded_model(o.store).path : resolve_model_arg(o.model);
  engine::EngineOptions eo;
  eo.encoder.embedder.device = o.device;
  eo.max_batch = o.batch;
  eo.window_us = o.window_us;
  eo.read_only_store = o.read_only;
  engine::SearchEngine engine(model, o.store, eo);

  http::Metrics metrics;
  metrics.add_gauge("clippo_index_items", "Items in the store.", [&] { return static_cast<double>(engine.info().items); });
  metrics.add_gauge("clippo_encoder_batches_total", "Batched forward passes run for queries.",
                    [&] { return static_cast<double>(engine.batcher().batches()); });
  metrics.add_gauge("clippo_encoder_batched_items_total", "Queries embedded through the batcher.",
                    [&] { return static_cast<double>(engine.batcher().items()); });
  metrics.add_gauge("clippo_store_failed_snapshots_total",
                    "Automatic store snapshots the disk refused (writes go on in the write-ahead log).",
                    [&] { return static_cast<double>(engine.info().failed_snapshots); });
  http::ApiOptions api;
  api.api_key = o.api_key.empty() && std::getenv("CLIPPO_API_KEY") ? std::getenv("CLIPPO_API_KEY") : o.api_key;
  api.cors_origins = o.cors;
  api.web_dir = o.web_dir;
  api.openapi_path = installed_or("share/clippo/openapi.json", CLIPPO_OPENAPI_JSON);
  if (api.api_key.empty() && !http::is_loopback_host(o.host)) {
    std::cerr << "warning: serving on " << o.host << " beyond this machine without an API key: anyone who can reach "
              << "it can add and remove items (set --api-key or CLIPPO_API_KEY)\n";
  }
  http::ApiHandler handler(engine, api, metrics);
  http::ServerOptions so;
  so.host = o.host;
  so.port = static_cast<uint16_t>(o.port);
  so.worker_threads = o.workers;
  so.body_limit_bytes = static_cast<uint64_t>(o.body_limit_mb) << 20;
  so.max_queued = o.max_queued;
  so.queue_deadline_ms = o.queue_deadline_ms;
  http::HttpServer server(handler, so);
  metrics.add_gauge("clippo_http_queue_depth", "Requests waiting for a worker.",
                    [&] { return static_cast<double>(server.admission().queued); });
  metrics.add_gauge("clippo_http_rejected_total", "Requests answered 503 at once because the queue was full.",
                    [&] { return static_cast<double>(server.admission().rejected); });
  metrics.add_gauge("clippo_http_deadline_dropped_total",
                    "Requests answered 503 without running because they waited past the queue deadline.",
                    [&] { return static_cast<double>(server.admission().deadline_dropped); });
  handler.set_ready(true);
  if (!o.port_file.empty()) write_file_atomically(o.port_file, std::to_string(server.port()) + "\n");
  const engine::EngineInfo info = engine.info();
  std::cerr << "clippo: serving " << info.items << " items from " << o.store << " on http://" << o.host << ":"
            << server.port() << "/ (model " << info.model.content_hash << ")" << std::endl;
  // Replicas follow the writer's snapshots; a writer with --publish-ms publishes them on a timer.
  std::atomic<bool> stopping{false};
  std::thread follower;
  const int follow_ms = o.read_only ? o.refresh_ms : o.publish_ms;
  if (follow_ms > 0) {
    follower = std::thread([&] {
      std::string last_error;
      while (!stopping) {
        for (int waited = 0; waited < follow_ms && !stopping; waited += 50) {
          std::this_thread::sleep_for(std::chrono::milliseconds(std::min(50, follow_ms - waited)));
        }
        if (stopping) break;
        try {
          if (o.read_only ? engine.refresh_store() : engine.publish_snapshot()) {
            std::cerr << "clippo: " << (o.read_only ? "now serving" : "published") << " snapshot "
                      << engine.info().snapshot << " (" << engine.info().items << " items)" << std::endl;
          }
          last_error.clear();
        } catch (const Error& e) {
          // The writer replaced the snapshot while it was being opened, or the disk refused a
          // snapshot: the state served stays whole, and the next round tries again. Said once.
          if (e.what() != last_error) std::cerr << "clippo: warning: " << e.what() << std::endl;
          last_error = e.what();
        }
      }
    });
  }
  server.run();
  stopping = true;
  if (follower.joinable()) follower.join();
  if (!o.read_only) {
    try {
      engine.checkpoint();  // a quicker next start: the log replays nothing
    } catch (const Error& e) {
      // Every acknowledged write is already in the log; a full disk at exit loses nothing.
      std::cerr << "clippo: warning: no snapshot at exit (the write-ahead log keeps every write): " << e.what() << "\n";
    }
  }
  std::cerr << "clippo: stopped" << std::endl;
  return 0;
}

}  // namespace

CommandAction add_serve_command(CLI::App& app) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve the search API and web page for a store");
  cmd->footer("Example:\n  clippo serve --store emoji.store --port 8080   # then open http://127.0.0.1:8080/");
  cmd->add_option("--store", o->store, "Store folder (clippo index build)")->required();
  cmd->add_option("--model", o->model, "Model: a .npz, a known name or a URL (default: the store's)");
  cmd->add_option("--host", o->host, "Address to bind (default 127.0.0.1: this machine only)");
  cmd->add_option("--port", o->port, "Port (0: any free port)")->check(CLI::Range(0, 65535));
  cmd->add_option("--port-file", o->port_file, "Write the bound port here once listening");
  cmd->add_option("--api-key", o->api_key, "Require 'Authorization: Bearer KEY' for writes (or set CLIPPO_API_KEY)");
  cmd->add_option("--cors-origin", o->cors, "Allowed CORS origin (repeatable; '*' for any)");
  cmd->add_option("--web-dir", o->web_dir, "Folder served at / (the web page)");
  cmd->add_flag("--read-only", o->read_only,
                "Open the store without writing anything (a read-only volume): searches work, writes get 409");
  cmd->add_option("--device", o->device, "cpu, cuda or auto");
  cmd->add_option("--refresh-ms", o->refresh_ms,
                  "With --read-only: how often to look for a newer snapshot from the store's writer (0: never)")
      ->check(CLI::Range(0, 86'400'000));
  cmd->add_option("--publish-ms", o->publish_ms,
                  "Writer: publish a snapshot this often when there are new writes, for read-only replicas "
                  "(0: only as the log grows and at exit)")
      ->check(CLI::Range(0, 86'400'000));
  cmd->add_option("--workers", o->workers, "Threads that run the model (searches, embeds, classifies, adds)")->check(CLI::Range(1, 256));
  cmd->add_option("--batch", o->batch, "Max queries per batched forward pass")->check(CLI::Range(1, 4096));
  cmd->add_option("--batch-window-us", o->window_us, "How long a query waits for others to batch with")
      ->check(CLI::Range(0, 1000000));
  cmd->add_option("--max-queued", o->max_queued,
                  "Requests that may wait for a worker; past it a 503 with Retry-After at once (0: --workers)")
      ->check(CLI::Range(0, 1 << 20));
  cmd->add_option("--queue-deadline-ms", o->queue_deadline_ms,
                  "A request that waited this long for a worker gets a 503 without running (0: none)")
      ->check(CLI::Range(0, 3600 * 1000))
      ->capture_default_str();
  cmd->add_option("--body-limit-mb", o->body_limit_mb, "Largest request body")->check(CLI::Range(1, 1024));
  return [cmd, o]() -> int { return cmd->parsed() ? run_serve(*o) : -1; };
}

}  // namespace clippo::cli

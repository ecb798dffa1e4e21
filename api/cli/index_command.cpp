// `clippo index build|add|remove|info`: make and maintain a searchable collection.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <unistd.h>

#include "api/cli/commands.h"
#include "api/cli/model_arg.h"
#include "api/cli/progress_bar.h"
#include "api/engine/image_roots.h"
#include "api/engine/indexer.h"
#include "api/engine/search_engine.h"
#include "core/base/error.h"
#include "core/base/file_io.h"

namespace clippo::cli {
namespace {

namespace fs = std::filesystem;

struct IndexOptions {
  std::string model, images, store, factory = "Flat", image, caption, lang, captions_tsv;
  std::vector<int64_t> ids;
  int64_t id = -1;
  int batch = 32;
  int threads = 0;
  bool json = false;
};

int run_build(const IndexOptions& o) {
  engine::EngineOptions eo;
  eo.encoder.embedder.max_batch = o.batch;
  index::StoreOptions so;
  so.factory = o.factory;
  engine::SearchEngine engine(resolve_model_arg(o.model), o.store, eo, /*create_store=*/true, so);
  engine::FolderIndexOptions fo;
  fo.images_dir = o.images;
  fo.captions_tsv = o.captions_tsv;
  fo.batch = o.batch;
  fo.threads = o.threads;
  std::unique_ptr<ProgressBar> bar;
  fo.on_progress = [&](size_t done, size_t total) {
    if (!bar) bar = std::make_unique<ProgressBar>("indexing", total);
    bar->update(done);
  };
  fo.on_skip = [](const std::string& file, const std::string& reason) {
    std::cerr << (isatty(STDERR_FILENO) ? "\n" : "") << "warning: skipping " << file << ": " << reason << "\n";
  };
  const engine::FolderIndexSummary s = engine::index_folder(engine, fo);
  bar.reset();
  const nlohmann::json summary{{"store", o.store},     {"added", s.added},
                               {"skipped", s.skipped}, {"already_indexed", s.already_indexed},
                               {"items", s.items},     {"dim", engine.dim()}};
  if (o.json) {
    std::cout << summary.dump() << "\n";
  } else {
    std::cerr << "indexed " << s.added << " images into " << o.store << " (" << s.items << " items; " << s.skipped
              << " unreadable skipped, " << s.already_indexed << " already there)\n";
  }
  return 0;
}

int run_add(const IndexOptions& o) {
  engine::SearchEngine engine(o.model.empty() ? index::CollectionStore::recorded_model(o.store).path : resolve_model_arg(o.model), o.store);
  index::Item item;
  item.id = o.id;
  item.uri = fs::canonical(o.image).string();
  item.caption = o.caption;
  item.lang = o.lang;
  engine.add_image_root(fs::path(item.uri).parent_path().string());
  const int64_t id = engine.add_item(item, read_file(o.image, size_t{1} << 30));
  std::cout << (o.json ? nlohmann::json{{"id", id}}.dump() : std::to_string(id)) << "\n";
  return 0;
}

int run_remove(const IndexOptions& o) {
  auto store = index::CollectionStore::open(o.store);
  const size_t removed = store->remove(o.ids);
  if (o.json) std::cout << nlohmann::json{{"removed", removed}}.dump() << "\n";
  else std::cerr << "removed " << removed << " of " << o.ids.size() << " ids\n";
  return removed == o.ids.size() ? 0 : 1;
}

int run_info(const IndexOptions& o) {
  auto store = index::CollectionStore::open(o.store);
  const nlohmann::json info{{"store", o.store},           {"items", store->size()},
                            {"dim", store->dim()},        {"factory", store->factory()},
                            {"model", store->model().to_json()}, {"wal_bytes", store->wal_bytes()},
                            {"image_roots", engine::read_image_roots(o.store)}};
  if (o.json) {
    std::cout << info.dump(2) << "\n";
  } else {
    std::cout << "store    " << o.store << "\nitems    " << store->size() << "\ndim      " << store->dim()
              << "\nindex    " << store->factory() << "\nmodel    " << store->model().content_hash << " ("
              << store->model().path << ")\n";
  }
  return 0;
}

}  // namespace

CommandAction add_index_command(CLI::App& app) {
  auto o = std::make_shared<IndexOptions>();
  CLI::App* cmd = app.add_subcommand("index", "Build and maintain a searchable image collection");
  cmd->require_subcommand(1);
  CLI::App* build = cmd->add_subcommand("build", "Index every JPEG/PNG/WebP under a folder (resumes if interrupted)");
  build->add_option("--model", o->model, "Model: a .npz, a known name or a URL")->required();
  build->add_option("--images", o->images, "Folder of images (searched recursively)")->required();
  build->add_option("--out", o->store, "Store folder to create or resume")->required();
  build->add_option("--captions", o->captions_tsv, "TSV of path<TAB>caption[<TAB>language] lines (paths relative to the TSV)");
  build->add_option("--factory", o->factory, "FAISS index: Flat (default), HNSW32, IVF1024,PQ32, ...");
  build->add_option("--batch", o->batch, "Images per forward pass")->check(CLI::Range(1, 4096));
  build->add_option("--threads", o->threads, "Decoding threads (default: all cores)")->check(CLI::Range(0, 256));
  build->add_flag("--json", o->json, "Print a JSON summary");

  CLI::App* add = cmd->add_subcommand("add", "Add one image");
  add->add_option("--store", o->store, "Store folder")->required();
  add->add_option("--model", o->model, "Model: a .npz, a known name or a URL (default: the store's)");
  add->add_option("--image", o->image, "Image file")->required();
  add->add_option("--caption", o->caption, "Caption");
  add->add_option("--lang", o->lang, "Caption language (BCP-47)");
  add->add_option("--id", o->id, "Id (default: next free)")->check(CLI::Range(int64_t{0}, int64_t{1} << 62));
  add->add_flag("--json", o->json, "Print JSON");

  CLI::App* remove = cmd->add_subcommand("remove", "Remove items by id");
  remove->add_option("--store", o->store, "Store folder")->required();
  remove->add_option("--id", o->ids, "Id to remove (repeatable)")->required();
  remove->add_flag("--json", o->json, "Print JSON");

  CLI::App* info = cmd->add_subcommand("info", "Show a store's size, model and index");
  info->add_option("--store", o->store, "Store folder")->required();
  info->add_flag("--json", o->json, "Print JSON");

  return [cmd, build, add, remove, info, o]() -> int {
    if (!cmd->parsed()) return -1;
    if (build->parsed()) return run_build(*o);
    if (add->parsed()) return run_add(*o);
    if (remove->parsed()) return run_remove(*o);
    return run_info(*o);
  };
}

}  // namespace clippo::cli

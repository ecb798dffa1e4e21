// `clippo index build|add|remove|info`: make and maintain a searchable collection of images and
// texts.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
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
  std::string model, images, texts_file, store, factory = "Flat", image, text, caption, lang, captions_tsv;
  std::vector<int64_t> ids;
  int64_t id = -1;
  int batch = 32;
  int threads = 0;
  bool json = false;
};

// A progress callback that draws `bar`, made on the first call, when the total is known.
std::function<void(size_t, size_t)> progress_into(std::unique_ptr<ProgressBar>& bar, const char* label) {
  return [&bar, label](size_t done, size_t total) {
    if (!bar) bar = std::make_unique<ProgressBar>(label, total);
    bar->update(done);
  };
}

void warn_skip(const std::string& where, const std::string& reason) {
  std::cerr << (isatty(STDERR_FILENO) ? "\n" : "") << "warning: skipping " << where << ": " << reason << "\n";
}

int run_build(const IndexOptions& o) {
  CLIPPO_CHECK(!o.images.empty() || !o.texts_file.empty(), kInvalidArgument,
               "give --images (a folder), --texts (a file of lines) or both");
  engine::EngineOptions eo;
  eo.encoder.embedder.max_batch = o.batch;
  index::StoreOptions so;
  so.factory = o.factory;
  engine::SearchEngine engine(resolve_model_arg(o.model), o.store, eo, /*create_store=*/true, so);
  std::unique_ptr<ProgressBar> bar;
  nlohmann::json summary{{"store", o.store}, {"dim", engine.dim()}};
  if (!o.images.empty()) {
    engine::FolderIndexOptions fo;
    fo.images_dir = o.images;
    fo.captions_tsv = o.captions_tsv;
    fo.batch = o.batch;
    fo.threads = o.threads;
    fo.on_progress = progress_into(bar, "indexing images");
    fo.on_skip = warn_skip;
    const engine::FolderIndexSummary s = engine::index_folder(engine, fo);
    bar.reset();
    summary.update({{"added", s.added}, {"skipped", s.skipped}, {"already_indexed", s.already_indexed}, {"items", s.items}});
    if (!o.json) {
      std::cerr << "indexed " << s.added << " images into " << o.store << " (" << s.items << " items; " << s.skipped
                << " unreadable skipped, " << s.already_indexed << " already there)\n";
    }
  }
  if (!o.texts_file.empty()) {
    engine::TextIndexOptions to;
    to.texts_file = o.texts_file;
    to.language = o.lang;
    to.batch = o.batch;
    to.on_progress = progress_into(bar, "indexing texts");
    to.on_skip = warn_skip;
    const engine::TextIndexSummary s = engine::index_texts(engine, to);
    bar.reset();
    summary["texts"] = {{"added", s.added}, {"skipped", s.skipped}, {"duplicates", s.duplicates}};
    summary["items"] = s.items;
    if (!o.json) {
      std::cerr << "indexed " << s.added << " texts into " << o.store << " (" << s.items << " items; " << s.skipped
                << " lines skipped, " << s.duplicates << " already there)\n";
    }
  }
  if (o.json) std::cout << summary.dump() << "\n";
  return 0;
}

int run_add(const IndexOptions& o) {
  CLIPPO_CHECK(o.image.empty() != o.text.empty(), kInvalidArgument, "give exactly one of --image and --text");
  engine::SearchEngine engine(o.model.empty() ? index::CollectionStore::recorded_model(o.store).path : resolve_model_arg(o.model), o.store);
  index::Item item;
  item.id = o.id;
  item.caption = o.caption;
  item.lang = o.lang;
  int64_t id = -1;
  if (!o.text.empty()) {
    item.text = o.text;
    id = engine.add_texts({item}).at(0);
  } else {
    item.uri = fs::canonical(o.image).string();
    engine.add_image_root(fs::path(item.uri).parent_path().string());
    id = engine.add_item(item, read_file(o.image, size_t{1} << 30));
  }
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
  const index::KindCounts kinds = store->kind_counts();
  const nlohmann::json info{{"store", o.store},           {"items", store->size()},
                            {"kinds", {{"image", kinds.images}, {"text", kinds.texts}}},
                            {"dim", store->dim()},        {"factory", store->factory()},
                            {"model", store->model().to_json()}, {"wal_bytes", store->wal_bytes()},
                            {"image_roots", engine::read_image_roots(o.store)}};
  if (o.json) {
    std::cout << info.dump(2) << "\n";
  } else {
    std::cout << "store    " << o.store << "\nitems    " << store->size() << " (" << kinds.images << " images, "
              << kinds.texts << " texts)\ndim      " << store->dim()
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
  CLI::App* build = cmd->add_subcommand(
      "build", "Index every JPEG/PNG/WebP under a folder and/or every line of a text file (resumes if interrupted)");
  build->add_option("--model", o->model, "Model: a .npz, a known name or a URL")->required();
  build->add_option("--images", o->images, "Folder of images (searched recursively)");
  build->add_option("--texts", o->texts_file, "Text items: a UTF-8 file of `text` or `text<TAB>language` lines");
  build->add_option("--lang", o->lang, "Language (BCP-47) of --texts lines that name none");
  build->add_option("--out", o->store, "Store folder to create or resume")->required();
  build->add_option("--captions", o->captions_tsv, "TSV of path<TAB>caption[<TAB>language] lines (paths relative to the TSV)");
  build->add_option("--factory", o->factory, "FAISS index: Flat (default), HNSW32, IVF1024,PQ32, ...");
  build->add_option("--batch", o->batch, "Images or texts per forward pass")->check(CLI::Range(1, 4096));
  build->add_option("--threads", o->threads, "Decoding threads (default: all cores)")->check(CLI::Range(0, 256));
  build->add_flag("--json", o->json, "Print a JSON summary");

  CLI::App* add = cmd->add_subcommand("add", "Add one image or one text");
  add->add_option("--store", o->store, "Store folder")->required();
  add->add_option("--model", o->model, "Model: a .npz, a known name or a URL (default: the store's)");
  CLI::Option* image = add->add_option("--image", o->image, "Image file");
  add->add_option("--text", o->text, "A text item (rendered and embedded like a text query)")->excludes(image);
  add->add_option("--caption", o->caption, "Caption");
  add->add_option("--lang", o->lang, "Language (BCP-47) of the caption or the text");
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

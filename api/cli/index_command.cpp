// `clippo index build|add|remove|info`: make and maintain a searchable collection of images and
// texts.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
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
#include "index/index_sizing.h"
#include "index/store_merge.h"

namespace clippo::cli {
namespace {

namespace fs = std::filesystem;

struct IndexOptions {
  std::string model, images, texts_file, store, factory = "Flat", image, text, caption, lang, captions_tsv;
  std::string device = "auto", shard, max_memory, search_params;
  std::vector<std::string> parts;
  std::vector<int64_t> ids;
  int64_t id = -1;
  int batch = 32;
  int threads = 0;
  int rerank = 0;
  bool json = false, shard_from_env = false, index_on_disk = false;
};

// The index options every command that creates a store shares.
index::StoreOptions store_options(const IndexOptions& o) {
  index::StoreOptions so;
  so.factory = o.factory;
  so.search_params = o.search_params;
  so.rerank = o.rerank;
  so.index_on_disk = o.index_on_disk;
  return so;
}

// Non-empty lines of a texts file: what --max-memory sizes an index of texts by.
size_t count_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  CLIPPO_CHECK(in.good(), kNotFound, "no such texts file: '" + path + "'");
  size_t n = 0;
  std::string line;
  while (std::getline(in, line)) n += line.find_first_not_of(" \t\r") != std::string::npos;
  return n;
}

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
  engine::Shard shard;
  if (o.shard_from_env) shard = engine::shard_from_environment([](const char* name) { return std::getenv(name); });
  else if (!o.shard.empty()) shard = engine::parse_shard(o.shard);
  index::StoreOptions so = store_options(o);
  so.shard = shard.label();
  if (index::CollectionStore::exists(o.store)) {
    // Resuming: the part must be the one the store was started with, or shards would overlap.
    const std::string recorded = index::CollectionStore::recorded_options(o.store).shard;
    CLIPPO_CHECK(recorded == so.shard, kFailedPrecondition,
                 "the store in '" + o.store + "' holds " + (recorded.empty() ? "a whole build" : "shard " + recorded) +
                     ", not " + (so.shard.empty() ? "a whole build" : "shard " + so.shard) +
                     "; give the same shard to resume it, or a new --out");
  }
  engine::EngineOptions eo;
  if (!o.max_memory.empty()) {
    // Sized for what this build will hold: its shard of the images and the texts.
    const uint64_t budget = index::parse_memory_size(o.max_memory);
    eo.size_new_store = [&o, &shard, budget](int dim, index::StoreOptions& sized) {
      size_t n = o.images.empty() ? 0 : engine::list_images(o.images, shard).size();
      if (!o.texts_file.empty()) n += count_lines(o.texts_file) / shard.count;
      const index::IndexChoice choice = index::choose_index_for_memory(n, dim, budget);
      sized.factory = choice.factory;
      sized.search_params = choice.search_params;
      sized.rerank = choice.rerank;
      if (!o.json) std::cerr << "index for " << n << " items within " << o.max_memory << ": " << choice.factory << "\n";
    };
  }
  eo.encoder.embedder.max_batch = o.batch;
  eo.encoder.embedder.device = o.device;
  engine::SearchEngine engine(resolve_model_arg(o.model), o.store, eo, /*create_store=*/true, so);
  std::unique_ptr<ProgressBar> bar;
  nlohmann::json summary{{"store", o.store}, {"dim", engine.dim()}};
  if (!o.images.empty()) {
    engine::FolderIndexOptions fo;
    fo.images_dir = o.images;
    fo.captions_tsv = o.captions_tsv;
    fo.batch = o.batch;
    fo.threads = o.threads;
    fo.shard = shard;
    fo.on_progress = progress_into(bar, "indexing images");
    fo.on_skip = warn_skip;
    const engine::FolderIndexSummary s = engine::index_folder(engine, fo);
    bar.reset();
    summary.update({{"added", s.added}, {"skipped", s.skipped}, {"already_indexed", s.already_indexed}, {"items", s.items}});
    if (shard.count > 1) summary.update({{"shard", shard.label()}, {"other_shards", s.other_shards}});
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
    to.shard = shard;
    to.on_progress = progress_into(bar, "indexing texts");
    to.on_skip = warn_skip;
    const engine::TextIndexSummary s = engine::index_texts(engine, to);
    bar.reset();
    summary["texts"] = {{"added", s.added}, {"skipped", s.skipped}, {"duplicates", s.duplicates}};
    if (shard.count > 1) summary["texts"]["other_shards"] = s.other_shards;
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

int run_merge(const IndexOptions& o) {
  CLIPPO_CHECK(o.max_memory.empty() || o.factory == "Flat", kInvalidArgument, "give --factory or --max-memory, not both");
  index::MergeOptions mo;
  mo.store = store_options(o);
  if (!o.max_memory.empty()) mo.max_memory = index::parse_memory_size(o.max_memory);
  std::unique_ptr<ProgressBar> bar;
  if (!o.json) mo.on_progress = progress_into(bar, "merging");
  const index::MergeSummary s = index::merge_stores(o.parts, o.store, mo);
  bar.reset();
  // The parts' image folders, so the merged store serves their pictures too.
  for (const std::string& part : o.parts) {
    for (const std::string& root : engine::read_image_roots(part)) engine::add_image_root(o.store, root);
  }
  for (const std::string& warning : s.shard_warnings) std::cerr << "warning: " << warning << "\n";
  if (o.json) {
    std::cout << nlohmann::json{{"store", o.store}, {"parts", s.parts}, {"items", s.items},
                                {"duplicates", s.duplicates}, {"factory", s.factory},
                                {"search_params", s.search_params}, {"rerank", s.rerank},
                                {"warnings", s.shard_warnings}}.dump()
              << "\n";
  } else {
    std::cerr << "merged " << s.parts << " parts into " << o.store << ": " << s.items << " items (" << s.duplicates
              << " duplicates left out), index " << s.factory
              << (s.search_params.empty() ? "" : " (" + s.search_params + ")") << "\n";
  }
  return 0;
}

int run_info(const IndexOptions& o) {
  auto store = index::CollectionStore::open(o.store);
  const index::KindCounts kinds = store->kind_counts();
  const nlohmann::json info{{"store", o.store},           {"items", store->size()},
                            {"kinds", {{"image", kinds.images}, {"text", kinds.texts}}},
                            {"dim", store->dim()},        {"factory", store->factory()},
                            {"search_params", store->options().search_params}, {"rerank", store->options().rerank},
                            {"index_on_disk", store->options().index_on_disk}, {"shard", store->options().shard},
                            {"snapshot", store->snapshot_sequence()},
                            {"model", store->model().to_json()}, {"wal_bytes", store->wal_bytes()},
                            {"image_roots", engine::read_image_roots(o.store)}};
  if (o.json) {
    std::cout << info.dump(2) << "\n";
  } else {
    std::cout << "store    " << o.store << "\nitems    " << store->size() << " (" << kinds.images << " images, "
              << kinds.texts << " texts)\ndim      " << store->dim()
              << "\nindex    " << store->factory()
              << (store->options().search_params.empty() ? "" : " (" + store->options().search_params + ")")
              << (store->options().rerank > 0 ? ", re-ranked x" + std::to_string(store->options().rerank) : "")
              << (store->options().index_on_disk && store->factory().find("IVF") != std::string::npos
                      ? ", lists mapped from disk"
                      : "")
              << (store->options().shard.empty() ? "" : "\nshard    " + store->options().shard) << "\nmodel    " << store->model().content_hash << " ("
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
  // Options of the index a new store gets, shared by build and merge.
  const auto add_index_options = [o](CLI::App* sub) {
    CLI::Option* factory = sub->add_option("--factory", o->factory, "FAISS index: Flat (default), HNSW32, IVF1024,PQ32, ...");
    sub->add_option("--max-memory", o->max_memory,
                    "Choose the index to fit this much memory (e.g. 8G; docs/SCALE.md gives the rule)")
        ->excludes(factory);
    sub->add_option("--search-params", o->search_params, "FAISS search parameters, e.g. nprobe=64 or efSearch=128");
    sub->add_option("--rerank", o->rerank, "Rank k x R candidates of a lossy index by their exact scores")
        ->check(CLI::Range(0, 1000));
    sub->add_flag("--index-on-disk", o->index_on_disk,
                  "Map the saved index's inverted lists from disk instead of holding them in memory (IVF)");
  };
  add_index_options(build);
  CLI::Option* shard = build->add_option("--shard", o->shard, "Index only part I of N of the input (I/N, from 0)");
  build->add_flag("--shard-from-env", o->shard_from_env,
                  "Take the part from Slurm (SLURM_ARRAY_TASK_ID/COUNT) or Kubernetes (JOB_COMPLETION_INDEX + "
                  "CLIPPO_SHARD_COUNT)")
      ->excludes(shard);
  build->add_option("--device", o->device, "Where the model runs: cpu, cuda or auto (default)");
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

  CLI::App* merge = cmd->add_subcommand("merge", "Merge partial stores (the shards of a sharded build) into one");
  merge->add_option("parts", o->parts, "Part stores, made by one model")->required();
  merge->add_option("--out,-o", o->store, "New store folder")->required();
  add_index_options(merge);
  merge->add_flag("--json", o->json, "Print a JSON summary");

  CLI::App* info = cmd->add_subcommand("info", "Show a store's size, model and index");
  info->add_option("--store", o->store, "Store folder")->required();
  info->add_flag("--json", o->json, "Print JSON");

  return [cmd, build, add, remove, merge, info, o]() -> int {
    if (!cmd->parsed()) return -1;
    if (build->parsed()) return run_build(*o);
    if (merge->parsed()) return run_merge(*o);
    if (add->parsed()) return run_add(*o);
    if (remove->parsed()) return run_remove(*o);
    return run_info(*o);
  };
}

}  // namespace clippo::cli

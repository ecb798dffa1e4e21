// `clippo index build|add|remove|info`: make and maintain a searchable collection.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <future>
#include <iostream>
#include <memory>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "api/cli/commands.h"
#include "api/cli/progress_bar.h"
#include "api/engine/image_roots.h"
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

bool is_image_file(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".webp";
}

// Captions from a TSV of `path<TAB>caption` lines (paths relative to the TSV's folder), keyed
// by canonical path. Lines without a tab or naming missing files are skipped.
std::map<std::string, std::string> read_captions(const std::string& tsv) {
  std::map<std::string, std::string> out;
  if (tsv.empty()) return out;
  std::istringstream lines(read_file(tsv, size_t{1} << 30));
  const fs::path base = fs::path(tsv).parent_path();
  std::string line;
  while (std::getline(lines, line)) {
    const size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    std::error_code ec;
    const fs::path file = fs::canonical(base / line.substr(0, tab), ec);
    if (!ec) out[file.string()] = line.substr(tab + 1);
  }
  return out;
}

int run_build(const IndexOptions& o) {
  CLIPPO_CHECK(fs::is_directory(o.images), kNotFound, "no such folder: '" + o.images + "'");
  engine::EngineOptions eo;
  eo.encoder.embedder.max_batch = o.batch;
  index::StoreOptions so;
  so.factory = o.factory;
  engine::SearchEngine engine(o.model, o.store, eo, /*create_store=*/true, so);
  engine::add_image_root(o.store, o.images);

  // Resume: files already in the store (by canonical path) are skipped.
  std::set<std::string> done;
  for (const auto& item : engine.store().items()) done.insert(item.uri);
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(o.images, fs::directory_options::skip_permission_denied)) {
    if (!entry.is_regular_file() || !is_image_file(entry.path())) continue;
    const std::string path = fs::canonical(entry.path()).string();
    if (!done.count(path)) files.push_back(path);
  }
  std::sort(files.begin(), files.end());
  const std::map<std::string, std::string> captions = read_captions(o.captions_tsv);

  const unsigned threads = o.threads > 0 ? static_cast<unsigned>(o.threads) : std::max(1u, std::thread::hardware_concurrency());
  ProgressBar bar("indexing", files.size());
  size_t n_added = 0, n_skipped = 0;
  const size_t chunk = static_cast<size_t>(o.batch);
  for (size_t start = 0; start < files.size(); start += chunk) {
    const size_t end = std::min(files.size(), start + chunk);
    // Decode and resize in parallel; one slot per file keeps the order.
    std::vector<std::optional<ImageU8>> pixels(end - start);
    std::vector<std::string> errors(end - start);
    std::vector<std::future<void>> work;
    for (unsigned t = 0; t < threads; ++t) {
      work.push_back(std::async(std::launch::async, [&, t] {
        for (size_t i = start + t; i < end; i += threads) {
          try {
            pixels[i - start] = engine.encoder().preprocess_image(read_file(files[i], size_t{1} << 30));
          } catch (const Error& e) {
            errors[i - start] = e.what();
          }
        }
      }));
    }
    for (auto& w : work) w.get();
    std::vector<const ImageU8*> ptrs;
    std::vector<index::Item> items;
    for (size_t i = start; i < end; ++i) {
      if (!pixels[i - start]) {
        ++n_skipped;
        std::cerr << (isatty(STDERR_FILENO) ? "\n" : "") << "warning: skipping " << files[i] << ": " << errors[i - start] << "\n";
        continue;
      }
      ptrs.push_back(&*pixels[i - start]);
      index::Item item;
      item.uri = files[i];
      // A caption next to the image (photo.jpg + photo.txt, as img2dataset writes) is kept.
      const fs::path txt = fs::path(files[i]).replace_extension(".txt");
      if (const auto c = captions.find(files[i]); c != captions.end()) {
        item.caption = c->second;
      } else if (fs::is_regular_file(txt)) {
        item.caption = read_file(txt.string(), 1 << 16);
      }
      while (!item.caption.empty() && (item.caption.back() == '\n' || item.caption.back() == '\r')) item.caption.pop_back();
      items.push_back(std::move(item));
    }
    if (!items.empty()) {
      const std::vector<float> z = engine.encoder().encode_pixels(ptrs);
      engine.store().upsert(std::move(items), z.data());  // durable per batch: an interrupted build resumes here
      n_added += ptrs.size();
    }
    bar.update(end);
  }
  engine.store().checkpoint();
  const nlohmann::json summary{{"store", o.store},         {"added", n_added},
                               {"skipped", n_skipped},     {"already_indexed", done.size()},
                               {"items", engine.store().size()}, {"dim", engine.store().dim()}};
  if (o.json) {
    std::cout << summary.dump() << "\n";
  } else {
    std::cerr << "indexed " << n_added << " images into " << o.store << " (" << engine.store().size() << " items; "
              << n_skipped << " unreadable skipped, " << done.size() << " already there)\n";
  }
  return 0;
}

int run_add(const IndexOptions& o) {
  engine::SearchEngine engine(o.model.empty() ? index::CollectionStore::recorded_model(o.store).path : o.model, o.store);
  index::Item item;
  item.id = o.id;
  item.uri = fs::canonical(o.image).string();
  item.caption = o.caption;
  item.lang = o.lang;
  engine::add_image_root(o.store, fs::path(item.uri).parent_path().string());
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
  build->add_option("--model", o->model, "Model file")->required();
  build->add_option("--images", o->images, "Folder of images (searched recursively)")->required();
  build->add_option("--out", o->store, "Store folder to create or resume")->required();
  build->add_option("--captions", o->captions_tsv, "TSV of path<TAB>caption lines (paths relative to the TSV)");
  build->add_option("--factory", o->factory, "FAISS index: Flat (default), HNSW32, IVF1024,PQ32, ...");
  build->add_option("--batch", o->batch, "Images per forward pass")->check(CLI::Range(1, 4096));
  build->add_option("--threads", o->threads, "Decoding threads (default: all cores)")->check(CLI::Range(0, 256));
  build->add_flag("--json", o->json, "Print a JSON summary");

  CLI::App* add = cmd->add_subcommand("add", "Add one image");
  add->add_option("--store", o->store, "Store folder")->required();
  add->add_option("--model", o->model, "Model file (default: the store's)");
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

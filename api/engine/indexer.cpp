#include "api/engine/indexer.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/hashing.h"
#include "core/base/strings.h"
#include "core/base/utf8.h"
#include "datasets/tsv_format.h"

namespace clippo::engine {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxImageBytes = size_t{1} << 30;
constexpr size_t kMaxSidecarBytes = size_t{1} << 16;

struct Caption {
  std::string text, language;
};

// Captions from the TSV, keyed by canonical path. Lines the TSV reader rejects (a missing file,
// invalid UTF-8, a wrong field count) are reported through on_skip and passed over.
std::map<std::string, Caption> read_captions(const FolderIndexOptions& o) {
  std::map<std::string, Caption> out;
  if (o.captions_tsv.empty()) return out;
  CLIPPO_CHECK(fs::is_regular_file(o.captions_tsv), kNotFound, "no such captions file: '" + o.captions_tsv + "'");
  datasets::SourceSpec spec;
  spec.format = "tsv";
  spec.paths = {o.captions_tsv};
  const auto reader = datasets::open_image_text_tsv_reader(spec);
  datasets::ImageTextExample example;
  datasets::ReadCounts counts;
  while (reader->next(example, counts)) {
    std::error_code ec;
    const fs::path file = fs::canonical(example.image_path, ec);
    if (!ec) out[file.string()] = {example.caption, example.language};
  }
  if (o.on_skip) {
    for (const std::string& reason : counts.skip_reasons) o.on_skip(o.captions_tsv, reason);
  }
  return out;
}

uint64_t parse_count(const std::string& text, const std::string& what) {
  size_t used = 0;
  uint64_t value = 0;
  try {
    value = std::stoull(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  CLIPPO_CHECK(!text.empty() && used == text.size() && std::isdigit(static_cast<unsigned char>(text[0])),
               kInvalidArgument, what + " is '" + text + "', not a whole number");
  return value;
}

}  // namespace

bool Shard::takes(std::string_view key) const { return count <= 1 || fnv1a64(key) % count == index; }

std::string Shard::label() const { return count <= 1 ? "" : std::to_string(index) + "/" + std::to_string(count); }

Shard parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  CLIPPO_CHECK(slash != std::string::npos, kInvalidArgument, "a shard is 'i/n' (part i of n, from 0), not '" + text + "'");
  Shard shard;
  shard.index = parse_count(text.substr(0, slash), "the shard's index");
  shard.count = parse_count(text.substr(slash + 1), "the shard count");
  CLIPPO_CHECK(shard.count >= 1 && shard.index < shard.count, kInvalidArgument,
               "shard '" + text + "': the index must be in [0, n) and n at least 1");
  return shard;
}

Shard shard_from_environment(const std::function<const char*(const char*)>& lookup) {
  const auto get = [&](const char* name) -> std::string {
    const char* value = lookup(name);
    return value == nullptr ? "" : value;
  };
  const std::string count = get("CLIPPO_SHARD_COUNT");
  Shard shard;
  if (!get("SLURM_ARRAY_TASK_ID").empty()) {
    shard.index = parse_count(get("SLURM_ARRAY_TASK_ID"), "SLURM_ARRAY_TASK_ID");
    const std::string tasks = count.empty() ? get("SLURM_ARRAY_TASK_COUNT") : count;
    CLIPPO_CHECK(!tasks.empty(), kInvalidArgument, "SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor CLIPPO_SHARD_COUNT");
    shard.count = parse_count(tasks, count.empty() ? "SLURM_ARRAY_TASK_COUNT" : "CLIPPO_SHARD_COUNT");
  } else if (!get("JOB_COMPLETION_INDEX").empty()) {
    shard.index = parse_count(get("JOB_COMPLETION_INDEX"), "JOB_COMPLETION_INDEX");
    CLIPPO_CHECK(!count.empty(), kInvalidArgument,
                 "JOB_COMPLETION_INDEX is set but CLIPPO_SHARD_COUNT is not: set it to the Job's completions");
    shard.count = parse_count(count, "CLIPPO_SHARD_COUNT");
  } else {
    throw Error(ErrorCode::kInvalidArgument,
                "--shard-from-env found no shard: it reads SLURM_ARRAY_TASK_ID (with SLURM_ARRAY_TASK_COUNT) or "
                "JOB_COMPLETION_INDEX (with CLIPPO_SHARD_COUNT)");
  }
  CLIPPO_CHECK(shard.count >= 1 && shard.index < shard.count, kInvalidArgument,
               "the environment gives shard " + std::to_string(shard.index) + " of " + std::to_string(shard.count) +
                   ": array tasks must be numbered from 0 (--array=0-" +
                   std::to_string(shard.count > 0 ? shard.count - 1 : 0) + ")");
  return shard;
}

std::vector<std::string> list_images(const std::string& dir, const Shard& shard, size_t* other_shards) {
  CLIPPO_CHECK(fs::is_directory(dir), kNotFound, "no such folder: '" + dir + "'");
  const fs::path root = fs::canonical(dir);
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied)) {
    if (!entry.is_regular_file() || !is_indexable_image(entry.path().string())) continue;
    // The shard key is the path under the folder, so every worker agrees wherever it is mounted.
    if (!shard.takes(entry.path().lexically_relative(root).generic_string())) {
      if (other_shards != nullptr) ++*other_shards;
      continue;
    }
    files.push_back(fs::canonical(entry.path()).string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool is_indexable_image(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".webp";
}

FolderIndexSummary index_folder(SearchEngine& engine, const FolderIndexOptions& o) {
  CLIPPO_CHECK(fs::is_directory(o.images_dir), kNotFound, "no such folder: '" + o.images_dir + "'");
  CLIPPO_CHECK(o.batch >= 1, kInvalidArgument, "batch must be at least 1");
  engine.add_image_root(o.images_dir);

  std::set<std::string> done;
  for (const index::Item& item : engine.items()) {
    if (item.kind == index::ItemKind::kImage) done.insert(item.uri);
  }
  FolderIndexSummary summary;
  summary.already_indexed = done.size();
  std::vector<std::string> files;
  for (std::string& file : list_images(o.images_dir, o.shard, &summary.other_shards)) {
    if (!done.count(file)) files.push_back(std::move(file));
  }
  const std::map<std::string, Caption> captions = read_captions(o);

  const size_t threads = o.threads > 0 ? static_cast<size_t>(o.threads) : std::max(1u, std::thread::hardware_concurrency());
  const size_t chunk = static_cast<size_t>(o.batch);
  if (o.on_progress) o.on_progress(0, files.size());
  for (size_t start = 0; start < files.size(); start += chunk) {
    const size_t end = std::min(files.size(), start + chunk);
    // Decode and resize in parallel; one slot per file keeps the order.
    std::vector<std::optional<ImageU8>> decoded(end - start);
    std::vector<std::string> errors(end - start);
    std::vector<std::future<void>> work;
    for (size_t t = 0; t < std::min(threads, end - start); ++t) {
      work.push_back(std::async(std::launch::async, [&, t] {
        for (size_t i = start + t; i < end; i += threads) {
          try {
            decoded[i - start] = engine.preprocess_image(read_file(files[i], kMaxImageBytes));
          } catch (const Error& e) {
            errors[i - start] = e.what();
          }
        }
      }));
    }
    for (auto& w : work) w.get();

    std::vector<ImageU8> pixels;
    std::vector<index::Item> items;
    for (size_t i = start; i < end; ++i) {
      if (!decoded[i - start]) {
        ++summary.skipped;
        if (o.on_skip) o.on_skip(files[i], errors[i - start]);
        continue;
      }
      pixels.push_back(std::move(*decoded[i - start]));
      index::Item item;
      item.uri = files[i];
      const fs::path sidecar = fs::path(files[i]).replace_extension(".txt");
      if (const auto c = captions.find(files[i]); c != captions.end()) {
        item.caption = c->second.text;
        item.lang = c->second.language;
        ++summary.captions_from_tsv;
      } else if (fs::is_regular_file(sidecar)) {
        item.caption = std::string(trim(read_file(sidecar.string(), kMaxSidecarBytes), "\r\n"));
      }
      items.push_back(std::move(item));
    }
    summary.added += items.size();
    engine.add_items(std::move(items), pixels);  // durable per batch: an interrupted build resumes here
    if (o.on_progress) o.on_progress(end, files.size());
  }
  engine.checkpoint();
  summary.items = engine.info().items;
  return summary;
}

TextIndexSummary index_texts(SearchEngine& engine, const TextIndexOptions& o) {
  CLIPPO_CHECK(fs::is_regular_file(o.texts_file), kNotFound, "no such texts file: '" + o.texts_file + "'");
  CLIPPO_CHECK(o.batch >= 1, kInvalidArgument, "batch must be at least 1");
  std::ifstream in(o.texts_file, std::ios::binary);
  CLIPPO_CHECK(in.good(), kUnavailable, "cannot read '" + o.texts_file + "'");

  // (language, text) of every stored text: what makes a rerun resume instead of duplicating.
  std::set<std::pair<std::string, std::string>> stored;
  for (const index::Item& item : engine.items()) {
    if (item.kind == index::ItemKind::kText) stored.emplace(item.lang, item.text);
  }
  TextIndexSummary summary;
  auto skip = [&](size_t line, const std::string& reason) {
    ++summary.skipped;
    if (o.on_skip) o.on_skip(o.texts_file + ":" + std::to_string(line), reason);
  };

  // The whole file is parsed first, so progress has a total and a bad line costs no embedding.
  std::vector<index::Item> todo;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line, " \t").empty()) continue;
    if (!is_valid_utf8(line)) {
      skip(number, "invalid UTF-8");
      continue;
    }
    std::vector<std::string> fields = split_fields(line, '\t');
    if (fields.size() > 2) {
      skip(number, "expected `text` or `text<TAB>language`, found " + std::to_string(fields.size()) + " fields");
      continue;
    }
    index::Item item;
    item.kind = index::ItemKind::kText;
    item.text = std::string(trim(fields[0], " "));
    item.lang = fields.size() == 2 ? std::string(trim(fields[1], " ")) : o.language;
    if (item.text.empty()) {
      skip(number, "no text before the tab");
      continue;
    }
    if (item.text.size() > engine.max_query_bytes()) {
      skip(number, "the text is " + std::to_string(item.text.size()) + " bytes; at most " +
                       std::to_string(engine.max_query_bytes()) + " are read");
      continue;
    }
    if (!o.shard.takes(item.lang + "\t" + item.text)) {
      ++summary.other_shards;
      continue;
    }
    if (!stored.emplace(item.lang, item.text).second) {
      ++summary.duplicates;
      continue;
    }
    todo.push_back(std::move(item));
  }
  CLIPPO_CHECK(!in.bad(), kUnavailable, "reading '" + o.texts_file + "' failed");

  const size_t chunk = static_cast<size_t>(o.batch);
  if (o.on_progress) o.on_progress(0, todo.size());
  for (size_t start = 0; start < todo.size(); start += chunk) {
    const size_t end = std::min(todo.size(), start + chunk);
    std::vector<index::Item> batch(std::make_move_iterator(todo.begin() + static_cast<std::ptrdiff_t>(start)),
                                   std::make_move_iterator(todo.begin() + static_cast<std::ptrdiff_t>(end)));
    summary.added += batch.size();
    engine.add_texts(std::move(batch));  // durable per batch: an interrupted run resumes here
    if (o.on_progress) o.on_progress(end, todo.size());
  }
  engine.checkpoint();
  summary.items = engine.info().items;
  return summary;
}

}  // namespace clippo::engine

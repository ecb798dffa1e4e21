// Bulk indexing into the engine's store, the paths `clippo index build` runs: every image under
// a folder (index_folder), and every line of a text file as a text item (index_texts).
//
//  - Resumable: files already in the store (by canonical path) are passed over, and each batch
//    is durable when written, so an interrupted build continues where it stopped.
//  - Images are decoded and resized on `threads` threads, embedded `batch` at a time in one
//    forward pass, in sorted path order (the same store on every run).
//  - Captions: a TSV of `path<TAB>caption[<TAB>language]` lines (paths relative to the TSV's
//    folder; datasets/tsv_format.h), else a sidecar text file next to the image (photo.jpg +
//    photo.txt, as img2dataset writes).
//  - An image that cannot be read is skipped with its reason; the build goes on.
//  - Sharded: with a Shard of n, a build takes only its part of the input, so n workers on any
//    scheduler (a Slurm array, a Kubernetes indexed Job) make n partial stores that
//    `clippo index merge` joins. A file belongs to shard FNV-1a-64(its path relative to the
//    folder) mod n, a text line to FNV-1a-64(language TAB text) mod n: stable, since adding
//    input never moves other input between shards, and independent of the machine's paths.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "api/engine/search_engine.h"

namespace clippo::engine {

// Part `index` of `count` of the input.
struct Shard {
  uint64_t index = 0;
  uint64_t count = 1;
  bool takes(std::string_view key) const;
  std::string label() const;  // "i/n"; "" for the whole input (1 shard)
};

// "i/n" with 0 <= i < n; InvalidArgument otherwise.
Shard parse_shard(const std::string& text);

// The shard a batch scheduler gave this process, from its environment (`lookup` is getenv):
// Slurm array tasks: SLURM_ARRAY_TASK_ID of SLURM_ARRAY_TASK_COUNT tasks (arrays numbered
// from 0; CLIPPO_SHARD_COUNT, when set, gives the count instead, for re-running some tasks
// of a larger array); Kubernetes indexed Jobs: JOB_COMPLETION_INDEX of CLIPPO_SHARD_COUNT
// (set it to the Job's completions). InvalidArgument naming the variables when none is set.
Shard shard_from_environment(const std::function<const char*(const char*)>& lookup);

struct FolderIndexOptions {
  std::string images_dir;    // searched recursively for .jpg, .jpeg, .png, .webp
  std::string captions_tsv;  // optional
  int batch = 32;            // images per forward pass and per durable write
  int threads = 0;           // decoding threads; 0: all cores
  Shard shard;               // the part of the folder to index
  // (files done, files to do) after each batch.
  std::function<void(size_t, size_t)> on_progress;
  // (file, reason) for each image skipped.
  std::function<void(const std::string&, const std::string&)> on_skip;
};

struct FolderIndexSummary {
  size_t added = 0;            // images embedded and stored by this run
  size_t skipped = 0;          // unreadable images
  size_t already_indexed = 0;  // items the store held before this run
  size_t captions_from_tsv = 0;
  size_t other_shards = 0;     // images left to the other shards
  size_t items = 0;            // items in the store afterwards
};

// True for the file names the indexer reads (by extension, any case).
bool is_indexable_image(const std::string& path);

// The image files under `dir` in `shard`, canonical and sorted: what a build would index.
// `other_shards`, when given, receives how many belong to the other shards.
std::vector<std::string> list_images(const std::string& dir, const Shard& shard = {}, size_t* other_shards = nullptr);

struct TextIndexOptions {
  std::string texts_file;  // one text per line, or `text<TAB>language`
  std::string language;    // for lines that name none (optional)
  int batch = 64;          // texts per forward pass and per durable write
  Shard shard;             // the part of the lines to index
  // (lines done, lines to do) after each batch.
  std::function<void(size_t, size_t)> on_progress;
  // (where, reason) for each line skipped: "FILE:LINE".
  std::function<void(const std::string&, const std::string&)> on_skip;
};

struct TextIndexSummary {
  size_t added = 0;            // texts embedded and stored by this run
  size_t skipped = 0;          // lines that are not a text: invalid UTF-8, too long, 3+ fields
  size_t duplicates = 0;       // texts (with their language) already in the store or earlier in the file
  size_t other_shards = 0;     // lines left to the other shards
  size_t items = 0;            // items in the store afterwards
};

// Indexes options.images_dir into `engine` (and records it as an image root, so its files can
// be served), then takes a snapshot. NotFound when the folder does not exist.
FolderIndexSummary index_folder(SearchEngine& engine, const FolderIndexOptions& options);

// Indexes each line of options.texts_file as a text item (rendered and embedded as a query
// would be), in file order, then takes a snapshot. Blank lines are passed over; a text already
// stored with the same language is not added twice, so running it again resumes an interrupted
// run. NotFound when the file does not exist.
TextIndexSummary index_texts(SearchEngine& engine, const TextIndexOptions& options);

}  // namespace clippo::engine

// How a training recipe (JSON) names a data source, and the streams that read one.
//
// Formats (README, Datasets), with what each example's `key` is:
//   "xm3600"          a Crossmodal-3600 folder: captions.jsonl + images/<key>.{jpg,jpeg,png,webp}
//                     (+ split.json); one example per (image, language, caption), in file order,
//                     languages sorted; key "<image key>/<language>/<caption index>".
//   "karpathy"        COCO / Flickr30k Karpathy JSON; language "en"; key "<filepath/filename>/<index>".
//   "webdataset"      tar shards as img2dataset writes them (webdataset.h); key = the sample key.
//   "tsv"             `path<TAB>caption[<TAB>language]`; key "<tsv path>:<line>".
//   "text_pairs_tsv"  `text_a<TAB>text_b[<TAB>lang_a<TAB>lang_b]` (open_text_pair_stream only).
// In the TSV formats, lines starting with '#' are comments and empty lines are passed over.
//
// Missing image files: the xm3600, karpathy and tsv readers look each image up (stat, no read)
// when they reach its record and count a missing one as a skipped record; a file that exists
// but does not decode is the trainer's to count. A path in `paths` that does not exist, or an
// xm3600 folder without captions.jsonl, is an Error (NotFound) when the stream is opened.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "datasets/examples.h"

namespace clippo::datasets {

struct SourceSpec {
  std::string format;                  // "xm3600" | "karpathy" | "webdataset" | "tsv" | "text_pairs_tsv"
  std::vector<std::string> paths;      // xm3600: the dataset folder; karpathy: dataset_coco.json (one path);
                                       // webdataset: shard files, each may use brace ranges
                                       // "train-{000000..000009}.tar" or lists "{a,b}"; tsv: files
  std::string image_root;              // karpathy: images folder (default: the JSON's folder);
                                       // tsv: base of relative paths (default: each tsv's folder)
  std::string split;                   // xm3600: a key of split.json ("train", "heldout"; "" = all);
                                       // karpathy: "train", "val", "test", "restval" ("" = all)
  std::vector<std::string> languages;  // keep only these (empty = all). An example without a
                                       // language is dropped when set; a text pair is kept when
                                       // both its languages are listed.
  bool first_caption_only = false;     // xm3600/karpathy: one caption per image and language

  // True when `languages` is empty or lists `language`: the one filter every reader applies.
  bool keeps_language(const std::string& language) const;
};

// Strict: an unknown key, a wrong type, an unknown format, empty paths, or an option the format
// does not use (split on tsv, ...) is InvalidArgument naming the key.
SourceSpec source_spec_from_json(const nlohmann::json& j);
nlohmann::json to_json(const SourceSpec& spec);

// The checks source_spec_from_json makes, for specs built in code; the open_* functions call it.
void validate_source_spec(const SourceSpec& spec);

struct StreamOptions {
  uint64_t seed = 0;
  size_t shuffle_buffer = 0;  // 0: source order; else a shuffle buffer of this many examples
                              // (webdataset also shuffles its shard order then)
  // Data-parallel workers: worker i of n takes the examples whose index in source order is
  // i mod n. Webdataset with at least n shard files shards by whole file instead (file j goes to
  // worker j mod n), so no worker reads another's tars. Either way the shares are disjoint and
  // together cover the source.
  size_t shard_index = 0, shard_count = 1;
  // Loop forever; epoch e reshuffles with the seed mixed with e. A repeating stream whose epoch
  // yields nothing throws FailedPrecondition instead of spinning.
  bool repeat = false;
};

// The same spec and options give the same sequence on every run and machine (mt19937_64 and
// our own uniform draw, no implementation-defined distribution). Throws InvalidArgument (bad
// spec or options, a text-pair format here), NotFound (a path that does not exist).
std::unique_ptr<ExampleStream<ImageTextExample>> open_image_text_stream(const SourceSpec& spec,
                                                                        const StreamOptions& options);
// format "text_pairs_tsv" only.
std::unique_ptr<ExampleStream<TextPairExample>> open_text_pair_stream(const SourceSpec& spec,
                                                                      const StreamOptions& options);

}  // namespace clippo::datasets

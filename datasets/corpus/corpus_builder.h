// `clippo dataset corpus`: every captioned-picture source these machines can install, drawn at
// the training size, deduplicated across sources, split so that evaluation measures
// generalisation, and written in the formats the trainer and `clippo eval` read.
//
// Output folder (every file replaced atomically; a rerun redraws only pictures it lacks):
//   images/<key>.png          size x size RGB over white, one per drawn item (duplicates too)
//   items.jsonl               one line per kept item: key, source, concept, licence, origin, split
//   captions.jsonl, split.json  the kept items outside the held-out source in the Crossmodal-3600
//                             layout; split.json lists "train" and "heldout_concepts"
//   train.tsv                 the training examples (`images/<key>.png<TAB>caption<TAB>locale`):
//                             `train_rounds` rounds, each every training item once in a shuffled
//                             order with one caption drawn for it (English with probability
//                             english_share, else a uniform locale of the item; its name with
//                             probability name_share, else one of its keywords)
//   text_pairs.tsv            the training concepts' English name next to their name in each other
//                             locale (`en_name<TAB>name<TAB>en<TAB>locale`)
//   shards/train-NNNNNN.tar   the training items as WebDataset shards (webdataset.h): <key>.png,
//                             <key>.txt (the English name, else the first locale's) and <key>.json
//                             ({"captions": {locale: [...]}, "source", "concept", "licence", "origin"})
//   heldout_concepts/         Crossmodal-3600 folder: one picture per held-out emoji concept (a concept
//                             held out is held out in every style); its name in every locale (only
//                             the name: a keyword such as "face" fits dozens of pictures)
//   heldout_source/           Crossmodal-3600 folder: every item of the held-out source, a source
//                             no training item comes from; names only, as above
//   summary.json, summary.md  items per source (listed, broken, blank, duplicates, per split) and
//                             per locale and split
//
// Splits: a concept is held out when is_heldout_key(concept, heldout_concept_fraction); a
// picture of another source whose English name is an emoji's English name ("Cat", "Chair") takes
// that emoji's concept, so a held-out concept is not seen by its name in training either; the
// held-out source is read first, so a training picture that nearly duplicates one of its
// pictures is the one dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace clippo::datasets {

struct CorpusOptions {
  std::string out_dir;
  std::string npm_dir = "datasets/npm-corpus/node_modules";  // Iconify sets (scripts/setup_corpus.sh)
  // Where Debian packages' files are looked for, in order: a folder `dpkg-deb -x` filled
  // (scripts/setup_corpus.sh), then the system.
  std::vector<std::string> package_roots = {"data/packages", "/"};
  std::vector<std::string> cldr_dirs;  // empty: Debian's unicode-cldr-core folders
  std::vector<std::string> sources;    // source names to read; empty: all
  std::string heldout_source = "art4apps";
  double heldout_concept_fraction = 0.1;
  int image_size_px = 64;
  int jobs = 2;                 // drawing threads
  size_t train_rounds = 16;
  size_t shard_items = 2000;    // training items per WebDataset shard
  size_t fashion_mnist_per_class = 300;  // photos read per Fashion-MNIST class (10 classes)
  double english_share = 0.25;  // see train.tsv above
  double name_share = 0.5;
  uint64_t seed = 0;
  std::function<void(const std::string&)> on_line;  // progress and skipped-source lines
};

struct CorpusSourceCounts {
  size_t n_listed = 0, n_broken = 0, n_blank = 0, n_duplicates = 0;
  size_t n_train = 0, n_heldout_concepts = 0, n_heldout_source = 0;
  std::string licence;  // SPDX identifiers of its items, ", "-joined when they differ
  std::map<std::string, size_t> notes;  // what listing passed over, by reason
  std::string missing;  // non-empty: skipped, this package is missing (or "unreadable: <why>")
};

struct CorpusSummary {
  std::map<std::string, CorpusSourceCounts> sources;
  // locale -> split ("train", "heldout_concepts", "heldout_source") -> items with a caption there
  std::map<std::string, std::map<std::string, size_t>> items_per_locale;
  size_t n_train_items = 0, n_heldout_concept_items = 0, n_heldout_concepts = 0, n_heldout_source_items = 0;
  size_t n_train_examples = 0, n_text_pairs = 0, n_shards = 0;
  std::vector<std::string> broken;  // the first few broken items, each naming file and reason
};

nlohmann::json to_json(const CorpusSummary& summary);
// The summary as Markdown tables (summary.md).
std::string summary_markdown(const CorpusSummary& summary);

// Builds the corpus. Throws InvalidArgument (bad options, an unknown source name), NotFound
// (CLDR folders missing; no source found at all), Unavailable (cannot write). A missing
// package, or a source whose listing fails with a clippo::Error (a damaged catalogue) or a
// filesystem error (a folder that cannot be walked), skips that source with one line; any other
// exception stops the build. A broken picture is counted, never fatal.
CorpusSummary build_corpus(const CorpusOptions& options);

// Every source name build_corpus knows, in the order it reads them.
std::vector<std::string> corpus_source_names();

}  // namespace clippo::datasets

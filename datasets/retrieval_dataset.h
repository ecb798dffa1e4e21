// A whole retrieval benchmark in memory, for evaluation: the images and, per language, the
// captions that point at them (Crossmodal-3600 layout or Karpathy JSON).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "datasets/examples.h"
#include "datasets/source_spec.h"

namespace clippo::datasets {

struct RetrievalDataset {
  std::vector<std::string> image_keys, image_paths;  // image_paths[i] is a readable file
  struct Caption {
    std::string text;
    size_t image_index;  // into image_keys / image_paths
  };
  std::map<std::string, std::vector<Caption>> captions_by_language;
  // What the dataset lacks, relative to it ("images/abc.{jpg,jpeg,png,webp}", "val2014/x.jpg"):
  // those images are left out with their captions. Reported, not fatal.
  std::vector<std::string> missing;
  ReadCounts read_counts;  // n_examples: images kept; skips: malformed records
};

// spec.format "xm3600" or "karpathy"; split, languages and first_caption_only honoured. An image
// with no caption in the chosen languages still joins the gallery (a distractor).
// Throws NotFound naming what is missing (the folder, captions.jsonl, split.json for a split,
// the JSON file), and NotFound when no referenced image exists at all, with the first missing.
RetrievalDataset load_retrieval_dataset(const SourceSpec& spec);

}  // namespace clippo::datasets

// Readers of the per-image caption formats, Crossmodal-3600 folders and Karpathy JSON: one
// record per image with its captions per language. The streams (source_spec.h) expand records
// into examples; the retrieval loader (retrieval_dataset.h) keeps them whole.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "datasets/examples.h"
#include "datasets/source_spec.h"

namespace clippo::datasets {

// Where an xm3600 reader looks for an image, in this order: Crossmodal-3600 ships .jpg, the
// emoji collection writes .png.
inline constexpr const char* kImageExtensions[] = {".jpg", ".jpeg", ".png", ".webp"};

struct CaptionedImage {
  std::string key;             // xm3600: "image/key"; karpathy: "<filepath>/<filename>"
  std::string image_path;      // the image file; empty when it does not exist
  std::string expected_image;  // what was looked for, relative to the dataset ("images/k.{jpg,...}")
  std::string where;           // the record, for messages: "<file> line 12", "<file> images[3]"
  // language -> captions, in the source's order (xm3600: languages sorted), after the spec's
  // language filter and first_caption_only; may be empty.
  std::vector<std::pair<std::string, std::vector<std::string>>> captions;
};

class CaptionedImageReader {
 public:
  virtual ~CaptionedImageReader() = default;
  // The next image of the spec's split; false at the end. Malformed records go to `counts`.
  virtual bool next(CaptionedImage& out, ReadCounts& counts) = 0;
};

// spec.format "xm3600" or "karpathy" (validated). Throws NotFound naming what is missing
// (folder, captions.jsonl, split.json when a split is asked, the JSON file), InvalidArgument (a
// split the file does not have, a Karpathy file that is not {"images": [...]}).
std::unique_ptr<CaptionedImageReader> open_captioned_images(const SourceSpec& spec);

}  // namespace clippo::datasets

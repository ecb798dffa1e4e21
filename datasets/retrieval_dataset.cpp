// Loads a retrieval benchmark whole: evaluation needs every image and caption at once.
#include "datasets/retrieval_dataset.h"

#include "core/base/error.h"
#include "datasets/captioned_images.h"

namespace clippo::datasets {

RetrievalDataset load_retrieval_dataset(const SourceSpec& spec) {
  const std::unique_ptr<CaptionedImageReader> reader = open_captioned_images(spec);
  RetrievalDataset d;
  CaptionedImage image;
  size_t n_records = 0;
  while (reader->next(image, d.read_counts)) {
    ++n_records;
    if (image.image_path.empty()) {
      d.missing.push_back(image.expected_image);
      continue;
    }
    const size_t index = d.image_keys.size();
    d.image_keys.push_back(image.key);
    d.image_paths.push_back(image.image_path);
    for (const auto& [language, captions] : image.captions) {
      for (const std::string& text : captions) d.captions_by_language[language].push_back({text, index});
    }
  }
  d.read_counts.n_examples = d.image_keys.size();
  CLIPPO_CHECK(!d.image_keys.empty(), kNotFound,
               spec.paths.front() + ": none of the " + std::to_string(n_records) + " images it lists exists" +
                   (d.missing.empty() ? std::string() : " (first missing: " + d.missing.front() + ")") +
                   "; is the download complete?");
  return d;
}

}  // namespace clippo::datasets

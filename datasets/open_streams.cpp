// open_image_text_stream / open_text_pair_stream: check the spec, find the files, and put the
// format's reader behind the shared pipeline (stream_pipeline.h).
#include <algorithm>
#include <deque>
#include <filesystem>

#include "core/base/error.h"
#include "datasets/captioned_images.h"
#include "datasets/source_spec.h"
#include "datasets/stream_pipeline.h"
#include "datasets/tsv_format.h"
#include "datasets/webdataset.h"

namespace clippo::datasets {
namespace {

// Mixed into the seed for the shard-file order, so it is not the same draw as the buffer's.
constexpr uint64_t kFileOrderSalt = 0x5eed0f11e0bdeull;

// Expands one image record into examples, one per (language, caption); a missing image with
// captions is a skipped record.
class CaptionedImageExamples final : public SourceReader<ImageTextExample> {
 public:
  explicit CaptionedImageExamples(std::unique_ptr<CaptionedImageReader> images)
      : images_(std::move(images)) {}

  bool next(ImageTextExample& out, ReadCounts& counts) override {
    while (queue_.empty()) {
      CaptionedImage image;
      if (!images_->next(image, counts)) return false;
      expand(image, counts);
    }
    out = std::move(queue_.front());
    queue_.pop_front();
    return true;
  }

 private:
  void expand(const CaptionedImage& image, ReadCounts& counts) {
    const bool has_captions = std::any_of(image.captions.begin(), image.captions.end(),
                                          [](const auto& language) { return !language.second.empty(); });
    if (image.image_path.empty()) {
      if (has_captions)
        counts.add_skip(image.where + ": image '" + image.expected_image + "' does not exist");
      return;
    }
    for (const auto& [language, captions] : image.captions) {
      for (size_t i = 0; i < captions.size(); ++i) {
        queue_.push_back(ImageTextExample{image.key + "/" + language + "/" + std::to_string(i),
                                          image.image_path, "", captions[i], language});
      }
    }
  }

  std::unique_ptr<CaptionedImageReader> images_;
  std::deque<ImageTextExample> queue_;
};

void check_paths_exist(const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    std::error_code ec;
    CLIPPO_CHECK(std::filesystem::exists(path, ec), kNotFound, "no such file or folder: '" + path + "'");
  }
}

std::string describe(const SourceSpec& spec) {
  return spec.format + " source '" + spec.paths.front() + "'" +
         (spec.paths.size() > 1 ? " (+" + std::to_string(spec.paths.size() - 1) + " more)" : "");
}

std::unique_ptr<ExampleStream<ImageTextExample>> open_webdataset_stream(const SourceSpec& spec,
                                                                        const StreamOptions& o) {
  std::vector<std::string> files;
  for (const std::string& pattern : spec.paths) {
    for (std::string& file : expand_braces(pattern)) files.push_back(std::move(file));
  }
  check_paths_exist(files);
  // With a file for every worker, whole files are shared out: no worker reads another's tars.
  const bool by_file = files.size() >= o.shard_count;
  std::vector<std::string> own;
  for (size_t j = 0; j < files.size(); ++j) {
    if (!by_file || j % o.shard_count == o.shard_index) own.push_back(files[j]);
  }
  auto open = [own, o](uint64_t epoch) {
    std::vector<std::string> order = own;
    if (o.shuffle_buffer > 0) {
      std::mt19937_64 rng(epoch_seed(o.seed ^ kFileOrderSalt, epoch));
      shuffle_in_place(order, rng);
    }
    return open_webdataset_reader(std::move(order));
  };
  return std::make_unique<PipelineStream<ImageTextExample>>(open, o, !by_file, describe(spec));
}

}  // namespace

std::unique_ptr<ExampleStream<ImageTextExample>> open_image_text_stream(const SourceSpec& spec,
                                                                        const StreamOptions& o) {
  validate_source_spec(spec);
  check_stream_options(o);
  CLIPPO_CHECK(spec.format != "text_pairs_tsv", kInvalidArgument,
               "format text_pairs_tsv holds text pairs, not images: open it with open_text_pair_stream");
  if (spec.format == "webdataset") return open_webdataset_stream(spec, o);
  check_paths_exist(spec.paths);
  PipelineStream<ImageTextExample>::Factory open;
  if (spec.format == "tsv") {
    open = [spec](uint64_t) { return open_image_text_tsv_reader(spec); };
  } else {
    open = [spec](uint64_t) { return std::make_unique<CaptionedImageExamples>(open_captioned_images(spec)); };
  }
  return std::make_unique<PipelineStream<ImageTextExample>>(open, o, true, describe(spec));
}

std::unique_ptr<ExampleStream<TextPairExample>> open_text_pair_stream(const SourceSpec& spec,
                                                                      const StreamOptions& o) {
  validate_source_spec(spec);
  check_stream_options(o);
  CLIPPO_CHECK(spec.format == "text_pairs_tsv", kInvalidArgument,
               "format " + spec.format + " holds images: open it with open_image_text_stream");
  check_paths_exist(spec.paths);
  auto open = [spec](uint64_t) { return open_text_pairs_tsv_reader(spec); };
  return std::make_unique<PipelineStream<TextPairExample>>(open, o, true, describe(spec));
}

}  // namespace clippo::datasets

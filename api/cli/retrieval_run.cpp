#include "api/cli/retrieval_run.h"

#include <iostream>
#include <memory>

#include "api/cli/progress_bar.h"
#include "api/engine/encoder.h"
#include "evaluation/retrieval_eval.h"

namespace clippo::cli {

evaluation::ModelRetrieval evaluate_model_file(const std::string& model_path,
                                                        const datasets::RetrievalDataset& data,
                                                        const RetrievalRunOptions& o) {
  engine::EncoderOptions eo;
  eo.embedder.device = o.device;
  eo.embedder.precision = o.precision;
  eo.embedder.max_batch = o.batch;
  const engine::Encoder encoder(model_path, eo);
  evaluation::RetrievalEvalOptions options;
  options.max_images = o.max_images;
  options.batch_size = static_cast<size_t>(o.batch);
  options.image_spec.image_size = encoder.embedder().image_size();
  auto bar = std::make_shared<std::unique_ptr<ProgressBar>>();
  const std::string label = o.progress_label;
  options.on_progress = [bar, label](size_t done, size_t total) {
    if (!*bar) *bar = std::make_unique<ProgressBar>(label, total);
    (*bar)->update(done);
  };
  // Text goes the model's own way: rendered (CLIPPO) or tokenised by the tokenizer in the file.
  return evaluation::evaluate_retrieval(
      data, [&](const std::vector<const ImageU8*>& images) { return encoder.encode_pixels(images); },
      [&](const std::vector<std::string>& texts) { return encoder.encode_texts(texts); }, options);
}

datasets::RetrievalDataset load_retrieval_dataset_with_warnings(const datasets::SourceSpec& spec) {
  datasets::RetrievalDataset data = datasets::load_retrieval_dataset(spec);
  if (!data.missing.empty()) {
    std::cerr << "warning: the dataset names " << data.missing.size() << " files it lacks (first: "
              << data.missing.front() << "); their images and captions are left out\n";
  }
  return data;
}

}  // namespace clippo::cli

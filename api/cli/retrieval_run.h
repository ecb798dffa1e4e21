// One model file evaluated on one retrieval dataset (evaluation/retrieval_eval.h's protocol),
// shared by `clippo eval retrieval` and `clippo report xm3600`.
#pragma once

#include <string>

#include "datasets/retrieval_dataset.h"
#include "evaluation/retrieval_report.h"

namespace clippo::cli {

struct RetrievalRunOptions {
  std::string device = "cpu", precision = "auto";
  size_t max_images = 0;
  int batch = 64;
  std::string progress_label = "eval";  // progress bar on a terminal
};

evaluation::ModelRetrieval evaluate_model_file(const std::string& model_path,
                                                        const datasets::RetrievalDataset& data,
                                                        const RetrievalRunOptions& options);

// Loads the dataset and warns on stderr about files it names but lacks (an incomplete download).
datasets::RetrievalDataset load_retrieval_dataset_with_warnings(const datasets::SourceSpec& spec);

}  // namespace clippo::cli

// Formatting of the Crossmodal-3600 retrieval report (CLIPPO paper, Sec. 4.3, Fig. 5 / Table 3):
// several models side by side, recall@{1,5,10} image->text and text->image per language and
// their mean. The numbers come from retrieval_metrics.h; this file only lays them out
// as JSON, a Markdown table and an SVG chart.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "evaluation/retrieval_metrics.h"

namespace clippo::evaluation {

// {"mean": {"i2t": {"r1","r5","r10"}, "t2i": {...}, "chance_t2i": {...}},
//  "per_language": {"<lang>": {"i2t": {...}, "t2i": {...}, "chance_t2i": {...}, "n_images": N, "n_captions": N}}}
nlohmann::json retrieval_to_json(const ModelRetrieval& model);

// One row per language (the union over models, sorted by code; "-" where a model lacks it), one
// column group per model (I->T R@1/R@5/R@10, T->I R@1/R@5/R@10, in percent), a last group with
// T->I chance (chance_t2i of the language's image count), and a mean row.
std::string retrieval_markdown(const std::vector<ModelRetrieval>& models);

// Grouped bars per language, one bar per model, of text->image R@1 (percent), plus a "mean"
// group first; legend with the model names. A standalone, well-formed SVG document.
std::string retrieval_svg(const std::vector<ModelRetrieval>& models);

}  // namespace clippo::evaluation

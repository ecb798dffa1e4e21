// Lays out retrieval results of several models: JSON per model, Markdown and SVG side by side.
#include "evaluation/retrieval_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "evaluation/svg_chart.h"

namespace clippo::evaluation {
namespace {

nlohmann::json recall_json(const RecallAtK& r) { return {{"r1", r.r1}, {"r5", r.r5}, {"r10", r.r10}}; }

std::string pct(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", 100.0 * x);
  return buf;
}

const LanguageRetrieval* find_language(const ModelRetrieval& m, const std::string& language) {
  for (const LanguageRetrieval& l : m.per_language) {
    if (l.language == language) return &l;
  }
  return nullptr;
}

std::set<std::string> all_languages(const std::vector<ModelRetrieval>& models) {
  std::set<std::string> out;
  for (const ModelRetrieval& m : models) {
    for (const LanguageRetrieval& l : m.per_language) out.insert(l.language);
  }
  return out;
}

std::string recall_cells(const RecallAtK& i2t, const RecallAtK& t2i) {
  return " " + pct(i2t.r1) + " | " + pct(i2t.r5) + " | " + pct(i2t.r10) + " | " + pct(t2i.r1) + " | " + pct(t2i.r5) +
         " | " + pct(t2i.r10) + " |";
}

}  // namespace

nlohmann::json retrieval_to_json(const ModelRetrieval& m) {
  nlohmann::json per_language = nlohmann::json::object();
  RecallAtK mean_chance;
  for (const LanguageRetrieval& l : m.per_language) {
    const RecallAtK chance = chance_t2i(l.n_images);
    per_language[l.language] = {{"i2t", recall_json(l.i2t)},
                                {"t2i", recall_json(l.t2i)},
                                {"chance_t2i", recall_json(chance)},
                                {"n_images", l.n_images},
                                {"n_captions", l.n_captions}};
    const double n = static_cast<double>(m.per_language.size());
    mean_chance.r1 += chance.r1 / n, mean_chance.r5 += chance.r5 / n, mean_chance.r10 += chance.r10 / n;
  }
  return {{"mean", {{"i2t", recall_json(m.mean_i2t)}, {"t2i", recall_json(m.mean_t2i)},
                    {"chance_t2i", recall_json(mean_chance)}}},
          {"per_language", std::move(per_language)}};
}

std::string retrieval_markdown(const std::vector<ModelRetrieval>& models) {
  std::string md = "# Crossmodal-3600 retrieval (recall@k, %)\n\n";
  md += "| language |";
  std::string sub = "| |";
  std::string rule = "| --- |";
  for (const ModelRetrieval& m : models) {
    md += " " + markdown_cell(m.model) + " | | | | | |";
    sub += " I→T R@1 | I→T R@5 | I→T R@10 | T→I R@1 | T→I R@5 | T→I R@10 |";
    rule += " ---: | ---: | ---: | ---: | ---: | ---: |";
  }
  // Chance for text->image: a caption's one image among every image of the set, k / n_images.
  md += " chance | | |";
  sub += " T→I R@1 | T→I R@5 | T→I R@10 |";
  rule += " ---: | ---: | ---: |";
  md += "\n" + rule + "\n" + sub + "\n";
  RecallAtK mean_chance;
  size_t n_languages = 0;
  for (const std::string& language : all_languages(models)) {
    md += "| " + markdown_cell(language) + " |";
    size_t n_images = 0;
    for (const ModelRetrieval& m : models) {
      const LanguageRetrieval* l = find_language(m, language);
      md += l ? recall_cells(l->i2t, l->t2i) : std::string(" - | - | - | - | - | - |");
      if (l && n_images == 0) n_images = l->n_images;
    }
    const RecallAtK chance = chance_t2i(n_images);
    md += " " + pct(chance.r1) + " | " + pct(chance.r5) + " | " + pct(chance.r10) + " |\n";
    mean_chance.r1 += chance.r1, mean_chance.r5 += chance.r5, mean_chance.r10 += chance.r10;
    ++n_languages;
  }
  md += "| **mean** |";
  for (const ModelRetrieval& m : models) md += recall_cells(m.mean_i2t, m.mean_t2i);
  const double n = n_languages > 0 ? static_cast<double>(n_languages) : 1.0;
  md += " " + pct(mean_chance.r1 / n) + " | " + pct(mean_chance.r5 / n) + " | " + pct(mean_chance.r10 / n) + " |\n";
  return md;
}

std::string retrieval_svg(const std::vector<ModelRetrieval>& models) {
  ChartSpec chart;
  chart.title = "Crossmodal-3600 text-to-image retrieval, R@1 per language";
  chart.y_label = "T→I R@1 (%)";
  const std::set<std::string> languages = all_languages(models);
  chart.categories.push_back("mean");
  chart.categories.insert(chart.categories.end(), languages.begin(), languages.end());
  for (const ModelRetrieval& m : models) {
    ChartSeries s{m.model, {100.0 * m.mean_t2i.r1}, false};
    for (const std::string& language : languages) {
      const LanguageRetrieval* l = find_language(m, language);
      s.values.push_back(l ? 100.0 * l->t2i.r1 : std::numeric_limits<double>::quiet_NaN());
    }
    chart.series.push_back(std::move(s));
  }
  chart.y_max = 100.0;
  double top = 0;
  for (const ChartSeries& s : chart.series) {
    for (const double v : s.values) {
      if (std::isfinite(v) && v > top) top = v;
    }
  }
  if (top > 0 && top < 95) chart.y_max = top * 1.1;  // zoom in when recalls are low, as for small models
  return render_svg_chart(chart);
}

}  // namespace clippo::evaluation

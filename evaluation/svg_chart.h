// A small standalone-SVG category chart shared by the token and retrieval reports: one x slot per
// category, series drawn as grouped bars or as points, a y axis with ticks, and a legend.
// Every piece of text is XML-escaped, so the output is well-formed for any label.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace clippo::evaluation {

// `text` with & < > " ' replaced by entities, and characters XML 1.0 forbids (C0 controls but
// tab/newline/CR, U+FFFE/FFFF) dropped; ill-formed UTF-8 becomes U+FFFD.
std::string xml_escape(std::string_view text);

// `text` as one Markdown table cell: '|' escaped, line breaks as spaces (the reports' tables).
std::string markdown_cell(std::string_view text);

struct ChartSeries {
  std::string label;
  std::vector<double> values;  // one per category; NaN: nothing drawn
  bool as_points = false;      // false: a bar in the category's group; true: a marker on top
};

struct ChartSpec {
  std::string title;
  std::string y_label;
  std::vector<std::string> categories;  // x labels, drawn rotated
  std::vector<ChartSeries> series;
  double y_max = 0;  // 0: from the data
};

// The chart as a complete SVG document (UTF-8, with the XML declaration).
std::string render_svg_chart(const ChartSpec& spec);

}  // namespace clippo::evaluation

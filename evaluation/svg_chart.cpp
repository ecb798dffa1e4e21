// Draws category charts as plain SVG text: fixed layout arithmetic, no dependency.
#include "evaluation/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/base/utf8.h"

namespace clippo::evaluation {
namespace {

// A colour-blind-safe palette (Okabe & Ito 2008), cycled.
const char* const kPalette[] = {"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"};

std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", x);
  return buf;
}

// A round step for about 5 ticks up to `top`.
double tick_step(double top) {
  const double raw = top / 5.0;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (raw <= m * magnitude) return m * magnitude;
  }
  return 10.0 * magnitude;
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  for (const char32_t cp : decode_utf8(text)) {
    switch (cp) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0xFFFE || cp == 0xFFFF) break;
        append_utf8(cp, out);
    }
  }
  return out;
}

std::string render_svg_chart(const ChartSpec& spec) {
  const size_t n = spec.categories.size();
  size_t n_bars = 0;
  for (const ChartSeries& s : spec.series) n_bars += s.as_points ? 0 : 1;
  const double slot = std::max(14.0, 6.0 * static_cast<double>(std::max<size_t>(n_bars, 1)) + 6.0);
  const double left = 70, right = 20, top = 50, plot_h = 320, label_h = 110, legend_h = 24.0 * spec.series.size() + 10;
  const double plot_w = std::max(200.0, slot * static_cast<double>(n));
  const double width = left + plot_w + right, height = top + plot_h + label_h + legend_h;

  double y_max = spec.y_max;
  if (y_max <= 0) {
    for (const ChartSeries& s : spec.series) {
      for (const double v : s.values) {
        if (std::isfinite(v)) y_max = std::max(y_max, v);
      }
    }
    y_max = y_max > 0 ? y_max * 1.05 : 1.0;
  }
  const double step = tick_step(y_max);
  const auto y_of = [&](double v) { return top + plot_h - plot_h * std::clamp(v / y_max, 0.0, 1.0); };

  std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width) + "\" height=\"" + num(height) +
         "\" viewBox=\"0 0 " + num(width) + " " + num(height) + "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg += "<text x=\"" + num(width / 2) + "\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">" +
         xml_escape(spec.title) + "</text>\n";
  // Axes and grid.
  for (double t = 0; t <= y_max + 1e-9; t += step) {
    const double y = y_of(t);
    svg += "<line x1=\"" + num(left) + "\" x2=\"" + num(left + plot_w) + "\" y1=\"" + num(y) + "\" y2=\"" + num(y) +
           "\" stroke=\"#ddd\"/>\n";
    char label[32];
    std::snprintf(label, sizeof label, step < 1 ? "%.2f" : "%.0f", t);
    svg += "<text x=\"" + num(left - 6) + "\" y=\"" + num(y + 4) + "\" text-anchor=\"end\">" + label + "</text>\n";
  }
  svg += "<line x1=\"" + num(left) + "\" x2=\"" + num(left) + "\" y1=\"" + num(top) + "\" y2=\"" + num(top + plot_h) +
         "\" stroke=\"black\"/>\n";
  svg += "<line x1=\"" + num(left) + "\" x2=\"" + num(left + plot_w) + "\" y1=\"" + num(top + plot_h) + "\" y2=\"" +
         num(top + plot_h) + "\" stroke=\"black\"/>\n";
  svg += "<text transform=\"translate(18," + num(top + plot_h / 2) + ") rotate(-90)\" text-anchor=\"middle\">" +
         xml_escape(spec.y_label) + "</text>\n";
  // Series.
  const double bar_w = n_bars > 0 ? (slot - 6.0) / static_cast<double>(n_bars) : 0;
  size_t bar_index = 0;
  for (size_t s = 0; s < spec.series.size(); ++s) {
    const ChartSeries& series = spec.series[s];
    const char* color = kPalette[s % (sizeof kPalette / sizeof kPalette[0])];
    svg += "<g fill=\"" + std::string(color) + "\"><title>" + xml_escape(series.label) + "</title>\n";
    for (size_t c = 0; c < n && c < series.values.size(); ++c) {
      const double v = series.values[c];
      if (!std::isfinite(v)) continue;
      const double x0 = left + slot * static_cast<double>(c);
      if (series.as_points) {
        svg += "<circle cx=\"" + num(x0 + slot / 2) + "\" cy=\"" + num(y_of(v)) + "\" r=\"3\"/>\n";
      } else {
        const double x = x0 + 3 + bar_w * static_cast<double>(bar_index);
        svg += "<rect x=\"" + num(x) + "\" y=\"" + num(y_of(v)) + "\" width=\"" + num(std::max(bar_w - 0.5, 0.5)) +
               "\" height=\"" + num(top + plot_h - y_of(v)) + "\"/>\n";
      }
    }
    svg += "</g>\n";
    if (!series.as_points) ++bar_index;
  }
  // Category labels.
  for (size_t c = 0; c < n; ++c) {
    const double x = left + slot * (static_cast<double>(c) + 0.5);
    const double y = top + plot_h + 8;
    svg += "<text transform=\"translate(" + num(x + 3) + "," + num(y) + ") rotate(-60)\" text-anchor=\"end\">" +
           xml_escape(spec.categories[c]) + "</text>\n";
  }
  // Legend.
  for (size_t s = 0; s < spec.series.size(); ++s) {
    const char* color = kPalette[s % (sizeof kPalette / sizeof kPalette[0])];
    const double y = top + plot_h + label_h + 24.0 * static_cast<double>(s) + 10;
    if (spec.series[s].as_points) {
      svg += "<circle cx=\"" + num(left + 6) + "\" cy=\"" + num(y + 6) + "\" r=\"4\" fill=\"" + color + "\"/>\n";
    } else {
      svg += "<rect x=\"" + num(left) + "\" y=\"" + num(y) + "\" width=\"12\" height=\"12\" fill=\"" + color + "\"/>\n";
    }
    svg += "<text x=\"" + num(left + 18) + "\" y=\"" + num(y + 10) + "\">" + xml_escape(spec.series[s].label) +
           "</text>\n";
  }
  svg += "</svg>\n";
  return svg;
}

std::string markdown_cell(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

}  // namespace clippo::evaluation

// Retrieval report formatting: JSON shape, side-by-side Markdown, well-formed SVG.
#include "evaluation/retrieval_report.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "evaluation/svg_chart.h"

namespace clippo::evaluation {
namespace {

std::vector<ModelRetrieval> two_models() {
  ModelRetrieval a{"CLIPPO <B/16> & \"co\"", {0.5, 0.7, 0.8}, {0.4, 0.6, 0.7}, {}};
  a.per_language.push_back({"en", {0.6, 0.8, 0.9}, {0.5, 0.7, 0.8}, 3600, 7200});
  a.per_language.push_back({"de", {0.4, 0.6, 0.7}, {0.3, 0.5, 0.6}, 3600, 7100});
  ModelRetrieval b{"1T-CLIP", {0.3, 0.5, 0.6}, {0.2, 0.4, 0.5}, {}};
  b.per_language.push_back({"en", {0.3, 0.5, 0.6}, {0.2, 0.4, 0.5}, 3600, 7200});
  return {a, b};
}

TEST(RetrievalReportTest, JsonHasMeanAndPerLanguage) {
  const nlohmann::json j = retrieval_to_json(two_models()[0]);
  EXPECT_DOUBLE_EQ(j["mean"]["i2t"]["r1"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(j["mean"]["t2i"]["r10"].get<double>(), 0.7);
  EXPECT_DOUBLE_EQ(j["per_language"]["de"]["t2i"]["r5"].get<double>(), 0.5);
  EXPECT_EQ(j["per_language"]["en"]["n_images"], 3600);
  EXPECT_EQ(j["per_language"]["en"]["n_captions"], 7200);
  // Chance next to every figure: one image of 3600 for each caption.
  EXPECT_DOUBLE_EQ(j["per_language"]["en"]["chance_t2i"]["r5"].get<double>(), 5.0 / 3600);
}

TEST(RetrievalReportTest, ChanceIsKOverTheImagesCappedAtOne) {
  EXPECT_DOUBLE_EQ(chance_t2i(200).r1, 0.005);
  EXPECT_DOUBLE_EQ(chance_t2i(200).r10, 0.05);
  EXPECT_DOUBLE_EQ(chance_t2i(4).r5, 1.0);
  EXPECT_DOUBLE_EQ(chance_t2i(0).r1, 0.0);
}

TEST(RetrievalReportTest, MarkdownPutsModelsSideBySide) {
  const std::string md = retrieval_markdown(two_models());
  EXPECT_NE(md.find("| de | 40.0 | 60.0 | 70.0 | 30.0 | 50.0 | 60.0 | - | - | - | - | - | - |"), std::string::npos) << md;
  EXPECT_NE(md.find(" chance | | |"), std::string::npos) << md;
  EXPECT_NE(md.find("| **mean** | 50.0 | 70.0 | 80.0 | 40.0 | 60.0 | 70.0 | 30.0 |"), std::string::npos) << md;
  EXPECT_LT(md.find("| de |"), md.find("| en |"));
}

TEST(RetrievalReportTest, SvgIsWellFormedWithEscapedLabels) {
  const std::string svg = retrieval_svg(two_models());
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("CLIPPO &lt;B/16&gt; &amp; &quot;co&quot;"), std::string::npos);
  EXPECT_EQ(svg.find("<B/16>"), std::string::npos);
  // Tags balance: every <g> closes, one root.
  size_t open = 0, close = 0;
  for (size_t p = 0; (p = svg.find("<g ", p)) != std::string::npos; ++p) ++open;
  for (size_t p = 0; (p = svg.find("</g>", p)) != std::string::npos; ++p) ++close;
  EXPECT_EQ(open, close);
  EXPECT_EQ(svg.find("<svg"), svg.rfind("<svg"));
  EXPECT_NE(svg.find("</svg>\n"), std::string::npos);
}

TEST(SvgChartTest, EscapesAndDropsWhatXmlForbids) {
  EXPECT_EQ(xml_escape("a<b>&'\""), "a&lt;b&gt;&amp;&apos;&quot;");
  EXPECT_EQ(xml_escape(std::string("x\x01y", 3)), "xy");
  EXPECT_EQ(xml_escape("\xFF"), "\xEF\xBF\xBD");  // ill-formed byte -> U+FFFD
}

}  // namespace
}  // namespace clippo::evaluation

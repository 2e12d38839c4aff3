// The summary's charts, drawn here as inline SVG (no chart library, no script): stripped
// bytes per site and reason as stacked bars, and the stripped share of each kept document as
// a histogram. Each reason has a colour from the Okabe-Ito palette (told apart with the common
// colour-vision deficiencies) and a hatch pattern of its own, so the chart also reads in grey.
// Labels are escaped like every other text of the review; sizes are fixed by the number of
// rows, never by the data.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "dupstrip/review_internal.hpp"

namespace dupstrip::detail::review {

namespace {

struct reason_style {
  const char* colour;
  const char* hatch;  // the pattern's strokes, drawn over the colour in a 8x8 tile
};
constexpr reason_style styles[reason_count] = {
    {"#E69F00", "<path d='M0 8L8 0' stroke='#000' stroke-opacity='.45' stroke-width='1.5'/>"},       // boilerplate: /
    {"#56B4E9", "<circle cx='4' cy='4' r='1.6' fill='#000' fill-opacity='.45'/>"},                   // corpus: dots
    {"#009E73", "<path d='M0 4H8' stroke='#000' stroke-opacity='.45' stroke-width='1.5'/>"},         // template: -
    {"#F0E442", "<path d='M0 8L8 0M0 0L8 8' stroke='#000' stroke-opacity='.4' stroke-width='1'/>"},  // repeat: x
    {"#0072B2", "<path d='M4 0V8' stroke='#fff' stroke-opacity='.6' stroke-width='1.5'/>"},          // line repeat: |
    {"#D55E00", "<path d='M0 0L8 8' stroke='#000' stroke-opacity='.45' stroke-width='1.5'/>"},  // links: falling lines
    {"#CC79A7", "<path d='M0 4L4 0L8 4L4 8Z' fill='#000' fill-opacity='.3'/>"},  // outside main: diamonds
    {"#999999", ""},                                                             // other: plain grey
};

std::string pattern_defs(std::string_view prefix) {
  std::string s = "<defs>";
  for (std::size_t r = 0; r < reason_count; ++r) {
    // The hatch strings use single quotes: they are our own constants, never data.
    std::string hatch = styles[r].hatch;
    std::replace(hatch.begin(), hatch.end(), '\'', '"');
    s += fmt::format(
        "<pattern id=\"{}-{}\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\"><rect width=\"8\" "
        "height=\"8\" fill=\"{}\"/>{}</pattern>",
        prefix, reason_key(static_cast<reason>(r)), styles[r].colour, hatch);
  }
  s += "</defs>";
  return s;
}

}  // namespace

std::string bar_chart_svg(const std::vector<bar_row>& rows, std::string_view title) {
  constexpr int label_w = 210, bar_w = 440, value_w = 90, row_h = 22, top = 8;
  const int width = label_w + bar_w + value_w;
  const int height = top + static_cast<int>(rows.size()) * row_h + 8;
  std::uint64_t max_total = 0;
  for (const bar_row& r : rows) {
    std::uint64_t t = 0;
    for (const std::uint64_t v : r.values) t += v;
    max_total = std::max(max_total, t);
  }
  std::string s = fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" "
      "aria-labelledby=\"bars-title\" font-family=\"sans-serif\" font-size=\"12\">",
      width, height, width, height);
  s += "<title id=\"bars-title\">";
  append_html_escaped(s, title);
  s += "</title>" + pattern_defs("bp");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const bar_row& r = rows[i];
    const int y = top + static_cast<int>(i) * row_h;
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"currentColor\">", label_w - 8, y + 15);
    append_escaped_cut(s, r.label, 30);
    s += "</text>";
    double x = label_w;
    std::uint64_t total = 0;
    for (std::size_t k = 0; k < reason_count; ++k) {
      total += r.values[k];
      if (r.values[k] == 0 || max_total == 0) continue;
      const double w = static_cast<double>(bar_w) * static_cast<double>(r.values[k]) / static_cast<double>(max_total);
      s += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"url(#bp-{})\" stroke=\"#333\" "
          "stroke-width=\"0.5\"><title>",
          x, y + 3, std::max(w, 0.5), row_h - 6, reason_key(static_cast<reason>(k)));
      append_escaped_cut(s, r.label, 120);
      s += fmt::format(": {} {}</title></rect>", reason_label(static_cast<reason>(k)), human_bytes(r.values[k]));
      x += w;
    }
    s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" fill=\"currentColor\">{}</text>", x + 6, y + 15, human_bytes(total));
  }
  s += "</svg>";
  return s;
}

std::string histogram_svg(const std::vector<std::uint64_t>& bins, double marker, std::string_view marker_label,
                          std::string_view title) {
  constexpr int left = 56, plot_w = 600, plot_h = 200, top = 16, bottom = 40;
  const int width = left + plot_w + 20;
  const int height = top + plot_h + bottom;
  const std::uint64_t max_count = bins.empty() ? 0 : *std::max_element(bins.begin(), bins.end());
  std::string s = fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" "
      "aria-labelledby=\"hist-title\" "
      "font-family=\"sans-serif\" font-size=\"12\">",
      width, height, width, height);
  s += "<title id=\"hist-title\">";
  append_html_escaped(s, title);
  s += "</title>";
  // Axes and a few gridlines (counts on a linear scale).
  s += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"currentColor\"/>", left, top + plot_h,
                   left + plot_w, top + plot_h);
  for (int g = 0; g <= 4; ++g) {
    const int y = top + plot_h - plot_h * g / 4;
    const std::uint64_t v = max_count * static_cast<std::uint64_t>(g) / 4;
    s += fmt::format(
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"currentColor\" stroke-opacity=\".15\"/>"
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"currentColor\">{}</text>",
        left, y, left + plot_w, y, left - 6, y + 4, thousands(v));
  }
  const std::size_t n = bins.size();
  for (std::size_t i = 0; i < n; ++i) {
    const double bw = static_cast<double>(plot_w) / static_cast<double>(n);
    const double h = max_count == 0
                         ? 0
                         : static_cast<double>(plot_h) * static_cast<double>(bins[i]) / static_cast<double>(max_count);
    const double x = left + bw * static_cast<double>(i);
    s += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"#0072B2\"><title>{}\u2013{}% "
        "stripped: {} documents</title></rect>",
        x + 1, top + plot_h - h, bw - 2, h, i * 100 / n, (i + 1) * 100 / n, thousands(bins[i]));
    if (bins[i] != 0 && h >= 0)
      s += fmt::format(
          "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" font-size=\"10\" fill=\"currentColor\">{}</text>",
          x + bw / 2, top + plot_h - h - 3, thousands(bins[i]));
  }
  for (int t = 0; t <= 10; t += 2) {
    const int x = left + plot_w * t / 10;
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"currentColor\">{}%</text>", x,
                     top + plot_h + 16, t * 10);
  }
  s += fmt::format(
      "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"currentColor\">share of the document's "
      "bytes stripped</text>",
      left + plot_w / 2, top + plot_h + 34);
  if (marker >= 0 && marker <= 1) {
    const double x = left + static_cast<double>(plot_w) * marker;
    s += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" y2=\"{}\" stroke=\"#D55E00\" stroke-width=\"2\" "
        "stroke-dasharray=\"5 4\"/><text x=\"{:.1f}\" y=\"{}\" text-anchor=\"end\" fill=\"#D55E00\">",
        x, top, x, top + plot_h, x - 4, top + 10);
    append_html_escaped(s, marker_label);
    s += "</text>";
  }
  s += "</svg>";
  return s;
}

std::string reason_legend(bool with_filters) {
  std::string s = "<ul class=\"legend\" aria-label=\"Reasons\">";
  for (std::size_t r = 0; r < reason_count; ++r) {
    const char* key = reason_key(static_cast<reason>(r));
    s += "<li>";
    if (with_filters) {
      s += fmt::format("<label><input type=\"checkbox\" checked data-toggle-reason=\"{}\"> ", key);
    }
    s += fmt::format("<span class=\"sw r-{}\" aria-hidden=\"true\"></span><span class=\"tag\">{}</span> {}", key,
                     reason_tag(static_cast<reason>(r)), reason_label(static_cast<reason>(r)));
    if (with_filters) s += "</label>";
    s += "</li>";
  }
  s += "</ul>\n";
  return s;
}

}  // namespace dupstrip::detail::review

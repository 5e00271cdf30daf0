#pragma once
// Matplotlib-style charts of detector results (ROC curves, score histograms,
// loss curves) drawn with gad's own rasterizer and written as PNG files.
//
// Torch-free on purpose: everything takes std::vector<double>, so a tool that
// only plots numbers does not pay for compiling LibTorch headers.
//
// Each *_png function validates all of its input before touching the file
// system, throws gad::invalid_argument on bad input or an unwritable path, and
// writes atomically (path + ".tmp", then a rename). The matching *_chart
// function returns the canvas instead, for callers that compose or inspect.
#include <gad/core/error.hpp>
#include <gad/report/plot/canvas.hpp>
#include <gad/report/plot/font.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace gad::plot {

/// One named curve of a line chart.
struct series {
  std::string name;
  std::vector<double> x, y;
};

/// Matplotlib's default "tab10" colour cycle.
inline constexpr std::array<rgb, 10> kTab10 = {
    hex(0x1F77B4), hex(0xFF7F0E), hex(0x2CA02C), hex(0xD62728), hex(0x9467BD),
    hex(0x8C564B), hex(0xE377C2), hex(0x7F7F7F), hex(0xBCBD22), hex(0x17BECF)};

namespace detail {

inline constexpr int kCanvasWidth = 640;
inline constexpr int kCanvasHeight = 480;
inline constexpr int kTitleScale = 2;
inline constexpr int kTickLength = 4;
inline constexpr int kOuterPad = 10;
inline constexpr double kLineWidth = 2.0;

struct interval {
  double lo;
  double hi;
};

inline void require_finite(const std::vector<double>& v, const std::string& where,
                           const std::string& name) {
  if (v.empty()) throw invalid_argument(where + ": " + name + " is empty");
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) {
      throw invalid_argument(where + ": " + name + "[" + std::to_string(i) + "] is not finite (" +
                             std::to_string(v[i]) + ")");
    }
  }
}

inline void require_same_size(const std::vector<double>& a, const std::vector<double>& b,
                              const std::string& where, const std::string& names) {
  if (a.size() != b.size()) {
    throw invalid_argument(where + ": " + names + " differ in size (" + std::to_string(a.size()) +
                           " vs " + std::to_string(b.size()) + ")");
  }
}

// Data range grown by matplotlib's default 5% margin; a degenerate range is
// widened so that a constant series still gets an axis.
inline interval padded_range(double lo, double hi, double margin = 0.05) {
  if (hi - lo <= std::abs(hi) * 1e-12) {
    const double half = lo == 0 ? 1.0 : std::abs(lo) * 0.1;
    return {lo - half, hi + half};
  }
  const double pad = (hi - lo) * margin;
  return {lo - pad, hi + pad};
}

// Steps of 1, 2, 2.5 or 5 times a power of ten, aiming at about `target` ticks,
// like matplotlib's MaxNLocator.
inline double tick_step(interval r, int target) {
  const double raw = (r.hi - r.lo) / std::max(target, 1);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / mag;
  double nice = 10;
  if (norm < 1.5) {
    nice = 1;
  } else if (norm < 2.25) {
    nice = 2;
  } else if (norm < 3.5) {
    nice = 2.5;
  } else if (norm < 7.5) {
    nice = 5;
  }
  return nice * mag;
}

inline std::vector<double> ticks(interval r, double step) {
  std::vector<double> out;
  const double first = std::ceil(r.lo / step - 1e-9);
  for (int i = 0;; ++i) {
    const double v = (first + i) * step;
    if (v > r.hi + step * 1e-9 || i > 1000) break;
    out.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  }
  return out;
}

// Just enough decimals that neighbouring ticks differ ("0.25", not "0.250").
inline std::string format_tick(double v, double step) {
  char buf[64];
  const double mag = std::max(std::abs(v), step);
  if (mag >= 1e6 || step < 1e-5) {
    std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
  }
  int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
  const double scaled = step * std::pow(10.0, decimals);
  if (std::abs(scaled - std::round(scaled)) > 1e-6) ++decimals;  // 2.5 x 10^k
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// Plot area and the data window mapped onto it.
struct axes {
  double left = 0;
  double top = 0;
  double right = 0;
  double bottom = 0;
  interval x{0, 1};
  interval y{0, 1};

  double px(double v) const { return left + (v - x.lo) / (x.hi - x.lo) * (right - left); }
  double py(double v) const { return bottom - (v - y.lo) / (y.hi - y.lo) * (bottom - top); }
};

struct frame_text {
  std::string title;
  std::string xlabel;
  std::string ylabel;
};

struct tick_set {
  std::vector<double> values;
  std::vector<std::string> labels;
};

inline tick_set make_ticks(interval r, int target) {
  tick_set t;
  const double step = tick_step(r, target);
  t.values = ticks(r, step);
  for (double v : t.values) t.labels.push_back(format_tick(v, step));
  return t;
}

// Chooses the plot area for `data_x` x `data_y` on `c`, leaving room for the
// title, labels and tick labels. With `square`, the area is square and
// centred (an ROC plot whose diagonal is at 45 degrees).
inline axes layout(const canvas& c, interval data_x, interval data_y, const frame_text& text,
                   bool square, tick_set& xt, tick_set& yt) {
  const int label_h = font::kGlyphHeight;
  const double plot_h_guess = c.height() - 100.0;
  yt = make_ticks(data_y, std::max(3, static_cast<int>(plot_h_guess / 60)));
  int ytick_w = 0;
  for (const auto& s : yt.labels) ytick_w = std::max(ytick_w, font::text_width(s));
  axes a;
  a.x = data_x;
  a.y = data_y;
  a.top = kOuterPad + (text.title.empty() ? 0 : font::kCapHeight * kTitleScale + 12);
  a.left = kOuterPad + (text.ylabel.empty() ? 0 : label_h + 8) + ytick_w + 4 + kTickLength;
  a.right = c.width() - kOuterPad - 10;
  a.bottom =
      c.height() - kOuterPad - (text.xlabel.empty() ? 0 : label_h + 6) - label_h - 4 - kTickLength;
  if (square) {
    const double side = std::min(a.right - a.left, a.bottom - a.top);
    const double centre = (c.width() - side) / 2;
    a.left = std::max(a.left, std::floor(centre));
    a.right = a.left + side;
    a.bottom = a.top + side;
  }
  // Integer edges keep the spines crisp.
  a.left = std::round(a.left);
  a.right = std::round(a.right);
  a.top = std::round(a.top);
  a.bottom = std::round(a.bottom);
  xt = make_ticks(data_x, std::max(3, static_cast<int>((a.right - a.left) / 80)));
  return a;
}

// Grid, tick labels, axis labels and title; drawn before the data.
inline void draw_background(canvas& c, const axes& a, const tick_set& xt, const tick_set& yt,
                            const frame_text& text) {
  for (double v : xt.values) {
    const double x = std::round(a.px(v));
    c.fill_rect(x, a.top, x + 1, a.bottom, colors::grid);
    c.fill_rect(x, a.bottom, x + 1, a.bottom + kTickLength, colors::text);
  }
  for (double v : yt.values) {
    const double y = std::round(a.py(v));
    c.fill_rect(a.left, y, a.right, y + 1, colors::grid);
    c.fill_rect(a.left - kTickLength, y, a.left, y + 1, colors::text);
  }
  for (std::size_t i = 0; i < xt.values.size(); ++i) {
    c.draw_text(std::round(a.px(xt.values[i])) + 0.5, a.bottom + kTickLength + 4, xt.labels[i],
                colors::text, 1, h_align::center, v_align::top);
  }
  int ytick_w = 0;
  for (std::size_t i = 0; i < yt.values.size(); ++i) {
    ytick_w = std::max(ytick_w, font::text_width(yt.labels[i]));
    c.draw_text(a.left - kTickLength - 4, std::round(a.py(yt.values[i])) + 0.5, yt.labels[i],
                colors::text, 1, h_align::right, v_align::middle);
  }
  if (!text.xlabel.empty()) {
    c.draw_text((a.left + a.right) / 2, a.bottom + kTickLength + 4 + font::kGlyphHeight + 6,
                text.xlabel, colors::text, 1, h_align::center, v_align::top);
  }
  if (!text.ylabel.empty()) {
    const double x = a.left - kTickLength - 4 - ytick_w - 8 - font::kCapHeight / 2.0;
    c.draw_text_vertical(x, (a.top + a.bottom) / 2, text.ylabel, colors::text);
  }
  if (!text.title.empty()) {
    c.draw_text((a.left + a.right) / 2, a.top - 10, text.title, colors::text, kTitleScale,
                h_align::center, v_align::baseline);
  }
}

// The four spines; drawn after the data so that curves at the limits do not
// paint over them.
inline void draw_spines(canvas& c, const axes& a) {
  c.reset_clip();
  c.draw_rect(a.left - 1, a.top - 1, a.right + 1, a.bottom + 1, colors::text);
}

inline void clip_to(canvas& c, const axes& a) {
  c.set_clip(static_cast<int>(a.left), static_cast<int>(a.top), static_cast<int>(a.right),
             static_cast<int>(a.bottom));
}

enum class handle { line, dashed_line, line_marker, patch };

struct legend_entry {
  std::string label;
  rgb color;
  handle kind = handle::line;
  double alpha = 1.0;
};

enum class corner { upper_right, upper_left, lower_left, lower_right };

struct legend_box {
  double x0, y0, x1, y1;
};

inline constexpr int kLegendPad = 6;
inline constexpr int kLegendHandle = 24;
inline constexpr int kLegendRow = font::kGlyphHeight + 5;
inline constexpr int kLegendInset = 8;

inline legend_box legend_rect(const axes& a, const std::vector<legend_entry>& entries,
                              corner where) {
  int text_w = 0;
  for (const auto& e : entries) text_w = std::max(text_w, font::text_width(e.label));
  const double w = kLegendPad * 2 + kLegendHandle + 6 + text_w;
  const double h = kLegendPad * 2 + kLegendRow * static_cast<double>(entries.size()) - 4;
  const bool left = where == corner::upper_left || where == corner::lower_left;
  const bool upper = where == corner::upper_left || where == corner::upper_right;
  const double x0 = left ? a.left + kLegendInset : a.right - kLegendInset - w;
  const double y0 = upper ? a.top + kLegendInset : a.bottom - kLegendInset - h;
  return {x0, y0, x0 + w, y0 + h};
}

// Matplotlib's loc="best", simplified: the corner covering the fewest points.
inline corner best_corner(const axes& a, const std::vector<legend_entry>& entries,
                          const std::vector<std::pair<double, double>>& pixels) {
  corner best = corner::upper_right;
  std::size_t fewest = std::numeric_limits<std::size_t>::max();
  for (corner where :
       {corner::upper_right, corner::upper_left, corner::lower_left, corner::lower_right}) {
    const legend_box b = legend_rect(a, entries, where);
    std::size_t n = 0;
    for (const auto& [x, y] : pixels) n += x >= b.x0 && x <= b.x1 && y >= b.y0 && y <= b.y1;
    if (n < fewest) {
      fewest = n;
      best = where;
    }
  }
  return best;
}

inline void draw_legend(canvas& c, const axes& a, const std::vector<legend_entry>& entries,
                        corner where) {
  if (entries.empty()) return;
  c.reset_clip();
  const legend_box b = legend_rect(a, entries, where);
  const double x0 = std::round(b.x0);
  const double y0 = std::round(b.y0);
  const double x1 = std::round(b.x1);
  const double y1 = std::round(b.y1);
  c.fill_rect(x0, y0, x1, y1, colors::white, 0.8);
  c.draw_rect(x0, y0, x1, y1, colors::legend_edge);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    const double row_top = y0 + kLegendPad + kLegendRow * static_cast<double>(i);
    const double mid = row_top + font::kCapHeight / 2.0;
    const double hx0 = x0 + kLegendPad;
    const double hx1 = hx0 + kLegendHandle;
    switch (e.kind) {
      case handle::line:
        c.draw_line(hx0, mid, hx1, mid, e.color, kLineWidth, e.alpha);
        break;
      case handle::dashed_line:
        c.draw_dashed_line(hx0, mid, hx1, mid, e.color, 1.5, 6, 4, e.alpha);
        break;
      case handle::line_marker:
        c.draw_line(hx0, mid, hx1, mid, e.color, kLineWidth, e.alpha);
        c.fill_circle((hx0 + hx1) / 2, mid, 3.0, e.color, e.alpha);
        break;
      case handle::patch:
        c.fill_rect(hx0 + 4, row_top - 1, hx1 - 4, row_top + font::kCapHeight + 1, e.color,
                    e.alpha);
        break;
    }
    c.draw_text(hx1 + 6, row_top, e.label, colors::text);
  }
}

}  // namespace detail

/// ROC curve with circle markers, the chance diagonal and "AUROC = x.xxxx" in
/// the legend. fpr and tpr are the curve's points (e.g. from a metrics
/// function), equally long and within [0, 1].
inline canvas roc_chart(const std::vector<double>& fpr, const std::vector<double>& tpr,
                        double auroc, const std::string& title = "ROC") {
  const std::string where = "gad::plot::roc_png";
  detail::require_finite(fpr, where, "fpr");
  detail::require_finite(tpr, where, "tpr");
  detail::require_same_size(fpr, tpr, where, "fpr and tpr");
  const auto in_unit = [&](const std::vector<double>& v, const char* name) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] < -1e-9 || v[i] > 1 + 1e-9) {
        throw invalid_argument(where + ": " + name + "[" + std::to_string(i) +
                               "] = " + std::to_string(v[i]) + " is outside [0, 1]");
      }
    }
  };
  in_unit(fpr, "fpr");
  in_unit(tpr, "tpr");
  if (!std::isfinite(auroc) || auroc < 0 || auroc > 1) {
    throw invalid_argument(where + ": auroc must be within [0, 1], got " + std::to_string(auroc));
  }

  canvas c(detail::kCanvasWidth, detail::kCanvasHeight);
  const detail::frame_text text{title, "FPR: False positive rate", "TPR: True positive rate"};
  detail::tick_set xt, yt;
  const detail::interval unit{-0.02, 1.02};
  const detail::axes a = detail::layout(c, unit, unit, text, /*square=*/true, xt, yt);
  detail::draw_background(c, a, xt, yt, text);

  const rgb curve = kTab10[0];
  const rgb chance = hex(0x4D4D4D);
  detail::clip_to(c, a);
  c.draw_dashed_line(a.px(0), a.py(0), a.px(1), a.py(1), chance, 1.5, 6, 4);
  std::vector<double> xs(fpr.size()), ys(tpr.size());
  for (std::size_t i = 0; i < fpr.size(); ++i) {
    xs[i] = a.px(fpr[i]);
    ys[i] = a.py(tpr[i]);
  }
  c.draw_polyline(xs, ys, curve, detail::kLineWidth);
  // Like matplotlib's markevery: a marker only where it does not touch the
  // previous one, so that a curve with thousands of thresholds stays a curve.
  const double min_gap = 9.0;
  double last_x = -1e9, last_y = -1e9;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const bool last = i + 1 == xs.size();
    if (std::hypot(xs[i] - last_x, ys[i] - last_y) >= min_gap || (last && xs.size() == 1)) {
      c.fill_circle(xs[i], ys[i], 3.0, curve);
      last_x = xs[i];
      last_y = ys[i];
    }
  }
  detail::draw_spines(c, a);

  char label[64];
  std::snprintf(label, sizeof label, "AUROC = %.4f", auroc);
  detail::draw_legend(c, a,
                      {{label, curve, detail::handle::line_marker},
                       {"Chance (AUROC = 0.5)", chance, detail::handle::dashed_line}},
                      detail::corner::lower_right);
  return c;
}

inline void roc_png(const std::string& path, const std::vector<double>& fpr,
                    const std::vector<double>& tpr, double auroc,
                    const std::string& title = "ROC") {
  roc_chart(fpr, tpr, auroc, title).write_png(path);
}

/// Overlaid, semi-transparent histograms of the scores of normal (blue) and
/// anomalous (orange) samples over their common [min, max] range. Bars show the
/// fraction of each group per bin, so that groups of very different sizes (a
/// typical test split) remain comparable.
inline canvas histogram_chart(const std::vector<double>& normal_scores,
                              const std::vector<double>& anomalous_scores, int bins = 20,
                              const std::string& title = "Scores") {
  const std::string where = "gad::plot::histogram_png";
  detail::require_finite(normal_scores, where, "normal_scores");
  detail::require_finite(anomalous_scores, where, "anomalous_scores");
  // A bin narrower than a pixel cannot be drawn.
  constexpr int kMaxBins = 500;
  if (bins < 1 || bins > kMaxBins) {
    throw invalid_argument(where + ": bins must be within 1.." + std::to_string(kMaxBins) +
                           ", got " + std::to_string(bins));
  }
  const auto [n_lo, n_hi] = std::minmax_element(normal_scores.begin(), normal_scores.end());
  const auto [a_lo, a_hi] = std::minmax_element(anomalous_scores.begin(), anomalous_scores.end());
  double lo = std::min(*n_lo, *a_lo);
  double hi = std::max(*n_hi, *a_hi);
  if (hi - lo <= std::abs(hi) * 1e-12) {  // numpy's convention for a constant sample
    lo -= 0.5;
    hi += 0.5;
  }
  const double width = (hi - lo) / bins;
  const auto fractions = [&](const std::vector<double>& v) {
    std::vector<double> f(static_cast<std::size_t>(bins), 0.0);
    for (double s : v) {
      // The last bin is closed on the right, as in numpy.histogram.
      const int b = std::min(bins - 1, static_cast<int>((s - lo) / width));
      f[static_cast<std::size_t>(std::max(b, 0))] += 1.0;
    }
    for (double& x : f) x /= static_cast<double>(v.size());
    return f;
  };
  const std::vector<double> fn = fractions(normal_scores);
  const std::vector<double> fa = fractions(anomalous_scores);
  const double top =
      std::max(*std::max_element(fn.begin(), fn.end()), *std::max_element(fa.begin(), fa.end()));

  canvas c(detail::kCanvasWidth, detail::kCanvasHeight);
  const detail::frame_text text{title, "Anomaly score", "Fraction of samples"};
  detail::tick_set xt, yt;
  const detail::interval x_range = detail::padded_range(lo, hi);
  // Bars stand on zero, so the y axis starts there (matplotlib's sticky edge).
  const detail::interval y_range{0.0, top * 1.05};
  const detail::axes a = detail::layout(c, x_range, y_range, text, false, xt, yt);
  detail::draw_background(c, a, xt, yt, text);

  const rgb blue = kTab10[0];
  const rgb orange = kTab10[1];
  constexpr double kAlpha = 0.5;
  detail::clip_to(c, a);
  const auto draw_bars = [&](const std::vector<double>& f, rgb color) {
    for (int b = 0; b < bins; ++b) {
      const double v = f[static_cast<std::size_t>(b)];
      if (v <= 0) continue;
      c.fill_rect(a.px(lo + b * width), a.py(v), a.px(lo + (b + 1) * width), a.py(0), color,
                  kAlpha);
    }
  };
  draw_bars(fn, blue);
  draw_bars(fa, orange);
  detail::draw_spines(c, a);
  detail::draw_legend(c, a,
                      {{"Normal (n = " + std::to_string(normal_scores.size()) + ")", blue,
                        detail::handle::patch, kAlpha},
                       {"Anomalous (n = " + std::to_string(anomalous_scores.size()) + ")", orange,
                        detail::handle::patch, kAlpha}},
                      detail::corner::upper_left);
  return c;
}

inline void histogram_png(const std::string& path, const std::vector<double>& normal_scores,
                          const std::vector<double>& anomalous_scores, int bins = 20,
                          const std::string& title = "Scores") {
  histogram_chart(normal_scores, anomalous_scores, bins, title).write_png(path);
}

/// Line chart of one or more series (e.g. loss curves), coloured in matplotlib's
/// tab10 cycle, with a legend of the named series placed where it covers the
/// fewest points.
inline canvas line_chart(const std::vector<series>& lines, const std::string& title,
                         const std::string& xlabel, const std::string& ylabel) {
  const std::string where = "gad::plot::line_png";
  if (lines.empty()) throw invalid_argument(where + ": no series given");
  double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo;
  double y_lo = x_lo, y_hi = -x_lo;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const series& s = lines[i];
    const std::string name =
        "series " + std::to_string(i) + (s.name.empty() ? "" : " '" + s.name + "'");
    detail::require_finite(s.x, where, name + " x");
    detail::require_finite(s.y, where, name + " y");
    detail::require_same_size(s.x, s.y, where, name + " x and y");
    const auto [xl, xh] = std::minmax_element(s.x.begin(), s.x.end());
    const auto [yl, yh] = std::minmax_element(s.y.begin(), s.y.end());
    x_lo = std::min(x_lo, *xl);
    x_hi = std::max(x_hi, *xh);
    y_lo = std::min(y_lo, *yl);
    y_hi = std::max(y_hi, *yh);
  }

  canvas c(detail::kCanvasWidth, detail::kCanvasHeight);
  const detail::frame_text text{title, xlabel, ylabel};
  detail::tick_set xt, yt;
  const detail::axes a = detail::layout(c, detail::padded_range(x_lo, x_hi),
                                        detail::padded_range(y_lo, y_hi), text, false, xt, yt);
  detail::draw_background(c, a, xt, yt, text);

  detail::clip_to(c, a);
  std::vector<detail::legend_entry> entries;
  std::vector<std::pair<double, double>> occupied;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const series& s = lines[i];
    const rgb color = kTab10[i % kTab10.size()];
    std::vector<double> xs(s.x.size()), ys(s.y.size());
    for (std::size_t k = 0; k < s.x.size(); ++k) {
      xs[k] = a.px(s.x[k]);
      ys[k] = a.py(s.y[k]);
      // Sample along each segment too, so a long straight stretch through a
      // corner keeps the legend out of that corner.
      if (k > 0) {
        const double len = std::hypot(xs[k] - xs[k - 1], ys[k] - ys[k - 1]);
        const int steps = std::min(1000, static_cast<int>(len / 4));
        for (int j = 1; j < steps; ++j) {
          const double t = static_cast<double>(j) / steps;
          occupied.emplace_back(xs[k - 1] + t * (xs[k] - xs[k - 1]),
                                ys[k - 1] + t * (ys[k] - ys[k - 1]));
        }
      }
      occupied.emplace_back(xs[k], ys[k]);
    }
    if (xs.size() == 1) {
      c.fill_circle(xs[0], ys[0], 3.0, color);  // a lone point has no segment to draw
    } else {
      c.draw_polyline(xs, ys, color, detail::kLineWidth);
    }
    if (!s.name.empty()) entries.push_back({s.name, color, detail::handle::line});
  }
  detail::draw_spines(c, a);
  detail::draw_legend(c, a, entries, detail::best_corner(a, entries, occupied));
  return c;
}

inline void line_png(const std::string& path, const std::vector<series>& lines,
                     const std::string& title, const std::string& xlabel,
                     const std::string& ylabel) {
  line_chart(lines, title, xlabel, ylabel).write_png(path);
}

}  // namespace gad::plot

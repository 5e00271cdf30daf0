#pragma once
// A small RGB software rasterizer and PNG writer, so that examples and the CLI
// can save figures without a plotting stack. It is torch-free on purpose: the
// chart code built on it compiles in a fraction of the time a LibTorch TU takes.
//
// Coordinates are in pixels with the origin at the top-left corner; pixel
// (i, j) covers [i, i + 1) x [j, j + 1), so its centre is (i + 0.5, j + 0.5).
// Shapes take double coordinates and are anti-aliased by pixel coverage, which
// is what makes a 1-pixel line at y = 10.5 exactly one row of solid colour.
//
// PNG encoding comes from stb_image_write (Debian: libstb-dev, header only as
// far as gad is concerned). gad is header-only and cannot own the one TU that
// holds STB_IMAGE_WRITE_IMPLEMENTATION, so the implementation is compiled with
// STB_IMAGE_WRITE_STATIC: every TU that includes this header gets its own
// internal-linkage copy, and no symbol can clash at link time.
//
// A program that uses stb_image_write itself as well: in a TU that includes
// both, include <stb/stb_image_write.h> (with or without its implementation)
// before any gad/plot header; gad then uses that declaration instead of
// compiling its own copy, and the program's implementation TU provides it.
// The other order would compile stb's implementation twice in one TU.
#include <gad/core/error.hpp>
#include <gad/io/atomic_file.hpp>
#include <gad/report/plot/font.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#ifndef INCLUDE_STB_IMAGE_WRITE_H  // else the including program provides stb (see above)
#if defined(__GNUC__)
#pragma GCC diagnostic push
// Only the PNG writer is used; the static BMP/TGA/HDR/JPG writers are not.
#pragma GCC diagnostic ignored "-Wunused-function"
#endif
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>
#undef STB_IMAGE_WRITE_IMPLEMENTATION
#undef STB_IMAGE_WRITE_STATIC
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
#endif  // INCLUDE_STB_IMAGE_WRITE_H

namespace gad::plot {

/// An 8-bit sRGB colour.
struct rgb {
  std::uint8_t r = 0;
  std::uint8_t g = 0;
  std::uint8_t b = 0;

  friend constexpr bool operator==(rgb a, rgb b) { return a.r == b.r && a.g == b.g && a.b == b.b; }
  friend constexpr bool operator!=(rgb a, rgb b) { return !(a == b); }
};

/// Colour from 0xRRGGBB, so colours can be written as in matplotlib ("#1f77b4").
constexpr rgb hex(std::uint32_t rrggbb) {
  return {static_cast<std::uint8_t>((rrggbb >> 16) & 0xFF),
          static_cast<std::uint8_t>((rrggbb >> 8) & 0xFF),
          static_cast<std::uint8_t>(rrggbb & 0xFF)};
}

namespace colors {
inline constexpr rgb white = hex(0xFFFFFF);
inline constexpr rgb black = hex(0x000000);
inline constexpr rgb text = hex(0x262626);
inline constexpr rgb grid = hex(0xE5E5E5);
inline constexpr rgb legend_edge = hex(0xCCCCCC);
}  // namespace colors

enum class h_align { left, center, right };
/// `top` and `bottom` bound the whole line (descenders included); `middle` is
/// the middle of the capital height, which centres digits on a tick.
enum class v_align { top, middle, baseline, bottom };

namespace detail {

// Readers (a notebook polling the file, a CI artifact upload) must never see half a PNG: gad's
// one atomic writer, with a full disk or a missing folder reported with the system's reason.
inline void write_file_atomically(const std::string& path, const std::string& bytes) {
  if (path.empty()) throw invalid_argument("gad::plot: output path is empty");
  io::write_bytes_atomically<invalid_argument>(path, bytes.data(), bytes.size());
}

inline void append_bytes(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data),
                                             static_cast<std::size_t>(size));
}

constexpr double clamp01(double v) { return v < 0 ? 0 : (v > 1 ? 1 : v); }

// Length of the overlap of [a0, a1) with [b0, b1).
inline double overlap(double a0, double a1, double b0, double b1) {
  return std::max(0.0, std::min(a1, b1) - std::max(a0, b0));
}

}  // namespace detail

/// An RGB image in memory with drawing primitives. Everything drawn is clipped
/// to the clip rectangle (the whole canvas unless set_clip narrows it).
class canvas {
 public:
  /// Largest side accepted; keeps width * height * 3 far from int overflow in
  /// the encoder and catches sizes computed from garbage.
  static constexpr int kMaxSide = 1 << 15;
  /// Largest area accepted (8192 x 8192): the PNG encoder sizes its buffers in int.
  static constexpr std::int64_t kMaxPixels = std::int64_t{1} << 26;

  explicit canvas(int width = 640, int height = 480, rgb background = colors::white)
      : width_(width), height_(height) {
    if (width < 1 || height < 1 || width > kMaxSide || height > kMaxSide ||
        std::int64_t{width} * height > kMaxPixels) {
      throw invalid_argument("gad::plot::canvas: size must be within 1.." +
                             std::to_string(kMaxSide) + " per side and " +
                             std::to_string(kMaxPixels) + " pixels, got " + std::to_string(width) +
                             "x" + std::to_string(height));
    }
    pixels_.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3);
    clear(background);
    reset_clip();
  }

  int width() const { return width_; }
  int height() const { return height_; }
  /// Row-major RGB bytes, width * height * 3 of them.
  const std::vector<std::uint8_t>& data() const { return pixels_; }

  void clear(rgb color) {
    for (std::size_t i = 0; i < pixels_.size(); i += 3) {
      pixels_[i] = color.r;
      pixels_[i + 1] = color.g;
      pixels_[i + 2] = color.b;
    }
  }

  /// Restricts drawing to [x0, x1) x [y0, y1), e.g. the plot area of a chart.
  void set_clip(int x0, int y0, int x1, int y1) {
    clip_x0_ = std::clamp(std::min(x0, x1), 0, width_);
    clip_x1_ = std::clamp(std::max(x0, x1), 0, width_);
    clip_y0_ = std::clamp(std::min(y0, y1), 0, height_);
    clip_y1_ = std::clamp(std::max(y0, y1), 0, height_);
  }
  void reset_clip() { set_clip(0, 0, width_, height_); }

  /// The colour at (x, y); throws outside the canvas.
  rgb pixel(int x, int y) const {
    if (x < 0 || y < 0 || x >= width_ || y >= height_) {
      throw invalid_argument("gad::plot::canvas::pixel: (" + std::to_string(x) + ", " +
                             std::to_string(y) + ") is outside " + std::to_string(width_) + "x" +
                             std::to_string(height_));
    }
    const std::uint8_t* p = &pixels_[index(x, y)];
    return {p[0], p[1], p[2]};
  }

  void set_pixel(int x, int y, rgb color) { blend_pixel(x, y, color, 1.0); }

  /// Mixes `color` into (x, y) with opacity `alpha` (0..1); no-op outside the clip.
  void blend_pixel(int x, int y, rgb color, double alpha) {
    if (x < clip_x0_ || y < clip_y0_ || x >= clip_x1_ || y >= clip_y1_) return;
    alpha = detail::clamp01(alpha);
    if (alpha <= 0) return;
    std::uint8_t* p = &pixels_[index(x, y)];
    const auto mix = [alpha](std::uint8_t dst, std::uint8_t src) {
      return static_cast<std::uint8_t>(std::lround(src * alpha + dst * (1 - alpha)));
    };
    p[0] = mix(p[0], color.r);
    p[1] = mix(p[1], color.g);
    p[2] = mix(p[2], color.b);
  }

  /// Fills [x0, x1) x [y0, y1); fractional edges get partial coverage so that
  /// adjacent histogram bars neither overlap nor leave gaps.
  void fill_rect(double x0, double y0, double x1, double y1, rgb color, double alpha = 1.0) {
    if (x1 < x0) std::swap(x0, x1);
    if (y1 < y0) std::swap(y0, y1);
    const int ix0 = static_cast<int>(std::floor(std::max(x0, double(clip_x0_))));
    const int iy0 = static_cast<int>(std::floor(std::max(y0, double(clip_y0_))));
    const int ix1 = static_cast<int>(std::ceil(std::min(x1, double(clip_x1_))));
    const int iy1 = static_cast<int>(std::ceil(std::min(y1, double(clip_y1_))));
    for (int y = iy0; y < iy1; ++y) {
      const double cy = detail::overlap(y, y + 1, y0, y1);
      for (int x = ix0; x < ix1; ++x) {
        blend_pixel(x, y, color, alpha * cy * detail::overlap(x, x + 1, x0, x1));
      }
    }
  }

  /// Outline of [x0, x1) x [y0, y1), `width` pixels thick, drawn inside the box.
  void draw_rect(double x0, double y0, double x1, double y1, rgb color, double width = 1.0,
                 double alpha = 1.0) {
    if (x1 < x0) std::swap(x0, x1);
    if (y1 < y0) std::swap(y0, y1);
    fill_rect(x0, y0, x1, y0 + width, color, alpha);
    fill_rect(x0, y1 - width, x1, y1, color, alpha);
    fill_rect(x0, y0 + width, x0 + width, y1 - width, color, alpha);
    fill_rect(x1 - width, y0 + width, x1, y1 - width, color, alpha);
  }

  /// Anti-aliased segment with round caps, `width` pixels wide.
  void draw_line(double x0, double y0, double x1, double y1, rgb color, double width = 1.0,
                 double alpha = 1.0) {
    if (!std::isfinite(x0) || !std::isfinite(y0) || !std::isfinite(x1) || !std::isfinite(y1)) {
      return;
    }
    const double half = std::max(width, 0.0) / 2;
    const double reach = half + 1;
    const int bx0 = std::max(clip_x0_, static_cast<int>(std::floor(std::min(x0, x1) - reach)));
    const int by0 = std::max(clip_y0_, static_cast<int>(std::floor(std::min(y0, y1) - reach)));
    const int bx1 = std::min(clip_x1_, static_cast<int>(std::ceil(std::max(x0, x1) + reach)));
    const int by1 = std::min(clip_y1_, static_cast<int>(std::ceil(std::max(y0, y1) + reach)));
    const double dx = x1 - x0;
    const double dy = y1 - y0;
    const double len2 = dx * dx + dy * dy;
    // Lines thinner than a pixel fade instead of vanishing.
    const double thin = std::min(width, 1.0);
    for (int y = by0; y < by1; ++y) {
      const double py = y + 0.5;
      for (int x = bx0; x < bx1; ++x) {
        const double px = x + 0.5;
        double t = len2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / len2 : 0;
        t = detail::clamp01(t);
        const double ex = px - (x0 + t * dx);
        const double ey = py - (y0 + t * dy);
        const double d = std::sqrt(ex * ex + ey * ey);
        const double coverage = detail::clamp01(std::max(half, 0.5) + 0.5 - d) * thin;
        if (coverage > 0) blend_pixel(x, y, color, alpha * coverage);
      }
    }
  }

  /// Dashed segment: `dash` pixels drawn, `gap` pixels skipped, repeating.
  void draw_dashed_line(double x0, double y0, double x1, double y1, rgb color, double width = 1.0,
                        double dash = 6.0, double gap = 4.0, double alpha = 1.0) {
    const double len = std::hypot(x1 - x0, y1 - y0);
    if (!std::isfinite(len)) return;
    if (dash <= 0 || gap <= 0 || len <= dash) {
      draw_line(x0, y0, x1, y1, color, width, alpha);
      return;
    }
    const double ux = (x1 - x0) / len;
    const double uy = (y1 - y0) / len;
    for (double s = 0; s < len; s += dash + gap) {
      const double e = std::min(s + dash, len);
      draw_line(x0 + ux * s, y0 + uy * s, x0 + ux * e, y0 + uy * e, color, width, alpha);
    }
  }

  /// Polyline through (xs[i], ys[i]); joints are covered by the round caps.
  void draw_polyline(const std::vector<double>& xs, const std::vector<double>& ys, rgb color,
                     double width = 1.0, double alpha = 1.0) {
    const std::size_t n = std::min(xs.size(), ys.size());
    for (std::size_t i = 1; i < n; ++i) {
      draw_line(xs[i - 1], ys[i - 1], xs[i], ys[i], color, width, alpha);
    }
  }

  /// Anti-aliased filled disc.
  void fill_circle(double cx, double cy, double radius, rgb color, double alpha = 1.0) {
    if (!std::isfinite(cx) || !std::isfinite(cy) || !(radius > 0)) return;
    const int bx0 = std::max(clip_x0_, static_cast<int>(std::floor(cx - radius - 1)));
    const int by0 = std::max(clip_y0_, static_cast<int>(std::floor(cy - radius - 1)));
    const int bx1 = std::min(clip_x1_, static_cast<int>(std::ceil(cx + radius + 1)));
    const int by1 = std::min(clip_y1_, static_cast<int>(std::ceil(cy + radius + 1)));
    for (int y = by0; y < by1; ++y) {
      for (int x = bx0; x < bx1; ++x) {
        const double d = std::hypot(x + 0.5 - cx, y + 0.5 - cy);
        const double coverage = detail::clamp01(radius + 0.5 - d);
        if (coverage > 0) blend_pixel(x, y, color, alpha * coverage);
      }
    }
  }

  /// Draws `text` in the built-in font, `scale` times enlarged, anchored at (x, y).
  void draw_text(double x, double y, const std::string& text, rgb color, int scale = 1,
                 h_align ha = h_align::left, v_align va = v_align::top) {
    scale = std::max(scale, 1);
    const int w = font::text_width(text, scale);
    int left = static_cast<int>(std::lround(x));
    if (ha == h_align::center) left -= w / 2;
    if (ha == h_align::right) left -= w;
    const int top = static_cast<int>(std::lround(y)) - text_top_offset(va, scale);
    for (char c : text) {
      const int gw = font::glyph_width(c);
      for (int row = 0; row < font::kGlyphHeight; ++row) {
        for (int col = 0; col < gw; ++col) {
          if (!font::glyph_pixel(c, col, row)) continue;
          fill_block(left + col * scale, top + row * scale, scale, color);
        }
      }
      left += font::advance(c) * scale;
    }
  }

  /// Draws `text` rotated 90 degrees counter-clockwise (reading upwards, as a
  /// y-axis label), centred on (cx, cy).
  void draw_text_vertical(double cx, double cy, const std::string& text, rgb color, int scale = 1) {
    scale = std::max(scale, 1);
    const int w = font::text_width(text, scale);
    const int h = font::kCapHeight * scale;
    // Text-space (along, down) maps to canvas (left + down, bottom - along).
    const int left = static_cast<int>(std::lround(cx)) - h / 2;
    int bottom = static_cast<int>(std::lround(cy)) + w / 2;
    for (char c : text) {
      const int gw = font::glyph_width(c);
      for (int row = 0; row < font::kGlyphHeight; ++row) {
        for (int col = 0; col < gw; ++col) {
          if (!font::glyph_pixel(c, col, row)) continue;
          fill_block(left + row * scale, bottom - (col + 1) * scale, scale, color);
        }
      }
      bottom -= font::advance(c) * scale;
    }
  }

  /// The image encoded as PNG bytes.
  std::string encode_png() const {
    std::string bytes;
    const int ok = stbi_write_png_to_func(&detail::append_bytes, &bytes, width_, height_, 3,
                                          pixels_.data(), width_ * 3);
    if (!ok) throw error("gad::plot: PNG encoding failed (out of memory?)");
    return bytes;
  }

  /// Writes the image as a PNG, atomically (io::write_bytes_atomically).
  /// Throws gad::invalid_argument naming `path` if it cannot be written.
  void write_png(const std::string& path) const {
    detail::write_file_atomically(path, encode_png());
  }

 private:
  std::size_t index(int x, int y) const {
    return (static_cast<std::size_t>(y) * static_cast<std::size_t>(width_) +
            static_cast<std::size_t>(x)) *
           3;
  }

  static int text_top_offset(v_align va, int scale) {
    switch (va) {
      case v_align::top:
        return 0;
      case v_align::middle:
        return font::kCapHeight * scale / 2;
      case v_align::baseline:
        return font::kCapHeight * scale;
      case v_align::bottom:
        return font::kGlyphHeight * scale;
    }
    return 0;
  }

  void fill_block(int x, int y, int size, rgb color) {
    for (int j = 0; j < size; ++j) {
      for (int i = 0; i < size; ++i) blend_pixel(x + i, y + j, color, 1.0);
    }
  }

  int width_;
  int height_;
  int clip_x0_ = 0;
  int clip_y0_ = 0;
  int clip_x1_ = 0;
  int clip_y1_ = 0;
  std::vector<std::uint8_t> pixels_;
};

}  // namespace gad::plot

#pragma once
// A grid of images (generated samples, reconstructions) saved as one PNG, laid
// out like torchvision.utils.make_grid. The only plot header that needs torch;
// the charts stay torch-free.
#include <gad/core/error.hpp>
#include <gad/report/plot/canvas.hpp>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

namespace gad::plot {

/// Renders `images` [N, C, H, W] (C = 1 or 3, any real dtype, any device) as a
/// grid of `nrow` images per row with `padding` white pixels around and between
/// them; values in [lo, hi] map to 0..255 and values outside are clamped.
/// The grid is then enlarged `scale` times (nearest neighbour, padding
/// included), so that 28x28 digits stay visible. Before scaling, the size is
/// make_grid's: rows * (H + padding) + padding high and
/// min(N, nrow) * (W + padding) + padding wide. Unlike make_grid, a single
/// image is padded too, so that every grid gad writes has a frame.
inline canvas image_grid(const torch::Tensor& images, int64_t nrow, int padding = 4, double lo = -1,
                         double hi = 1, int scale = 1) {
  const std::string where = "gad::plot::image_grid_png";
  if (!images.defined()) throw invalid_argument(where + ": images is an undefined tensor");
  if (images.dim() != 4) {
    throw invalid_argument(where + ": expected images of shape [N, C, H, W], got " +
                           std::to_string(images.dim()) + " dimensions");
  }
  const int64_t n = images.size(0);
  const int64_t channels = images.size(1);
  const int64_t h = images.size(2);
  const int64_t w = images.size(3);
  if (n < 1 || h < 1 || w < 1) throw invalid_argument(where + ": images is empty");
  if (channels != 1 && channels != 3) {
    throw invalid_argument(where + ": expected 1 or 3 channels, got " + std::to_string(channels));
  }
  if (images.is_complex() || images.scalar_type() == torch::kBool) {
    throw invalid_argument(where + ": expected a real-valued tensor");
  }
  if (nrow < 1) throw invalid_argument(where + ": nrow must be >= 1, got " + std::to_string(nrow));
  // Bounding padding and scale up front keeps the size arithmetic below far
  // from int64 overflow whatever the caller passes.
  if (padding < 0 || padding > canvas::kMaxSide) {
    throw invalid_argument(where + ": padding must be within 0.." +
                           std::to_string(canvas::kMaxSide) + ", got " + std::to_string(padding));
  }
  if (scale < 1 || scale > canvas::kMaxSide) {
    throw invalid_argument(where + ": scale must be within 1.." + std::to_string(canvas::kMaxSide) +
                           ", got " + std::to_string(scale));
  }
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi)) {
    throw invalid_argument(where + ": need finite lo < hi, got [" + std::to_string(lo) + ", " +
                           std::to_string(hi) + "]");
  }

  const int64_t cols = std::min(n, nrow);
  const int64_t rows = (n + cols - 1) / cols;
  const int64_t grid_w = cols * (w + padding) + padding;
  const int64_t grid_h = rows * (h + padding) + padding;
  if (grid_w * scale > canvas::kMaxSide || grid_h * scale > canvas::kMaxSide ||
      grid_w * scale * grid_h * scale > canvas::kMaxPixels) {
    throw invalid_argument(where + ": a " + std::to_string(grid_w * scale) + "x" +
                           std::to_string(grid_h * scale) + " grid is too large (at most " +
                           std::to_string(canvas::kMaxSide) + " pixels per side and " +
                           std::to_string(canvas::kMaxPixels) + " in all)");
  }

  torch::Tensor pixels;
  {
    torch::NoGradGuard no_grad;
    const torch::Tensor x = images.detach().to(torch::kCPU, torch::kDouble);
    if (!torch::isfinite(x).all().item<bool>()) {
      throw invalid_argument(where + ": images contain non-finite values");
    }
    // Round half up, as torchvision's save_image does (x * 255 + 0.5).
    pixels = ((x - lo) / (hi - lo)).clamp(0, 1).mul(255).add(0.5).floor().to(torch::kUInt8);
    if (channels == 1) pixels = pixels.expand({n, 3, h, w});
    pixels = pixels.permute({0, 2, 3, 1}).contiguous();  // [N, H, W, 3]: one memcpy-able row
  }
  const std::uint8_t* src = pixels.data_ptr<std::uint8_t>();

  canvas c(static_cast<int>(grid_w * scale), static_cast<int>(grid_h * scale));
  for (int64_t k = 0; k < n; ++k) {
    const int64_t x0 = (k % cols) * (w + padding) + padding;
    const int64_t y0 = (k / cols) * (h + padding) + padding;
    const std::uint8_t* img = src + k * h * w * 3;
    for (int64_t y = 0; y < h; ++y) {
      for (int64_t x = 0; x < w; ++x) {
        const std::uint8_t* p = img + (y * w + x) * 3;
        const rgb color{p[0], p[1], p[2]};
        for (int sy = 0; sy < scale; ++sy) {
          for (int sx = 0; sx < scale; ++sx) {
            c.set_pixel(static_cast<int>((x0 + x) * scale + sx),
                        static_cast<int>((y0 + y) * scale + sy), color);
          }
        }
      }
    }
  }
  return c;
}

/// image_grid written as a PNG, atomically (path + ".tmp", then a rename).
inline void image_grid_png(const std::string& path, const torch::Tensor& images, int64_t nrow,
                           int padding = 4, double lo = -1, double hi = 1, int scale = 1) {
  image_grid(images, nrow, padding, lo, hi, scale).write_png(path);
}

}  // namespace gad::plot

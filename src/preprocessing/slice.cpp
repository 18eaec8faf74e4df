#include "lvsi/preprocessing/slice.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "lvsi/core/error.h"

namespace lvsi::preprocessing {
namespace {

// Percentile with linear interpolation between order statistics (numpy's default).
double Percentile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const double pos = q / 100.0 * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (pos - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

}  // namespace

std::size_t LargestMaskSlice(const Mask& mask, std::size_t* area) {
  const auto& size = mask.geometry().size;
  std::size_t best = 0, best_area = 0;
  for (std::size_t k = 0; k < size[2]; ++k) {
    std::size_t count = 0;
    for (std::size_t j = 0; j < size[1]; ++j)
      for (std::size_t i = 0; i < size[0]; ++i) count += mask(i, j, k) != 0;
    if (count > best_area) {
      best_area = count;
      best = k;
    }
  }
  if (best_area == 0) throw InvalidArgument("largest tumour slice: the mask is empty");
  if (area) *area = best_area;
  return best;
}

std::vector<double> ResizeBilinear(const std::vector<double>& plane, int width, int height, int out_width,
                                   int out_height) {
  if (width < 1 || height < 1 || out_width < 1 || out_height < 1 ||
      plane.size() != static_cast<std::size_t>(width) * static_cast<std::size_t>(height))
    throw InvalidArgument("bilinear resize: bad sizes");
  std::vector<double> out(static_cast<std::size_t>(out_width) * static_cast<std::size_t>(out_height));
  const double sx = static_cast<double>(width) / out_width, sy = static_cast<double>(height) / out_height;
  auto axis = [](int o, double scale, int n, int* i0, int* i1, double* w1) {
    double src = (o + 0.5) * scale - 0.5;
    if (src < 0) src = 0;
    *i0 = std::min(static_cast<int>(std::floor(src)), n - 1);
    *i1 = std::min(*i0 + 1, n - 1);
    *w1 = src - *i0;
  };
  for (int y = 0; y < out_height; ++y) {
    int y0, y1;
    double wy;
    axis(y, sy, height, &y0, &y1, &wy);
    for (int x = 0; x < out_width; ++x) {
      int x0, x1;
      double wx;
      axis(x, sx, width, &x0, &x1, &wx);
      auto at = [&](int xx, int yy) { return plane[static_cast<std::size_t>(yy) * width + xx]; };
      out[static_cast<std::size_t>(y) * out_width + x] =
          (1 - wy) * ((1 - wx) * at(x0, y0) + wx * at(x1, y0)) + wy * ((1 - wx) * at(x0, y1) + wx * at(x1, y1));
    }
  }
  return out;
}

bool SliceSettings::IsValid(std::string* why) const {
  if (size < 8 || margin < 0 || !(low_percentile >= 0) || !(high_percentile <= 100) ||
      !(low_percentile < high_percentile))
    return Invalid(why, "size >= 8, margin >= 0 and 0 <= low < high <= 100 are required");
  return true;
}

TumourSlice ExtractTumourSlice(const Image& image, const Mask& mask, const SliceSettings& options) {
  if (image.geometry().size != mask.geometry().size)
    throw GeometryError(Input::kMask, "the mask's size differs from the image's");
  CheckValid(options, "tumour slice");
  TumourSlice out;
  out.slice = LargestMaskSlice(mask, &out.area);
  const auto& size = image.geometry().size;
  const long nx = static_cast<long>(size[0]), ny = static_cast<long>(size[1]);
  const std::size_t k = out.slice;
  long x0 = nx, x1 = -1, y0 = ny, y1 = -1;
  for (long j = 0; j < ny; ++j)
    for (long i = 0; i < nx; ++i)
      if (mask(static_cast<std::size_t>(i), static_cast<std::size_t>(j), k)) {
        x0 = std::min(x0, i);
        x1 = std::max(x1, i);
        y0 = std::min(y0, j);
        y1 = std::max(y1, j);
      }
  x0 -= options.margin;
  y0 -= options.margin;
  x1 += options.margin;
  y1 += options.margin;
  // Square: widen the shorter side symmetrically (the extra pixel, if odd, after).
  const long w = x1 - x0 + 1, h = y1 - y0 + 1, side = std::max(w, h);
  x0 -= (side - w) / 2;
  y0 -= (side - h) / 2;
  // The square crop of slice `kk` (pixels beyond the image repeat the edge).
  const long nz = static_cast<long>(size[2]);
  auto crop_of = [&](long kk) {
    const auto slice = static_cast<std::size_t>(std::clamp(kk, 0L, nz - 1));
    std::vector<double> crop(static_cast<std::size_t>(side * side));
    for (long j = 0; j < side; ++j)
      for (long i = 0; i < side; ++i) {
        const long xi = std::clamp(x0 + i, 0L, nx - 1), yj = std::clamp(y0 + j, 0L, ny - 1);
        crop[static_cast<std::size_t>(j * side + i)] =
            image(static_cast<std::size_t>(xi), static_cast<std::size_t>(yj), slice);
      }
    for (double v : crop)
      if (!std::isfinite(v))
        throw DataError(Input::kImage, "slice " + std::to_string(slice) + " holds NaN or infinite intensities around the tumour");
    return crop;
  };
  // Channels: the tumour slice three times, or (2.5D) the slices below, at
  // and above it; all mapped with the tumour slice's percentiles.
  const long centre = static_cast<long>(k);
  const std::vector<double> crop = crop_of(centre);
  const double lo = Percentile(crop, options.low_percentile), hi = Percentile(crop, options.high_percentile);
  const double mean[3] = {0.485, 0.456, 0.406}, sd[3] = {0.229, 0.224, 0.225};
  const std::size_t plane = static_cast<std::size_t>(options.size) * static_cast<std::size_t>(options.size);
  out.values.resize(3 * plane);
  std::vector<double> resized;
  for (int c = 0; c < 3; ++c) {
    if (c == 0 || options.neighbouring_slices)
      resized = ResizeBilinear(options.neighbouring_slices ? crop_of(centre + c - 1) : crop, static_cast<int>(side),
                               static_cast<int>(side), options.size, options.size);
    for (std::size_t n = 0; n < plane; ++n) {
      const double unit = hi > lo ? std::clamp((resized[n] - lo) / (hi - lo), 0.0, 1.0) : 0.0;
      out.values[static_cast<std::size_t>(c) * plane + n] =
          static_cast<float>(options.imagenet_normalise ? (unit - mean[c]) / sd[c] : unit);
    }
  }
  return out;
}

}  // namespace lvsi::preprocessing

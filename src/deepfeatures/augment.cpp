#include <algorithm>
#include <cmath>

#include "lvsi/core/error.h"
#include "lvsi/deepfeatures/training.h"
#include "lvsi/preprocessing/slice.h"

namespace lvsi::deepfeatures {

bool AugmentSettings::IsValid(std::string* why) const {
  if (!(min_scale > 0 && min_scale <= max_scale && max_scale <= 1))
    return Invalid(why, "crop scales must satisfy 0 < min_scale <= max_scale <= 1");
  if (!(min_ratio > 0 && min_ratio <= max_ratio && std::isfinite(max_ratio)))
    return Invalid(why, "crop ratios must satisfy 0 < min_ratio <= max_ratio");
  return true;
}

std::vector<float> AugmentImage(const float* image, int channels, int size, const AugmentSettings& options,
                                std::mt19937_64& rng) {
  if (channels < 1 || size < 2) throw InvalidArgument("AugmentImage: need at least one channel of at least 2 x 2");
  CheckValid(options, "AugmentImage");
  std::uniform_real_distribution<double> uniform(0, 1);
  // The crop: left, top, width, height in pixels (torchvision's get_params).
  int left = 0, top = 0, width = size, height = size;
  if (options.resized_crop) {
    const double area = static_cast<double>(size) * size;
    bool found = false;
    for (int attempt = 0; attempt < 10 && !found; ++attempt) {
      const double target = area * (options.min_scale + (options.max_scale - options.min_scale) * uniform(rng));
      const double log_ratio =
          std::log(options.min_ratio) + (std::log(options.max_ratio) - std::log(options.min_ratio)) * uniform(rng);
      const double ratio = std::exp(log_ratio);
      const int w = static_cast<int>(std::lround(std::sqrt(target * ratio)));
      const int h = static_cast<int>(std::lround(std::sqrt(target / ratio)));
      if (w > 0 && h > 0 && w <= size && h <= size) {
        width = w;
        height = h;
        top = std::uniform_int_distribution<int>(0, size - h)(rng);
        left = std::uniform_int_distribution<int>(0, size - w)(rng);
        found = true;
      }
    }
    if (!found) {  // central crop, ratio clamped to the bounds
      const double ratio = std::clamp(1.0, options.min_ratio, options.max_ratio);
      width = ratio < 1 ? static_cast<int>(std::lround(size * ratio)) : size;
      height = ratio > 1 ? static_cast<int>(std::lround(size / ratio)) : size;
      top = (size - height) / 2;
      left = (size - width) / 2;
    }
  }
  const bool flip = options.horizontal_flip && uniform(rng) < 0.5;
  const std::size_t plane = static_cast<std::size_t>(size) * static_cast<std::size_t>(size);
  std::vector<float> out(plane * static_cast<std::size_t>(channels));
  std::vector<double> crop(static_cast<std::size_t>(width) * static_cast<std::size_t>(height));
  for (int c = 0; c < channels; ++c) {
    const float* src = image + plane * static_cast<std::size_t>(c);
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x)
        crop[static_cast<std::size_t>(y) * width + x] = src[static_cast<std::size_t>(top + y) * size + (left + x)];
    const std::vector<double> resized =
        width == size && height == size ? crop : preprocessing::ResizeBilinear(crop, width, height, size, size);
    float* dst = out.data() + plane * static_cast<std::size_t>(c);
    for (int y = 0; y < size; ++y)
      for (int x = 0; x < size; ++x)
        dst[static_cast<std::size_t>(y) * size + x] =
            static_cast<float>(resized[static_cast<std::size_t>(y) * size + (flip ? size - 1 - x : x)]);
  }
  return out;
}

}  // namespace lvsi::deepfeatures

#include "lvsi/preprocessing/filters.h"

#include <itkGradientMagnitudeImageFilter.h>
#include <itkImage.h>
#include <itkLaplacianRecursiveGaussianImageFilter.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "lvsi/core/error.h"
#include "lvsi/core/itk_interop.h"

namespace lvsi::preprocessing {
namespace {

using ItkImage = itk::Image<double, 3>;

struct WaveletFilterBank {
  const char* name;
  std::vector<double> dec_lo, dec_hi;
};

#include "detail/wavelet_filters.inc"

const WaveletFilterBank& FindWavelet(const std::string& name) {
  for (const auto& w : kWaveletFilters)
    if (name == w.name) return w;
  throw InvalidArgument("unknown wavelet '" + name + "' (haar, db1-38, sym2-20, coif1-17, bior*, rbio*, dmey)");
}

// One level of pywt's SWT along `axis` of a periodic volume:
// out[o] = sum_j f[j] x[(o + F/2 - j) mod N].
std::vector<double> Convolve(const std::vector<double>& in, const std::array<std::size_t, 3>& size, int axis,
                             const std::vector<double>& f) {
  std::vector<double> out(in.size());
  const std::size_t n = size[static_cast<std::size_t>(axis)];
  const std::size_t stride = axis == 0 ? 1 : axis == 1 ? size[0] : size[0] * size[1];
  const long F = static_cast<long>(f.size());
  const long N = static_cast<long>(n);
  std::vector<double> line(n), res(n);
  const std::size_t lines = in.size() / n;
  for (std::size_t l = 0; l < lines; ++l) {
    // Start offset of line l: enumerate all index combinations except axis.
    std::size_t base;
    if (axis == 0) base = l * size[0];
    else if (axis == 1) base = (l / size[0]) * size[0] * size[1] + l % size[0];
    else base = l;
    for (std::size_t k = 0; k < n; ++k) line[k] = in[base + k * stride];
    for (long o = 0; o < N; ++o) {
      double s = 0;
      for (long j = 0; j < F; ++j) {
        long idx = (o + F / 2 - j) % N;
        if (idx < 0) idx += N;
        s += f[static_cast<std::size_t>(j)] * line[static_cast<std::size_t>(idx)];
      }
      res[static_cast<std::size_t>(o)] = s;
    }
    for (std::size_t k = 0; k < n; ++k) out[base + k * stride] = res[k];
  }
  return out;
}

}  // namespace

Image LaplacianOfGaussian(const Image& image, double sigma) {
  const Geometry& g = image.geometry();
  if (!(std::isfinite(sigma) && sigma > 0)) throw InvalidArgument("LoG sigma must be > 0 mm, got " + std::to_string(sigma));
  for (int d = 0; d < 3; ++d) {
    if (g.size[d] < 4)
      throw InvalidArgument("LoG needs an image of at least 4 voxels along every axis; it is " + Describe(g));
    if (static_cast<double>(g.size[d]) < std::ceil(sigma / g.spacing[d]) + 1)
      throw InvalidArgument("LoG sigma " + std::to_string(sigma) + " mm is too large for the image (" + Describe(g) + ")");
  }
  auto filter = itk::LaplacianRecursiveGaussianImageFilter<ItkImage, ItkImage>::New();
  filter->SetInput(ToItkImage<double>(image));
  filter->SetSigma(sigma);
  filter->SetNormalizeAcrossScale(true);
  filter->SetNumberOfWorkUnits(1);
  try {
    filter->Update();
  } catch (const itk::ExceptionObject& e) {
    throw InvalidArgument(std::string("LoG filter failed: ") + e.GetDescription());
  }
  return FromItkImage<double>(filter->GetOutput());
}

std::array<std::size_t, 3> LogContext(const Geometry& geometry, double sigma) {
  std::array<std::size_t, 3> pad{};
  const char* env = std::getenv("LVSI_LOG_CONTEXT");
  const double k = env ? std::atof(env) : 12.0;
  for (int d = 0; d < 3; ++d) pad[d] = static_cast<std::size_t>(std::ceil(k * sigma / geometry.spacing[d])) + 4;
  return pad;
}

bool WaveletSettings::IsValid(std::string* why) const {
  auto fail = [why](const std::string& r) {
    if (why) *why = r;
    return false;
  };
  try {
    FindWavelet(wavelet);
  } catch (const InvalidArgument& e) {
    return fail(e.what());
  }
  if (start_level < 0) return fail("start_level must be >= 0");
  if (level < 1) return fail("level must be >= 1");
  if (force2d_dimension < 0 || force2d_dimension > 2) return fail("force2Ddimension must be 0, 1 or 2");
  return true;
}

std::vector<std::string> WaveletNames() {
  std::vector<std::string> out;
  for (const auto& w : kWaveletFilters) out.push_back(w.name);
  return out;
}

std::size_t WaveletLength(const std::string& wavelet) { return FindWavelet(wavelet).dec_lo.size(); }

std::vector<std::pair<std::string, Image>> WaveletDecomposition(const Image& image, const WaveletSettings& settings) {
  std::string why;
  if (!settings.IsValid(&why)) throw InvalidArgument(why);
  const WaveletFilterBank& bank = FindWavelet(settings.wavelet);
  const Geometry& g = image.geometry();
  // Axes in pyradiomics' order: x, y, z (numpy axes 2, 1, 0), minus the
  // out-of-plane axis with force2D.
  std::vector<int> axes{0, 1, 2};
  if (settings.force2d) axes.erase(std::find(axes.begin(), axes.end(), 2 - settings.force2d_dimension));
  // Odd sizes are padded by one voxel, wrapping (numpy.pad 'wrap').
  std::array<std::size_t, 3> size{};
  for (int d = 0; d < 3; ++d) size[d] = g.size[d] + g.size[d] % 2;
  std::vector<double> data(size[0] * size[1] * size[2]);
  for (std::size_t k = 0; k < size[2]; ++k)
    for (std::size_t j = 0; j < size[1]; ++j)
      for (std::size_t i = 0; i < size[0]; ++i)
        data[i + size[0] * (j + size[1] * k)] = image(i % g.size[0], j % g.size[1], k % g.size[2]);
  auto crop = [&](const std::vector<double>& v) {
    Image out(g);
    for (std::size_t k = 0; k < g.size[2]; ++k)
      for (std::size_t j = 0; j < g.size[1]; ++j)
        for (std::size_t i = 0; i < g.size[0]; ++i) out(i, j, k) = v[i + size[0] * (j + size[1] * k)];
    return out;
  };
  // One pywt.swtn(level=1) step: every sub-band split along every axis;
  // keys grow by 'a' (low) / 'd' (high) in axis order.
  auto swtn = [&](const std::vector<double>& in) {
    std::vector<std::pair<std::string, std::vector<double>>> bands{{"", in}};
    for (int axis : axes) {
      std::vector<std::pair<std::string, std::vector<double>>> next;
      for (const auto& [key, band] : bands) {
        next.emplace_back(key + "a", Convolve(band, size, axis, bank.dec_lo));
        next.emplace_back(key + "d", Convolve(band, size, axis, bank.dec_hi));
      }
      bands = std::move(next);
    }
    return bands;
  };
  const std::string approx_key(axes.size(), 'a');
  for (int i = 0; i < settings.start_level; ++i) {
    for (auto& [key, band] : swtn(data))
      if (key == approx_key) data = std::move(band);
  }
  std::vector<std::pair<std::string, Image>> out;
  for (int lvl = 0; lvl < settings.level; ++lvl) {
    auto bands = swtn(data);
    for (auto& [key, band] : bands) {
      if (key == approx_key) continue;
      std::string name;
      for (char c : key) name += c == 'a' ? 'L' : 'H';
      if (lvl > 0) name = std::to_string(lvl + 1) + "-" + name;
      out.emplace_back(name, crop(band));
    }
    for (auto& [key, band] : bands)
      if (key == approx_key) data = std::move(band);
  }
  std::string approx_name(axes.size(), 'L');
  if (settings.level > 1) approx_name = std::to_string(settings.level) + "-" + approx_name;
  out.emplace_back(approx_name, crop(data));
  return out;
}

double MaxAbs(const Image& image) {
  double m = 0;
  for (std::size_t n = 0; n < image.size(); ++n) m = std::max(m, std::abs(image[n]));
  return m;
}

Image SquareFilter(const Image& image, double max_abs) {
  Image out = image;
  const double c = 1 / std::sqrt(max_abs);
  for (std::size_t n = 0; n < out.size(); ++n) out[n] = (c * out[n]) * (c * out[n]);
  return out;
}

Image SquareRootFilter(const Image& image, double max_abs) {
  Image out = image;
  for (std::size_t n = 0; n < out.size(); ++n) {
    const double x = out[n];
    if (x > 0) out[n] = std::sqrt(x * max_abs);
    else if (x < 0) out[n] = -std::sqrt(-x * max_abs);
  }
  return out;
}

Image LogarithmFilter(const Image& image, double max_abs) {
  Image out = image;
  for (std::size_t n = 0; n < out.size(); ++n) {
    const double x = out[n];
    if (x > 0) out[n] = std::log(x + 1);
    else if (x < 0) out[n] = -std::log(-(x - 1));
  }
  // pyradiomics rescales by max|x| / max|log-image|; the latter is
  // log(max|x| + 1) as the transform is monotonic in |x|.
  const double scale = max_abs / std::log(max_abs + 1);
  for (std::size_t n = 0; n < out.size(); ++n) out[n] = out[n] * scale;
  return out;
}

Image ExponentialFilter(const Image& image, double max_abs) {
  Image out = image;
  const double c = std::log(max_abs) / max_abs;
  for (std::size_t n = 0; n < out.size(); ++n) out[n] = std::exp(c * out[n]);
  return out;
}

Image GradientMagnitude(const Image& image, bool use_spacing) {
  auto filter = itk::GradientMagnitudeImageFilter<ItkImage, ItkImage>::New();
  filter->SetInput(ToItkImage<double>(image));
  filter->SetUseImageSpacing(use_spacing);
  try {
    filter->Update();
  } catch (const itk::ExceptionObject& e) {
    throw InvalidArgument(std::string("gradient filter failed: ") + e.GetDescription());
  }
  return FromItkImage<double>(filter->GetOutput());
}

}  // namespace lvsi::preprocessing

#include "lvsi/preprocessing/filters.h"

#include <itkGradientMagnitudeImageFilter.h>
#include <itkImage.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "lvsi/core/error.h"
#include "lvsi/core/itk_interop.h"
#include "lvsi/core/parallel.h"
#include "detail/log_kernel.h"

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

// An index box [lo, hi] per axis.
struct Box {
  std::array<std::size_t, 3> lo{}, hi{};
};

// One level of pywt's SWT along `axis` of a periodic volume of `size`:
// out[o] = sum_j f[j] x[(o + F/2 - j) mod N], evaluated only inside `box`
// (the input must hold valid values along `axis` everywhere, and inside
// the box along the other axes).  Terms are added in the order of j.
void Convolve(const double* in, double* out, const std::array<std::size_t, 3>& size, int axis,
              const std::vector<double>& f, const Box& box) {
  const std::size_t n = size[static_cast<std::size_t>(axis)];
  const std::size_t F = f.size(), half = F / 2;
  const std::size_t sx = size[0], sxy = size[0] * size[1];
  // Input index along the axis of output o and tap j, wrapped (the loops
  // step it instead of dividing for each element).
  auto wrap = [&](std::size_t o, std::size_t j) { return (o + half + n * (F / n + 1) - j) % n; };
  if (axis == 0) {
    const std::size_t lo = box.lo[0], len = box.hi[0] - box.lo[0] + 1;
    // Line extended so that out[lo + t] = sum_j f[j] ext[t + F - 1 - j].
    std::vector<double> ext(len + F - 1);
    for (std::size_t z = box.lo[2]; z <= box.hi[2]; ++z)
      for (std::size_t y = box.lo[1]; y <= box.hi[1]; ++y) {
        const double* line = in + y * sx + z * sxy;
        double* res = out + y * sx + z * sxy + lo;
        for (std::size_t t = 0, k = wrap(lo, F - 1); t < ext.size(); ++t, k = k + 1 == n ? 0 : k + 1) ext[t] = line[k];
        // Tap by tap over the whole line (the loop over t vectorises; each
        // output still adds its terms in the order of j).
        for (std::size_t t = 0; t < len; ++t) res[t] = 0;
        for (std::size_t j = 0; j < F; ++j) {
          const double fj = f[j];
          const double* e = ext.data() + (F - 1 - j);
          for (std::size_t t = 0; t < len; ++t) res[t] += fj * e[t];
        }
      }
    return;
  }
  // Along y or z: whole rows along x at once, contiguous.
  const std::size_t stride = axis == 1 ? sx : sxy;
  const int other = axis == 1 ? 2 : 1;
  const std::size_t other_stride = axis == 1 ? sxy : sx;
  const std::size_t x0 = box.lo[0], width = box.hi[0] - box.lo[0] + 1;
  std::vector<const double*> rows(F);
  for (std::size_t c = box.lo[static_cast<std::size_t>(other)]; c <= box.hi[static_cast<std::size_t>(other)]; ++c)
    for (std::size_t o = box.lo[static_cast<std::size_t>(axis)]; o <= box.hi[static_cast<std::size_t>(axis)]; ++o) {
      for (std::size_t j = 0, k = wrap(o, 0); j < F; ++j, k = k == 0 ? n - 1 : k - 1)
        rows[j] = in + c * other_stride + k * stride + x0;
      double* res = out + c * other_stride + o * stride + x0;
      for (std::size_t x = 0; x < width; ++x) res[x] = 0;
      for (std::size_t j = 0; j < F; ++j) {
        const double fj = f[j];
        const double* r = rows[j];
        for (std::size_t x = 0; x < width; ++x) res[x] += fj * r[x];
      }
    }
}

}  // namespace

namespace {

using detail::Recursive;

void NCoefficients(double sd, double a1, double b1, double w1, double l1, double a2, double b2, double w2, double l2,
                   double* n, double* SN, double* DN, double* EN) {
  const double sin1 = std::sin(w1 / sd), sin2 = std::sin(w2 / sd), cos1 = std::cos(w1 / sd), cos2 = std::cos(w2 / sd);
  const double e1 = std::exp(l1 / sd), e2 = std::exp(l2 / sd);
  n[0] = a1 + a2;
  n[1] = e2 * (b2 * sin2 - (a2 + 2 * a1) * cos2);
  n[1] += e1 * (b1 * sin1 - (a1 + 2 * a2) * cos1);
  n[2] = (a1 + a2) * cos2 * cos1;
  n[2] -= b1 * cos2 * sin1 + b2 * cos1 * sin2;
  n[2] *= 2 * e1 * e2;
  n[2] += a2 * e1 * e1 + a1 * e2 * e2;
  n[3] = e2 * e1 * e1 * (b2 * sin2 - a2 * cos2);
  n[3] += e1 * e2 * e2 * (b1 * sin1 - a1 * cos1);
  *SN = n[0] + n[1] + n[2] + n[3];
  *DN = n[1] + 2 * n[2] + 3 * n[3];
  *EN = n[1] + 4 * n[2] + 9 * n[3];
}

// order 0 (smoothing) or 2 (second derivative, scale-normalised).
Recursive GaussianCoefficients(double sigma, double spacing, int order) {
  Recursive r{};
  const double sd = sigma / spacing;
  const double W1 = 0.6681, L1 = -1.3932, W2 = 2.0787, L2 = -1.3732;
  const double A1[3] = {1.3530, -0.6724, -1.3563}, B1[3] = {1.8151, -3.4327, 5.2318};
  const double A2[3] = {-0.3531, 0.6724, 0.3446}, B2[3] = {0.0902, 0.6100, -2.2355};
  const double cos1 = std::cos(W1 / sd), cos2 = std::cos(W2 / sd), e1 = std::exp(L1 / sd), e2 = std::exp(L2 / sd);
  r.d4 = e1 * e1 * e2 * e2;
  r.d3 = -2 * cos1 * e1 * e2 * e2;
  r.d3 += -2 * cos2 * e2 * e1 * e1;
  r.d2 = 4 * cos2 * cos1 * e1 * e2;
  r.d2 += e1 * e1 + e2 * e2;
  r.d1 = -2 * (e2 * cos2 + e1 * cos1);
  const double SD = 1.0 + r.d1 + r.d2 + r.d3 + r.d4;
  const double DD = r.d1 + 2 * r.d2 + 3 * r.d3 + 4 * r.d4;
  const double ED = r.d1 + 4 * r.d2 + 9 * r.d3 + 16 * r.d4;
  double n[4], SN, DN, EN;
  if (order == 0) {
    NCoefficients(sd, A1[0], B1[0], W1, L1, A2[0], B2[0], W2, L2, n, &SN, &DN, &EN);
    const double alpha0 = 2 * SN / SD - n[0];
    for (double& v : n) v *= 1.0 / alpha0;
  } else {
    const double norm = sigma * sigma;  // normalised across scale
    double n0[4], n2[4], SN0, DN0, EN0, SN2, DN2, EN2;
    NCoefficients(sd, A1[0], B1[0], W1, L1, A2[0], B2[0], W2, L2, n0, &SN0, &DN0, &EN0);
    NCoefficients(sd, A1[2], B1[2], W1, L1, A2[2], B2[2], W2, L2, n2, &SN2, &DN2, &EN2);
    const double beta = -(2 * SN2 - SD * n2[0]) / (2 * SN0 - SD * n0[0]);
    for (int k = 0; k < 4; ++k) n[k] = n2[k] + beta * n0[k];
    SN = SN2 + beta * SN0;
    DN = DN2 + beta * DN0;
    EN = EN2 + beta * EN0;
    double alpha2 = EN * SD * SD - ED * SN * SD - 2 * DN * DD * SD + 2 * DD * DD * SN;
    alpha2 /= SD * SD * SD;
    for (double& v : n) v *= norm / alpha2;
  }
  r.n0 = n[0];
  r.n1 = n[1];
  r.n2 = n[2];
  r.n3 = n[3];
  // Both orders are symmetric filters.
  r.m1 = r.n1 - r.d1 * r.n0;
  r.m2 = r.n2 - r.d2 * r.n0;
  r.m3 = r.n3 - r.d3 * r.n0;
  r.m4 = -r.d4 * r.n0;
  const double sn = r.n0 + r.n1 + r.n2 + r.n3, sm = r.m1 + r.m2 + r.m3 + r.m4;
  const double sdd = 1.0 + r.d1 + r.d2 + r.d3 + r.d4;
  r.bn1 = r.d1 * sn / sdd;
  r.bn2 = r.d2 * sn / sdd;
  r.bn3 = r.d3 * sn / sdd;
  r.bn4 = r.d4 * sn / sdd;
  r.bm1 = r.d1 * sm / sdd;
  r.bm2 = r.d2 * sm / sdd;
  r.bm3 = r.d3 * sm / sdd;
  r.bm4 = r.d4 * sm / sdd;
  return r;
}

// The AVX2 build of the LoG passes where UseAvx2Kernels() says so (both
// give the same bits).
void RunLogPasses(const detail::LogJob& job) {
#if defined(LVSI_AVX2_KERNEL)
  if (UseAvx2Kernels()) return detail::avx2::LogPasses(job);
#endif
  detail::baseline::LogPasses(job);
}

}  // namespace

Image LaplacianOfGaussian(const Image& image, double sigma) {
  const Geometry& g = image.geometry();
  return LaplacianOfGaussian(image, sigma, {0, 0, 0}, {g.size[0] - 1, g.size[1] - 1, g.size[2] - 1});
}

Image LaplacianOfGaussian(const Image& image, double sigma, const std::array<std::size_t, 3>& lower,
                          const std::array<std::size_t, 3>& upper) {
  const Geometry& g = image.geometry();
  return LaplacianOfGaussian(image, sigma, IndexBox{{0, 0, 0}, {g.size[0] - 1, g.size[1] - 1, g.size[2] - 1}}, lower,
                             upper);
}

Image LaplacianOfGaussian(const Image& image, double sigma, const IndexBox& region,
                          const std::array<std::size_t, 3>& lower, const std::array<std::size_t, 3>& upper,
                          const Normalizer* normalize) {
  const Geometry& whole = image.geometry();
  for (int d = 0; d < 3; ++d)
    if (region.lower[d] > region.upper[d] || region.upper[d] >= whole.size[d])
      throw InvalidArgument("LoG region lies outside the image");
  Geometry g = whole;  // the region's grid
  g.origin = whole.IndexToPhysical(
      {static_cast<double>(region.lower[0]), static_cast<double>(region.lower[1]), static_cast<double>(region.lower[2])});
  g.size = region.Size();
  if (!(std::isfinite(sigma) && sigma > 0)) throw InvalidArgument("LoG sigma must be > 0 mm, got " + std::to_string(sigma));
  for (int d = 0; d < 3; ++d) {
    if (g.size[d] < 4)
      throw InvalidArgument("LoG needs an image of at least 4 voxels along every axis; it is " + Describe(g));
    if (static_cast<double>(g.size[d]) < std::ceil(sigma / g.spacing[d]) + 1)
      throw InvalidArgument("LoG sigma " + std::to_string(sigma) + " mm is too large for the image (" + Describe(g) + ")");
    if (lower[d] > upper[d] || upper[d] >= g.size[d]) throw InvalidArgument("LoG output box lies outside the image");
  }
  // ITK's LaplacianRecursiveGaussianImageFilter, pass by pass (see
  // detail/log_kernel.inc), reading the region in place.
  detail::LogJob job{};
  job.image = image.data() + region.lower[0] + whole.size[0] * (region.lower[1] + whole.size[1] * region.lower[2]);
  job.image_stride[0] = 1;
  job.image_stride[1] = whole.size[0];
  job.image_stride[2] = whole.size[0] * whole.size[1];
  job.normalize = normalize != nullptr;
  if (normalize) {
    job.mean = normalize->mean();
    job.inverse_sd = normalize->inverse_sd();
    job.scale = normalize->scale();
    job.clipped = normalize->clip().has_value();
    job.clip = normalize->clip().value_or(0.0);
  }
  std::array<std::size_t, 3> bs{};
  for (int d = 0; d < 3; ++d) {
    job.size[d] = g.size[d];
    job.lower[d] = lower[d];
    job.upper[d] = upper[d];
    bs[d] = upper[d] - lower[d] + 1;
    job.derivative[d] = GaussianCoefficients(sigma, g.spacing[d], 2);
    job.smoothing[d] = GaussianCoefficients(sigma, g.spacing[d], 0);
    job.inverse_spacing2[d] = 1.0 / (g.spacing[d] * g.spacing[d]);
  }
  std::vector<float> cumulative(bs[0] * bs[1] * bs[2], 0.0f);
  std::vector<float> plane(g.size[0] * std::max(g.size[1], g.size[2]));
  std::vector<float> compact(bs[0] * std::max(bs[1] * g.size[2], bs[2] * g.size[1]));
  std::vector<float> compact_y(bs[0] * bs[1] * g.size[2]);
  std::vector<double> lines(64 * std::max({g.size[0], g.size[1], g.size[2]}));
  job.cumulative = cumulative.data();
  job.plane = plane.data();
  job.compact = compact.data();
  job.compact_y = compact_y.data();
  job.lines = lines.data();
  RunLogPasses(job);
  Geometry og = g;
  og.origin = g.IndexToPhysical({static_cast<double>(lower[0]), static_cast<double>(lower[1]), static_cast<double>(lower[2])});
  og.size = bs;
  return Image(og, std::vector<double>(cumulative.begin(), cumulative.end()));
}

std::array<std::size_t, 3> LogContext(const Geometry& geometry, double sigma) {
  std::array<std::size_t, 3> pad{};
  const char* env = std::getenv("LVSI_LOG_CONTEXT");
  const double k = env ? std::atof(env) : 12.0;
  for (int d = 0; d < 3; ++d) pad[d] = static_cast<std::size_t>(std::ceil(k * sigma / geometry.spacing[d])) + 4;
  return pad;
}

bool WaveletSettings::IsValid(std::string* why) const {
  try {
    FindWavelet(wavelet);
  } catch (const InvalidArgument& e) {
    return Invalid(why, e.what());
  }
  if (start_level < 0) return Invalid(why, "start_level must be >= 0");
  if (level < 1) return Invalid(why, "level must be >= 1");
  if (force2d_dimension < 0 || force2d_dimension > 2) return Invalid(why, "force2Ddimension must be 0, 1 or 2");
  return true;
}

std::vector<std::string> WaveletNames() {
  std::vector<std::string> out;
  for (const auto& w : kWaveletFilters) out.push_back(w.name);
  return out;
}

std::size_t WaveletLength(const std::string& wavelet) { return FindWavelet(wavelet).dec_lo.size(); }

std::vector<std::pair<std::string, Image>> WaveletDecomposition(const Image& image, const WaveletSettings& settings) {
  const Geometry& g = image.geometry();
  return WaveletDecomposition(image, settings, {0, 0, 0}, {g.size[0] - 1, g.size[1] - 1, g.size[2] - 1});
}

std::vector<std::pair<std::string, Image>> WaveletDecomposition(const Image& image, const WaveletSettings& settings,
                                                                const std::array<std::size_t, 3>& lower,
                                                                const std::array<std::size_t, 3>& upper) {
  std::string why;
  if (!settings.IsValid(&why)) throw InvalidArgument(why);
  const WaveletFilterBank& bank = FindWavelet(settings.wavelet);
  const Geometry& g = image.geometry();
  for (int d = 0; d < 3; ++d)
    if (lower[d] > upper[d] || upper[d] >= g.size[d]) throw InvalidArgument("wavelet output box lies outside the image");
  // Axes in pyradiomics' order: x, y, z (numpy axes 2, 1, 0), minus the
  // out-of-plane axis with force2D.
  std::vector<int> axes{0, 1, 2};
  if (settings.force2d) axes.erase(std::find(axes.begin(), axes.end(), 2 - settings.force2d_dimension));
  // Odd sizes are padded by one voxel, wrapping (numpy.pad 'wrap').
  std::array<std::size_t, 3> size{};
  for (int d = 0; d < 3; ++d) size[d] = g.size[d] + g.size[d] % 2;
  // Bands are computed (and read) only inside their boxes: their storage
  // is left uninitialised, as zeroing whole bands cost more than the box.
  const std::size_t count = size[0] * size[1] * size[2];
  using Values = std::unique_ptr<double[]>;
  Values data(new double[count]);
  for (std::size_t k = 0; k < size[2]; ++k)
    for (std::size_t j = 0; j < size[1]; ++j)
      for (std::size_t i = 0; i < size[0]; ++i)
        data[i + size[0] * (j + size[1] * k)] = image(i % g.size[0], j % g.size[1], k % g.size[2]);
  Geometry og = g;
  og.origin = g.IndexToPhysical({static_cast<double>(lower[0]), static_cast<double>(lower[1]), static_cast<double>(lower[2])});
  for (int d = 0; d < 3; ++d) og.size[d] = upper[d] - lower[d] + 1;
  auto crop = [&](const double* v) {
    Image out(og);
    for (std::size_t k = 0; k < og.size[2]; ++k)
      for (std::size_t j = 0; j < og.size[1]; ++j)
        for (std::size_t i = 0; i < og.size[0]; ++i)
          out(i, j, k) = v[(i + lower[0]) + size[0] * ((j + lower[1]) + size[1] * (k + lower[2]))];
    return out;
  };
  // One pywt.swtn(level=1) step: every sub-band split along every axis;
  // keys grow by 'a' (low) / 'd' (high) in axis order.  A band is needed
  // only inside the output box along the axes already split (along the
  // others its lines must stay whole), except the approximation chain when
  // a further level needs the whole approximation.
  const Box whole{{0, 0, 0}, {size[0] - 1, size[1] - 1, size[2] - 1}};
  auto swtn = [&](const double* in, bool whole_approximation) {
    std::vector<std::pair<std::string, Values>> bands;
    Box done = whole;  // the box of the bands made so far, per axis split
    for (int axis : axes) {
      ThrowIfInterrupted();
      const std::size_t ax = static_cast<std::size_t>(axis);
      Box next_box = done;
      next_box.lo[ax] = lower[ax];
      next_box.hi[ax] = upper[ax];
      std::vector<std::pair<std::string, Values>> next;
      auto split = [&](const std::string& key, const double* band) {
        const bool approx = key.find('d') == std::string::npos;
        const Box& lo_box = approx && whole_approximation ? whole : next_box;
        Values a(new double[count]), d(new double[count]);
        Convolve(band, a.get(), size, axis, bank.dec_lo, lo_box);
        Convolve(band, d.get(), size, axis, bank.dec_hi, next_box);
        next.emplace_back(key + "a", std::move(a));
        next.emplace_back(key + "d", std::move(d));
      };
      if (bands.empty()) {
        split("", in);
      } else {
        for (auto& [key, band] : bands) {
          split(key, band.get());
          band.reset();
        }
      }
      bands = std::move(next);
      done = next_box;
    }
    return bands;
  };
  const std::string approx_key(axes.size(), 'a');
  for (int i = 0; i < settings.start_level; ++i) {
    for (auto& [key, band] : swtn(data.get(), true))
      if (key == approx_key) data = std::move(band);
  }
  std::vector<std::pair<std::string, Image>> out;
  for (int lvl = 0; lvl < settings.level; ++lvl) {
    auto bands = swtn(data.get(), lvl + 1 < settings.level);
    for (auto& [key, band] : bands) {
      if (key == approx_key) continue;
      std::string name;
      for (char c : key) name += c == 'a' ? 'L' : 'H';
      if (lvl > 0) name = std::to_string(lvl + 1) + "-" + name;
      out.emplace_back(name, crop(band.get()));
    }
    for (auto& [key, band] : bands)
      if (key == approx_key) data = std::move(band);
  }
  std::string approx_name(axes.size(), 'L');
  if (settings.level > 1) approx_name = std::to_string(settings.level) + "-" + approx_name;
  out.emplace_back(approx_name, crop(data.get()));
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

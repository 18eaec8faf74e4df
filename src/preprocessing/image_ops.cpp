#include "lvsi/preprocessing/image_ops.h"

#include <itkBSplineInterpolateImageFunction.h>
#include <itkGaussianInterpolateImageFunction.h>
#include <itkImage.h>
#include <itkLabelImageGaussianInterpolateImageFunction.h>
#include <itkLinearInterpolateImageFunction.h>
#include <itkNearestNeighborInterpolateImageFunction.h>
#include <itkResampleImageFilter.h>
#include <itkWindowedSincInterpolateImageFunction.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "lvsi/core/error.h"
#include "lvsi/core/itk_interop.h"
#include "detail/storage.h"

namespace lvsi::preprocessing {
namespace {

using ItkImage = itk::Image<double, 3>;
using ItkLabel = itk::Image<std::uint32_t, 3>;

struct Moments {
  double mean = 0, sample_sd = 0, population_sd = 0;
  double minimum = 0, maximum = 0;  // NaN values skipped; NaN when all are NaN
};

// The moments from the sums and extremes.
Moments Finish(double total, double total_sq, std::size_t n, double minimum, double maximum) {
  Moments m;
  if (n == 0) return m;
  m.mean = total / static_cast<double>(n);
  const double ss = total_sq - total * total / static_cast<double>(n);
  m.sample_sd = n > 1 ? std::sqrt(std::max(0.0, ss / static_cast<double>(n - 1))) : 0.0;
  m.population_sd = std::sqrt(std::max(0.0, ss / static_cast<double>(n)));
  m.minimum = minimum;
  m.maximum = maximum;
  if (m.minimum > m.maximum) m.minimum = m.maximum = std::numeric_limits<double>::quiet_NaN();
  return m;
}

// The moments of an image of whole numbers (most stored MRI is integer),
// block by block in plain sums: with every value a whole number of
// magnitude at most 2^26 and n max|v|^2 <= 2^53, every partial sum of the
// values and of their squares is a whole number below 2^53, exact in any
// order, so these sums equal the compensated ones (whose compensation
// stays zero) bit for bit, at a fraction of their dependency chains.
// Blocks hold a multiple of four values except the last.
class WholeNumberMoments {
 public:
  // Adds a block; false (for good) once a value is not a whole number (or
  // is NaN).
  bool Add(const double* v, std::size_t n) {
    if (!whole_) return false;
    std::size_t i = 0;
#if defined(__SSE2__)
    __m128d same = _mm_castsi128_pd(_mm_set1_epi32(-1));
    const __m128d round = _mm_set1_pd(kRound);
    for (; i + 4 <= n; i += 4) {
      const __m128d a = _mm_loadu_pd(v + i), b = _mm_loadu_pd(v + i + 2);
      same = _mm_and_pd(same, _mm_cmpeq_pd(a, _mm_sub_pd(_mm_add_pd(a, round), round)));
      same = _mm_and_pd(same, _mm_cmpeq_pd(b, _mm_sub_pd(_mm_add_pd(b, round), round)));
      s0_ = _mm_add_pd(s0_, a);
      s1_ = _mm_add_pd(s1_, b);
      q0_ = _mm_add_pd(q0_, _mm_mul_pd(a, a));
      q1_ = _mm_add_pd(q1_, _mm_mul_pd(b, b));
      lo0_ = _mm_min_pd(a, lo0_);
      lo1_ = _mm_min_pd(b, lo1_);
      hi0_ = _mm_max_pd(a, hi0_);
      hi1_ = _mm_max_pd(b, hi1_);
    }
    whole_ = _mm_movemask_pd(same) == 3;
#endif
    for (; i < n; ++i) {
      const double x = v[i];
      whole_ = whole_ && x == (x + kRound) - kRound;
      sum_ += x;
      sq_ += x * x;
      lo_ = std::min(lo_, x);
      hi_ = std::max(hi_, x);
    }
    count_ += n;
    return whole_;
  }
  // The moments, or false when the values were not all small whole numbers.
  bool Result(Moments* out) const {
    double sum = sum_, sq = sq_, lo = lo_, hi = hi_;
#if defined(__SSE2__)
    double t[2];
    auto reduce = [&t](__m128d x, __m128d y) {
      _mm_storeu_pd(t, _mm_add_pd(x, y));
      return t[0] + t[1];
    };
    sum += reduce(s0_, s1_);
    sq += reduce(q0_, q1_);
    _mm_storeu_pd(t, _mm_min_pd(lo0_, lo1_));
    lo = std::min({lo, t[0], t[1]});
    _mm_storeu_pd(t, _mm_max_pd(hi0_, hi1_));
    hi = std::max({hi, t[0], t[1]});
#endif
    const double largest = std::max(std::abs(lo), std::abs(hi));
    if (!whole_ || !(largest <= 67108864.0) ||
        !(static_cast<double>(count_) * largest * largest <= 9007199254740992.0))
      return false;
    *out = Finish(sum, sq, count_, lo, hi);
    return true;
  }

 private:
  // (x + 1.5 2^52) - 1.5 2^52 rounds x to a whole number when |x| < 2^51.
  static constexpr double kRound = 6755399441055744.0;
  static constexpr double kInf = std::numeric_limits<double>::infinity();
  bool whole_ = true;
  std::size_t count_ = 0;
  double sum_ = 0, sq_ = 0, lo_ = kInf, hi_ = -kInf;  // the scalar tail's
#if defined(__SSE2__)
  __m128d s0_ = _mm_setzero_pd(), s1_ = s0_, q0_ = s0_, q1_ = s0_;
  __m128d lo0_ = _mm_set1_pd(kInf), lo1_ = lo0_, hi0_ = _mm_set1_pd(-kInf), hi1_ = hi0_;
#endif
};

// Mean and standard deviations with compensated sums (as ITK's
// StatisticsImageFilter): four interleaved sums (independent dependency
// chains, so the loop runs at the adder's throughput, not its latency),
// combined with compensation at the end; the extremes in the same pass (a
// comparison with NaN keeps the lane's value, x < lo ? x : lo, which is
// what MINPD computes, so NaN is skipped as MaxAbs skips it).
Moments CompensatedMoments(const double* v, std::size_t n) {
  constexpr int kLanes = 4;
  const double inf = std::numeric_limits<double>::infinity();
  double sum[kLanes] = {}, c1[kLanes] = {}, sq[kLanes] = {}, c2[kLanes] = {};
  double lo[kLanes] = {inf, inf, inf, inf}, hi[kLanes] = {-inf, -inf, -inf, -inf};
  auto add = [](double& total, double& comp, double x) {
    const double y = x - comp, t = total + y;
    comp = (t - total) - y;
    total = t;
  };
  auto extremes = [&](int l, double x) {
    lo[l] = x < lo[l] ? x : lo[l];
    hi[l] = x > hi[l] ? x : hi[l];
  };
  std::size_t i = 0;
#if defined(__SSE2__)
  // The same per-lane operations, lanes 0-1 and 2-3 in one register each.
  {
    __m128d s01 = _mm_setzero_pd(), s23 = s01, c01 = s01, c23 = s01, q01 = s01, q23 = s01, d01 = s01, d23 = s01;
    __m128d lo01 = _mm_set1_pd(inf), lo23 = lo01, hi01 = _mm_set1_pd(-inf), hi23 = hi01;
    auto step = [](__m128d& total, __m128d& comp, __m128d x) {
      const __m128d y = _mm_sub_pd(x, comp), t = _mm_add_pd(total, y);
      comp = _mm_sub_pd(_mm_sub_pd(t, total), y);
      total = t;
    };
    for (; i + kLanes <= n; i += kLanes) {
      const __m128d a = _mm_loadu_pd(v + i), b = _mm_loadu_pd(v + i + 2);
      step(s01, c01, a);
      step(s23, c23, b);
      step(q01, d01, _mm_mul_pd(a, a));
      step(q23, d23, _mm_mul_pd(b, b));
      lo01 = _mm_min_pd(a, lo01);
      lo23 = _mm_min_pd(b, lo23);
      hi01 = _mm_max_pd(a, hi01);
      hi23 = _mm_max_pd(b, hi23);
    }
    auto store = [](double* lanes, __m128d l01, __m128d l23) {
      _mm_storeu_pd(lanes, l01);
      _mm_storeu_pd(lanes + 2, l23);
    };
    store(sum, s01, s23);
    store(c1, c01, c23);
    store(sq, q01, q23);
    store(c2, d01, d23);
    store(lo, lo01, lo23);
    store(hi, hi01, hi23);
  }
#endif
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) {
      const double x = v[i + static_cast<std::size_t>(l)];
      add(sum[l], c1[l], x);
      add(sq[l], c2[l], x * x);
      extremes(l, x);
    }
  for (; i < n; ++i) {
    add(sum[0], c1[0], v[i]);
    add(sq[0], c2[0], v[i] * v[i]);
    extremes(0, v[i]);
  }
  double total = 0, ct = 0, total_sq = 0, cq = 0;
  for (int l = 0; l < kLanes; ++l) {
    add(total, ct, sum[l]);
    add(total, ct, -c1[l]);
    add(total_sq, cq, sq[l]);
    add(total_sq, cq, -c2[l]);
  }
  return Finish(total, total_sq, n, std::min({lo[0], lo[1], lo[2], lo[3]}), std::max({hi[0], hi[1], hi[2], hi[3]}));
}

Geometry CroppedGeometry(const Geometry& g, const std::array<std::size_t, 3>& lo,
                         const std::array<std::size_t, 3>& size) {
  Geometry out = g;
  out.origin = g.IndexToPhysical(
      {static_cast<double>(lo[0]), static_cast<double>(lo[1]), static_cast<double>(lo[2])});
  out.size = size;
  return out;
}

template <typename T>
Volume<T> Crop(const Volume<T>& v, const IndexBox& box, std::size_t pad) {
  const Geometry& g = v.geometry();
  std::array<std::size_t, 3> lo{}, size{};
  for (int d = 0; d < 3; ++d) {
    lo[d] = box.lower[d] > pad ? box.lower[d] - pad : 0;
    const std::size_t hi = std::min(g.size[d] - 1, box.upper[d] + pad);
    size[d] = hi - lo[d] + 1;
  }
  // Rows appended to a reserved vector (the crop is never zeroed first).
  std::vector<T> data;
  data.reserve(size[0] * size[1] * size[2]);
  for (std::size_t k = 0; k < size[2]; ++k)
    for (std::size_t j = 0; j < size[1]; ++j) {
      const T* row = v.data() + lo[0] + g.size[0] * ((lo[1] + j) + g.size[1] * (lo[2] + k));
      data.insert(data.end(), row, row + size[0]);
    }
  return Volume<T>(CroppedGeometry(g, lo, size), std::move(data));
}

// The bounding box as lower index and size, or nothing for an empty mask.
bool MaskBox(const Mask& mask, IndexBox* box) {
  const BoundingBox bb = ComputeBoundingBox(mask);
  if (bb.empty()) return false;
  for (int d = 0; d < 3; ++d) {
    box->lower[d] = bb.lower[d];
    box->upper[d] = bb.lower[d] + bb.size[d] - 1;
  }
  return true;
}

// pyradiomics' _checkROI: the ROI's corners must lie within the image's
// physical extent (tolerance 1e-3 voxels).
void CheckRoiInside(const Mask& mask, const Geometry& image, const IndexBox& box) {
  const Geometry& mg = mask.geometry();
  std::array<double, 3> lo{}, hi{};
  for (int d = 0; d < 3; ++d) {
    lo[d] = static_cast<double>(box.lower[d]) - 0.5;
    hi[d] = static_cast<double>(box.upper[d]) + 0.5;
  }
  const auto a = image.PhysicalToIndex(mg.IndexToPhysical(lo));
  const auto b = image.PhysicalToIndex(mg.IndexToPhysical(hi));
  constexpr double kTol = 1e-3;
  for (int d = 0; d < 3; ++d) {
    const double mn = std::min(a[d], b[d]), mx = std::max(a[d], b[d]);
    if (mn < -0.5 - kTol || mx > static_cast<double>(image.size[d]) - 0.5 + kTol)
      throw DataError(Input::kMask, "the ROI's bounding box lies partly outside the image (" +
                                  Describe(image) + ")");
  }
}

itk::InterpolateImageFunction<ItkImage, double>::Pointer MakeInterpolator(Interpolator kind) {
  switch (kind) {
    case Interpolator::kNearestNeighbor:
      return itk::NearestNeighborInterpolateImageFunction<ItkImage, double>::New().GetPointer();
    case Interpolator::kLinear:
      return itk::LinearInterpolateImageFunction<ItkImage, double>::New().GetPointer();
    case Interpolator::kGaussian:
      return itk::GaussianInterpolateImageFunction<ItkImage, double>::New().GetPointer();
    case Interpolator::kLabelGaussian:
      return itk::LabelImageGaussianInterpolateImageFunction<ItkImage, double>::New().GetPointer();
    case Interpolator::kHammingWindowedSinc:
      return itk::WindowedSincInterpolateImageFunction<
                 ItkImage, 3, itk::Function::HammingWindowFunction<3>>::New().GetPointer();
    case Interpolator::kCosineWindowedSinc:
      return itk::WindowedSincInterpolateImageFunction<
                 ItkImage, 3, itk::Function::CosineWindowFunction<3>>::New().GetPointer();
    case Interpolator::kWelchWindowedSinc:
      return itk::WindowedSincInterpolateImageFunction<
                 ItkImage, 3, itk::Function::WelchWindowFunction<3>>::New().GetPointer();
    case Interpolator::kLanczosWindowedSinc:
      return itk::WindowedSincInterpolateImageFunction<
                 ItkImage, 3, itk::Function::LanczosWindowFunction<3>>::New().GetPointer();
    case Interpolator::kBlackmanWindowedSinc:
      return itk::WindowedSincInterpolateImageFunction<
                 ItkImage, 3, itk::Function::BlackmanWindowFunction<3>>::New().GetPointer();
    default: {
      auto bspline = itk::BSplineInterpolateImageFunction<ItkImage, double, double>::New();
      unsigned order = 3;
      if (kind == Interpolator::kBSplineResamplerOrder1) order = 1;
      if (kind == Interpolator::kBSplineResamplerOrder2) order = 2;
      if (kind == Interpolator::kBSplineResamplerOrder4) order = 4;
      if (kind == Interpolator::kBSplineResamplerOrder5) order = 5;
      bspline->SetSplineOrder(order);
      return bspline.GetPointer();
    }
  }
}

}  // namespace

namespace detail {

double CastToStorage(double v, StoragePixelType type) {
  auto clamp = [v](double lo, double hi) { return std::trunc(std::min(hi, std::max(lo, v))); };
  switch (type) {
    case StoragePixelType::kFloat64: return v;
    case StoragePixelType::kFloat32: return static_cast<double>(static_cast<float>(v));
    case StoragePixelType::kInt8: return clamp(-128, 127);
    case StoragePixelType::kUInt8: return clamp(0, 255);
    case StoragePixelType::kInt16: return clamp(-32768, 32767);
    case StoragePixelType::kUInt16: return clamp(0, 65535);
    case StoragePixelType::kInt32: return clamp(-2147483648.0, 2147483647.0);
    case StoragePixelType::kUInt32: return clamp(0, 4294967295.0);
  }
  return v;
}

}  // namespace detail

IntensityStatistics IntensityStatistics::Of(const Image& image) { return Of(image, nullptr); }

IntensityStatistics IntensityStatistics::Of(const Image& image,
                                            const std::function<void(const double*, std::size_t)>& visit) {
  // Blocks of 4096 values (32 KiB, still in cache for the visitor's part);
  // an image that is not all small whole numbers gets a second pass, of
  // compensated sums.
  constexpr std::size_t kBlock = 4096;
  const double* v = image.data();
  const std::size_t n = image.size();
  WholeNumberMoments whole;
  bool exact = true;
  for (std::size_t i = 0; i < n; i += kBlock) {
    const std::size_t count = std::min(kBlock, n - i);
    if (visit) visit(v + i, count);
    if (exact) exact = whole.Add(v + i, count);
    else if (!visit) break;
  }
  Moments m;
  if (!exact || !whole.Result(&m)) m = CompensatedMoments(v, n);
  return {m.mean, m.sample_sd, m.minimum, m.maximum};
}

void Normalizer::Apply(const double* in, double* out, std::size_t n) const {
  // The same operations as operator(), with the clipping test hoisted out
  // of the loops so that they vectorise.
  // (Local copies: a store through out could otherwise alias the members.)
  const double mean = mean_, inverse_sd = inverse_sd_, scale = scale_;
  if (clip_) {
    const double c = *clip_;
    for (std::size_t i = 0; i < n; ++i) out[i] = std::min(c, std::max(-c, (in[i] - mean) * inverse_sd)) * scale;
  } else {
    for (std::size_t i = 0; i < n; ++i) out[i] = (in[i] - mean) * inverse_sd * scale;
  }
}

Normalizer::Normalizer(const IntensityStatistics& m, double scale, std::optional<double> remove_outliers)
    : mean_(m.mean), inverse_sd_(1.0 / m.sample_sd), scale_(scale), clip_(remove_outliers) {
  if (!(std::isfinite(scale) && scale > 0))
    throw InvalidArgument("normalizeScale must be positive, got " + std::to_string(scale));
  if (remove_outliers && !(*remove_outliers > 0)) throw InvalidArgument("removeOutliers must be positive");
  if (!(m.sample_sd > 0)) throw InvalidArgument("cannot normalise a flat image (SD 0)");
}

Image NormalizeImage(const Image& image, double scale, std::optional<double> remove_outliers) {
  return NormalizeImage(image, IntensityStatistics::Of(image), scale, remove_outliers);
}

Image NormalizeImage(const Image& image, const IntensityStatistics& m, double scale,
                     std::optional<double> remove_outliers) {
  const Normalizer normalize(m, scale, remove_outliers);
  Image out = image;
  normalize.Apply(out.data(), out.data(), out.size());
  return out;
}

bool MaskCheckSettings::IsValid(std::string* why) const {
  if (minimum_roi_dimensions < 1 || minimum_roi_dimensions > 3)
    return Invalid(why, "minimumROIDimensions must be 1, 2 or 3");
  return true;
}

IndexBox CheckMask(const Mask& mask, const MaskCheckSettings& settings) {
  CheckValid(settings, "mask check");
  const Input source = Input::kMask;
  IndexBox box;
  if (!MaskBox(mask, &box)) throw DataError(source, "mask is empty (no voxel with the label)");
  const auto size = box.Size();
  const int dims = (size[0] > 1) + (size[1] > 1) + (size[2] > 1);
  if (dims == 0)
    throw DataError(source, "mask contains a single voxel; features need at least two");
  if (dims < settings.minimum_roi_dimensions)
    throw DataError(source, "ROI has " + std::to_string(dims) + " dimension(s), minimumROIDimensions is " +
                                std::to_string(settings.minimum_roi_dimensions));
  if (settings.minimum_roi_size) {
    const std::size_t count = CountVoxels(mask);
    if (count <= *settings.minimum_roi_size)
      throw DataError(source, "ROI has " + std::to_string(count) + " voxels, minimumROISize is " +
                                  std::to_string(*settings.minimum_roi_size));
  }
  return box;
}

Image CropImage(const Image& image, const IndexBox& box, std::size_t pad) { return Crop(image, box, pad); }
Mask CropMask(const Mask& mask, const IndexBox& box, std::size_t pad) { return Crop(mask, box, pad); }

std::pair<Image, Mask> CropToBox(const Image& image, const Mask& mask, const IndexBox& box,
                                 std::size_t pad) {
  if (image.geometry().size != mask.geometry().size)
    throw InvalidArgument("image and mask sizes differ; cannot crop");
  return {Crop(image, box, pad), Crop(mask, box, pad)};
}

ResegmentMode ParseResegmentMode(const std::string& text) {
  if (text == "absolute") return ResegmentMode::kAbsolute;
  if (text == "relative") return ResegmentMode::kRelative;
  if (text == "sigma") return ResegmentMode::kSigma;
  throw InvalidArgument("resegmentMode must be absolute, relative or sigma, got '" + text + "'");
}

Mask ResegmentMask(const Image& image, const Mask& mask, std::vector<double> range, ResegmentMode mode) {
  if (range.empty() || range.size() > 2)
    throw InvalidArgument("resegmentRange needs 1 or 2 thresholds, got " + std::to_string(range.size()));
  std::sort(range.begin(), range.end());
  std::vector<double> roi;
  for (std::size_t n = 0; n < mask.size(); ++n)
    if (mask[n]) roi.push_back(image[n]);
  if (roi.empty()) throw DataError(Input::kMask, "mask is empty; cannot resegment");
  std::vector<double> th = range;
  if (mode == ResegmentMode::kRelative) {
    const double mx = *std::max_element(roi.begin(), roi.end());
    for (double& t : th) t *= mx;
  } else if (mode == ResegmentMode::kSigma) {
    double sum = 0;
    for (double v : roi) sum += v;
    const double mean = sum / static_cast<double>(roi.size());
    double ss = 0;
    for (double v : roi) ss += (v - mean) * (v - mean);
    const double sd = std::sqrt(ss / static_cast<double>(roi.size()));
    for (double& t : th) t = mean + sd * t;
  }
  Mask out(mask.geometry(), 0);
  std::size_t kept = 0;
  for (std::size_t n = 0; n < mask.size(); ++n) {
    if (!mask[n]) continue;
    const double v = image[n];
    if (v >= th[0] && (th.size() < 2 || v <= th[1])) {
      out[n] = 1;
      ++kept;
    }
  }
  if (kept <= 1)
    throw DataError(Input::kMask, "resegmentation kept " + std::to_string(kept) +
                                " voxel(s); cannot extract features");
  return out;
}

Interpolator ParseInterpolator(const std::string& name) {
  std::string n = name.rfind("sitk", 0) == 0 ? name.substr(4) : name;
  static const std::pair<const char*, Interpolator> kNames[] = {
      {"NearestNeighbor", Interpolator::kNearestNeighbor},
      {"Linear", Interpolator::kLinear},
      {"BSpline", Interpolator::kBSpline},
      {"BSpline3", Interpolator::kBSpline},
      {"Gaussian", Interpolator::kGaussian},
      {"LabelGaussian", Interpolator::kLabelGaussian},
      {"HammingWindowedSinc", Interpolator::kHammingWindowedSinc},
      {"CosineWindowedSinc", Interpolator::kCosineWindowedSinc},
      {"WelchWindowedSinc", Interpolator::kWelchWindowedSinc},
      {"LanczosWindowedSinc", Interpolator::kLanczosWindowedSinc},
      {"BlackmanWindowedSinc", Interpolator::kBlackmanWindowedSinc},
      {"BSplineResamplerOrder1", Interpolator::kBSplineResamplerOrder1},
      {"BSplineResamplerOrder2", Interpolator::kBSplineResamplerOrder2},
      {"BSplineResamplerOrder3", Interpolator::kBSplineResamplerOrder3},
      {"BSplineResamplerOrder4", Interpolator::kBSplineResamplerOrder4},
      {"BSplineResamplerOrder5", Interpolator::kBSplineResamplerOrder5},
  };
  std::string list;
  for (const auto& [text, kind] : kNames) {
    if (n == text) return kind;
    list += std::string(list.empty() ? "" : ", ") + "sitk" + text;
  }
  throw InvalidArgument("unknown interpolator '" + name + "' (expected one of " + list + ")");
}

bool ResampleSettings::IsValid(std::string* why) const {
  for (double s : spacing)
    if (!(std::isfinite(s) && s >= 0)) return Invalid(why, "resampledPixelSpacing must be >= 0, got " + std::to_string(s));
  if (pad_distance < 0) return Invalid(why, "padDistance must be >= 0");
  return true;
}

std::pair<Image, Mask> ResampleToSpacing(const Image& image, const Mask& mask,
                                         const ResampleSettings& settings) {
  std::string why;
  if (!settings.IsValid(&why)) throw InvalidArgument(why);
  const Geometry& mg = mask.geometry();
  const Geometry& ig = image.geometry();
  std::array<double, 3> spacing{};
  for (int d = 0; d < 3; ++d) spacing[d] = settings.spacing[d] == 0 ? mg.spacing[d] : settings.spacing[d];
  IndexBox box;
  if (!MaskBox(mask, &box)) throw DataError(Input::kMask, "mask is empty; cannot resample");
  CheckRoiInside(mask, ig, box);
  const auto bsize = box.Size();
  for (int d = 0; d < 3; ++d)
    if (bsize[d] == 1) spacing[d] = mg.spacing[d];  // do not resample a single slice

  bool same = true;
  for (int d = 0; d < 3; ++d)
    same = same && std::abs(ig.spacing[d] - spacing[d]) <= 1e-8 + 1e-5 * std::abs(spacing[d]);
  if (same) {
    Mask on_grid = ResampleNearest(mask, ig, std::uint8_t{0});
    IndexBox b2;
    if (!MaskBox(on_grid, &b2)) throw DataError(Input::kMask, "mask is empty after resampling");
    return CropToBox(image, on_grid, b2, static_cast<std::size_t>(settings.pad_distance));
  }

  Geometry out = mg;
  std::array<double, 3> lower_new{}, origin_index{};
  for (int d = 0; d < 3; ++d) {
    const double ratio = mg.spacing[d] / spacing[d];
    double lo = std::floor((static_cast<double>(box.lower[d]) - 0.5) * ratio - settings.pad_distance);
    double hi = std::ceil((static_cast<double>(box.lower[d] + bsize[d]) - 0.5) * ratio +
                          settings.pad_distance);
    const double max_upper = std::ceil(static_cast<double>(mg.size[d]) * ratio) - 1;
    if (lo < 0) lo = 0;
    if (hi > max_upper) hi = max_upper;
    lower_new[d] = lo;
    // (More than kMaxVoxels along one axis is refused below; the cast
    // itself must not overflow.)
    out.size[d] = hi - lo + 1 > static_cast<double>(kMaxVoxels) ? kMaxVoxels + 1 : static_cast<std::size_t>(hi - lo + 1);
    out.spacing[d] = spacing[d];
    origin_index[d] = 0.5 * (spacing[d] - mg.spacing[d]) / mg.spacing[d] + lo / ratio;
  }
  out.origin = mg.IndexToPhysical(origin_index);
  if (CheckedVoxelCount(out.size) > kMaxVoxels)
    throw InvalidArgument("resampledPixelSpacing: resampling the ROI's box to " + std::to_string(spacing[0]) + " x " +
                          std::to_string(spacing[1]) + " x " + std::to_string(spacing[2]) + " mm gives " +
                          std::to_string(out.size[0]) + " x " + std::to_string(out.size[1]) + " x " +
                          std::to_string(out.size[2]) + " voxels, more than lvsi's limit of 2^31; choose a larger spacing");

  auto run = [&](const Image& src, itk::InterpolateImageFunction<ItkImage, double>* interp) {
    auto filter = itk::ResampleImageFilter<ItkImage, ItkImage>::New();
    filter->SetInput(ToItkImage<double>(src));
    filter->SetInterpolator(interp);
    ItkImage::SpacingType sp;
    ItkImage::PointType org;
    ItkImage::DirectionType dir;
    ItkImage::SizeType size;
    for (unsigned d = 0; d < 3; ++d) {
      sp[d] = out.spacing[d];
      org[d] = out.origin[d];
      size[d] = out.size[d];
      for (unsigned c = 0; c < 3; ++c) dir(d, c) = out.direction[3 * d + c];
    }
    filter->SetOutputSpacing(sp);
    filter->SetOutputOrigin(org);
    filter->SetOutputDirection(dir);
    filter->SetSize(size);
    filter->SetDefaultPixelValue(0);
    filter->Update();
    return FromItkImage<double>(filter->GetOutput());
  };
  Image resampled;
  Image mask_values(mg);
  for (std::size_t n = 0; n < mask.size(); ++n) mask_values[n] = mask[n];
  Image mask_resampled;
  try {
    resampled = run(image, MakeInterpolator(settings.interpolator));
    mask_resampled = run(mask_values, MakeInterpolator(Interpolator::kNearestNeighbor));
  } catch (const itk::ExceptionObject& e) {
    throw InvalidArgument(std::string("resampling failed: ") + e.GetDescription());
  }
  for (std::size_t n = 0; n < resampled.size(); ++n)
    resampled[n] = detail::CastToStorage(resampled[n], settings.image_pixel_type);
  Mask out_mask(out);
  for (std::size_t n = 0; n < out_mask.size(); ++n) out_mask[n] = mask_resampled[n] != 0 ? 1 : 0;
  return {std::move(resampled), std::move(out_mask)};
}

Mask ResampleMaskToGrid(const Mask& mask, const Geometry& reference) {
  IndexBox box;
  if (!MaskBox(mask, &box)) throw DataError(Input::kMask, "mask is empty");
  CheckRoiInside(mask, reference, box);
  return ResampleNearest(mask, reference, std::uint8_t{0});
}

}  // namespace lvsi::preprocessing

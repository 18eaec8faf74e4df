// IBSI-1 intensity families (lvsi/radiomics/ibsi.h): local intensity (IBSI
// 3.2), intensity-based statistics (3.3), intensity histogram (3.4) and the
// intensity-volume histogram (3.5).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "lvsi/core/error.h"
#include "lvsi/radiomics/ibsi.h"
#include "detail/ibsi_named.h"

namespace lvsi::radiomics::ibsi {
namespace {

using detail::Named;
using detail::Names;

// The q-th quantile (0..1) of sorted values, interpolated linearly between
// order statistics (numpy's default, as pyradiomics computes percentiles).
double Quantile(const std::vector<double>& sorted, double q) {
  const double h = (static_cast<double>(sorted.size()) - 1) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

// The statistics IBSI defines alike on intensities and on discretised
// intensities, in IBSI's order: mean, variance, skewness, excess kurtosis,
// median, minimum, 10th and 90th percentiles, maximum, interquartile range,
// range, mean absolute deviation, robust mean absolute deviation (voxels
// between the 10th and 90th percentiles), median absolute deviation,
// coefficient of variation, quartile coefficient of dispersion.
std::vector<double> Statistics(std::vector<double> x) {
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  double mean = 0;
  for (double v : x) mean += v;
  mean /= n;
  double m2 = 0, m3 = 0, m4 = 0, mad = 0;
  for (double v : x) {
    const double d = v - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
    mad += std::abs(d);
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  mad /= n;
  const double median = Quantile(x, 0.5), p10 = Quantile(x, 0.10), p90 = Quantile(x, 0.90), p25 = Quantile(x, 0.25),
               p75 = Quantile(x, 0.75);
  double robust_mean = 0, robust_count = 0, medad = 0;
  for (double v : x) {
    medad += std::abs(v - median);
    if (v >= p10 && v <= p90) {
      robust_mean += v;
      robust_count += 1;
    }
  }
  medad /= n;
  robust_mean /= robust_count;
  double rmad = 0;
  for (double v : x)
    if (v >= p10 && v <= p90) rmad += std::abs(v - robust_mean);
  rmad /= robust_count;
  const double sd = std::sqrt(m2);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  return {mean,
          m2,
          m2 > 0 ? m3 / std::pow(m2, 1.5) : 0.0,  // IBSI: 0 for a flat distribution
          m2 > 0 ? m4 / (m2 * m2) - 3 : 0.0,
          median,
          x.front(),
          p10,
          p90,
          x.back(),
          p75 - p25,
          x.back() - x.front(),
          mad,
          rmad,
          medad,
          mean != 0 ? sd / mean : nan,
          p75 + p25 != 0 ? (p75 - p25) / (p75 + p25) : nan};
}

std::vector<double> RoiValues(const LabelImage& levels, int grey_levels) {
  if (grey_levels < 1) throw InvalidArgument("IBSI intensity histogram: grey_levels must be at least 1");
  std::vector<double> x;
  for (std::size_t n = 0; n < levels.size(); ++n) {
    if (levels[n] < 0 || levels[n] > grey_levels)
      throw InvalidArgument("IBSI intensity histogram: a voxel holds grey level " + std::to_string(levels[n]) +
                            ", outside 0.." + std::to_string(grey_levels));
    if (levels[n] > 0) x.push_back(levels[n]);
  }
  if (x.empty()) throw DataError(Input::kMask, "IBSI intensity histogram: the ROI is empty");
  return x;
}

}  // namespace

std::vector<Feature> IntensityStatistics(const std::vector<double>& intensities) {
  if (intensities.empty()) throw DataError(Input::kMask, "IBSI intensity statistics: the ROI is empty");
  for (double v : intensities)
    if (!std::isfinite(v)) throw DataError(Input::kImage, "IBSI intensity statistics: an intensity is not finite");
  std::vector<double> values = Statistics(intensities);
  double energy = 0;
  for (double v : intensities) energy += v * v;
  values.push_back(energy);
  values.push_back(std::sqrt(energy / static_cast<double>(intensities.size())));
  static const Names names = {
      {"Mean intensity", "Q4LE"},
      {"Intensity variance", "ECT3"},
      {"Intensity skewness", "KE2A"},
      {"(Excess) intensity kurtosis", "IPH6"},
      {"Median intensity", "Y12H"},
      {"Minimum intensity", "1GSF"},
      {"10th intensity percentile", "QG58"},
      {"90th intensity percentile", "8DWT"},
      {"Maximum intensity", "84IY"},
      {"Intensity interquartile range", "SALO"},
      {"Intensity range", "2OJQ"},
      {"Intensity-based mean absolute deviation", "4FUA"},
      {"Intensity-based robust mean absolute deviation", "1128"},
      {"Intensity-based median absolute deviation", "N72L"},
      {"Intensity-based coefficient of variation", "7TET"},
      {"Intensity-based quartile coefficient of dispersion", "9S40"},
      {"Intensity-based energy", "N8CA"},
      {"Root mean square intensity", "5ZWQ"},
  };
  return Named("stat", names, Aggregation::kNone, values);
}

std::vector<Feature> IntensityHistogramFeatures(const LabelImage& levels, int grey_levels) {
  const std::vector<double> x = RoiValues(levels, grey_levels);
  const std::vector<double> s = Statistics(x);
  const double n = static_cast<double>(x.size());
  std::vector<double> h(static_cast<std::size_t>(grey_levels) + 1, 0.0);  // h[1..ng]
  for (double v : x) h[static_cast<std::size_t>(v)] += 1;
  // The mode: the most frequent level, the one nearest the mean on a tie.
  int mode = 1;
  for (int i = 2; i <= grey_levels; ++i) {
    const double hi = h[static_cast<std::size_t>(i)], hm = h[static_cast<std::size_t>(mode)];
    if (hi > hm || (hi == hm && std::abs(i - s[0]) < std::abs(mode - s[0]))) mode = i;
  }
  double entropy = 0, uniformity = 0;
  for (int i = 1; i <= grey_levels; ++i) {
    const double p = h[static_cast<std::size_t>(i)] / n;
    if (p > 0) entropy -= p * std::log2(p);
    uniformity += p * p;
  }
  // The histogram's gradient: one-sided at the ends, central inside.
  const auto gradient = [&](int i) {
    const auto H = [&](int k) { return h[static_cast<std::size_t>(k)]; };
    if (grey_levels == 1) return 0.0;
    if (i == 1) return H(2) - H(1);
    if (i == grey_levels) return H(i) - H(i - 1);
    return (H(i + 1) - H(i - 1)) / 2;
  };
  int max_at = 1, min_at = 1;
  for (int i = 2; i <= grey_levels; ++i) {
    if (gradient(i) > gradient(max_at)) max_at = i;
    if (gradient(i) < gradient(min_at)) min_at = i;
  }
  const std::vector<double> values = {s[0],  s[1],  s[2],  s[3],  s[4],  s[5],  s[6],       s[7],
                                      s[8],  static_cast<double>(mode), s[9], s[10], s[11], s[12],
                                      s[13], s[14], s[15], entropy, uniformity, gradient(max_at),
                                      static_cast<double>(max_at), gradient(min_at), static_cast<double>(min_at)};
  // The reference tables of IBSI-1 give 1PR8 to both the minimum and the
  // 10th percentile, and GPMT to the 90th; the manual's identifiers are
  // 1PR8, GPMT and OZ0C.
  static const Names names = {
      {"Mean discretised intensity", "X6K6"},
      {"Discretised intensity variance", "CH89"},
      {"Discretised intensity skewness", "88K1"},
      {"(Excess) discretised intensity kurtosis", "C3I7"},
      {"Median discretised intensity", "WIFQ"},
      {"Minimum discretised intensity", "1PR8"},
      {"10th discretised intensity percentile", "GPMT"},
      {"90th discretised intensity percentile", "OZ0C"},
      {"Maximum discretised intensity", "3NCY"},
      {"Intensity histogram mode", "AMMC"},
      {"Discretised intensity interquartile range", "WR0O"},
      {"Discretised intensity range", "5Z3W"},
      {"Intensity histogram mean absolute deviation", "D2ZX"},
      {"Intensity histogram robust mean absolute deviation", "WRZB"},
      {"Intensity histogram median absolute deviation", "4RNL"},
      {"Intensity histogram coefficient of variation", "CWYJ"},
      {"Intensity histogram quartile coefficient of dispersion", "SLWD"},
      {"Discretised intensity entropy", "TLU2"},
      {"Discretised intensity uniformity", "BJ5W"},
      {"Maximum histogram gradient", "12CE"},
      {"Maximum histogram gradient intensity", "8E6O"},
      {"Minimum histogram gradient", "VQB3"},
      {"Minimum histogram gradient intensity", "RHQZ"},
  };
  return Named("ih", names, Aggregation::kNone, values);
}

std::vector<Feature> IntensityVolumeFeatures(const std::vector<double>& intensities, double low, double high,
                                             double step) {
  if (intensities.empty()) throw DataError(Input::kMask, "IBSI intensity-volume histogram: the ROI is empty");
  if (!(step > 0) || !(high > low) || !std::isfinite(low) || !std::isfinite(high))
    throw InvalidArgument("IBSI intensity-volume histogram: needs low < high and a positive step");
  const double n = static_cast<double>(intensities.size());
  const double steps_in_grid = std::floor((high - low) / step + 1e-9);
  if (!(steps_in_grid <= 1e7))
    throw InvalidArgument("IBSI intensity-volume histogram: " + std::to_string(steps_in_grid) +
                          " intensities in its grid (at most 1e7: a larger step)");
  std::vector<double> sorted(intensities);
  std::sort(sorted.begin(), sorted.end());
  // The fraction of the volume at or above intensity t.
  const auto volume_at = [&](double t) {
    return static_cast<double>(sorted.end() - std::lower_bound(sorted.begin(), sorted.end(), t)) / n;
  };
  // V_x: the volume fraction whose intensity fraction is at least x.
  const auto v_at = [&](double fraction) { return volume_at(low + fraction * (high - low)); };
  // I_x: the least intensity of the grid low, low + step, ..., high with at
  // most the fraction x of the volume at or above it.
  const auto i_at = [&](double fraction) {
    const auto steps = static_cast<long>(steps_in_grid);
    for (long k = 0; k <= steps; ++k) {
      const double t = low + static_cast<double>(k) * step;
      if (volume_at(t) <= fraction) return t;
    }
    return high + step;  // (no intensity of the grid: beyond the highest)
  };
  const double v10 = v_at(0.10), v90 = v_at(0.90), i10 = i_at(0.10), i90 = i_at(0.90);
  std::vector<Feature> out = {
      {"ivh", "Volume at intensity fraction 10%", "BC2M", Aggregation::kNone, v10},
      {"ivh", "Volume at intensity fraction 90%", "BC2M", Aggregation::kNone, v90},
      {"ivh", "Intensity at volume fraction 10%", "GBPN", Aggregation::kNone, i10},
      {"ivh", "Intensity at volume fraction 90%", "GBPN", Aggregation::kNone, i90},
      {"ivh", "Volume fraction difference between intensity fractions 10% and 90%", "DDTU", Aggregation::kNone,
       v10 - v90},
      {"ivh", "Intensity fraction difference between volume fractions 10% and 90%", "CNV2", Aggregation::kNone,
       i10 - i90},
  };
  return out;
}

std::vector<Feature> LocalIntensityFeatures(const Image& image, const LabelImage& roi) {
  if (roi.geometry().size != image.geometry().size)
    throw GeometryError(Input::kMask, "IBSI local intensity: the ROI's grid differs from the image's");
  const auto& g = image.geometry();
  // A sphere of 1 cm^3 around each voxel centre [mm].
  const double radius = std::cbrt(3.0 * 1000.0 / (4.0 * M_PI));
  std::array<long, 3> reach{};
  for (int a = 0; a < 3; ++a) reach[a] = static_cast<long>(std::floor(radius / g.spacing[a]));
  const auto size = g.size;
  const auto local_mean = [&](long x, long y, long z) {
    double total = 0, count = 0;
    for (long dz = -reach[2]; dz <= reach[2]; ++dz)
      for (long dy = -reach[1]; dy <= reach[1]; ++dy)
        for (long dx = -reach[0]; dx <= reach[0]; ++dx) {
          const long nx = x + dx, ny = y + dy, nz = z + dz;
          if (nx < 0 || ny < 0 || nz < 0 || nx >= static_cast<long>(size[0]) || ny >= static_cast<long>(size[1]) ||
              nz >= static_cast<long>(size[2]))
            continue;
          const double ex = dx * g.spacing[0], ey = dy * g.spacing[1], ez = dz * g.spacing[2];
          if (ex * ex + ey * ey + ez * ez > radius * radius) continue;
          total += image(static_cast<std::size_t>(nx), static_cast<std::size_t>(ny), static_cast<std::size_t>(nz));
          count += 1;
        }
    return total / count;
  };
  double highest = -std::numeric_limits<double>::infinity();
  bool any = false;
  for (std::size_t n = 0; n < roi.size(); ++n)
    if (roi[n] != 0) {
      highest = std::max(highest, image[n]);
      any = true;
    }
  if (!any) throw DataError(Input::kMask, "IBSI local intensity: the ROI is empty");
  double local_peak = -std::numeric_limits<double>::infinity(), global_peak = local_peak;
  for (long z = 0; z < static_cast<long>(size[2]); ++z)
    for (long y = 0; y < static_cast<long>(size[1]); ++y)
      for (long x = 0; x < static_cast<long>(size[0]); ++x) {
        const auto i = static_cast<std::size_t>(x), j = static_cast<std::size_t>(y), k = static_cast<std::size_t>(z);
        if (roi(i, j, k) == 0) continue;
        const double mean = local_mean(x, y, z);
        global_peak = std::max(global_peak, mean);
        if (image(i, j, k) == highest) local_peak = std::max(local_peak, mean);
      }
  return {{"loc", "Local intensity peak", "VJGA", Aggregation::kNone, local_peak},
          {"loc", "Global intensity peak", "0F91", Aggregation::kNone, global_peak}};
}

}  // namespace lvsi::radiomics::ibsi

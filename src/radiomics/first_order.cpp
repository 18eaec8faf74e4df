#include <algorithm>
#include <cmath>
#include <string_view>
#include <utility>
#include <vector>

#include "detail/texture.h"
#include "lvsi/core/error.h"
#include "lvsi/radiomics/features.h"

namespace lvsi::radiomics {
using namespace std::string_view_literals;  // name comparisons check the length first
namespace {

// The percentiles firstorder uses, and the ranks (in ascending order) that
// numpy.percentile's linear interpolation reads for them.
constexpr double kPercentiles[] = {10, 25, 50, 75, 90};

std::pair<std::size_t, std::size_t> Ranks(std::size_t n, double q, double* t) {
  const double pos = q / 100.0 * static_cast<double>(n - 1);
  const std::size_t lo = static_cast<std::size_t>(std::floor(pos));
  *t = pos - static_cast<double>(lo);
  return {lo, std::min(lo + 1, n - 1)};
}

// The values at the given ranks, as a full sort would place them: each
// rank is selected (nth_element) within the part its neighbours left.
void Select(std::vector<double>& v, std::size_t begin, std::size_t end, const std::vector<std::size_t>& ranks,
            std::size_t first, std::size_t last) {
  if (first >= last || begin >= end) return;
  const std::size_t mid = first + (last - first) / 2, r = ranks[mid];
  std::nth_element(v.begin() + static_cast<long>(begin), v.begin() + static_cast<long>(r),
                   v.begin() + static_cast<long>(end));
  Select(v, begin, r, ranks, first, mid);
  Select(v, r + 1, end, ranks, mid + 1, last);
}

// numpy.percentile with linear interpolation, from values whose ranks for
// q are in place.
double Percentile(const std::vector<double>& ordered, double q) {
  double t;
  const auto [lo, hi] = Ranks(ordered.size(), q, &t);
  const double a = ordered[lo], b = ordered[hi];
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

double Mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double CentralMoment(const std::vector<double>& v, double mean, int k) {
  double s = 0;
  for (double x : v) {
    const double d = x - mean, d2 = d * d;
    s += k == 2 ? d2 : k == 3 ? d2 * d : d2 * d2;
  }
  return s / static_cast<double>(v.size());
}

}  // namespace

FirstOrderFeatures::FirstOrderFeatures(const Roi& roi, double voxel_array_shift)
    : roi_(roi), shift_(voxel_array_shift) {}

const std::vector<FeatureInfo>& FirstOrderFeatures::Features() {
  static const std::vector<FeatureInfo> kInfos = detail::SortedInfos({
      {"Energy", false, "N8CA", R"(\sum_i (X_i + c)^2; c = voxelArrayShift.)", "IBSI has no shift c.", "intensity^2"},
      {"TotalEnergy", false, "", R"(V_{voxel} \sum_i (X_i + c)^2.)", "Not in IBSI.", "mm^3 intensity^2"},
      {"Entropy", false, "TLU2", R"(-\sum_g p_g \log_2(p_g + \epsilon) over the discretised histogram.)", "IBSI intensity-histogram entropy; pyradiomics bins from 0 in steps of binWidth.", "bits"},
      {"Minimum", false, "1GSF", R"(\min X.)", "", "intensity"},
      {"10Percentile", false, "QG58", R"(10th percentile of X (linear interpolation).)", "", "intensity"},
      {"90Percentile", false, "8DWT", R"(90th percentile of X.)", "", "intensity"},
      {"Maximum", false, "84IY", R"(\max X.)", "", "intensity"},
      {"Mean", false, "Q4LE", R"(\frac{1}{N}\sum_i X_i.)", "", "intensity"},
      {"Median", false, "Y12H", R"(Median of X.)", "", "intensity"},
      {"InterquartileRange", false, "SALO", R"(P_{75} - P_{25}.)", "", "intensity"},
      {"Range", false, "2OJQ", R"(\max X - \min X.)", "", "intensity"},
      {"MeanAbsoluteDeviation", false, "4FUA", R"(\frac{1}{N}\sum_i |X_i - \bar X|.)", "", "intensity"},
      {"RobustMeanAbsoluteDeviation", false, "1128", R"(Mean absolute deviation of the values within [P_{10}, P_{90}].)", "", "intensity"},
      {"RootMeanSquared", false, "5ZWQ", R"(\sqrt{\frac{1}{N}\sum_i (X_i + c)^2}.)", "IBSI has no shift c.", "intensity"},
      {"StandardDeviation", true, "", R"(\sqrt{\frac{1}{N}\sum_i (X_i - \bar X)^2}.)", "Deprecated in pyradiomics (equals sqrt(Variance)).", "intensity"},
      {"Skewness", false, "KE2A", R"(\mu_3 / \mu_2^{3/2}; 0 for a flat region.)", "", "unitless"},
      {"Kurtosis", false, "IPH6", R"(\mu_4 / \mu_2^2; 0 for a flat region.)", "pyradiomics kurtosis is IBSI's excess kurtosis + 3.", "unitless"},
      {"Variance", false, "ECT3", R"(\frac{1}{N}\sum_i (X_i - \bar X)^2.)", "", "intensity^2"},
      {"Uniformity", false, "BJ5W", R"(\sum_g p_g^2.)", "IBSI intensity-histogram uniformity.", "unitless"},
  });
  return kInfos;
}

FeatureList FirstOrderFeatures::Compute(const std::vector<std::string>& names) const {
  return detail::Named(detail::ResolveNames(Features(), names, "firstorder"), Values(names));
}

std::vector<double> FirstOrderFeatures::Values(const std::vector<std::string>& names) const {
  const auto wanted = detail::ResolveNames(Features(), names, "firstorder");
  std::vector<double> x = roi_.RoiValues();
  // The order statistics the features read (extremes and the ranks of the
  // percentiles), in the places a full sort would give them.
  std::vector<double> sorted = x;
  std::vector<std::size_t> ranks{0, x.size() - 1};
  for (double q : kPercentiles) {
    double t;
    const auto [lo, hi] = Ranks(x.size(), q, &t);
    ranks.push_back(lo);
    ranks.push_back(hi);
  }
  std::sort(ranks.begin(), ranks.end());
  ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
  Select(sorted, 0, sorted.size(), ranks, 0, ranks.size());
  const double n = static_cast<double>(x.size());
  const double mean = Mean(x);
  const double m2 = CentralMoment(x, mean, 2);
  // Histogram of discretised levels (levels present, ascending).
  std::vector<double> level_counts(static_cast<std::size_t>(roi_.max_level) + 1, 0.0);
  for (std::size_t k = 0; k < roi_.levels.size(); ++k)
    if (roi_.mask[k]) level_counts[static_cast<std::size_t>(roi_.levels[k])] += 1;
  std::vector<std::pair<int, double>> counts;
  counts.reserve(roi_.gray_levels.size());
  for (std::size_t l = 0; l < level_counts.size(); ++l)
    if (level_counts[l] > 0) counts.emplace_back(static_cast<int>(l), level_counts[l]);
  double energy = 0;
  for (double v : x) energy += (v + shift_) * (v + shift_);
  const Geometry& g = roi_.geometry;
  auto value = [&](std::string_view f) -> double {
    if (f == "Energy"sv) return energy;
    if (f == "TotalEnergy"sv) return energy * g.spacing[0] * g.spacing[1] * g.spacing[2];
    if (f == "Entropy"sv) {
      double h = 0;
      for (const auto& [l, c] : counts) {
        const double p = c / n;
        h -= p * std::log2(p + detail::kEps);
      }
      return h;
    }
    if (f == "Uniformity"sv) {
      double u = 0;
      for (const auto& [l, c] : counts) u += (c / n) * (c / n);
      return u;
    }
    if (f == "Minimum"sv) return sorted.front();
    if (f == "Maximum"sv) return sorted.back();
    if (f == "Range"sv) return sorted.back() - sorted.front();
    if (f == "10Percentile"sv) return Percentile(sorted, 10);
    if (f == "90Percentile"sv) return Percentile(sorted, 90);
    if (f == "InterquartileRange"sv) return Percentile(sorted, 75) - Percentile(sorted, 25);
    if (f == "Mean"sv) return mean;
    if (f == "Median"sv) return Percentile(sorted, 50);
    if (f == "MeanAbsoluteDeviation"sv) {
      double s = 0;
      for (double v : x) s += std::abs(v - mean);
      return s / n;
    }
    if (f == "RobustMeanAbsoluteDeviation"sv) {
      const double p10 = Percentile(sorted, 10), p90 = Percentile(sorted, 90);
      std::vector<double> r;
      r.reserve(x.size());
      for (double v : x)
        if (v >= p10 && v <= p90) r.push_back(v);
      const double rm = Mean(r);
      double s = 0;
      for (double v : r) s += std::abs(v - rm);
      return s / static_cast<double>(r.size());
    }
    if (f == "RootMeanSquared"sv) return std::sqrt(energy / n);
    if (f == "StandardDeviation"sv) return std::sqrt(m2);
    if (f == "Variance"sv) return m2;
    if (f == "Skewness"sv) return m2 == 0 ? 0.0 : CentralMoment(x, mean, 3) / std::pow(m2, 1.5);
    if (f == "Kurtosis"sv) return m2 == 0 ? 0.0 : CentralMoment(x, mean, 4) / (m2 * m2);
    throw InvalidArgument("firstorder feature '" + std::string(f) + "' is not implemented");
  };
  std::vector<double> out;
  out.reserve(wanted.size());
  for (const auto f : wanted) out.push_back(value(f));
  return out;
}

}  // namespace lvsi::radiomics

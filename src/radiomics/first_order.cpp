#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>
#include <utility>
#include <vector>

#include "detail/texture.h"
#include "lvsi/core/error.h"
#include "lvsi/radiomics/features.h"

namespace lvsi::radiomics {
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

// What the features read: the ROI's values, their order statistics (the
// extremes and the percentiles' ranks in the places a full sort would give
// them), moments and the histogram of discretised levels.
struct FirstOrder {
  std::vector<double> x, sorted;
  double n = 0, mean = 0, m2 = 0, energy = 0;
  std::vector<std::pair<int, double>> counts;  // (level, voxels) of the levels present, ascending
  std::array<double, 3> spacing{};
};

using FirstOrderRow = detail::FeatureRow<FirstOrder>;

const std::vector<FirstOrderRow>& Rows() {
  static const std::vector<FirstOrderRow> kRows = {
      {{"Energy", false, "N8CA", R"(\sum_i (X_i + c)^2; c = voxelArrayShift.)", "IBSI has no shift c.", "intensity^2"},
       [](FirstOrder& f) { return f.energy; }},
      {{"TotalEnergy", false, "", R"(V_{voxel} \sum_i (X_i + c)^2.)", "Not in IBSI.", "mm^3 intensity^2"},
       [](FirstOrder& f) { return f.energy * f.spacing[0] * f.spacing[1] * f.spacing[2]; }},
      {{"Entropy", false, "TLU2", R"(-\sum_g p_g \log_2(p_g + \epsilon) over the discretised histogram.)",
        "IBSI intensity-histogram entropy; pyradiomics bins from 0 in steps of binWidth.", "bits"},
       [](FirstOrder& f) {
         double h = 0;
         for (const auto& [l, c] : f.counts) {
           const double p = c / f.n;
           h -= p * std::log2(p + detail::kEps);
         }
         return h;
       }},
      {{"Minimum", false, "1GSF", R"(\min X.)", "", "intensity"}, [](FirstOrder& f) { return f.sorted.front(); }},
      {{"10Percentile", false, "QG58", R"(10th percentile of X (linear interpolation).)", "", "intensity"},
       [](FirstOrder& f) { return Percentile(f.sorted, 10); }},
      {{"90Percentile", false, "8DWT", R"(90th percentile of X.)", "", "intensity"},
       [](FirstOrder& f) { return Percentile(f.sorted, 90); }},
      {{"Maximum", false, "84IY", R"(\max X.)", "", "intensity"}, [](FirstOrder& f) { return f.sorted.back(); }},
      {{"Mean", false, "Q4LE", R"(\frac{1}{N}\sum_i X_i.)", "", "intensity"}, [](FirstOrder& f) { return f.mean; }},
      {{"Median", false, "Y12H", R"(Median of X.)", "", "intensity"}, [](FirstOrder& f) { return Percentile(f.sorted, 50); }},
      {{"InterquartileRange", false, "SALO", R"(P_{75} - P_{25}.)", "", "intensity"},
       [](FirstOrder& f) { return Percentile(f.sorted, 75) - Percentile(f.sorted, 25); }},
      {{"Range", false, "2OJQ", R"(\max X - \min X.)", "", "intensity"},
       [](FirstOrder& f) { return f.sorted.back() - f.sorted.front(); }},
      {{"MeanAbsoluteDeviation", false, "4FUA", R"(\frac{1}{N}\sum_i |X_i - \bar X|.)", "", "intensity"},
       [](FirstOrder& f) {
         double s = 0;
         for (double v : f.x) s += std::abs(v - f.mean);
         return s / f.n;
       }},
      {{"RobustMeanAbsoluteDeviation", false, "1128",
        R"(Mean absolute deviation of the values within [P_{10}, P_{90}].)", "", "intensity"},
       [](FirstOrder& f) {
         const double p10 = Percentile(f.sorted, 10), p90 = Percentile(f.sorted, 90);
         std::vector<double> r;
         r.reserve(f.x.size());
         for (double v : f.x)
           if (v >= p10 && v <= p90) r.push_back(v);
         const double rm = Mean(r);
         double s = 0;
         for (double v : r) s += std::abs(v - rm);
         return s / static_cast<double>(r.size());
       }},
      {{"RootMeanSquared", false, "5ZWQ", R"(\sqrt{\frac{1}{N}\sum_i (X_i + c)^2}.)", "IBSI has no shift c.", "intensity"},
       [](FirstOrder& f) { return std::sqrt(f.energy / f.n); }},
      {{"StandardDeviation", true, "", R"(\sqrt{\frac{1}{N}\sum_i (X_i - \bar X)^2}.)",
        "Deprecated in pyradiomics (equals sqrt(Variance)).", "intensity"},
       [](FirstOrder& f) { return std::sqrt(f.m2); }},
      {{"Skewness", false, "KE2A", R"(\mu_3 / \mu_2^{3/2}; 0 for a flat region.)", "", "unitless"},
       [](FirstOrder& f) { return f.m2 == 0 ? 0.0 : CentralMoment(f.x, f.mean, 3) / std::pow(f.m2, 1.5); }},
      {{"Kurtosis", false, "IPH6", R"(\mu_4 / \mu_2^2; 0 for a flat region.)",
        "pyradiomics kurtosis is IBSI's excess kurtosis + 3.", "unitless"},
       [](FirstOrder& f) { return f.m2 == 0 ? 0.0 : CentralMoment(f.x, f.mean, 4) / (f.m2 * f.m2); }},
      {{"Variance", false, "ECT3", R"(\frac{1}{N}\sum_i (X_i - \bar X)^2.)", "", "intensity^2"},
       [](FirstOrder& f) { return f.m2; }},
      {{"Uniformity", false, "BJ5W", R"(\sum_g p_g^2.)", "IBSI intensity-histogram uniformity.", "unitless"},
       [](FirstOrder& f) {
         double u = 0;
         for (const auto& [l, c] : f.counts) u += (c / f.n) * (c / f.n);
         return u;
       }},
  };
  return kRows;
}

}  // namespace

FirstOrderFeatures::FirstOrderFeatures(const Roi& roi, double voxel_array_shift)
    : roi_(roi), shift_(voxel_array_shift) {}

const std::vector<FeatureInfo>& FirstOrderFeatures::Features() {
  static const std::vector<FeatureInfo> kInfos = detail::InfosOf(Rows());
  return kInfos;
}

FeatureList FirstOrderFeatures::Compute(const std::vector<std::string>& names) const {
  return detail::Named(detail::ResolveNames(Features(), names, "firstorder"), Values(names));
}

std::vector<double> FirstOrderFeatures::Values(const std::vector<std::string>& names) const {
  const auto wanted = detail::ResolveNames(Features(), names, "firstorder");
  FirstOrder f;
  f.x = roi_.RoiValues();
  const std::vector<double>& x = f.x;
  f.sorted = x;
  std::vector<std::size_t> ranks{0, x.size() - 1};
  for (double q : kPercentiles) {
    double t;
    const auto [lo, hi] = Ranks(x.size(), q, &t);
    ranks.push_back(lo);
    ranks.push_back(hi);
  }
  std::sort(ranks.begin(), ranks.end());
  ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
  Select(f.sorted, 0, f.sorted.size(), ranks, 0, ranks.size());
  f.n = static_cast<double>(x.size());
  f.mean = Mean(x);
  f.m2 = CentralMoment(x, f.mean, 2);
  std::vector<double> level_counts(static_cast<std::size_t>(roi_.max_level) + 1, 0.0);
  for (std::size_t k = 0; k < roi_.levels.size(); ++k)
    if (roi_.mask[k]) level_counts[static_cast<std::size_t>(roi_.levels[k])] += 1;
  f.counts.reserve(roi_.gray_levels.size());
  for (std::size_t l = 0; l < level_counts.size(); ++l)
    if (level_counts[l] > 0) f.counts.emplace_back(static_cast<int>(l), level_counts[l]);
  for (double v : x) f.energy += (v + shift_) * (v + shift_);
  f.spacing = roi_.geometry.spacing;
  return detail::Evaluate(Rows(), wanted, f, "firstorder");
}

}  // namespace lvsi::radiomics

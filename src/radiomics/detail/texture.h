#pragma once
// Internal helpers shared by the texture families (not installed).

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "lvsi/core/error.h"
#include "lvsi/radiomics/roi.h"

namespace lvsi::radiomics::detail {

/// A neighbour offset in voxels along x, y, z.
struct Offset {
  int dx = 0, dy = 0, dz = 0;
};

/// pyradiomics' angles: every offset whose infinity norm is one of
/// `distances`, that stays within `size` (x, y, z) and, with force2d, does
/// not move along the out-of-plane axis (pyradiomics numbering 0 = z,
/// 1 = y, 2 = x).  Without `bidirectional` only the half whose first
/// non-zero component in (z, y, x) order is positive is kept.
std::vector<Offset> GenerateAngles(const std::array<std::size_t, 3>& size,
                                   const std::vector<int>& distances, bool bidirectional,
                                   bool force2d, int force2d_dimension);

/// Weight of an angle for distance weighting (GLCM uses exp(-d^2), GLRLM d).
double AngleDistance(const Offset& a, const std::array<double, 3>& spacing, const std::string& norm);

/// The eight emphases' sums of p w(i, j) over a matrix's non-zero entries
/// (grey level i, zone size, dependence or run length j, count p): small
/// 1/j^2, large j^2, low 1/i^2, high i^2, and their four products.  One
/// pass: each sum is accumulated on its own in the entries' order (the bits
/// of a pass of its own), and their additions overlap.  `fields(e)` gives
/// an entry's {i, j, p}.
struct EmphasisSums {
  double small = 0, large = 0, low = 0, high = 0, small_low = 0, small_high = 0, large_low = 0, large_high = 0;
};
template <class Iterator, class Fields>
EmphasisSums SumEmphases(Iterator first, Iterator last, Fields fields) {
  EmphasisSums r;
  for (; first != last; ++first) {
    const std::array<double, 3> f = fields(*first);
    const double i = f[0], j = f[1], p = f[2];
    r.small += p * (1 / (j * j));
    r.large += p * (j * j);
    r.low += p * (1 / (i * i));
    r.high += p * (i * i);
    r.small_low += p * (1 / (i * i * j * j));
    r.small_high += p * (i * i / (j * j));
    r.large_low += p * (j * j / (i * i));
    r.large_high += p * (i * i * j * j);
  }
  return r;
}

/// numpy.nanmean over angles: NaN entries are skipped; all NaN gives NaN.
inline double NanMean(const std::vector<double>& v) {
  double s = 0;
  std::size_t n = 0;
  for (double x : v)
    if (!std::isnan(x)) {
      s += x;
      ++n;
    }
  return n ? s / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
}

/// numpy.spacing(1): the epsilon pyradiomics adds inside logarithms.
constexpr double kEps = 2.220446049250313e-16;

/// The root of x in a disjoint-set forest (parent[r] == r at a root),
/// halving the path on the way.
inline std::size_t FindRoot(std::vector<std::size_t>& parent, std::size_t x) {
  while (parent[x] != x) x = parent[x] = parent[parent[x]];
  return x;
}

/// Maps grey levels to compact indices 0..G-1 over roi.gray_levels.
std::vector<int> LevelIndex(const Roi& roi);

/// The ROI's level indices (into roi.gray_levels) on its box padded by
/// `pad` voxels on every side, so that neighbours within `pad` need no
/// bounds checks: -1 for a voxel of the box outside the ROI and -2 on the
/// padding.  With pad 1 it is the ROI's own padded map.
struct PaddedLevels {
 private:
  std::vector<int> own_at_;  // used when the ROI's own map does not serve
  std::vector<std::size_t> own_voxels_;

 public:
  const std::vector<int>& at;
  const std::vector<std::size_t>& voxels;  ///< padded indices of the ROI voxels, in raster order
  std::size_t px = 0, py = 0;              ///< padded sizes along x and y
  /// Reads the ROI's own map (Roi::Build made it) when pad is 1 and the map
  /// fits the box; builds one otherwise.
  PaddedLevels(const Roi& roi, std::size_t pad);
  PaddedLevels(const PaddedLevels&) = delete;
  PaddedLevels& operator=(const PaddedLevels&) = delete;
  /// Index step of an offset.
  long Step(const Offset& o) const { return o.dx + static_cast<long>(px) * (o.dy + static_cast<long>(py) * o.dz); }
  /// The entry `step` away from padded index n.
  int Near(std::size_t n, long step) const { return at[static_cast<std::size_t>(static_cast<long>(n) + step)]; }
};

/// A value per grey level that entries of a PaddedLevels map index
/// directly, including the map's marks for voxels outside the ROI (-1 in
/// the box, -2 on the padding), which read `outside`: loops over
/// neighbours then need no branch on them.
template <class T>
class LevelTable {
 public:
  LevelTable(const std::vector<int>& gray_levels, T outside) : values_(gray_levels.size() + 2, outside) {
    std::copy(gray_levels.begin(), gray_levels.end(), values_.begin() + 2);
  }
  /// The table read from index -2 on: pointer[entry] for any map entry.
  const T* data() const { return values_.data() + 2; }

 private:
  std::vector<T> values_;
};

/// The neighbourhood of voxel-based extraction: every voxel within
/// `radius` (infinity norm), none off-plane along lvsi axis `flat_axis`
/// (force2D; -1 for none).
struct KernelShape {
  int radius = 1;
  int flat_axis = -1;
};

/// Scratch space BuildKernel reuses from one kernel to the next.
struct KernelBuffers {
  std::vector<char> present;  // per grey level: seen in this kernel
};

/// The kernel around voxel `center` (an index into `whole`'s box) as a Roi
/// of its own, written into *kernel (whose storage is reused): its box is
/// the neighbourhood clipped to `whole`'s box, its voxels those of `whole`
/// there, with `whole`'s grey levels (the levels present in the kernel;
/// max_level, pyradiomics' Ng, stays the whole ROI's).  bin_edges is left
/// empty.
void BuildKernel(const Roi& whole, std::size_t center, const KernelShape& shape, KernelBuffers& buffers, Roi* kernel);

/// Resolves a feature request: empty `names` -> all non-deprecated features
/// of `infos` (in pyradiomics' order), else the named ones (InvalidArgument
/// for unknown names, naming the family).  The views point at the names in
/// `infos` (a family's static Features()).
std::vector<std::string_view> ResolveNames(const std::vector<FeatureInfo>& infos,
                                           const std::vector<std::string>& names, const char* family);

/// A family's Compute() result: the resolved names with their values.
FeatureList Named(const std::vector<std::string_view>& names, const std::vector<double>& values);

/// Sorts FeatureInfos in pyradiomics' order (by "get<Name>FeatureValue").
std::vector<FeatureInfo> SortedInfos(std::vector<FeatureInfo> infos);

/// One row of a feature family's table: the feature's documentation (name,
/// IBSI code, formula, unit) and the code that computes it from `State`,
/// what the family computes once per call (its matrices, their marginals,
/// sums several features share, filled on first use).
template <class State>
struct FeatureRow {
  FeatureInfo info;
  double (*value)(State&);
};

/// The rows' documentation in pyradiomics' order (a family's Features()).
template <class State>
std::vector<FeatureInfo> InfosOf(const std::vector<FeatureRow<State>>& rows) {
  std::vector<FeatureInfo> infos;
  infos.reserve(rows.size());
  for (const FeatureRow<State>& row : rows) infos.push_back(row.info);
  return SortedInfos(std::move(infos));
}

/// The values of the `wanted` features (resolved names), in that order,
/// each from its row; InvalidArgument, naming `family`, for a name without
/// a row.
template <class State>
std::vector<double> Evaluate(const std::vector<FeatureRow<State>>& rows, const std::vector<std::string_view>& wanted,
                             State& state, const char* family) {
  std::vector<double> out;
  out.reserve(wanted.size());
  for (const std::string_view name : wanted) {
    const auto row = std::find_if(rows.begin(), rows.end(),
                                  [&](const FeatureRow<State>& r) { return r.info.name == name; });
    if (row == rows.end())
      throw InvalidArgument(std::string(family) + " feature '" + std::string(name) + "' is not implemented");
    out.push_back(row->value(state));
  }
  return out;
}

}  // namespace lvsi::radiomics::detail

#pragma once
// Internal helpers shared by the texture families (not installed).

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

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

/// Maps grey levels to compact indices 0..G-1 over roi.gray_levels.
std::vector<int> LevelIndex(const Roi& roi);

/// Resolves a feature request: empty `names` -> all non-deprecated features
/// of `infos` (in pyradiomics' order), else the named ones (InvalidArgument
/// for unknown names, naming the family).
std::vector<std::string> ResolveNames(const std::vector<FeatureInfo>& infos,
                                      const std::vector<std::string>& names, const char* family);

/// Sorts FeatureInfos in pyradiomics' order (by "get<Name>FeatureValue").
std::vector<FeatureInfo> SortedInfos(std::vector<FeatureInfo> infos);

}  // namespace lvsi::radiomics::detail

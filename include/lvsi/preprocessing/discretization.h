#pragma once
/// \file
/// Grey-level discretisation with pyradiomics' bin edges.

#include <optional>
#include <string>
#include <vector>

#include "lvsi/preprocessing/export.h"

namespace lvsi::preprocessing {

/// How intensities are binned into grey levels 1..N.
struct LVSI_PREPROCESSING_EXPORT DiscretizationSettings {
  double bin_width = 25.0;         ///< Fixed bin width [intensity units] (pyradiomics `binWidth`).
  std::optional<int> bin_count;    ///< Fixed bin number (`binCount`); overrides bin_width.
  /// Checks bin_width > 0 (finite) and bin_count >= 1.
  bool IsValid(std::string* why = nullptr) const;
};

/// pyradiomics' bin edges for `values` (getBinEdges):
/// - fixed width W: edges start at min - (min mod W) (Python's floored
///   modulo), step W, up to (not including) max + 2W, as numpy.arange
///   computes them; a flat region gets the two edges e0 -/+ 0.5;
/// - fixed count N: numpy.histogram's N+1 equally spaced edges between min
///   and max (min -/+ 0.5 when flat), the last edge raised by 1.
/// Throws InvalidArgument for invalid settings or empty values.
LVSI_PREPROCESSING_EXPORT std::vector<double> ComputeBinEdges(const std::vector<double>& values,
                                                              const DiscretizationSettings& settings);

/// numpy.digitize(value, edges) for increasing edges: the number of edges
/// <= value (so values in [e_k, e_k+1) map to k + 1).
LVSI_PREPROCESSING_EXPORT int Digitize(double value, const std::vector<double>& edges) noexcept;

/// Discretises every value with ComputeBinEdges + Digitize.
LVSI_PREPROCESSING_EXPORT std::vector<int> Discretize(const std::vector<double>& values,
                                                      const DiscretizationSettings& settings);

}  // namespace lvsi::preprocessing

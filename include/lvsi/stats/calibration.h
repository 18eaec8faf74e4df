#pragma once
/// \file
/// Calibration and clinical usefulness of predicted probabilities.

#include <cstddef>
#include <vector>

#include "lvsi/stats/export.h"

namespace lvsi::stats {

/// Hosmer-Lemeshow goodness of fit: `groups` groups cut at quantiles of the
/// predicted probability (R's quantile type 7, cut with include.lowest, as
/// ResourceSelection::hoslem.test), statistic over both outcome columns,
/// df = groups - 2.  Throws InvalidArgument for probabilities outside
/// [0, 1], mismatched lengths, or quantile breaks that are not distinct.
struct LVSI_STATS_EXPORT HosmerLemeshowResult {
  double statistic = 0, df = 0, p = 0;
};
LVSI_STATS_EXPORT HosmerLemeshowResult HosmerLemeshow(const std::vector<double>& probabilities,
                                                           const std::vector<int>& labels, int groups = 10);

/// One bin of a calibration curve.
struct CalibrationBin {
  double mean_predicted = 0;   ///< Mean predicted probability in the bin.
  double observed = 0;         ///< Fraction of positives in the bin.
  std::size_t count = 0;       ///< Cases in the bin.
};

/// Calibration curve: `bins` groups at quantiles of the prediction
/// (`quantile_bins`, as the Hosmer-Lemeshow groups) or `bins` equal-width
/// bins on [0, 1]; empty bins are left out.
LVSI_STATS_EXPORT std::vector<CalibrationBin> CalibrationCurve(const std::vector<double>& probabilities,
                                                                    const std::vector<int>& labels, int bins = 10,
                                                                    bool quantile_bins = true);

/// Calibration intercept (calibration-in-the-large: logistic regression of
/// the outcome with logit(p) as offset) and slope (logistic regression of the
/// outcome on logit(p)), fitted by Newton-Raphson; probabilities are clipped
/// to [1e-12, 1 - 1e-12] for the logit.
struct LVSI_STATS_EXPORT CalibrationFit {
  double intercept = 0, slope = 0;
  bool converged = false;
};
LVSI_STATS_EXPORT CalibrationFit CalibrationInterceptSlope(const std::vector<double>& probabilities,
                                                                const std::vector<int>& labels);

/// Brier score, mean (p - y)^2.
LVSI_STATS_EXPORT double BrierScore(const std::vector<double>& probabilities, const std::vector<int>& labels);

/// Net benefit of treating patients with probability >= threshold:
/// TP/n - FP/n * pt / (1 - pt).  Threshold must lie in (0, 1).
LVSI_STATS_EXPORT double NetBenefit(const std::vector<double>& probabilities, const std::vector<int>& labels,
                                         double threshold);
/// Net benefit of treating everyone: prevalence - (1 - prevalence) pt / (1 - pt).
LVSI_STATS_EXPORT double NetBenefitTreatAll(const std::vector<int>& labels, double threshold);

}  // namespace lvsi::stats

#pragma once
/// \file
/// Calibration and clinical usefulness of predicted probabilities.

#include <vector>

#include "lvsi/evaluation/export.h"

namespace lvsi::evaluation {

/// Hosmer-Lemeshow goodness of fit: `groups` groups cut at quantiles of the
/// predicted probability (R's quantile type 7, cut with include.lowest, as
/// ResourceSelection::hoslem.test), statistic over both outcome columns,
/// df = groups - 2.  Throws InvalidArgument for probabilities outside
/// [0, 1], mismatched lengths, or quantile breaks that are not distinct.
struct LVSI_EVALUATION_EXPORT HosmerLemeshowResult {
  double statistic = 0, df = 0, p = 0;
};
LVSI_EVALUATION_EXPORT HosmerLemeshowResult HosmerLemeshow(const std::vector<double>& probabilities,
                                                           const std::vector<int>& labels, int groups = 10);

/// Brier score, mean (p - y)^2.
LVSI_EVALUATION_EXPORT double BrierScore(const std::vector<double>& probabilities, const std::vector<int>& labels);

/// Net benefit of treating patients with probability >= threshold:
/// TP/n - FP/n * pt / (1 - pt).  Threshold must lie in (0, 1).
LVSI_EVALUATION_EXPORT double NetBenefit(const std::vector<double>& probabilities, const std::vector<int>& labels,
                                         double threshold);
/// Net benefit of treating everyone: prevalence - (1 - prevalence) pt / (1 - pt).
LVSI_EVALUATION_EXPORT double NetBenefitTreatAll(const std::vector<int>& labels, double threshold);

}  // namespace lvsi::evaluation

#pragma once
/// \file
/// ROC analysis as pROC computes it: AUC, DeLong variance and confidence
/// interval (fast O(n log n) algorithm of Sun and Xu), paired DeLong test,
/// Youden-optimal threshold and diagnostic metrics with exact intervals.

#include <string>
#include <vector>

#include "lvsi/stats/export.h"

namespace lvsi::stats {

/// A point of the ROC curve at one threshold (predicted positive when the
/// score is above it).
struct RocPoint {
  double threshold = 0, sensitivity = 0, specificity = 0;
};

/// The empirical ROC curve of `scores` for 0/1 `labels`: thresholds at -inf,
/// midway between adjacent distinct scores, and +inf, as pROC places them.
/// Higher scores indicate the positive class.  Throws InvalidArgument for
/// mismatched lengths, labels other than 0/1, a single class, non-finite
/// scores, or scores that are all equal (MetricsAt accepts those: a fixed
/// cut-off applies to any scores).
LVSI_STATS_EXPORT std::vector<RocPoint> RocCurve(const std::vector<double>& scores, const std::vector<int>& labels);

/// AUC with its DeLong variance and 95% interval (clipped to [0, 1]).
struct LVSI_STATS_EXPORT AucResult {
  double auc = 0, variance = 0, ci_low = 0, ci_high = 0;
};

/// AUC alone: P(positive score > negative score) + P(tie) / 2, the value
/// DeLongAuc reports, by mid-ranks in O(n log n).  Unlike the ROC functions
/// it accepts all-equal scores (AUC 0.5), as cross-validation folds need;
/// other errors as RocCurve.
LVSI_STATS_EXPORT double Auc(const std::vector<double>& scores, const std::vector<int>& labels);

/// AUC and DeLong CI at `level` (default 0.95).  Errors as RocCurve.
LVSI_STATS_EXPORT AucResult DeLongAuc(const std::vector<double>& scores, const std::vector<int>& labels,
                                           double level = 0.95);

/// Paired DeLong test of two scores on the same cases (pROC roc.test,
/// method "delong"): z = (AUC_a - AUC_b) / sd, two-sided p.  When the
/// difference has no variance (e.g. the same ranking of the cases), equal
/// AUCs give z = 0 and p = 1, different ones z = +-inf and p = 0.
struct LVSI_STATS_EXPORT DeLongTest {
  double auc_a = 0, auc_b = 0, z = 0, p = 0;
};
LVSI_STATS_EXPORT DeLongTest PairedDeLongTest(const std::vector<double>& a, const std::vector<double>& b,
                                                   const std::vector<int>& labels);

/// Unpaired DeLong test of two AUCs from different cases:
/// z = (AUC_a - AUC_b) / sqrt(Var_a + Var_b).
LVSI_STATS_EXPORT DeLongTest UnpairedDeLongTest(const std::vector<double>& a, const std::vector<int>& labels_a,
                                                     const std::vector<double>& b, const std::vector<int>& labels_b);

/// Stratified bootstrap interval of the AUC: `replicates` resamples drawn
/// with replacement within each class (seeded, so reproducible), percentile
/// interval at `level`.
LVSI_STATS_EXPORT AucResult BootstrapAuc(const std::vector<double>& scores, const std::vector<int>& labels,
                                              int replicates = 2000, unsigned seed = 1, double level = 0.95);

/// Sensitivity, specificity and the other metrics at a cut-off, with exact
/// (Clopper-Pearson) 95% intervals.
struct LVSI_STATS_EXPORT ClassificationMetrics {
  double threshold = 0;
  long tp = 0, fp = 0, tn = 0, fn = 0;
  double sensitivity = 0, specificity = 0, accuracy = 0, ppv = 0, npv = 0;
  double sensitivity_low = 0, sensitivity_high = 0, specificity_low = 0, specificity_high = 0;
  double accuracy_low = 0, accuracy_high = 0, ppv_low = 0, ppv_high = 0, npv_low = 0, npv_high = 0;
};

/// Metrics when cases with score > `threshold` are called positive.
LVSI_STATS_EXPORT ClassificationMetrics MetricsAt(const std::vector<double>& scores,
                                                       const std::vector<int>& labels, double threshold);

/// The threshold maximising sensitivity + specificity (Youden's J) among
/// pROC's thresholds; ties go to the lowest threshold (document in
/// docs/evaluation.md), and the metrics there.
LVSI_STATS_EXPORT ClassificationMetrics YoudenOptimal(const std::vector<double>& scores,
                                                           const std::vector<int>& labels);

/// Exact binomial (Clopper-Pearson) interval for k successes of n.
LVSI_STATS_EXPORT void ClopperPearson(long k, long n, double level, double* low, double* high);

}  // namespace lvsi::stats

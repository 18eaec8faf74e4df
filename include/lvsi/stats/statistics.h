#pragma once
/// \file
/// Classical tests and agreement statistics, computed as R computes them
/// (stats::t.test, wilcox.test, chisq.test, fisher.test, p.adjust;
/// psych::ICC).  Distributions come from Boost.Math.  This is the one place
/// the selection and evaluation modules take their statistics from.

#include <Eigen/Core>
#include <string>
#include <vector>

#include "lvsi/stats/export.h"

namespace lvsi::stats {

/// Result of a two-sample test.
struct TestResult {
  double statistic = 0;  ///< t, W (Mann-Whitney), X-squared.
  double df = 0;         ///< Degrees of freedom (0 where not applicable).
  double p = 0;          ///< Two-sided p-value.
  /// How p was obtained when not by the test's usual method (e.g. a
  /// Monte-Carlo estimate in place of an exact enumeration); empty otherwise.
  std::string note;
};

/// Student's two-sample t-test with pooled variance (t.test(var.equal = TRUE)).
/// Throws InvalidArgument when a group has fewer than 2 values or both are constant.
LVSI_STATS_EXPORT TestResult StudentTTest(const std::vector<double>& x, const std::vector<double>& y);
/// Welch's unequal-variance t-test (t.test default).
LVSI_STATS_EXPORT TestResult WelchTTest(const std::vector<double>& x, const std::vector<double>& y);

/// Settings of MannWhitneyU.
struct LVSI_STATS_EXPORT MannWhitneySettings {
  bool exact = false;       ///< Exact null distribution (only without ties, n1, n2 < 50).
  bool continuity = true;   ///< Continuity correction of the normal approximation.
  /// False, with the reason in `why` (when not null), when a setting is out of range.
  bool IsValid(std::string* why = nullptr) const;
};

/// The name of lvsi 0.1, kept for one minor release.
using MannWhitneyOptions [[deprecated("use MannWhitneySettings")]] = MannWhitneySettings;

/// Wilcoxon rank-sum / Mann-Whitney U test, two-sided, as wilcox.test:
/// statistic W = rank sum of x minus n_x (n_x + 1) / 2; by default the
/// normal approximation with tie correction and continuity correction.
LVSI_STATS_EXPORT TestResult MannWhitneyU(const std::vector<double>& x, const std::vector<double>& y,
                                               const MannWhitneySettings& options = {});

/// Pearson's chi-square test of independence on a contingency table (rows x
/// columns of counts); `yates` applies the continuity correction to 2 x 2
/// tables as chisq.test(correct = TRUE).  Throws InvalidArgument for tables
/// smaller than 2 x 2, negative counts or an empty row/column.
LVSI_STATS_EXPORT TestResult ChiSquareTest(const std::vector<std::vector<double>>& table, bool yates);

/// Settings of FisherExactTest: the cost limit of the exact enumeration and
/// the Monte-Carlo fallback beyond it.
struct LVSI_STATS_EXPORT FisherSettings {
  /// Largest number of tables enumerated exactly (about 0.1-0.5 s per 1e6
  /// on one core); beyond it the p-value is estimated.
  long long max_tables = 10'000'000;
  /// Random tables of the Monte-Carlo estimate (fisher.test's
  /// simulate.p.value with B = replicates).
  int replicates = 100'000;
  unsigned seed = 1;  ///< Seed of the random tables (the estimate is reproducible).
  bool IsValid(std::string* why = nullptr) const;
};

/// Fisher's exact test, two-sided (the p-value sums the probabilities of all
/// tables with the observed margins that are not more likely than the
/// observed one, with R's relative tolerance 1e-7).  Any r x c table of
/// counts.  When the tables with the observed margins outnumber
/// `settings.max_tables`, the p-value is a Monte-Carlo estimate instead, as
/// fisher.test(simulate.p.value = TRUE) computes it: (1 + the number of
/// random tables with those margins that are not more likely than the
/// observed one) / (replicates + 1); `note` then says so, and a warning is
/// logged.
LVSI_STATS_EXPORT TestResult FisherExactTest(const std::vector<std::vector<long>>& table,
                                             const FisherSettings& settings = {});

/// Bonferroni adjustment (p.adjust "bonferroni"): min(1, m p).
LVSI_STATS_EXPORT std::vector<double> BonferroniAdjust(const std::vector<double>& p);
/// Holm's step-down adjustment (p.adjust "holm").
LVSI_STATS_EXPORT std::vector<double> HolmAdjust(const std::vector<double>& p);

/// Shrout and Fleiss intraclass correlations of a subjects x raters matrix
/// (psych::ICC): single-rater ICC(1,1), ICC(2,1), ICC(3,1), their
/// average-rater forms ICC(1,k), ICC(2,k), ICC(3,k), and 95% confidence
/// intervals.
struct LVSI_STATS_EXPORT IccResult {
  double icc1 = 0, icc2 = 0, icc3 = 0;     ///< Single rater.
  double icc1k = 0, icc2k = 0, icc3k = 0;  ///< Average of k raters.
  double icc1_low = 0, icc1_high = 0, icc2_low = 0, icc2_high = 0, icc3_low = 0, icc3_high = 0;
};

/// ICCs of `ratings[subject][rater]` (at least 2 subjects and 2 raters, no
/// missing values; InvalidArgument otherwise).
LVSI_STATS_EXPORT IccResult IntraclassCorrelation(const std::vector<std::vector<double>>& ratings);

/// Checks binary outcome labels: every label 0 or 1 and both classes
/// present; otherwise InvalidArgument starting with `who`.
LVSI_STATS_EXPORT void CheckBinaryLabels(const std::vector<int>& labels, const std::string& who);

/// Checks a training set: one label per row of `x` (CheckBinaryLabels) and
/// every value finite; otherwise InvalidArgument starting with `who`.
LVSI_STATS_EXPORT void CheckTrainingData(const Eigen::MatrixXd& x, const std::vector<int>& labels,
                                         const std::string& who);

/// Average ranks (ties share the mean of their positions), 1-based.
LVSI_STATS_EXPORT std::vector<double> MidRanks(const std::vector<double>& values);

}  // namespace lvsi::stats

// Properties of the statistics: ROC/DeLong, decision curves, classical
// tests, calibration.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "lvsi/core/error.h"
#include "lvsi/stats.h"

namespace lvsi::stats {
namespace {

TEST(Roc, PerfectReversedAndShrinkingInterval) {
  std::vector<double> s{0.1, 0.2, 0.3, 0.6, 0.7, 0.9};
  std::vector<int> y{0, 0, 0, 1, 1, 1};
  EXPECT_DOUBLE_EQ(DeLongAuc(s, y).auc, 1.0);
  std::vector<double> r;
  for (double v : s) r.push_back(-v);
  EXPECT_DOUBLE_EQ(DeLongAuc(r, y).auc, 0.0);
  // The DeLong interval narrows as the cohort grows.
  std::mt19937 rng(3);
  std::normal_distribution<double> noise(0, 1);
  double previous = 1;
  for (int n : {40, 400, 4000}) {
    std::vector<double> sc;
    std::vector<int> lab;
    for (int i = 0; i < n; ++i) {
      lab.push_back(i % 2);
      sc.push_back(noise(rng) + (i % 2));
    }
    const auto a = DeLongAuc(sc, lab);
    EXPECT_LT(a.ci_high - a.ci_low, previous);
    previous = a.ci_high - a.ci_low;
  }
}

TEST(Roc, PlainAucAgreesWithDeLongAndAcceptsConstantScores) {
  const std::vector<double> s = {0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.2};
  const std::vector<int> y = {0, 0, 1, 1, 1, 1, 0};
  EXPECT_NEAR(Auc(s, y), DeLongAuc(s, y).auc, 1e-15);
  EXPECT_DOUBLE_EQ(Auc({0.3, 0.3, 0.3}, {0, 1, 1}), 0.5);
  EXPECT_THROW(Auc({0.3, 0.3}, {1, 1}), InvalidArgument);
}

TEST(Roc, BadInput) {
  EXPECT_THROW(DeLongAuc({0.1, 0.2}, {1, 1}), InvalidArgument);              // one class
  EXPECT_THROW(DeLongAuc({0.1, 0.2, 0.3}, {0, 1}), InvalidArgument);         // lengths
  EXPECT_THROW(DeLongAuc({0.1, std::nan(""), 0.3}, {0, 1, 1}), InvalidArgument);
  EXPECT_THROW(DeLongAuc({0.1, 0.2}, {0, 2}), InvalidArgument);
  EXPECT_THROW(DeLongAuc({0.4, 0.4, 0.4}, {0, 1, 1}), InvalidArgument);       // all scores equal
  EXPECT_THROW(YoudenOptimal({0.4, 0.4, 0.4}, {0, 1, 1}), InvalidArgument);
  EXPECT_EQ(MetricsAt({0.4, 0.4, 0.4}, {0, 1, 1}, 0.5).tn, 1);                 // a fixed cut-off still applies
  // The same ranking: no variance, no evidence of a difference.
  const auto same = PairedDeLongTest({0.1, 0.2, 0.3, 0.25}, {1, 2, 3, 2.5}, {0, 1, 1, 0});
  EXPECT_EQ(same.z, 0.0);
  EXPECT_EQ(same.p, 1.0);
  EXPECT_THROW(BrierScore({0.5, 1.2}, {0, 1}), InvalidArgument);
  EXPECT_THROW(NetBenefit({0.5, 0.2}, {0, 1}, 1.0), InvalidArgument);
  EXPECT_THROW(NetBenefitTreatAll({0, 1}, 0), InvalidArgument);
  EXPECT_THROW(HosmerLemeshow({0.5, 0.5, 0.5, 0.5}, {0, 1, 0, 1}), InvalidArgument);  // all equal
}

TEST(DecisionCurve, TreatNoneIsZeroAndPerfectModelGainsPrevalence) {
  std::vector<double> p{0.05, 0.1, 0.9, 0.95};
  std::vector<int> y{0, 0, 1, 1};
  for (double t : {0.2, 0.5, 0.8}) {
    // Treating nobody (every probability below the threshold) has no benefit.
    EXPECT_EQ(NetBenefit({0.01, 0.01, 0.01, 0.01}, y, t), 0.0);
    EXPECT_DOUBLE_EQ(NetBenefit(p, y, t), 0.5);
  }
}

TEST(Tests, HandCheckedValues) {
  // 2x2 Fisher: the classic tea-tasting table, two-sided p = 0.4857.
  EXPECT_NEAR(FisherExactTest({{3, 1}, {1, 3}}).p, 0.4857142857, 1e-9);
  // Exact Mann-Whitney without ties: x all below y, n = 3 + 3: p = 2/20.
  EXPECT_NEAR(MannWhitneyU({1, 2, 3}, {4, 5, 6}, {true, true}).p, 0.1, 1e-12);
  EXPECT_THROW(MannWhitneyU({1, 2, 2}, {4, 5, 6}, {true, true}), InvalidArgument);
  const auto holm = HolmAdjust({0.01, 0.04, 0.03});
  EXPECT_NEAR(holm[0], 0.03, 1e-15);
  EXPECT_NEAR(holm[1], 0.06, 1e-15);
  EXPECT_NEAR(holm[2], 0.06, 1e-15);
  EXPECT_EQ(BonferroniAdjust({0.5, 0.2})[0], 1.0);
  const auto icc = IntraclassCorrelation({{1, 1}, {2, 2}, {3, 3}, {4, 4}});
  EXPECT_NEAR(icc.icc1, 1.0, 1e-12);
  EXPECT_NEAR(icc.icc3, 1.0, 1e-12);
  double lo, hi;
  ClopperPearson(0, 10, 0.95, &lo, &hi);
  EXPECT_EQ(lo, 0);
  EXPECT_NEAR(hi, 1 - std::pow(0.025, 0.1), 1e-12);
}

// Beyond its cost limit Fisher's test estimates p by Monte Carlo, close to
// the exact value, reproducibly, and says so.
TEST(Tests, FisherMonteCarloBeyondTheCostLimit) {
  const std::vector<std::vector<long>> table{{3, 9}, {7, 4}, {2, 8}, {6, 5}};
  const TestResult exact = FisherExactTest(table);
  EXPECT_TRUE(exact.note.empty());
  FisherSettings cheap;
  cheap.max_tables = 10;
  const TestResult estimate = FisherExactTest(table, cheap);
  EXPECT_NE(estimate.note.find("Monte-Carlo"), std::string::npos);
  EXPECT_NEAR(estimate.p, exact.p, 0.005);  // the standard error at 1e5 tables is below 0.0016
  EXPECT_EQ(FisherExactTest(table, cheap).p, estimate.p);
  cheap.seed = 2;
  EXPECT_NE(FisherExactTest(table, cheap).p, estimate.p);
  // 60 levels x 2 and 150 counts: answered within the limit, not hours.
  std::vector<std::vector<long>> wide(60, std::vector<long>{1, 1});
  for (int i = 0; i < 30; ++i) wide[static_cast<std::size_t>(i)][0] = 2;
  const TestResult big = FisherExactTest(wide);
  EXPECT_GT(big.p, 0);
  EXPECT_LE(big.p, 1);
  EXPECT_FALSE(big.note.empty());
  FisherSettings bad;
  bad.replicates = 0;
  EXPECT_THROW(FisherExactTest(table, bad), InvalidArgument);
}

TEST(Calibration, InterceptSlopeAndBootstrap) {
  // Outcomes drawn from the predicted probabilities: slope near 1,
  // intercept near 0.
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> p;
  std::vector<int> y;
  for (int i = 0; i < 20000; ++i) {
    const double q = 0.05 + 0.9 * u(rng);
    p.push_back(q);
    y.push_back(u(rng) < q);
  }
  const auto fit = CalibrationInterceptSlope(p, y);
  EXPECT_TRUE(fit.converged);
  EXPECT_NEAR(fit.slope, 1.0, 0.08);
  EXPECT_NEAR(fit.intercept, 0.0, 0.05);
  // Over-confident predictions (logits doubled) give a slope near 1/2.
  std::vector<double> sharp;
  for (double q : p) sharp.push_back(1 / (1 + std::exp(-2 * std::log(q / (1 - q)))));
  EXPECT_NEAR(CalibrationInterceptSlope(sharp, y).slope, 0.5, 0.05);
  const auto bins = CalibrationCurve(p, y, 10, false);
  EXPECT_EQ(bins.size(), 10u);
  for (const auto& b : bins) EXPECT_NEAR(b.observed, b.mean_predicted, 0.05);
  const auto a = BootstrapAuc(std::vector<double>(p.begin(), p.begin() + 300), std::vector<int>(y.begin(), y.begin() + 300), 500, 7);
  const auto b = BootstrapAuc(std::vector<double>(p.begin(), p.begin() + 300), std::vector<int>(y.begin(), y.begin() + 300), 500, 7);
  EXPECT_EQ(a.ci_low, b.ci_low);  // seeded
  EXPECT_LT(a.ci_low, a.auc);
  EXPECT_GT(a.ci_high, a.auc);
  const auto un = UnpairedDeLongTest(std::vector<double>(p.begin(), p.begin() + 300), std::vector<int>(y.begin(), y.begin() + 300),
                                     std::vector<double>(p.begin() + 300, p.begin() + 600), std::vector<int>(y.begin() + 300, y.begin() + 600));
  EXPECT_GT(un.p, 0.0);
  EXPECT_LE(un.p, 1.0);
}

}  // namespace
}  // namespace lvsi::stats

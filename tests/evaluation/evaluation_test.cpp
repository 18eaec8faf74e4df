// Properties of the evaluation statistics.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "lvsi/core/error.h"
#include "lvsi/evaluation.h"

namespace lvsi::evaluation {
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

TEST(Roc, BadInput) {
  EXPECT_THROW(DeLongAuc({0.1, 0.2}, {1, 1}), InvalidArgument);              // one class
  EXPECT_THROW(DeLongAuc({0.1, 0.2, 0.3}, {0, 1}), InvalidArgument);         // lengths
  EXPECT_THROW(DeLongAuc({0.1, std::nan(""), 0.3}, {0, 1, 1}), InvalidArgument);
  EXPECT_THROW(DeLongAuc({0.1, 0.2}, {0, 2}), InvalidArgument);
  EXPECT_THROW(PairedDeLongTest({0.1, 0.2, 0.3}, {0.1, 0.2, 0.3}, {0, 1, 1}), InvalidArgument);  // identical scores
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

}  // namespace
}  // namespace lvsi::evaluation

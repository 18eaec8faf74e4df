#include "lvsi/preprocessing/discretization.h"

#include <gtest/gtest.h>

#include "lvsi/core/error.h"

namespace lvsi::preprocessing {
namespace {

TEST(Discretization, FixedWidthEdgesStartAtAMultipleOfTheWidth) {
  // pyradiomics' documented example: values 54..166, width 25 -> 50..200.
  const auto e = ComputeBinEdges({54, 100, 166}, {25, {}});
  EXPECT_EQ(e, (std::vector<double>{50, 75, 100, 125, 150, 175, 200}));
  EXPECT_EQ(Digitize(54, e), 1);
  EXPECT_EQ(Digitize(75, e), 2);   // bins are half open [a, b)
  EXPECT_EQ(Digitize(166, e), 5);
  // Negative minimum: Python's floored modulo.
  EXPECT_EQ(ComputeBinEdges({-7, 3}, {5, {}}).front(), -10);
  // Flat region: one bin.
  EXPECT_EQ(ComputeBinEdges({50, 50}, {25, {}}), (std::vector<double>{50, 75}));
}

TEST(Discretization, FixedCountMatchesNumpyHistogram) {
  const auto e = ComputeBinEdges({0, 10}, {25, 4});
  EXPECT_EQ(e, (std::vector<double>{0, 2.5, 5, 7.5, 11}));
  EXPECT_EQ(Discretize({0, 2.5, 9.99, 10}, {25, 4}), (std::vector<int>{1, 2, 4, 4}));
  EXPECT_EQ(ComputeBinEdges({3, 3}, {25, 2}), (std::vector<double>{2.5, 3, 4.5}));
}

TEST(Discretization, RejectsBadSettings) {
  EXPECT_THROW(ComputeBinEdges({1, 2}, {0, {}}), InvalidArgument);
  EXPECT_THROW(ComputeBinEdges({1, 2}, {-1, {}}), InvalidArgument);
  EXPECT_THROW(ComputeBinEdges({1, 2}, {25, 0}), InvalidArgument);
  EXPECT_THROW(ComputeBinEdges({}, {25, {}}), InvalidArgument);
}

}  // namespace
}  // namespace lvsi::preprocessing

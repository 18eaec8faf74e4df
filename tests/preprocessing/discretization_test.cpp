#include "lvsi/preprocessing/discretization.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include "lvsi/preprocessing/image_ops.h"

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

TEST(Discretization, DigitizeIsTheUpperBoundOnAndBesideTheEdges) {
  // Digitize starts from the bin an even spacing predicts and corrects the
  // guess: it must equal numpy.digitize's definition (the number of edges
  // <= value, std::upper_bound) for fixed widths and counts (whose last
  // edge is raised, so the spacing is uneven), values on and one ulp beside
  // every edge, outside the edges, infinite and NaN.
  std::vector<double> values;
  for (int n = 0; n <= 400; ++n) values.push_back(-37.5 + 0.25 * n);
  for (const DiscretizationSettings& ds :
       {DiscretizationSettings{2.5, {}}, DiscretizationSettings{0.7, {}}, DiscretizationSettings{1, 17},
        DiscretizationSettings{1, 64}}) {
    const std::vector<double> edges = ComputeBinEdges(values, ds);
    std::vector<double> probes = values;
    for (double e : edges)
      for (double x : {e, std::nextafter(e, -1e9), std::nextafter(e, 1e9)}) probes.push_back(x);
    for (double x : {-1e6, 1e6, -HUGE_VAL, HUGE_VAL}) probes.push_back(x);
    for (double x : probes)
      ASSERT_EQ(Digitize(x, edges), std::upper_bound(edges.begin(), edges.end(), x) - edges.begin()) << x;
    EXPECT_EQ(Digitize(std::nan(""), edges), static_cast<int>(edges.size()));
  }
  EXPECT_EQ(Digitize(3, {}), 0);
  EXPECT_EQ(Digitize(3, {2}), 1);
  EXPECT_EQ(Digitize(1, {2}), 0);
}

TEST(Discretization, RejectsBadSettings) {
  EXPECT_THROW(ComputeBinEdges({1, 2}, {0, {}}), InvalidArgument);
  EXPECT_THROW(ComputeBinEdges({1, 2}, {-1, {}}), InvalidArgument);
  EXPECT_THROW(ComputeBinEdges({1, 2}, {25, 0}), InvalidArgument);
  EXPECT_THROW(ComputeBinEdges({}, {25, {}}), InvalidArgument);
}



TEST(Normalization, StatisticsExtremesAndTheNormalizer) {
  // 11 voxels (not a multiple of the 4 lanes), a NaN skipped by the
  // extremes; mean and sample SD of the finite case checked by hand.
  Geometry g;
  g.size = {11, 1, 1};
  Image img(g);
  for (std::size_t i = 0; i < 11; ++i) img[i] = static_cast<double>((i * 7) % 11) - 3;  // -3 .. 7
  const IntensityStatistics s = IntensityStatistics::Of(img);
  EXPECT_EQ(s.minimum, -3);
  EXPECT_EQ(s.maximum, 7);
  EXPECT_NEAR(s.mean, 2, 1e-15);
  EXPECT_NEAR(s.sample_sd, std::sqrt(110.0 / 10), 1e-14);
  img[5] = std::nan("");
  const IntensityStatistics t = IntensityStatistics::Of(img);
  EXPECT_TRUE(std::isnan(t.mean));
  EXPECT_EQ(t.maximum, 7);
  EXPECT_EQ(t.minimum, -3);
  // The normaliser is the function NormalizeImage applies, clip included.
  const Normalizer f(s, 100, 1.0);
  const Image n = NormalizeImage(img, s, 100, 1.0);
  for (std::size_t i = 0; i < 11; ++i) {
    if (i != 5) {
      EXPECT_EQ(n[i], f(img[i])) << i;
    }
  }
  EXPECT_EQ(f(s.maximum), 100);
  EXPECT_EQ(f(s.minimum), -100);
  EXPECT_THROW(Normalizer(s, 0), InvalidArgument);
  EXPECT_THROW(Normalizer(IntensityStatistics{}, 1), InvalidArgument);
}

TEST(Normalization, StatisticsOfWholeNumbersAreExact) {
  // Whole numbers (as stored MRI is): the sums are exact in any order, and
  // the statistics are those of the exact integer sums, bit for bit, over
  // several blocks of the one-pass path and an odd tail.
  Geometry g;
  g.size = {10007, 1, 1};
  Image img(g);
  std::uint64_t state = 12345;
  auto next = [&state]() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<long long>((state >> 33) % 32001) - 2000;  // -2000 .. 30000
  };
  for (std::size_t i = 0; i < img.size(); ++i) img[i] = static_cast<double>(next());
  auto exact = [](const Image& im) {
    long long sum = 0, sq = 0;
    for (std::size_t i = 0; i < im.size(); ++i) {
      const auto x = static_cast<long long>(im[i]);
      sum += x;
      sq += x * x;
    }
    const double n = static_cast<double>(im.size()), total = static_cast<double>(sum);
    const double ss = static_cast<double>(sq) - total * total / n;
    return std::pair<double, double>{total / n, std::sqrt(std::max(0.0, ss / (n - 1)))};
  };
  const auto [mean, sd] = exact(img);
  const IntensityStatistics s = IntensityStatistics::Of(img);
  EXPECT_EQ(s.mean, mean);
  EXPECT_EQ(s.sample_sd, sd);
  EXPECT_EQ(s.minimum, *std::min_element(img.data(), img.data() + img.size()));
  EXPECT_EQ(s.maximum, *std::max_element(img.data(), img.data() + img.size()));
  // Fractions (thirds, whose sums round at every step), one in the last
  // block only, or a value too large for exact squares take the
  // compensated sums: within rounding of the exact values.
  for (const double odd : {-1.0, 1234.0 + 1.0 / 3, 123456789.0}) {
    Image other = img;
    if (odd == -1.0) {
      for (std::size_t i = 0; i < other.size(); ++i) other[i] += 1.0 / 3;
    } else {
      other[10001] = odd;
    }
    long double sum = 0, sq = 0;
    for (std::size_t i = 0; i < other.size(); ++i) {
      sum += other[i];
      sq += static_cast<long double>(other[i]) * other[i];
    }
    const long double n = static_cast<long double>(other.size());
    const IntensityStatistics t = IntensityStatistics::Of(other);
    EXPECT_NEAR(t.mean, static_cast<double>(sum / n), 1e-15 * std::abs(static_cast<double>(sum / n))) << odd;
    const double want_sd = static_cast<double>(std::sqrt((sq - sum * sum / n) / (n - 1)));
    EXPECT_NEAR(t.sample_sd, want_sd, 1e-12 * want_sd) << odd;
    EXPECT_EQ(t.maximum, odd == -1.0 ? s.maximum + 1.0 / 3 : std::max(odd, s.maximum));
  }
}

TEST(Normalization, StatisticsVisitorSeesEveryValueOnce) {
  // The visiting pass hands over the image in order, each value once, in
  // blocks of whole 64-byte groups but the last, and gives the statistics
  // of the plain call (whole numbers, and fractions that take the second,
  // compensated pass).
  Geometry g;
  g.size = {4099, 3, 1};  // three blocks, the last one short and odd
  Image img(g);
  for (std::size_t i = 0; i < img.size(); ++i) img[i] = static_cast<double>((i * 37) % 1001) - 300;
  for (const double shift : {0.0, 0.25, 1.0 / 3}) {
    Image im = img;
    for (std::size_t i = 0; i < im.size(); ++i) im[i] += shift;
    std::vector<double> seen;
    std::size_t blocks = 0, unaligned = 0;
    const IntensityStatistics v = IntensityStatistics::Of(im, [&](const double* block, std::size_t count) {
      unaligned += (count * sizeof(double)) % 64 != 0;
      ++blocks;
      seen.insert(seen.end(), block, block + count);
    });
    const IntensityStatistics plain = IntensityStatistics::Of(im);
    ASSERT_EQ(seen.size(), im.size()) << shift;
    EXPECT_TRUE(std::equal(seen.begin(), seen.end(), im.data())) << shift;
    EXPECT_GE(blocks, 2u);
    EXPECT_LE(unaligned, 1u);  // the last block only
    EXPECT_EQ(v.mean, plain.mean) << shift;
    EXPECT_EQ(v.sample_sd, plain.sample_sd) << shift;
    EXPECT_EQ(v.minimum, plain.minimum) << shift;
    EXPECT_EQ(v.maximum, plain.maximum) << shift;
  }
}

}  // namespace
}  // namespace lvsi::preprocessing

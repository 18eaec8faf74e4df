// Feature families on small hand-checkable arrays and edge cases.
#include <gtest/gtest.h>

#include <type_traits>

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/radiomics/extractor.h"
#include "lvsi/radiomics/features.h"

namespace lvsi::radiomics {
namespace {

Geometry Grid(std::size_t x, std::size_t y, std::size_t z, std::array<double, 3> spacing = {1, 1, 1}) {
  Geometry g;
  g.size = {x, y, z};
  g.spacing = spacing;
  return g;
}

std::map<std::string, double> ToMap(const FeatureList& f) { return {f.begin(), f.end()}; }

Roi MakeRoi(const Image& img, const Mask& mask, double bin_width = 1) {
  return Roi::Build(img, mask, preprocessing::DiscretizationSettings{bin_width, {}});
}

TEST(FirstOrder, HandComputedOnEightValues) {
  Image img(Grid(2, 2, 2, {1, 2, 3}));
  for (std::size_t n = 0; n < 8; ++n) img[n] = static_cast<double>(n + 1);
  Mask mask(img.geometry(), 1);
  const Roi roi = MakeRoi(img, mask);
  auto f = ToMap(FirstOrderFeatures(roi).Compute({"Mean", "Variance", "Minimum", "Maximum", "Range", "10Percentile",
                                                  "Median", "InterquartileRange", "MeanAbsoluteDeviation", "Energy",
                                                  "TotalEnergy", "RootMeanSquared", "Skewness", "Kurtosis", "Entropy",
                                                  "Uniformity", "StandardDeviation"}));
  EXPECT_DOUBLE_EQ(f["Mean"], 4.5);
  EXPECT_DOUBLE_EQ(f["Variance"], 5.25);
  EXPECT_DOUBLE_EQ(f["StandardDeviation"], std::sqrt(5.25));
  EXPECT_DOUBLE_EQ(f["Minimum"], 1);
  EXPECT_DOUBLE_EQ(f["Maximum"], 8);
  EXPECT_DOUBLE_EQ(f["Range"], 7);
  EXPECT_NEAR(f["10Percentile"], 1.7, 1e-12);
  EXPECT_DOUBLE_EQ(f["Median"], 4.5);
  EXPECT_DOUBLE_EQ(f["InterquartileRange"], 3.5);
  EXPECT_DOUBLE_EQ(f["MeanAbsoluteDeviation"], 2);
  EXPECT_DOUBLE_EQ(f["Energy"], 204);
  EXPECT_DOUBLE_EQ(f["TotalEnergy"], 204 * 6);
  EXPECT_DOUBLE_EQ(f["RootMeanSquared"], std::sqrt(204.0 / 8));
  EXPECT_NEAR(f["Skewness"], 0, 1e-15);
  EXPECT_NEAR(f["Kurtosis"], 48.5625 / 27.5625, 1e-12);
  EXPECT_NEAR(f["Entropy"], 3, 1e-12);
  EXPECT_DOUBLE_EQ(f["Uniformity"], 0.125);
  // voxelArrayShift enters Energy.
  EXPECT_DOUBLE_EQ(ToMap(FirstOrderFeatures(roi, 10).Compute({"Energy"}))["Energy"], 204 + 2 * 10 * 36 + 800);
  EXPECT_THROW(FirstOrderFeatures(roi).Compute({"Nope"}), InvalidArgument);
}

TEST(Glszm, HandComputedZones) {
  // Levels [[1,1,2],[1,2,2],[3,3,3]] on one slice: three zones of 3 voxels.
  Image img(Grid(3, 3, 1));
  const double v[9] = {1, 1, 2, 1, 2, 2, 3, 3, 3};
  for (std::size_t n = 0; n < 9; ++n) img[n] = v[n];
  const Roi roi = MakeRoi(img, Mask(img.geometry(), 1));
  auto f = ToMap(GlszmFeatures(roi).Compute());
  EXPECT_DOUBLE_EQ(f["ZonePercentage"], 1.0 / 3);
  EXPECT_DOUBLE_EQ(f["SmallAreaEmphasis"], 1.0 / 9);
  EXPECT_DOUBLE_EQ(f["LargeAreaEmphasis"], 9);
  EXPECT_DOUBLE_EQ(f["GrayLevelNonUniformity"], 1);
  EXPECT_DOUBLE_EQ(f["SizeZoneNonUniformity"], 3);
  EXPECT_DOUBLE_EQ(f["ZoneVariance"], 0);
  EXPECT_NEAR(f["ZoneEntropy"], std::log2(3.0), 1e-12);
}

TEST(Glrlm, HandComputedRuns) {
  // One line of levels 1 1 2 2: two runs of length 2.
  Image img(Grid(4, 1, 1));
  const double v[4] = {1, 1, 2, 2};
  for (std::size_t n = 0; n < 4; ++n) img[n] = v[n];
  const Roi roi = MakeRoi(img, Mask(img.geometry(), 1));
  auto f = ToMap(GlrlmFeatures(roi).Compute());
  EXPECT_DOUBLE_EQ(f["ShortRunEmphasis"], 0.25);
  EXPECT_DOUBLE_EQ(f["LongRunEmphasis"], 4);
  EXPECT_DOUBLE_EQ(f["RunPercentage"], 0.5);
  EXPECT_DOUBLE_EQ(f["GrayLevelNonUniformity"], 1);
  EXPECT_DOUBLE_EQ(f["RunLengthNonUniformity"], 2);
  EXPECT_DOUBLE_EQ(f["RunVariance"], 0);
}

TEST(Glcm, HandComputedPairs) {
  // One line 1 2 1 2: symmetric pairs (1,2) and (2,1) only.
  Image img(Grid(4, 1, 1));
  const double v[4] = {1, 2, 1, 2};
  for (std::size_t n = 0; n < 4; ++n) img[n] = v[n];
  const Roi roi = MakeRoi(img, Mask(img.geometry(), 1));
  auto f = ToMap(GlcmFeatures(roi).Compute());
  EXPECT_DOUBLE_EQ(f["Contrast"], 1);
  EXPECT_DOUBLE_EQ(f["JointAverage"], 1.5);
  EXPECT_DOUBLE_EQ(f["JointEnergy"], 0.5);
  EXPECT_DOUBLE_EQ(f["MaximumProbability"], 0.5);
  EXPECT_DOUBLE_EQ(f["DifferenceAverage"], 1);
  EXPECT_NEAR(f["Correlation"], -1, 1e-12);
  EXPECT_DOUBLE_EQ(f["Autocorrelation"], 2);
}

// pyradiomics' MCC by its definition: per angle, Q(i,j) = sum_k
// p(i,k) p(j,k) / (p_x(i) p_y(k)) over the levels with p_x > 0, the second
// largest (real part of an) eigenvalue of the non-symmetric Q by a general
// eigen-solver, square root, mean over the 13 angles.
double BruteForceMcc(const Image& levels, const Mask& mask, bool symmetric) {
  const auto& s = levels.geometry().size;
  int ng = 0;
  for (std::size_t n = 0; n < levels.size(); ++n)
    if (mask[n]) ng = std::max(ng, static_cast<int>(levels[n]));
  double total = 0;
  int angles = 0;
  for (int dz = -1; dz <= 1; ++dz)
    for (int dy = -1; dy <= 1; ++dy)
      for (int dx = -1; dx <= 1; ++dx) {
        if (!(dz > 0 || (dz == 0 && dy > 0) || (dz == 0 && dy == 0 && dx > 0))) continue;
        Eigen::MatrixXd P = Eigen::MatrixXd::Zero(ng, ng);
        for (std::size_t k = 0; k < s[2]; ++k)
          for (std::size_t j = 0; j < s[1]; ++j)
            for (std::size_t i = 0; i < s[0]; ++i) {
              const long x = static_cast<long>(i) + dx, y = static_cast<long>(j) + dy, z = static_cast<long>(k) + dz;
              if (!mask(i, j, k) || x < 0 || y < 0 || z < 0 || x >= static_cast<long>(s[0]) ||
                  y >= static_cast<long>(s[1]) || z >= static_cast<long>(s[2]) || !mask(x, y, z))
                continue;
              P(static_cast<long>(levels(i, j, k)) - 1, static_cast<long>(levels(x, y, z)) - 1) += 1;
            }
        if (symmetric) P = Eigen::MatrixXd(P + P.transpose());
        P /= P.sum();
        const Eigen::VectorXd px = P.rowwise().sum(), py = P.colwise().sum().transpose();
        std::vector<int> rows;
        for (int i = 0; i < ng; ++i)
          if (px(i) > 0) rows.push_back(i);
        Eigen::MatrixXd Q = Eigen::MatrixXd::Zero(static_cast<long>(rows.size()), static_cast<long>(rows.size()));
        for (std::size_t a = 0; a < rows.size(); ++a)
          for (std::size_t b = 0; b < rows.size(); ++b)
            for (int k = 0; k < ng; ++k)
              if (py(k) > 0) Q(a, b) += P(rows[a], k) * P(rows[b], k) / (px(rows[a]) * py(k));
        std::vector<double> ev;
        const Eigen::EigenSolver<Eigen::MatrixXd> solver(Q, false);
        for (const auto& e : solver.eigenvalues()) ev.push_back(e.real());
        std::sort(ev.begin(), ev.end());
        total += std::sqrt(std::max(0.0, ev[ev.size() - 2]));
        ++angles;
      }
  return total / angles;
}

TEST(Glcm, MccEqualsTheDefinitionWithAGeneralEigenSolver) {
  // (a) a connected texture of 9 levels; (b) two parts of disjoint level
  // ranges that never touch (MCC 1); (c) an asymmetric GLCM; (d) a parity
  // pattern: its axis-aligned GLCMs are connected and bipartite, its
  // diagonal ones fall into two parts (MCC 1 for every angle).
  Image img(Grid(9, 8, 6));
  Mask full(img.geometry(), 1), split(img.geometry(), 1);
  Image two = img, parity = img;
  for (std::size_t k = 0; k < 6; ++k)
    for (std::size_t j = 0; j < 8; ++j)
      for (std::size_t i = 0; i < 9; ++i) {
        img(i, j, k) = 1 + (i * 7 + j * 3 + k * 5 + (i * j) % 4) % 9;
        two(i, j, k) = (i < 4 ? 1 : 6) + (i + 2 * j + k) % 3;
        parity(i, j, k) = 1 + static_cast<double>(((i + j + k) % 2) * (1 + (i / 3) % 3));
        split(i, j, k) = i != 4;
      }
  struct Case {
    const Image* image;
    const Mask* mask;
    bool symmetric;
  };
  for (const Case& c :
       {Case{&img, &full, true}, Case{&two, &split, true}, Case{&img, &full, false}, Case{&parity, &full, true}}) {
    TextureSettings t;
    t.symmetrical_glcm = c.symmetric;
    const Roi roi = MakeRoi(*c.image, *c.mask);
    const double mcc = ToMap(GlcmFeatures(roi, t).Compute({"MCC"}))["MCC"];
    EXPECT_NEAR(mcc, BruteForceMcc(*c.image, *c.mask, c.symmetric), 1e-10);
    if (c.image == &two || c.image == &parity) EXPECT_NEAR(mcc, 1.0, 1e-12);
    else EXPECT_LT(mcc, 0.99);
  }
}

TEST(Glcm, MccOfManyLevelsEqualsTheDefinitionInBothKernelBuilds) {
  // MCC's Householder reduction and Sturm counts are compiled for the
  // baseline instruction set and for AVX2 (used where the processor has
  // it; LVSI_SIMD=baseline selects the former): on GLCMs of 20 to 70
  // levels, whose matrices run every vector loop's whole groups and tails,
  // both must give the definition's value and the same bits.  A smooth
  // ramp with noise makes sparse, connected level graphs (some reduction
  // steps find their column already reduced); hashed noise makes dense
  // ones.
  for (const int levels : {20, 45, 70})
    for (const bool smooth : {true, false})
      for (const bool symmetric : {true, false}) {
        Image img(Grid(14, 12, 6));
        for (std::size_t k = 0; k < 6; ++k)
          for (std::size_t j = 0; j < 12; ++j)
            for (std::size_t i = 0; i < 14; ++i) {
              const std::size_t hash = ((i * 73856093u) ^ (j * 19349663u) ^ (k * 83492791u)) % 1009;
              const double v = smooth ? static_cast<double>((i + j + 2 * k) * levels / 38 + hash % 3)
                                      : static_cast<double>(hash % levels);
              img(i, j, k) = 1 + std::min<double>(v, levels - 1);
            }
        const Mask mask(img.geometry(), 1);
        TextureSettings t;
        t.symmetrical_glcm = symmetric;
        const Roi roi = MakeRoi(img, mask);
        std::map<std::string, double> by_kernel;
        for (const char* simd : {"", "baseline"}) {
          ASSERT_EQ(setenv("LVSI_SIMD", simd, 1), 0);
          by_kernel[simd] = ToMap(GlcmFeatures(roi, t).Compute({"MCC"}))["MCC"];
        }
        unsetenv("LVSI_SIMD");
        const std::string what = std::to_string(levels) + (smooth ? " smooth" : " noise") +
                                 (symmetric ? " symmetric" : " asymmetric");
        EXPECT_EQ(by_kernel[""], by_kernel["baseline"]) << what;
        EXPECT_NEAR(by_kernel[""], BruteForceMcc(img, mask, symmetric), 1e-10) << what;
        // (A one-way GLCM of the ramp can leave the rows' graph in parts,
        // MCC 1, as the definition agrees.)
        if (symmetric || !smooth) {
          EXPECT_LT(by_kernel[""], 0.999) << what;
        }
      }
}

// An 11-level texture on a mask with holes (every 13th voxel out).
Roi SpeckledRoi() {
  Image img(Grid(9, 8, 6));
  for (std::size_t n = 0; n < img.size(); ++n) img[n] = static_cast<double>((n * 7 + n / 9) % 11);
  Mask mask(img.geometry(), 0);
  for (std::size_t n = 0; n < mask.size(); ++n) mask[n] = (n % 13) != 0;
  return MakeRoi(img, mask);
}

TEST(Features, ValuesAreComputesValuesInItsOrder) {
  // Values() gives what Compute() gives without the names, for all
  // features and for a named subset (in the order asked for).
  const Roi roi = SpeckledRoi();
  auto check = [](const FeatureList& named, const std::vector<double>& values, std::size_t expected) {
    ASSERT_EQ(named.size(), expected);
    ASSERT_EQ(values.size(), named.size());
    for (std::size_t k = 0; k < values.size(); ++k) EXPECT_EQ(values[k], named[k].second) << named[k].first;
  };
  const FirstOrderFeatures fo(roi, 10);
  check(fo.Compute(), fo.Values(), 18);
  const GlcmFeatures glcm(roi);
  check(glcm.Compute(), glcm.Values(), 24);
  const std::vector<std::string> some{"MCC", "Contrast", "Idmn"};
  check(glcm.Compute(some), glcm.Values(some), 3);
  EXPECT_EQ(glcm.Compute(some)[1].first, "Contrast");
  const GlrlmFeatures glrlm(roi);
  check(glrlm.Compute(), glrlm.Values(), 16);
  const GlszmFeatures glszm(roi);
  check(glszm.Compute(), glszm.Values(), 16);
  const GldmFeatures gldm(roi);
  check(gldm.Compute(), gldm.Values(), 14);
  const NgtdmFeatures ngtdm(roi);
  check(ngtdm.Compute(), ngtdm.Values(), 5);
  EXPECT_THROW(ngtdm.Values({"Nope"}), InvalidArgument);
}

TEST(Features, TextureClassesWithoutTheRoisPaddedMapGiveTheSameValues) {
  // Roi::Build leaves a padded level map the texture classes share; without
  // it (cleared, as after editing levels) they build their own.
  const Roi built = SpeckledRoi();
  ASSERT_FALSE(built.padded_index.empty());
  Roi bare = built;
  bare.padded_index.clear();
  bare.padded_voxels.clear();
  const std::vector<std::pair<FeatureList, FeatureList>> pairs{
      {GlcmFeatures(built).Compute(), GlcmFeatures(bare).Compute()},
      {GlrlmFeatures(built).Compute(), GlrlmFeatures(bare).Compute()},
      {GlszmFeatures(built).Compute(), GlszmFeatures(bare).Compute()},
      {GldmFeatures(built).Compute(), GldmFeatures(bare).Compute()},
      {NgtdmFeatures(built).Compute(), NgtdmFeatures(bare).Compute()}};
  for (const auto& [a, b] : pairs) {
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t k = 0; k < a.size(); ++k) EXPECT_EQ(a[k].second, b[k].second) << a[k].first;
  }
}

TEST(Features, NeighbourCountsSeeOnlyRoiVoxels) {
  // The speckled ROI fills its box up to the border (its neighbours there
  // lie on the padding) and has holes inside.  By the definition, counted
  // directly: each voxel's 26 neighbours inside the image and the mask.
  const Roi roi = SpeckledRoi();
  const auto& size = roi.geometry.size;
  double dependence_sum = 0, coarseness_sum = 0, voxels = 0;  // sum of 1/(dependence)^2; sum of |level - mean|
  std::map<int, double> level_count, level_s;
  for (std::size_t z = 0; z < size[2]; ++z)
    for (std::size_t y = 0; y < size[1]; ++y)
      for (std::size_t x = 0; x < size[0]; ++x) {
        const std::size_t n = x + size[0] * (y + size[1] * z);
        if (!roi.mask[n]) continue;
        double dependence = 1, count = 0, sum = 0;
        for (int dz = -1; dz <= 1; ++dz)
          for (int dy = -1; dy <= 1; ++dy)
            for (int dx = -1; dx <= 1; ++dx) {
              if (!dx && !dy && !dz) continue;
              const long X = static_cast<long>(x) + dx, Y = static_cast<long>(y) + dy, Z = static_cast<long>(z) + dz;
              if (X < 0 || Y < 0 || Z < 0 || X >= static_cast<long>(size[0]) || Y >= static_cast<long>(size[1]) ||
                  Z >= static_cast<long>(size[2]))
                continue;
              const std::size_t m = static_cast<std::size_t>(X + static_cast<long>(size[0]) * (Y + static_cast<long>(size[1]) * Z));
              if (!roi.mask[m]) continue;
              dependence += 1;  // alpha beyond the level range: every ROI neighbour depends
              count += 1;
              sum += roi.levels[m];
            }
        dependence_sum += 1 / (dependence * dependence);
        voxels += 1;
        level_count[roi.levels[n]] += 1;
        level_s[roi.levels[n]] += count == 0 ? 0 : std::abs(roi.levels[n] - sum / count);
      }
  for (const double alpha : {10.0, 1e300, std::numeric_limits<double>::infinity()}) {
    TextureSettings t;
    t.gldm_a = alpha;
    const auto gldm = ToMap(GldmFeatures(roi, t).Compute({"SmallDependenceEmphasis"}));
    EXPECT_NEAR(gldm.at("SmallDependenceEmphasis"), dependence_sum / voxels, 1e-12) << alpha;
  }
  for (const auto& [l, c] : level_count) coarseness_sum += c / voxels * level_s[l];
  const auto ngtdm = ToMap(NgtdmFeatures(roi).Compute({"Coarseness"}));
  EXPECT_NEAR(ngtdm.at("Coarseness"), 1 / coarseness_sum, 1e-12 / coarseness_sum);
}

TEST(Features, FlatRegionConventions) {
  Image img(Grid(4, 4, 3), 7.0);
  Mask mask(img.geometry(), 1);
  const Roi roi = MakeRoi(img, mask, 25);
  auto fo = ToMap(FirstOrderFeatures(roi).Compute());
  EXPECT_EQ(fo["Variance"], 0);
  EXPECT_EQ(fo["Skewness"], 0);
  EXPECT_EQ(fo["Kurtosis"], 0);
  EXPECT_NEAR(fo["Entropy"], 0, 1e-12);
  auto glcm = ToMap(GlcmFeatures(roi).Compute());
  EXPECT_EQ(glcm["Correlation"], 1);
  EXPECT_EQ(glcm["Imc1"], 0);
  EXPECT_EQ(glcm["Imc2"], 0);
  EXPECT_EQ(glcm["MCC"], 1);
  EXPECT_DOUBLE_EQ(glcm["JointEnergy"], 1);
  EXPECT_EQ(glcm["Contrast"], 0);
  auto ngtdm = ToMap(NgtdmFeatures(roi).Compute());
  EXPECT_EQ(ngtdm["Coarseness"], 1e6);
  EXPECT_EQ(ngtdm["Contrast"], 0);
  EXPECT_EQ(ngtdm["Busyness"], 0);
  EXPECT_EQ(ngtdm["Strength"], 0);
  auto glszm = ToMap(GlszmFeatures(roi).Compute());
  EXPECT_DOUBLE_EQ(glszm["ZonePercentage"], 1.0 / 48);
}

// A lumpy ROI with texture, placed at `offset` inside a `size` image.
std::pair<Image, LabelImage> Blob(std::array<std::size_t, 3> size, std::array<std::size_t, 3> offset,
                                  std::array<double, 3> spacing = {1, 1, 1}) {
  Image img(Grid(size[0], size[1], size[2], spacing), 0);
  LabelImage lab(img.geometry(), 0);
  for (std::size_t k = 0; k < 5; ++k)
    for (std::size_t j = 0; j < 6; ++j)
      for (std::size_t i = 0; i < 7; ++i) {
        const double r = std::hypot(i - 3.0, j - 2.5, (k - 2.0) * 1.3);
        if (r > 3.2) continue;
        const std::size_t x = i + offset[0], y = j + offset[1], z = k + offset[2];
        lab(x, y, z) = 1;
        img(x, y, z) = 100 + 40 * std::sin(1.7 * i) * std::cos(0.9 * j) + 15 * k;
      }
  return {img, lab};
}

TEST(Features, RoiTouchingTheBorderEqualsTheSameRoiInside) {
  auto [a_img, a_lab] = Blob({7, 6, 5}, {0, 0, 0});
  auto [b_img, b_lab] = Blob({12, 11, 9}, {3, 4, 2});
  const auto a = FeatureExtractor().Execute(a_img, a_lab);
  const auto b = FeatureExtractor().Execute(b_img, b_lab);
  ASSERT_EQ(a.features.size(), 107u);
  for (std::size_t n = 0; n < a.features.size(); ++n) {
    EXPECT_TRUE(std::isfinite(a.features[n].second)) << a.features[n].first;
    EXPECT_NEAR(a.features[n].second, b.features[n].second, 1e-9 * std::max(1.0, std::abs(b.features[n].second)))
        << a.features[n].first;
  }
}

TEST(Features, DirectionCosinesDoNotChangeFeatures) {
  auto [img, lab] = Blob({9, 8, 7}, {1, 1, 1}, {0.7, 0.7, 2.5});
  const auto ref = FeatureExtractor().Execute(img, lab);
  Geometry g = img.geometry();
  g.direction = {0, -1, 0, 1, 0, 0, 0, 0, 1};
  g.origin = {10, -20, 5};
  img.set_geometry(g);
  lab.set_geometry(g);
  const auto rotated = FeatureExtractor().Execute(img, lab);
  for (std::size_t n = 0; n < ref.features.size(); ++n)
    EXPECT_DOUBLE_EQ(ref.features[n].second, rotated.features[n].second) << ref.features[n].first;
}

TEST(Features, AnisotropicSpacingScalesShape) {
  auto [img, lab] = Blob({9, 8, 7}, {1, 1, 1}, {1, 1, 1});
  const auto iso = FeatureExtractor().Execute(img, lab);
  Geometry g = img.geometry();
  g.spacing = {2, 1, 1};
  img.set_geometry(g);
  lab.set_geometry(g);
  const auto aniso = FeatureExtractor().Execute(img, lab);
  EXPECT_NEAR(aniso.Feature("original_shape_MeshVolume"), 2 * iso.Feature("original_shape_MeshVolume"), 1e-9);
  EXPECT_DOUBLE_EQ(aniso.Feature("original_shape_VoxelVolume"), 2 * iso.Feature("original_shape_VoxelVolume"));
  EXPECT_DOUBLE_EQ(aniso.Feature("original_firstorder_TotalEnergy"), 2 * iso.Feature("original_firstorder_TotalEnergy"));
  // Grey-level texture ignores spacing (no weighting).
  EXPECT_DOUBLE_EQ(aniso.Feature("original_glcm_Contrast"), iso.Feature("original_glcm_Contrast"));
}

TEST(Features, TwoDimensionalRoiInThreeDimensionalImage) {
  auto [img, lab] = Blob({9, 8, 7}, {1, 1, 1});
  for (std::size_t n = 0; n < lab.size(); ++n)
    if (n / (9 * 8) != 3) lab[n] = 0;  // keep slice z = 3
  const auto r3 = FeatureExtractor().Execute(img, lab);
  ExtractionParameters p = ExtractionParameters::Defaults();
  p.settings.texture.force2d = true;
  p.feature_classes["shape2D"] = {};
  p.class_order.push_back("shape2D");
  const auto r2 = FeatureExtractor(p).Execute(img, lab);
  EXPECT_EQ(r3.Feature("original_shape_LeastAxisLength"), 0);
  // With only in-plane neighbours present, 3-D and forced 2-D texture agree.
  for (const char* f : {"original_glcm_Contrast", "original_glrlm_RunPercentage", "original_glszm_ZonePercentage",
                        "original_gldm_DependenceEntropy", "original_ngtdm_Coarseness"})
    EXPECT_NEAR(r3.Feature(f), r2.Feature(f), 1e-12) << f;
  EXPECT_GT(r2.Feature("original_shape2D_PixelSurface"), 0);
  EXPECT_NEAR(r2.Feature("original_shape2D_PixelSurface") * 1.0, r3.Feature("original_shape_VoxelVolume"), 1e-12);
}

TEST(Features, EveryFeatureIsDocumented) {
  for (const auto& family : FeatureClassNames())
    for (const auto& info : FeatureClassInfo(family)) {
      EXPECT_FALSE(info.formula.empty()) << family << "_" << info.name;
      EXPECT_FALSE(info.unit.empty()) << family << "_" << info.name << " has no unit";
      // Where IBSI has no code, the note says why (not in IBSI, deprecated, ...).
      if (info.ibsi.empty()) {
        EXPECT_FALSE(info.note.empty() && !info.deprecated) << family << "_" << info.name;
      }
    }
  EXPECT_THROW(FeatureClassInfo("glxm"), InvalidArgument);
}


TEST(Features, EveryFeatureAppearsInTheModuleDocumentation) {
  const std::string doc = ReadTextFile(std::string(LVSI_SOURCE_DIR) + "/docs/radiomics.md");
  for (const auto& family : FeatureClassNames()) {
    EXPECT_NE(doc.find("### " + family + "\n"), std::string::npos) << family;
    for (const auto& info : FeatureClassInfo(family))
      EXPECT_NE(doc.find("`" + info.name + "`"), std::string::npos) << family << "_" << info.name;
  }
}


TEST(StudyParameters, Give1409FinitFeaturesPerSequence) {
  for (const char* seq : {"t2w", "adc", "cet1"}) {
    const auto params = ReadParameterFile(std::string(LVSI_SOURCE_DIR) + "/examples/params/" + seq + ".yaml");
    Geometry g;
    g.size = {40, 36, 12};
    g.spacing = {0.8, 0.8, 4};
    Image img(g);
    LabelImage lab(g, 0);
    for (std::size_t k = 0; k < g.size[2]; ++k)
      for (std::size_t j = 0; j < g.size[1]; ++j)
        for (std::size_t i = 0; i < g.size[0]; ++i) {
          img(i, j, k) = 200 + 50 * std::sin(0.3 * i) * std::cos(0.4 * j) + 7 * k;
          if (std::hypot(i - 20.0, j - 18.0, (k - 6.0) * 4) < 9) lab(i, j, k) = 1;
        }
    const auto r = FeatureExtractor(params).Execute(img, lab);
    EXPECT_EQ(r.features.size(), 1409u) << seq;
    for (const auto& [name, value] : r.features) EXPECT_TRUE(std::isfinite(value)) << seq << " " << name;
  }
}

}  // namespace
}  // namespace lvsi::radiomics

// The feature classes read the Roi they are given; one built from a
// temporary would dangle, so that does not compile.
static_assert(!std::is_constructible_v<lvsi::radiomics::GlcmFeatures, lvsi::radiomics::Roi&&>);
static_assert(!std::is_constructible_v<lvsi::radiomics::FirstOrderFeatures, lvsi::radiomics::Roi&&>);
static_assert(!std::is_constructible_v<lvsi::radiomics::NgtdmFeatures, lvsi::radiomics::Roi&&,
                                       const lvsi::radiomics::TextureSettings&>);
static_assert(std::is_constructible_v<lvsi::radiomics::GlcmFeatures, const lvsi::radiomics::Roi&>);

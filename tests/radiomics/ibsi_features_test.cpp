// IBSI mode's features (lvsi/radiomics/ibsi.h) on the IBSI digital phantom:
// every reference value of the texture families (co-occurrence and run
// length in six aggregation methods; size zone, distance zone, grey tone
// difference and grey level dependence in three) and of the intensity
// families (statistics, histogram, intensity-volume histogram, local
// intensity), within its tolerance or the precision the value is reported
// with.  Properties that need no reference are tested too.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <set>
#include <tuple>
#include <vector>
#include <string>
#include <utility>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/io/image_io.h"
#include "lvsi/radiomics/ibsi.h"
#include "test_util.h"

namespace lvsi::radiomics::ibsi {
namespace {

// The digital phantom's grey levels (1..6) inside its mask, 0 outside.
LabelImage PhantomLevels(const std::string& dir) {
  const Image phantom = io::ReadImage(dir + "/phantom.nii.gz");
  const LabelImage mask = io::ReadLabelImage(dir + "/mask.nii.gz");
  LabelImage levels(phantom.geometry(), 0);
  for (std::size_t n = 0; n < levels.size(); ++n)
    levels[n] = mask[n] == 1 ? static_cast<std::int32_t>(std::lround(phantom[n])) : 0;
  return levels;
}

// Compares `ours` with every reference row of `data` in the given families:
// by (family, name, aggregation), the IVH rows (which share names) by code
// and order.  Returns (family -> (within, total)).
std::map<std::string, std::pair<int, int>> CompareWithReference(
    const std::string& csv, const std::string& data, const std::set<std::string>& families,
    const std::map<std::tuple<std::string, std::string, std::string>, Feature>& ours,
    const std::vector<Feature>& ivh_features) {
  std::map<std::string, std::vector<Feature>> ivh;
  for (const auto& f : ivh_features) ivh[f.code].push_back(f);
  std::map<std::string, std::size_t> ivh_seen;
  const CsvDocument ref = ReadCsv(csv);
  const auto col = [&](const char* name) { return static_cast<std::size_t>(ref.ColumnIndex(name)); };
  std::map<std::string, std::pair<int, int>> per_family;  // within, total
  for (const auto& row : ref.rows) {
    const std::string& family = row[col("family")];
    if (!families.count(family) || row[col("data")] != data) continue;
    // The reference's names carry reStructuredText ("10\\ :sup:`th`").
    std::string name = row[col("feature")];
    const std::string markup = "\\ :sup:`th`";
    if (const auto at = name.find(markup); at != std::string::npos) name.replace(at, markup.size(), "th");
    const Feature* found = nullptr;
    if (family == "ivh") {
      const auto& list = ivh[row[col("ibsi_code")]];
      const std::size_t k = ivh_seen[row[col("ibsi_code")]]++;
      if (k < list.size()) found = &list[k];
    } else if (const auto it = ours.find({family, name, row[col("aggregation")]}); it != ours.end()) {
      found = &it->second;
    }
    if (found == nullptr) {
      ADD_FAILURE() << data << ": no value for " << family << " " << name << " (" << row[col("aggregation")] << ")";
      continue;
    }
    // Codes are compared where the reference gives them, except the two
    // intensity histogram percentiles the reference tables mislabel
    // (1PR8, the minimum's, for the 10th; GPMT, the 10th's, for the 90th).
    const bool mislabelled = family == "ih" && name.find("th discretised intensity percentile") != std::string::npos;
    if (!row[col("ibsi_code")].empty() && !mislabelled) {
      EXPECT_EQ(found->code, row[col("ibsi_code")]) << family << " " << name;
    }
    double expected = 0, tolerance = 0;
    if (!ParseDouble(row[col("value")], &expected)) {
      ADD_FAILURE() << data << ": unreadable value for " << name;
      continue;
    }
    if (!ParseDouble(row[col("tolerance")], &tolerance) || tolerance == 0) {
      // No tolerance given: agree to the 3 significant digits reported.
      const double magnitude = expected == 0 ? 1 : std::floor(std::log10(std::abs(expected)));
      tolerance = 0.5 * std::pow(10.0, magnitude - 2) * 1.0001;
    }
    auto& [within, total] = per_family[family];
    ++total;
    if (std::abs(found->value - expected) <= tolerance) {
      ++within;
    } else {
      ADD_FAILURE() << data << ": " << family << " '" << name << "' (" << row[col("aggregation")] << "): lvsi "
                    << found->value << ", IBSI " << expected << " +/- " << tolerance;
    }
  }
  for (const auto& [family, counts] : per_family)
    std::printf("IBSI %s, %s: %d of %d values within tolerance\n", data.c_str(), family.c_str(), counts.first,
                counts.second);
  return per_family;
}

using FeatureMap = std::map<std::tuple<std::string, std::string, std::string>, Feature>;

void Add(FeatureMap* ours, const std::vector<Feature>& features) {
  for (const auto& f : features) (*ours)[{f.family, f.name, AggregationName(f.aggregation)}] = f;
}

TEST(IbsiFeatures, DigitalPhantomMatchesEveryReferenceValue) {
  const std::string dir = testing::SharedDir() + "/reference/ibsi1/digital_phantom";
  LVSI_SKIP_UNLESS_EXISTS(dir + "/reference_values.csv");
  const LabelImage levels = PhantomLevels(dir);
  FeatureMap ours;
  for (Aggregation a : AllAggregations()) {
    Add(&ours, CooccurrenceFeatures(levels, 6, a));
    Add(&ours, RunLengthFeatures(levels, 6, a));
  }
  for (Aggregation a : RegionAggregations()) {
    Add(&ours, SizeZoneFeatures(levels, 6, a));
    Add(&ours, DistanceZoneFeatures(levels, 6, a));
    Add(&ours, ToneDifferenceFeatures(levels, 6, a));
    Add(&ours, DependenceFeatures(levels, 6, a));
  }
  EXPECT_EQ(ours.size(), (25u + 16u) * 6u + (16u + 16u + 5u + 17u) * 3u);
  // The intensity families: IBSI's digital phantom is already discretised
  // (levels 1..6 are both its intensities and its grey levels).
  std::vector<double> intensities;
  for (std::size_t n = 0; n < levels.size(); ++n)
    if (levels[n] > 0) intensities.push_back(levels[n]);
  Add(&ours, IntensityStatistics(intensities));
  Add(&ours, IntensityHistogramFeatures(levels, 6));
  const Image phantom = io::ReadImage(dir + "/phantom.nii.gz");
  const LabelImage mask = io::ReadLabelImage(dir + "/mask.nii.gz");
  Add(&ours, LocalIntensityFeatures(phantom, mask));
  Add(&ours, MorphologyFeatures(phantom, mask, mask));
  auto per_family = CompareWithReference(
      dir + "/reference_values.csv", "digital_phantom",
      {"morph", "loc", "stat", "ih", "ivh", "cm", "rlm", "szm", "dzm", "ngt", "ngl"}, ours,
      IntensityVolumeFeatures(intensities, 1, 6, 1));
  const std::map<std::string, int> expected_counts = {{"morph", 25}, {"loc", 2},  {"stat", 18}, {"ih", 23},
                                                      {"ivh", 6},    {"cm", 150}, {"rlm", 96},  {"szm", 48},
                                                      {"dzm", 48},   {"ngt", 15}, {"ngl", 51}};
  int all = 0;
  for (const auto& [family, count] : expected_counts) {
    EXPECT_EQ(per_family[family].second, count) << family;
    EXPECT_EQ(per_family[family].first, count) << family;
    all += per_family[family].second;
  }
  EXPECT_EQ(all, 482);
}

std::string ShippedConfiguration(const std::string& name) {
  return std::string(LVSI_SOURCE_DIR) + "/examples/params/ibsi/" + name + ".yaml";
}

// The same through IBSI mode's pipeline and the shipped digital_phantom.yaml.
TEST(IbsiFeatures, DigitalPhantomThroughTheShippedConfiguration) {
  const std::string dir = testing::SharedDir() + "/reference/ibsi1/digital_phantom";
  LVSI_SKIP_UNLESS_EXISTS(dir + "/reference_values.csv");
  const auto features = ExtractFiles(dir + "/phantom.nii.gz", dir + "/mask.nii.gz",
                                     ReadSettings(ShippedConfiguration("digital_phantom")));
  FeatureMap ours;
  Add(&ours, features);
  std::vector<Feature> ivh;
  for (const auto& f : features)
    if (f.family == "ivh") ivh.push_back(f);
  const auto per_family = CompareWithReference(
      dir + "/reference_values.csv", "digital_phantom",
      {"morph", "loc", "stat", "ih", "ivh", "cm", "rlm", "szm", "dzm", "ngt", "ngl"}, ours, ivh);
  int all = 0, within = 0;
  for (const auto& [family, counts] : per_family) all += counts.second, within += counts.first;
  EXPECT_EQ(all, 482);
  EXPECT_EQ(within, 482);
}

// The shipped configuration `name` on the CT phantom, by IBSI mode's
// pipeline (ibsi::ExtractFiles), keyed as the reference rows.
FeatureMap RunCtPhantom(const std::string& name, std::vector<Feature>* ivh) {
  const std::string dir = testing::SharedDir() + "/reference/ibsi1/ct_phantom";
  const auto features =
      ExtractFiles(dir + "/phantom.nii.gz", dir + "/mask.nii.gz", ReadSettings(ShippedConfiguration(name)));
  FeatureMap ours;
  Add(&ours, features);
  for (const auto& f : features)
    if (f.family == "ivh") ivh->push_back(f);
  return ours;
}

// Every reference value of a configuration (`data` in the reference file)
// from the shipped file of the same name, within tolerance.
void ExpectCtConfiguration(const std::string& name, int reference_values) {
  const std::string dir = testing::SharedDir() + "/reference/ibsi1/ct_phantom";
  std::vector<Feature> ivh;
  const FeatureMap ours = RunCtPhantom(name, &ivh);
  const auto per_family = CompareWithReference(
      dir + "/reference_values.csv", name,
      {"morph", "loc", "stat", "ih", "ivh", "cm", "rlm", "szm", "dzm", "ngt", "ngl"}, ours, ivh);
  int all = 0, within = 0;
  for (const auto& [family, counts] : per_family) all += counts.second, within += counts.first;
  EXPECT_EQ(all, reference_values);
  EXPECT_EQ(within, reference_values);
}

// Configuration A: no interpolation, re-segmentation to [-500, 400] HU,
// fixed bin size 25 HU from -500, 2D texture (slice-wise), the IVH on the
// HU themselves.
TEST(IbsiFeatures, CtPhantomConfigurationA) {
  LVSI_SKIP_UNLESS_EXISTS(testing::SharedDir() + "/reference/ibsi1/ct_phantom/reference_values.csv");
  ExpectCtConfiguration("config_A", 346);
}

// Configuration C: trilinear interpolation to 2 mm voxels (grid centres
// aligned, intensities rounded, the ROI at a partial volume of 0.5),
// re-segmentation to [-1000, 400] HU, fixed bin size 25 HU from -1000, 3D
// texture, the IVH on 2.5 HU bins (their centres).
TEST(IbsiFeatures, CtPhantomConfigurationC) {
  LVSI_SKIP_UNLESS_EXISTS(testing::SharedDir() + "/reference/ibsi1/ct_phantom/reference_values.csv");
  ExpectCtConfiguration("config_C", 209);
}

// Configurations B, D and E have no reference values here: they run, give
// every feature of their dimensions, and the values IBSI's definitions fix
// hold (the grey levels of fixed bin number 32; outlier filtering narrows
// the intensities to mean +/- 3 sigma of the ROI's).
TEST(IbsiFeatures, CtPhantomConfigurationsBDE) {
  const std::string dir = testing::SharedDir() + "/reference/ibsi1/ct_phantom";
  LVSI_SKIP_UNLESS_EXISTS(dir + "/phantom.nii.gz");
  for (const std::string name : {"config_B", "config_D", "config_E"}) {
    std::vector<Feature> ivh;
    const FeatureMap ours = RunCtPhantom(name, &ivh);
    const bool two_d = name == "config_B";
    // morph 29, loc 2, stat 18, ih 23, ivh 6; cm 25 and rlm 16 per
    // directional method; szm 16, dzm 16, ngt 5, ngl 17 per regional one.
    const std::size_t expected = 29 + 2 + 18 + 23 + (25 + 16) * (two_d ? 4 : 2) + (16 + 16 + 5 + 17) * (two_d ? 2 : 1);
    EXPECT_EQ(ours.size(), expected + 6) << name;  // and the IVH's 6
    EXPECT_EQ(ivh.size(), 6u) << name;
    for (const auto& [key, f] : ours) {
      if (f.code == "N365" || f.code == "NPT7" || f.code == "7TET") continue;  // may be any sign
      EXPECT_TRUE(std::isfinite(f.value)) << name << " " << f.name;
    }
    std::map<std::string, double> by_code;
    for (const auto& [key, f] : ours) by_code[f.code] = f.value;
    EXPECT_LE(by_code["3NCY"], 32) << name;  // maximum discretised intensity: fixed bin number 32
    EXPECT_GE(by_code["1PR8"], 1) << name;
    // The enclosing shapes: the minimum volume ellipsoid encloses the hull,
    // the oriented box is no larger than the axis-aligned one.
    EXPECT_LE(by_code["SWZ1"], by_code["R3ER"] + 1e-12) << name;
    EXPECT_GE(by_code["ZH1A"], by_code["PBX1"] - 1e-12) << name;
    if (name != "config_B") {
      // 3 sigma: the intensity range is at most six standard deviations.
      EXPECT_LE(by_code["2OJQ"], 6 * std::sqrt(by_code["ECT3"]) * 1.5) << name;
    }
  }
}

// A volume of one grey level: every co-occurrence is on the diagonal, so
// the contrast is 0 and the joint maximum 1; every run spans the ROI.
TEST(IbsiFeatures, UniformVolumeProperties) {
  Geometry g;
  g.size = {4, 3, 2};
  LabelImage levels(g, 2);
  for (Aggregation a : AllAggregations()) {
    std::map<std::string, double> cm, rlm;
    for (const auto& f : CooccurrenceFeatures(levels, 3, a)) cm[f.code] = f.value;
    for (const auto& f : RunLengthFeatures(levels, 3, a)) rlm[f.code] = f.value;
    EXPECT_DOUBLE_EQ(cm["GYBY"], 1.0) << AggregationName(a);  // joint maximum
    EXPECT_DOUBLE_EQ(cm["ACUI"], 0.0) << AggregationName(a);  // contrast
    EXPECT_DOUBLE_EQ(cm["60VM"], 2.0) << AggregationName(a);  // joint average: the level
    EXPECT_DOUBLE_EQ(rlm["OVBL"], 1.0) << AggregationName(a);  // one grey level
    EXPECT_NEAR(rlm["8CE5"], 0.0, 1e-12) << AggregationName(a);  // grey level variance
  }
  // In a full X x Y x Z box a run starts where the voxel before it (along
  // d) is outside: X*Y*Z - (X-|dx|)(Y-|dy|)(Z-|dz|) runs per direction.
  double runs = 0;
  for (long dz = -1; dz <= 1; ++dz)
    for (long dy = -1; dy <= 1; ++dy)
      for (long dx = -1; dx <= 1; ++dx) {
        const long first = dx != 0 ? dx : dy != 0 ? dy : dz;
        if (first > 0) runs += 24.0 - (4.0 - std::abs(dx)) * (3.0 - std::abs(dy)) * (2.0 - std::abs(dz));
      }
  std::map<std::string, double> merged;
  for (const auto& f : RunLengthFeatures(levels, 3, Aggregation::k3DMerged)) merged[f.code] = f.value;
  EXPECT_DOUBLE_EQ(merged["R5YN"], runs);  // one grey level: its non-uniformity is the run count
  EXPECT_DOUBLE_EQ(merged["9ZK5"], runs / (24.0 * 13.0));  // voxels counted once per merged direction
}

// A box of voxels has a convex mesh (marching cubes chamfers its edges and
// corners): convex hull densities are 1; its bounding box spans the voxels.
TEST(IbsiFeatures, ConvexRoiProperties) {
  Geometry g;
  g.size = {6, 5, 5};
  g.spacing = {1.0, 1.5, 2.0};
  Image image(g, 0.0);
  LabelImage mask(g, 0);
  for (std::size_t k = 1; k < 4; ++k)
    for (std::size_t j = 1; j < 4; ++j)
      for (std::size_t i = 1; i < 5; ++i) {
        mask(i, j, k) = 1;
        image(i, j, k) = 10.0;
      }
  std::map<std::string, double> morph;
  for (const auto& f : MorphologyFeatures(image, mask, mask)) morph[f.code] = f.value;
  EXPECT_NEAR(morph["R3ER"], 1.0, 1e-9);  // volume density (convex hull)
  EXPECT_NEAR(morph["ZH1A"], morph["PBX1"], 1e-9);  // the oriented box is the axis-aligned one
  EXPECT_NEAR(morph["IQYR"], morph["R59B"], 1e-9);
  EXPECT_LT(morph["SWZ1"], 1.0);  // the enclosing ellipsoid holds the mesh
  EXPECT_GT(morph["SWZ1"], 0.3);
  EXPECT_NEAR(morph["7T7F"], 1.0, 1e-9);  // area density (convex hull)
  EXPECT_DOUBLE_EQ(morph["YEKZ"], 4 * 3 * 3 * 3.0);  // voxel volume [mm^3]
  EXPECT_NEAR(morph["PBX1"], morph["RNU0"] / (4 * 1.0 * 3 * 1.5 * 3 * 2.0), 1e-12);  // box of the voxels
  EXPECT_NEAR(morph["KLMA"], 0.0, 1e-12);  // uniform intensity: no centre of mass shift
  EXPECT_NEAR(morph["99N0"], 10 * morph["RNU0"], 1e-9);
}

// Moran's I and Geary's C (computed over voxel offsets with FFTs) equal
// their definitions summed pair by pair, on a random ROI with anisotropic
// voxels and a re-segmented intensity mask.
TEST(IbsiFeatures, MoranAndGearyEqualTheirPairSums) {
  Geometry g;
  g.size = {7, 6, 5};
  g.spacing = {0.8, 1.1, 2.5};
  Image image(g, 0.0);
  LabelImage shape(g, 0), intensity(g, 0);
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> value(-50, 150);
  for (std::size_t n = 0; n < image.size(); ++n) {
    image[n] = std::round(value(rng));
    shape[n] = rng() % 4 != 0;
    intensity[n] = shape[n] && image[n] < 120;
  }
  std::vector<std::pair<std::array<double, 3>, double>> voxels;
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i)
        if (intensity(i, j, k))
          voxels.push_back({{i * g.spacing[0], j * g.spacing[1], k * g.spacing[2]}, image(i, j, k)});
  double mean = 0;
  for (const auto& v : voxels) mean += v.second;
  mean /= static_cast<double>(voxels.size());
  double weights = 0, moran = 0, geary = 0, spread = 0;
  for (const auto& [p, x] : voxels) {
    spread += (x - mean) * (x - mean);
    for (const auto& [q, y] : voxels) {
      const double d = std::sqrt((p[0] - q[0]) * (p[0] - q[0]) + (p[1] - q[1]) * (p[1] - q[1]) +
                                 (p[2] - q[2]) * (p[2] - q[2]));
      if (d == 0) continue;
      weights += 1 / d;
      moran += (x - mean) * (y - mean) / d;
      geary += (x - y) * (x - y) / d;
    }
  }
  const double n = static_cast<double>(voxels.size());
  std::map<std::string, double> morph;
  for (const auto& f : MorphologyFeatures(image, shape, intensity)) morph[f.code] = f.value;
  EXPECT_NEAR(morph["N365"], n / weights * moran / spread, 1e-10);
  EXPECT_NEAR(morph["NPT7"], (n - 1) / (2 * weights) * geary / spread, 1e-10);
}

// IBSI's grid: ceil(extent / spacing) voxels, centres aligned with the old
// grid's; linear and cubic spline values at old centres are the old values
// (splines interpolate), a linear ramp stays linear inside.
TEST(IbsiFeatures, InterpolationGrid) {
  Geometry g;
  g.size = {9, 8, 5};
  g.spacing = {1.0, 1.0, 3.0};
  g.origin = {10, 20, 30};
  Image ramp(g, 0.0), noise(g, 0.0);
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(0, 100);
  for (std::size_t k = 0; k < 5; ++k)
    for (std::size_t j = 0; j < 8; ++j)
      for (std::size_t i = 0; i < 9; ++i) {
        ramp(i, j, k) = 2.0 * i + 3.0 * j + 5.0 * k;
        noise(i, j, k) = u(rng);
      }
  const Image fine = InterpolateImage(ramp, {2, 2, 2}, false, false);
  EXPECT_EQ(fine.geometry().size, (std::array<std::size_t, 3>{5, 4, 8}));  // ceil(9/2), ceil(8/2), ceil(15/2)
  // Centres aligned: origins move by (old extent - new extent) / 2 between centres.
  EXPECT_DOUBLE_EQ(fine.geometry().origin[0], 10 + (8 - 8) / 2.0);
  EXPECT_DOUBLE_EQ(fine.geometry().origin[1], 20 + (7 - 6) / 2.0);
  EXPECT_DOUBLE_EQ(fine.geometry().origin[2], 30 + (12 - 14) / 2.0);
  // New (2, 1, 3) is old (4, 2.5, 5/3): the ramp is exact inside the old grid.
  EXPECT_NEAR(fine(2, 1, 3), 2.0 * 4 + 3.0 * 2.5 + 5.0 * (5.0 / 3.0), 1e-12);
  // Beyond it (new z 0 is old z -1/3) the nearest value: old z 0.
  EXPECT_NEAR(fine(2, 1, 0), 2.0 * 4 + 3.0 * 2.5, 1e-12);
  for (Interpolator method : {Interpolator::kLinear, Interpolator::kCubicSpline, Interpolator::kNearest}) {
    const Image same = InterpolateImage(noise, g.spacing, false, false, method);
    ASSERT_EQ(same.geometry().size, g.size);
    for (std::size_t n = 0; n < same.size(); ++n) ASSERT_NEAR(same[n], noise[n], 1e-6) << static_cast<int>(method);
  }
  // A cubic spline reproduces a linear ramp away from the borders (the
  // mirrored extension bends it near them, by 0.27^d at d samples).
  Geometry big;
  big.size = {24, 24, 24};
  Image long_ramp(big, 0.0);
  for (std::size_t k = 0; k < 24; ++k)
    for (std::size_t j = 0; j < 24; ++j)
      for (std::size_t i = 0; i < 24; ++i) long_ramp(i, j, k) = 2.0 * i - 1.0 * j + 0.5 * k;
  const Image spline = InterpolateImage(long_ramp, {0.7, 0.7, 0.7}, false, false, Interpolator::kCubicSpline);
  const Image linear = InterpolateImage(long_ramp, {0.7, 0.7, 0.7}, false, false, Interpolator::kLinear);
  const auto& n = spline.geometry().size;
  for (std::size_t k = 15; k + 15 < n[2]; ++k)
    for (std::size_t j = 15; j + 15 < n[1]; ++j)
      for (std::size_t i = 15; i + 15 < n[0]; ++i) ASSERT_NEAR(spline(i, j, k), linear(i, j, k), 1e-3);
  // The ROI: a partial volume threshold of 0.5 keeps what covers half a voxel.
  LabelImage box(g, 0);
  for (std::size_t k = 1; k < 4; ++k)
    for (std::size_t j = 2; j < 6; ++j)
      for (std::size_t i = 2; i < 7; ++i) box(i, j, k) = 1;
  const LabelImage roi = InterpolateMask(box, {1, 1, 1}, false, 0.5);
  std::size_t inside = 0;
  for (std::int32_t v : roi.values()) inside += v != 0;
  EXPECT_EQ(inside, 5u * 4u * 9u);  // 3 slices of 3 mm: 7 centres inside and one each side at 0.5
}

TEST(IbsiFeatures, BadInputIsRefused) {
  Geometry g;
  g.size = {3, 3, 1};
  LabelImage levels(g, 0);
  EXPECT_THROW(CooccurrenceFeatures(levels, 4, Aggregation::k3DMerged), DataError);  // empty ROI
  levels[4] = 7;
  EXPECT_THROW(RunLengthFeatures(levels, 4, Aggregation::k3DMerged), InvalidArgument);  // level above 4
  levels[4] = 2;
  EXPECT_THROW(CooccurrenceFeatures(levels, 4, Aggregation::k3DMerged), DataError);  // one voxel: no pairs
  EXPECT_NO_THROW(RunLengthFeatures(levels, 4, Aggregation::k3DMerged));            // one run of 1
  EXPECT_THROW(CooccurrenceFeatures(levels, 0, Aggregation::k3DMerged), InvalidArgument);
  EXPECT_THROW(CooccurrenceFeatures(levels, kMaxGreyLevels + 1, Aggregation::k3DMerged), InvalidArgument);
  // Each family takes its own aggregation methods.
  EXPECT_THROW(CooccurrenceFeatures(levels, 4, Aggregation::k3D), InvalidArgument);
  EXPECT_THROW(SizeZoneFeatures(levels, 4, Aggregation::k3DMerged), InvalidArgument);
  EXPECT_NO_THROW(SizeZoneFeatures(levels, 4, Aggregation::k3D));  // one zone of one voxel
}

}  // namespace
}  // namespace lvsi::radiomics::ibsi

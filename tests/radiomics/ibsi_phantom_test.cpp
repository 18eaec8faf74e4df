// The IBSI digital phantom: every feature whose pyradiomics definition
// equals IBSI's is compared with the IBSI-1 consensus value (within the
// reference tolerance, or the precision the value is reported with).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "lvsi/core/csv.h"
#include "lvsi/io/image_io.h"
#include "lvsi/radiomics/extractor.h"
#include "lvsi/radiomics/features.h"
#include "test_util.h"

namespace lvsi::radiomics {
namespace {
namespace fs = std::filesystem;

struct Mapping {
  const char* family;
  const char* ibsi_name;
  const char* aggregation;  // "" for non-texture families
  const char* lvsi_name;
  double offset;  // IBSI = lvsi + offset
  bool merged;    // from the extraction with weightingNorm no_weighting
  // pyradiomics' voxel covariance divides by N, IBSI's by N - 1: axis
  // lengths differ by sqrt(N / (N - 1)) (documented in docs/radiomics.md).
  bool bessel = false;
};

const std::vector<Mapping>& Mappings() {
  static const std::vector<Mapping> kMap = [] {
    std::vector<Mapping> m = {
        {"morph", "Volume (mesh)", "", "original_shape_MeshVolume", 0, false},
        {"morph", "Volume (voxel counting)", "", "original_shape_VoxelVolume", 0, false},
        {"morph", "Surface area (mesh)", "", "original_shape_SurfaceArea", 0, false},
        {"morph", "Surface to volume ratio", "", "original_shape_SurfaceVolumeRatio", 0, false},
        {"morph", "Compactness 1", "", "original_shape_Compactness1", 0, false},
        {"morph", "Compactness 2", "", "original_shape_Compactness2", 0, false},
        {"morph", "Spherical disproportion", "", "original_shape_SphericalDisproportion", 0, false},
        {"morph", "Sphericity", "", "original_shape_Sphericity", 0, false},
        {"morph", "Maximum 3D diameter", "", "original_shape_Maximum3DDiameter", 0, false},
        {"morph", "Major axis length", "", "original_shape_MajorAxisLength", 0, false, true},
        {"morph", "Minor axis length", "", "original_shape_MinorAxisLength", 0, false, true},
        {"morph", "Least axis length", "", "original_shape_LeastAxisLength", 0, false, true},
        {"morph", "Elongation", "", "original_shape_Elongation", 0, false},
        {"morph", "Flatness", "", "original_shape_Flatness", 0, false},
        {"stat", "Mean intensity", "", "original_firstorder_Mean", 0, false},
        {"stat", "Intensity variance", "", "original_firstorder_Variance", 0, false},
        {"stat", "Intensity skewness", "", "original_firstorder_Skewness", 0, false},
        {"stat", "(Excess) intensity kurtosis", "", "original_firstorder_Kurtosis", -3, false},
        {"stat", "Median intensity", "", "original_firstorder_Median", 0, false},
        {"stat", "Minimum intensity", "", "original_firstorder_Minimum", 0, false},
        {"stat", "10\\ :sup:`th` intensity percentile", "", "original_firstorder_10Percentile", 0, false},
        {"stat", "90\\ :sup:`th` intensity percentile", "", "original_firstorder_90Percentile", 0, false},
        {"stat", "Maximum intensity", "", "original_firstorder_Maximum", 0, false},
        {"stat", "Intensity interquartile range", "", "original_firstorder_InterquartileRange", 0, false},
        {"stat", "Intensity range", "", "original_firstorder_Range", 0, false},
        {"stat", "Intensity-based mean absolute deviation", "", "original_firstorder_MeanAbsoluteDeviation", 0, false},
        {"stat", "Intensity-based robust mean absolute deviation", "", "original_firstorder_RobustMeanAbsoluteDeviation", 0, false},
        {"stat", "Intensity-based energy", "", "original_firstorder_Energy", 0, false},
        {"stat", "Root mean square intensity", "", "original_firstorder_RootMeanSquared", 0, false},
        {"ih", "Discretised intensity entropy", "", "original_firstorder_Entropy", 0, false},
        {"ih", "Discretised intensity uniformity", "", "original_firstorder_Uniformity", 0, false},
    };
    const std::pair<const char*, const char*> cm[] = {
        {"Joint maximum", "MaximumProbability"}, {"Joint average", "JointAverage"},
        {"Joint variance", "SumSquares"}, {"Joint entropy", "JointEntropy"},
        {"Difference average", "DifferenceAverage"}, {"Difference variance", "DifferenceVariance"},
        {"Difference entropy", "DifferenceEntropy"}, {"Sum average", "SumAverage"},
        {"Sum variance", "ClusterTendency"}, {"Sum entropy", "SumEntropy"},
        {"Angular second moment", "JointEnergy"}, {"Contrast", "Contrast"},
        {"Dissimilarity", "DifferenceAverage"}, {"Inverse difference", "Id"},
        {"Normalised inverse difference", "Idn"}, {"Inverse difference moment", "Idm"},
        {"Normalised inverse difference moment", "Idmn"}, {"Inverse variance", "InverseVariance"},
        {"Correlation", "Correlation"}, {"Autocorrelation", "Autocorrelation"},
        {"Cluster tendency", "ClusterTendency"}, {"Cluster shade", "ClusterShade"},
        {"Cluster prominence", "ClusterProminence"}, {"Information correlation 1", "Imc1"},
        {"Information correlation 2", "Imc2"}};
    static std::vector<std::string> names;  // keeps the composed strings alive
    names.reserve(200);
    for (const auto& [ibsi, lvsi] : cm)
      for (bool merged : {false, true}) {
        names.push_back(std::string("original_glcm_") + lvsi);
        m.push_back({"cm", ibsi, merged ? "3D, merged" : "3D, averaged", names.back().c_str(), 0, merged});
      }
    const std::pair<const char*, const char*> rlm[] = {
        {"Short runs emphasis", "ShortRunEmphasis"}, {"Long runs emphasis", "LongRunEmphasis"},
        {"Low grey level run emphasis", "LowGrayLevelRunEmphasis"},
        {"High grey level run emphasis", "HighGrayLevelRunEmphasis"},
        {"Short run low grey level emphasis", "ShortRunLowGrayLevelEmphasis"},
        {"Short run high grey level emphasis", "ShortRunHighGrayLevelEmphasis"},
        {"Long run low grey level emphasis", "LongRunLowGrayLevelEmphasis"},
        {"Long run high grey level emphasis", "LongRunHighGrayLevelEmphasis"},
        {"Grey level non-uniformity", "GrayLevelNonUniformity"},
        {"Normalised grey level non-uniformity", "GrayLevelNonUniformityNormalized"},
        {"Run length non-uniformity", "RunLengthNonUniformity"},
        {"Normalised run length non-uniformity", "RunLengthNonUniformityNormalized"},
        {"Run percentage", "RunPercentage"}, {"Grey level variance", "GrayLevelVariance"},
        {"Run length variance", "RunVariance"}, {"Run entropy", "RunEntropy"}};
    for (const auto& [ibsi, lvsi] : rlm)
      for (bool merged : {false, true}) {
        names.push_back(std::string("original_glrlm_") + lvsi);
        m.push_back({"rlm", ibsi, merged ? "3D, merged" : "3D, averaged", names.back().c_str(), 0, merged});
      }
    const std::pair<const char*, const char*> szm[] = {
        {"Small zone emphasis", "SmallAreaEmphasis"}, {"Large zone emphasis", "LargeAreaEmphasis"},
        {"Low grey level zone emphasis", "LowGrayLevelZoneEmphasis"},
        {"High grey level zone emphasis", "HighGrayLevelZoneEmphasis"},
        {"Small zone low grey level emphasis", "SmallAreaLowGrayLevelEmphasis"},
        {"Small zone high grey level emphasis", "SmallAreaHighGrayLevelEmphasis"},
        {"Large zone low grey level emphasis", "LargeAreaLowGrayLevelEmphasis"},
        {"Large zone high grey level emphasis", "LargeAreaHighGrayLevelEmphasis"},
        {"Grey level non-uniformity", "GrayLevelNonUniformity"},
        {"Normalised grey level non-uniformity", "GrayLevelNonUniformityNormalized"},
        {"Zone size non-uniformity", "SizeZoneNonUniformity"},
        {"Normalised zone size non-uniformity", "SizeZoneNonUniformityNormalized"},
        {"Zone percentage", "ZonePercentage"}, {"Grey level variance", "GrayLevelVariance"},
        {"Zone size variance", "ZoneVariance"}, {"Zone size entropy", "ZoneEntropy"}};
    for (const auto& [ibsi, lvsi] : szm) {
      names.push_back(std::string("original_glszm_") + lvsi);
      m.push_back({"szm", ibsi, "3D", names.back().c_str(), 0, false});
    }
    const std::pair<const char*, const char*> ngt[] = {{"Coarseness", "Coarseness"}, {"Contrast", "Contrast"},
                                                       {"Busyness", "Busyness"}, {"Complexity", "Complexity"},
                                                       {"Strength", "Strength"}};
    for (const auto& [ibsi, lvsi] : ngt) {
      names.push_back(std::string("original_ngtdm_") + lvsi);
      m.push_back({"ngt", ibsi, "3D", names.back().c_str(), 0, false});
    }
    const std::pair<const char*, const char*> ngl[] = {
        {"Low dependence emphasis", "SmallDependenceEmphasis"},
        {"High dependence emphasis", "LargeDependenceEmphasis"},
        {"Low grey level count emphasis", "LowGrayLevelEmphasis"},
        {"High grey level count emphasis", "HighGrayLevelEmphasis"},
        {"Low dependence low grey level emphasis", "SmallDependenceLowGrayLevelEmphasis"},
        {"Low dependence high grey level emphasis", "SmallDependenceHighGrayLevelEmphasis"},
        {"High dependence low grey level emphasis", "LargeDependenceLowGrayLevelEmphasis"},
        {"High dependence high grey level emphasis", "LargeDependenceHighGrayLevelEmphasis"},
        {"Grey level non-uniformity", "GrayLevelNonUniformity"},
        {"Normalised grey level non-uniformity", "GrayLevelNonUniformityNormalized"},
        {"Dependence count non-uniformity", "DependenceNonUniformity"},
        {"Normalised dependence count non-uniformity", "DependenceNonUniformityNormalized"},
        {"Dependence count percentage", "DependencePercentage"},
        {"Grey level variance", "GrayLevelVariance"},
        {"Dependence count variance", "DependenceVariance"},
        {"Dependence count entropy", "DependenceEntropy"}};
    for (const auto& [ibsi, lvsi] : ngl) {
      names.push_back(std::string("original_gldm_") + lvsi);
      m.push_back({"ngl", ibsi, "3D", names.back().c_str(), 0, false});
    }
    return m;
  }();
  return kMap;
}

ExtractionParameters PhantomParameters(bool merged) {
  ExtractionParameters p = ExtractionParameters::Defaults();
  p.settings.bin_width = 1;  // grey levels 1..6 are already discrete
  p.settings.minimum_roi_dimensions = 1;
  if (merged) p.settings.texture.weighting_norm = "no_weighting";
  for (const auto& cls : p.class_order) p.feature_classes[cls] = {};
  // Deprecated features are requested by name so they are computed too.
  p.feature_classes["shape"] = {"MeshVolume", "VoxelVolume", "SurfaceArea", "SurfaceVolumeRatio", "Compactness1",
                                "Compactness2", "SphericalDisproportion", "Sphericity", "Maximum3DDiameter",
                                "MajorAxisLength", "MinorAxisLength", "LeastAxisLength", "Elongation", "Flatness"};
  std::vector<std::string> gldm;
  for (const auto& info : FeatureClassInfo("gldm")) gldm.push_back(info.name);
  p.feature_classes["gldm"] = gldm;
  return p;
}

TEST(IbsiPhantom, FeaturesMatchConsensusValues) {
  const std::string dir = testing::SharedDir() + "/reference/ibsi1/digital_phantom";
  LVSI_SKIP_UNLESS_EXISTS(dir + "/reference_values.csv");
  auto averaged = FeatureExtractor(PhantomParameters(false)).ExecuteFiles(dir + "/phantom.nii.gz", dir + "/mask.nii.gz");
  {
    // The two NGLDM features pyradiomics deprecates without a value (so its
    // extractor gives no column) come from lvsi's GLDM class directly, on
    // the phantom's whole grid (the same ROI and grey levels).
    const Image phantom = io::ReadImage(dir + "/phantom.nii.gz");
    const LabelImage labels = io::ReadLabelImage(dir + "/mask.nii.gz");
    Mask mask(labels.geometry(), 0);
    for (std::size_t n = 0; n < labels.size(); ++n) mask[n] = labels[n] == 1;
    const Roi roi = Roi::Build(phantom, mask, preprocessing::DiscretizationSettings{1, std::nullopt});
    for (const auto& [name, value] : GldmFeatures(roi).Compute({"GrayLevelNonUniformityNormalized", "DependencePercentage"}))
      averaged.features.emplace_back("original_gldm_" + name, value);
  }
  const auto merged = FeatureExtractor(PhantomParameters(true)).ExecuteFiles(dir + "/phantom.nii.gz", dir + "/mask.nii.gz");
  const CsvDocument ref = ReadCsv(dir + "/reference_values.csv");
  const long fam = ref.ColumnIndex("family"), feat = ref.ColumnIndex("feature"), agg = ref.ColumnIndex("aggregation"),
             val = ref.ColumnIndex("value"), tol = ref.ColumnIndex("tolerance");
  std::size_t compared = 0, within = 0;
  for (const auto& m : Mappings()) {
    bool found = false;
    for (const auto& row : ref.rows) {
      if (row[static_cast<std::size_t>(fam)] != m.family || row[static_cast<std::size_t>(feat)] != m.ibsi_name ||
          row[static_cast<std::size_t>(agg)] != m.aggregation)
        continue;
      found = true;
      double expected = 0, tolerance = 0;
      ASSERT_TRUE(ParseDouble(row[static_cast<std::size_t>(val)], &expected));
      const std::string& text = row[static_cast<std::size_t>(val)];
      if (!ParseDouble(row[static_cast<std::size_t>(tol)], &tolerance) || tolerance == 0) {
        // No tolerance given: agree to the 3 significant digits reported.
        const double magnitude = expected == 0 ? 1 : std::floor(std::log10(std::abs(expected)));
        tolerance = 0.5 * std::pow(10.0, magnitude - 2) * 1.0001;
        (void)text;
      }
      double got = (m.merged ? merged : averaged).Feature(m.lvsi_name) + m.offset;
      if (m.bessel) {
        const double n = averaged.Feature("original_shape_VoxelVolume") /
                         io::ReadImageInfo(dir + "/phantom.nii.gz").geometry.VoxelVolume();
        got *= std::sqrt(n / (n - 1));
      }
      ++compared;
      if (std::abs(got - expected) <= tolerance) {
        ++within;
      } else {
        ADD_FAILURE() << m.family << " '" << m.ibsi_name << "' (" << m.aggregation << "): lvsi " << got
                      << ", IBSI " << expected << " +/- " << tolerance;
      }
    }
    EXPECT_TRUE(found) << "IBSI reference has no row for " << m.family << " '" << m.ibsi_name << "' " << m.aggregation;
  }
  std::printf("IBSI phantom: compared %zu features, %zu within tolerance\n", compared, within);
  EXPECT_EQ(compared, within);
}

}  // namespace
}  // namespace lvsi::radiomics

// pyradiomics parameter files.
#include <gtest/gtest.h>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/radiomics/features.h"
#include "lvsi/radiomics/settings.h"
#include <fstream>

#include "test_util.h"

namespace lvsi::radiomics {
namespace {

TEST(ParameterFile, ReadsPyradiomicsYaml) {
  const auto p = ParseParameters(R"(
imageType:
  Original: {}
featureClass:
  shape:
  firstorder: [Mean, StandardDeviation]
  glcm:
setting:
  binWidth: 5
  label: 2
  resampledPixelSpacing: [2, 2, 0]
  interpolator: 'sitkLinear'
  weightingNorm: euclidean
  distances: [1, 2]
  normalize: true
  normalizeScale: 100
  resegmentRange: [-3, 3]
  resegmentMode: sigma
voxelSetting: {}
)");
  EXPECT_EQ(p.settings.bin_width, 5);
  EXPECT_EQ(p.settings.label, 2);
  ASSERT_TRUE(p.settings.resampled_pixel_spacing.has_value());
  EXPECT_EQ((*p.settings.resampled_pixel_spacing)[2], 0);
  EXPECT_EQ(p.settings.interpolator, "sitkLinear");
  EXPECT_EQ(p.settings.texture.weighting_norm, "euclidean");
  EXPECT_EQ(p.settings.texture.distances, (std::vector<int>{1, 2}));
  EXPECT_TRUE(p.settings.normalize);
  EXPECT_EQ(p.settings.resegment_range, (std::vector<double>{-3, 3}));
  EXPECT_EQ(p.class_order, (std::vector<std::string>{"shape", "firstorder", "glcm"}));
  EXPECT_EQ(p.feature_classes.at("firstorder"), (std::vector<std::string>{"Mean", "StandardDeviation"}));
}

TEST(ParameterFile, DefaultsWhenEmpty) {
  const auto p = ParseParameters("");
  EXPECT_EQ(p.settings.bin_width, 25);
  EXPECT_EQ(p.settings.pad_distance, 5);
  EXPECT_EQ(p.class_order, FeatureClassNames());  // all eight, shape2D included
  EXPECT_EQ(p.image_types.count("Original"), 1u);
}

void ExpectRejected(const std::string& yaml, const std::string& needle) {
  try {
    ParseParameters(yaml, "params.yaml");
    FAIL() << "accepted: " << yaml;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(ParameterFile, RejectsUnknownKeysAndWrongTypes) {
  ExpectRejected("setting:\n  binWdth: 5\n", "unknown setting 'binWdth'");
  ExpectRejected("setting:\n  binWidth: five\n", "'binWidth' must be a number");
  ExpectRejected("setting:\n  binWidth: 0\n", "binWidth must be a positive number");
  ExpectRejected("setting:\n  label: 1.5\n", "'label' must be a whole number");
  ExpectRejected("setting:\n  normalize: maybe\n", "'normalize' must be true or false");
  ExpectRejected("setting:\n  resampledPixelSpacing: [1, 2]\n", "resampledPixelSpacing");
  ExpectRejected("setting:\n  interpolator: sitkMagic\n", "unknown interpolator 'sitkMagic'");
  ExpectRejected("featureClass:\n  glxm:\n", "unknown feature class 'glxm'");
  ExpectRejected("featureClass:\n  glcm: [Contrast, Nope]\n", "class 'glcm' has no feature 'Nope'");
  ExpectRejected("imageType:\n  Blur: {}\n", "unknown image type 'Blur'");
  ExpectRejected("settings:\n  binWidth: 5\n", "unknown section 'settings'");
  ExpectRejected("setting: [\n", "not valid YAML");
  EXPECT_THROW(ReadParameterFile("/nonexistent/params.yaml"), IoError);
}

TEST(ParameterFile, ReadsTheSharedFilteredParams) {
  const std::string path = testing::ReferenceDir("LVSI_PYRADIOMICS_REFERENCE", "pyradiomics") + "/filtered/params.yaml";
  LVSI_SKIP_UNLESS_EXISTS(path);
  const auto p = ReadParameterFile(path);
  EXPECT_EQ(p.settings.bin_width, 5);
  // Per-image-type settings stay with their type.
  EXPECT_TRUE(p.settings.log_sigma.empty());
  ExtractionParameters with_log;
  with_log.ApplySetting("sigma", p.image_types.at("LoG").at("sigma"));
  EXPECT_EQ(with_log.settings.log_sigma, (std::vector<double>{1, 3, 5}));
  EXPECT_EQ(p.image_types.size(), 8u);
  EXPECT_EQ(p.class_order.size(), 7u);  // the file names seven classes
}

// pyradiomics' enabling rules: an empty or absent featureClass enables
// every class, an empty or absent imageType the original image only.
TEST(ParameterFile, EmptySectionsEnableWhatPyradiomicsEnables) {
  for (const char* yaml : {"featureClass: {}\nimageType: {}\n", "featureClass:\nimageType:\n",
                           "setting:\n  binWidth: 10\n"}) {
    const auto p = ParseParameters(yaml);
    EXPECT_EQ(p.class_order, FeatureClassNames()) << yaml;
    for (const auto& cls : FeatureClassNames()) EXPECT_TRUE(p.feature_classes.at(cls).empty()) << yaml << cls;
    EXPECT_EQ(p.image_type_order, (std::vector<std::string>{"Original"})) << yaml;
  }
}

// Voxel-based settings are checked and refused with the reason, not
// accepted and ignored: lvsi has no voxel mode yet.
TEST(ParameterFile, VoxelSettingsAreReadFromEitherSectionAndChecked) {
  const ExtractionParameters p = ParseParameters("voxelSetting:\n  kernelRadius: 2\n  maskedKernel: false\n");
  EXPECT_EQ(p.settings.kernel_radius, 2);
  EXPECT_FALSE(p.settings.masked_kernel);
  EXPECT_EQ(ParseParameters("setting:\n  initValue: 3\n").settings.init_value, 3.0);
  ExpectRejected("voxelSetting:\n  kernelRadis: 2\n", "unknown voxel setting 'kernelRadis'");
  ExpectRejected("voxelSetting:\n  kernelRadius: 51\n", "kernelRadius");
  ExpectRejected("voxelSetting:\n  initValue: .inf\n", "initValue");
  ExpectRejected("voxelSetting: [1]\n", "'voxelSetting' must be a mapping");
  EXPECT_NO_THROW(ParseParameters("voxelSetting: {}\n"));
}

// ToYaml writes every value that determines the features: it reads back to
// the same parameters, and any change shows in it.
TEST(ParameterFile, ToYamlRoundTripsAndShowsEveryChange) {
  const std::string text =
      "imageType:\n  Original: {}\n  LoG: {sigma: [1.0, 3]}\n  Wavelet: {binWidth: 10}\nfeatureClass:\n  glcm: "
      "[Autocorrelation, JointEnergy]\n  firstorder:\nsetting:\n  binWidth: 5\n  resampledPixelSpacing: [1, 1, 0]\n  "
      "interpolator: sitkLinear\n  resegmentRange: [-3, 3]\n  resegmentMode: sigma\n  weightingNorm: euclidean\n  "
      "distances: [1, 2]\n  label: 2\n";
  const ExtractionParameters p = ParseParameters(text);
  const std::string yaml = p.ToYaml();
  EXPECT_EQ(ParseParameters(yaml).ToYaml(), yaml);
  EXPECT_EQ(ExtractionParameters::Defaults().ToYaml(), ParseParameters("").ToYaml());
  EXPECT_NE(yaml.find("sigma: [1.0, 3]"), std::string::npos) << yaml;
  for (const char* change : {"binWidth: 6", "label: 3", "distances: [1]", "interpolator: sitkBSpline", "voxelArrayShift: 1",
                             "resegmentRange: [-3, 4]", "normalize: true", "padDistance: 4"}) {
    const std::string line = std::string("  ") + change + "\n";
    EXPECT_NE(ParseParameters(text + line).ToYaml(), yaml) << change;
  }
  EXPECT_NE(ParseParameters("featureClass:\n  glcm:\n").ToYaml(), ParseParameters("featureClass:\n  glrlm:\n").ToYaml());
  // Values with '#', braces, quotes and control bytes stay one quoted line
  // (found by fuzz_parameters).
  const ExtractionParameters odd =
      ParseParameters("imageType:\n  Wavelet: {wavelet: \"co#if} {\\x01\\xff\\n'\"}\nsetting:\n  wavelet: \"a # b\"\n");
  EXPECT_EQ(ParseParameters(odd.ToYaml()).ToYaml(), odd.ToYaml()) << odd.ToYaml();
  // No interpolator (an empty value) stays none (found by fuzz_parameters).
  const ExtractionParameters none = ParseParameters("setting:\n  interpolator:\n");
  EXPECT_EQ(none.settings.interpolator, "");
  EXPECT_EQ(ParseParameters(none.ToYaml()).settings.interpolator, "");
  EXPECT_THROW(ParseParameters("setting:\n  interpolator: 1e300\n"), InvalidArgument);
}

// Names that are not text (a mapping or list where a class, feature or
// key belongs) are errors naming the file (found by fuzz_parameters).
TEST(ParameterFile, NamesThatAreNotTextAreErrors) {
  for (const char* bad : {"featureClass:\n  glcm: [{a: 1}]\n", "featureClass:\n  glcm: [Autor:alize: true\n",
                          "imageType:\n  [1, 2]: {}\n", "setting:\n  {a: 1}: 3\n"}) {
    try {
      ParseParameters(bad, "p.yaml");
      ADD_FAILURE() << bad << " was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("p.yaml"), std::string::npos) << e.what();
    }
  }
}

// Numeric settings must be finite and in range where they size things.
TEST(ParameterFile, ExtremeValuesAreRefusedNamingTheKey) {
  for (const char* bad : {"normalizeScale: .inf", "voxelArrayShift: .nan", "gldm_a: .nan", "gldm_a: -1", "sigma: [.inf]",
                          "resegmentRange: [.nan]", "padDistance: 100000", "geometryTolerance: -1", "removeOutliers: .inf",
                          "level: 50", "start_level: 9\n  level: 2", "label_channel: 1000000"}) {
    const std::string text = std::string("setting:\n  ") + bad + "\n";
    try {
      ParseParameters(text, "p.yaml");
      ADD_FAILURE() << bad << " was accepted";
    } catch (const InvalidArgument& e) {
      const std::string key = std::string(bad).substr(0, std::string(bad).find(':'));
      EXPECT_NE(std::string(e.what()).find(key == "start_level" ? "level" : key), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace lvsi::radiomics

// FeatureExtractor: pipeline behaviour and bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/core/logging.h"
#include "lvsi/io/image_io.h"
#include "lvsi/preprocessing/filters.h"
#include "lvsi/radiomics/extractor.h"
#include "test_util.h"

namespace lvsi::radiomics {
namespace {

std::pair<Image, LabelImage> Case() {
  Geometry g;
  g.size = {10, 9, 6};
  g.spacing = {0.8, 0.8, 3};
  Image img(g);
  LabelImage lab(g, 0);
  for (std::size_t n = 0; n < img.size(); ++n) img[n] = static_cast<double>((n * 7919) % 97);
  for (std::size_t k = 1; k < 5; ++k)
    for (std::size_t j = 2; j < 7; ++j)
      for (std::size_t i = 2; i < 8; ++i) lab(i, j, k) = 1;
  return {img, lab};
}

TEST(Extractor, DefaultsGive107FeaturesWithPyradiomicsNames) {
  auto [img, lab] = Case();
  const auto r = FeatureExtractor().Execute(img, lab);
  EXPECT_EQ(r.features.size(), 107u);
  EXPECT_EQ(r.features.front().first.rfind("original_shape_", 0), 0u);  // shape first
  EXPECT_NO_THROW(r.Feature("original_glcm_JointEntropy"));
  EXPECT_THROW(r.Feature("original_glcm_Nope"), InvalidArgument);
  bool has_bbox = false;
  for (const auto& [k, v] : r.diagnostics) has_bbox |= k == "diagnostics_Mask-original_BoundingBox" && v == "(2, 2, 1, 6, 5, 4)";
  EXPECT_TRUE(has_bbox);
  const FeatureTable t = r.ToTable("case1");
  EXPECT_EQ(t.cols(), 107u);
  EXPECT_NE(r.BriefReport().find("107 features"), std::string::npos);
}

std::string Diagnostic(const ExtractionResult& r, const std::string& key) {
  for (const auto& [k, v] : r.diagnostics)
    if (k == key) return v;
  return "(absent)";
}

// An ROI far from the image's origin, of two blocks that touch only at one
// corner: pyradiomics reports the box and the centre in the loaded image's
// indices (not the cropped box's) and counts one 26-connected volume.
TEST(Extractor, MaskDiagnosticsAreInTheLoadedImagesIndices) {
  Geometry g;
  g.size = {40, 30, 20};
  g.spacing = {0.5, 0.5, 2};
  g.origin = {-10, 5, 7};
  Image img(g, 100.0);
  LabelImage lab(g, 0);
  double sum[3] = {0, 0, 0}, count = 0;
  auto label = [&](std::size_t i, std::size_t j, std::size_t k) {
    lab(i, j, k) = 1;
    sum[0] += static_cast<double>(i);
    sum[1] += static_cast<double>(j);
    sum[2] += static_cast<double>(k);
    count += 1;
  };
  for (std::size_t k = 10; k < 13; ++k)
    for (std::size_t j = 15; j < 18; ++j)
      for (std::size_t i = 25; i < 28; ++i) label(i, j, k);  // block 1: x 25-27, y 15-17, z 10-12
  for (std::size_t k = 13; k < 15; ++k)
    for (std::size_t j = 18; j < 20; ++j)
      for (std::size_t i = 28; i < 31; ++i) label(i, j, k);  // block 2 touches (27, 17, 12) at a corner
  ExtractionParameters p = ExtractionParameters::Defaults();
  p.class_order = {"firstorder"};
  p.feature_classes = {{"firstorder", {"Mean"}}};
  const ExtractionResult r = FeatureExtractor(p).Execute(img, lab, "int16");
  EXPECT_EQ(Diagnostic(r, "diagnostics_Mask-original_BoundingBox"), "(25, 15, 10, 6, 5, 5)");
  EXPECT_EQ(Diagnostic(r, "diagnostics_Mask-original_VoxelNum"), "39");
  EXPECT_EQ(Diagnostic(r, "diagnostics_Mask-original_VolumeNum"), "1");
  EXPECT_EQ(Diagnostic(r, "diagnostics_Mask-original_Size"), "(40, 30, 20)");
  EXPECT_EQ(Diagnostic(r, "diagnostics_Mask-original_Spacing"), "(0.5, 0.5, 2.0)");
  // Python's repr of the mean index; the physical point from it.
  char expected[200];
  std::snprintf(expected, sizeof expected, "(%.17g, %.17g, %.17g)", sum[0] / count, sum[1] / count, sum[2] / count);
  const std::string center = Diagnostic(r, "diagnostics_Mask-original_CenterOfMassIndex");
  double cx, cy, cz;
  ASSERT_EQ(std::sscanf(center.c_str(), "(%lf, %lf, %lf)", &cx, &cy, &cz), 3) << center;
  EXPECT_EQ(cx, sum[0] / count);
  EXPECT_EQ(cy, sum[1] / count);
  EXPECT_EQ(cz, sum[2] / count) << expected;
  const std::string point = Diagnostic(r, "diagnostics_Mask-original_CenterOfMass");
  double px, py, pz;
  ASSERT_EQ(std::sscanf(point.c_str(), "(%lf, %lf, %lf)", &px, &py, &pz), 3) << point;
  EXPECT_DOUBLE_EQ(px, -10 + 0.5 * cx);
  EXPECT_DOUBLE_EQ(py, 5 + 0.5 * cy);
  EXPECT_DOUBLE_EQ(pz, 7 + 2 * cz);
  // Face-connected only, the two blocks would be two volumes.
  lab(27, 17, 12) = 0;
  lab(28, 18, 13) = 0;
  const ExtractionResult apart = FeatureExtractor(p).Execute(img, lab, "int16");
  EXPECT_EQ(Diagnostic(apart, "diagnostics_Mask-original_VolumeNum"), "2");
}

// diagnostics_Image-original_Hash is SHA-1 of the voxels in their stored
// type: a million voxels of 97 stored as uint8 are a million "a" bytes,
// whose SHA-1 is FIPS 180's third test vector.
TEST(Extractor, ImageHashIsSha1OfTheStoredVoxels) {
  Geometry g;
  g.size = {1000, 1000, 1};
  Image img(g, 97.0);
  LabelImage lab(g, 0);
  for (std::size_t j = 10; j < 20; ++j)
    for (std::size_t i = 10; i < 20; ++i) lab(i, j, 0) = 1;
  ExtractionParameters p = ExtractionParameters::Defaults();
  p.class_order = {"firstorder"};
  p.feature_classes = {{"firstorder", {"Mean"}}};
  // Both SHA-1 kernels: the x86 SHA extensions where the processor has
  // them, and the portable code (LVSI_SIMD=baseline).
  for (const char* simd : {"native", "baseline"}) {
    ASSERT_EQ(setenv("LVSI_SIMD", simd, 1), 0);
    const ExtractionResult r = FeatureExtractor(p).Execute(img, lab, "uint8");
    EXPECT_EQ(Diagnostic(r, "diagnostics_Image-original_Hash"), "34aa973cd4c4daa4f61eeb2bdbad27316534016f") << simd;
  }
  unsetenv("LVSI_SIMD");
}

// Warnings collected while `fn` runs.
template <class Fn>
std::string WarningsOf(Fn&& fn) {
  std::string warnings;
  SetLogSink([&](LogLevel level, const std::string& message) {
    if (level == LogLevel::kWarning) warnings += message + "\n";
  });
  try {
    fn();
  } catch (...) {
    SetLogSink(nullptr);
    throw;
  }
  SetLogSink(nullptr);
  return warnings;
}

bool HasFeatureOf(const ExtractionResult& r, const std::string& prefix) {
  for (const auto& [name, value] : r.features)
    if (name.rfind(prefix, 0) == 0) return true;
  return false;
}

// pyradiomics' shape2D rules: a ROI thicker than one voxel along
// force2Ddimension gets a warning and no shape2D (the case goes on), one
// without force2D too; a 2-D image gets shape2D without force2D and no 3-D
// shape.
TEST(Extractor, Shape2DAppliesWherePyradiomicsAppliesIt) {
  auto [img, lab] = Case();  // a ROI 4 slices thick
  ExtractionParameters p = ExtractionParameters::Defaults();  // every class, shape2D included
  ExtractionResult r;
  std::string warnings = WarningsOf([&] { r = FeatureExtractor(p).Execute(img, lab); });
  EXPECT_NE(warnings.find("force2D must be set"), std::string::npos) << warnings;
  EXPECT_TRUE(HasFeatureOf(r, "original_shape_"));
  EXPECT_FALSE(HasFeatureOf(r, "original_shape2D_"));
  EXPECT_TRUE(HasFeatureOf(r, "original_glcm_"));
  p.settings.texture.force2d = true;
  warnings = WarningsOf([&] { r = FeatureExtractor(p).Execute(img, lab); });
  EXPECT_NE(warnings.find("4 voxels thick along force2Ddimension 0"), std::string::npos) << warnings;
  EXPECT_FALSE(HasFeatureOf(r, "original_shape2D_"));
  EXPECT_TRUE(HasFeatureOf(r, "original_firstorder_"));
  // One slice of the ROI: shape2D with force2D.
  LabelImage thin = lab;
  for (std::size_t k = 0; k < thin.geometry().size[2]; ++k)
    for (std::size_t j = 0; j < thin.geometry().size[1]; ++j)
      for (std::size_t i = 0; i < thin.geometry().size[0]; ++i)
        if (k != 2) thin(i, j, k) = 0;
  r = FeatureExtractor(p).Execute(img, thin);
  EXPECT_TRUE(HasFeatureOf(r, "original_shape2D_"));
  // A 2-D image (one slice): shape2D without force2D, no 3-D shape.
  Geometry g2 = img.geometry();
  g2.size[2] = 1;
  Image flat(g2);
  LabelImage flat_lab(g2, 0);
  for (std::size_t j = 0; j < g2.size[1]; ++j)
    for (std::size_t i = 0; i < g2.size[0]; ++i) {
      flat(i, j, 0) = img(i, j, 2);
      flat_lab(i, j, 0) = lab(i, j, 2);
    }
  p.settings.texture.force2d = false;
  warnings = WarningsOf([&] { r = FeatureExtractor(p).Execute(flat, flat_lab); });
  EXPECT_TRUE(HasFeatureOf(r, "original_shape2D_"));
  EXPECT_FALSE(HasFeatureOf(r, "original_shape_"));
  EXPECT_NE(warnings.find("only available for 3D input"), std::string::npos) << warnings;
  EXPECT_EQ(Diagnostic(r, "diagnostics_Image-original_Dimensionality"), "2D");
}

// pyradiomics gives no value, and so no column, for the deprecated features
// it refuses to compute, even when a parameter file names them.
TEST(Extractor, DeprecatedFeaturesWithoutValueInPyradiomicsHaveNoColumn) {
  auto [img, lab] = Case();
  ExtractionParameters p = ExtractionParameters::Defaults();
  p.class_order = {"glcm", "gldm", "shape"};
  p.feature_classes = {{"glcm", {"Dissimilarity", "Contrast", "SumVariance"}},
                       {"gldm", {"DependencePercentage"}},
                       {"shape", {"Compactness1"}}};  // deprecated, but computed by pyradiomics
  std::vector<std::string> names;
  for (const auto& [name, value] : FeatureExtractor(p).Execute(img, lab).features) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"original_shape_Compactness1", "original_glcm_Contrast"}));
}

// A segmentation stored as a vector image (3D Slicer's .seg.nrrd: one
// channel per segment): label_channel picks the channel, as pyradiomics'
// getMask; without it the file is refused with the reason.
TEST(Extractor, LabelChannelPicksASegmentOfAVectorMask) {
  auto [img, lab] = Case();
  const std::string dir = testing::ScratchDir("label_channel");
  io::WriteImage(img, dir + "/image.nrrd", {io::PixelType::kInt16, false});
  const Geometry& g = img.geometry();
  // Channel 0: the case's ROI; channel 1: its first two slices only.
  LabelImage second(g, 0);
  std::string data;
  for (std::size_t k = 0, n = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i, ++n) {
        second[n] = lab[n] && k <= 2 ? 1 : 0;
        data += static_cast<char>(lab[n]);
        data += static_cast<char>(second[n]);
      }
  char header[512];
  std::snprintf(header, sizeof header,
                "NRRD0004\ntype: uchar\ndimension: 4\nspace: left-posterior-superior\nsizes: 2 %zu %zu %zu\n"
                "space directions: none (%.17g,0,0) (0,%.17g,0) (0,0,%.17g)\nkinds: vector domain domain domain\n"
                "endian: little\nencoding: raw\nspace origin: (%.17g,%.17g,%.17g)\n\n",
                g.size[0], g.size[1], g.size[2], g.spacing[0], g.spacing[1], g.spacing[2], g.origin[0], g.origin[1],
                g.origin[2]);
  WriteFileAtomically(dir + "/segmentation.seg.nrrd", std::string(header) + data);
  io::WriteLabelImage(second, dir + "/second.nrrd");
  io::ImageReadSettings channel;
  channel.component = 1;
  EXPECT_EQ(io::ReadLabelImage(dir + "/segmentation.seg.nrrd", channel).values(), second.values());
  EXPECT_THROW(io::ReadLabelImage(dir + "/segmentation.seg.nrrd"), FormatError);
  channel.component = 2;
  EXPECT_THROW(io::ReadLabelImage(dir + "/segmentation.seg.nrrd", channel), FormatError);
  ExtractionParameters p = ExtractionParameters::Defaults();
  p.class_order = {"firstorder", "glcm"};
  p.feature_classes = {{"firstorder", {}}, {"glcm", {}}};
  p.ApplySetting("label_channel", "1");
  const ExtractionResult from_channel = FeatureExtractor(p).ExecuteFiles(dir + "/image.nrrd", dir + "/segmentation.seg.nrrd");
  const ExtractionResult from_scalar = FeatureExtractor(p).ExecuteFiles(dir + "/image.nrrd", dir + "/second.nrrd");
  EXPECT_EQ(from_channel.features, from_scalar.features);
  EXPECT_EQ(Diagnostic(from_channel, "diagnostics_Mask-original_Hash"), Diagnostic(from_scalar, "diagnostics_Mask-original_Hash"));
  p.ApplySetting("label_channel", "0");
  EXPECT_NE(FeatureExtractor(p).ExecuteFiles(dir + "/image.nrrd", dir + "/segmentation.seg.nrrd").features,
            from_scalar.features);
}

TEST(Extractor, ParallelClassesGiveIdenticalResults) {
  auto [img, lab] = Case();
  FeatureExtractor one, two;
  two.set_threads(2);
  const auto a = one.Execute(img, lab), b = two.Execute(img, lab);
  ASSERT_EQ(a.features.size(), b.features.size());
  for (std::size_t n = 0; n < a.features.size(); ++n) {
    EXPECT_EQ(a.features[n].first, b.features[n].first);
    EXPECT_EQ(a.features[n].second, b.features[n].second);
  }
}

TEST(Extractor, LbpImageTypesOnTheRoiBoxEqualTheWholeImageFilters) {
  // brain1 (int16): the LBP images are computed on the ROI box plus their
  // context; their first-order means must equal those of the filters run on
  // the whole image, read at the ROI.
  const std::string dir = testing::ReferenceDir("LVSI_PYRADIOMICS_REFERENCE", "pyradiomics");
  LVSI_SKIP_UNLESS_EXISTS(dir + "/brain1_image.nrrd");
  const Image image = io::ReadImage(dir + "/brain1_image.nrrd");
  const LabelImage labels = io::ReadLabelImage(dir + "/brain1_label.nrrd");
  const ExtractionParameters p = ParseParameters(R"(
imageType:
  Original: {}
  LBP2D: {lbp2DRadius: 1.5, lbp2DSamples: 12}
  LBP3D: {binWidth: 0.5}
featureClass:
  firstorder: [Mean, Maximum]
  glcm:
setting:
  binWidth: 1
)", "lbp.yaml");
  FeatureExtractor extractor(p);
  extractor.set_threads(2);
  const auto r = extractor.Execute(image, labels, "int16");
  std::size_t lbp2d = 0, lbp3d = 0;
  for (const auto& [name, value] : r.features) {
    lbp2d += name.rfind("lbp-2D_", 0) == 0;
    lbp3d += name.rfind("lbp-3D-", 0) == 0;
    EXPECT_TRUE(std::isfinite(value) || name.find("glcm") != std::string::npos) << name;
  }
  EXPECT_EQ(lbp2d, 2u + 24u);      // firstorder Mean, Maximum + 24 GLCM features
  EXPECT_EQ(lbp3d, 3 * (2u + 24u));  // lbp-3D-m1, -m2 and -k

  preprocessing::Lbp2DSettings s2;
  s2.radius = 1.5;
  s2.samples = 12;
  s2.storage = preprocessing::StoragePixelType::kInt16;
  const Image whole2 = preprocessing::LocalBinaryPattern2D(image, s2);
  Mask roi(image.geometry(), 0);
  for (std::size_t n = 0; n < roi.size(); ++n) roi[n] = labels[n] == 1;
  preprocessing::Lbp3DSettings s3;
  s3.storage = preprocessing::StoragePixelType::kInt16;
  const auto whole3 = preprocessing::LocalBinaryPattern3D(image, roi, s3);
  auto roi_mean = [&](const Image& f) {
    double sum = 0, count = 0;
    for (std::size_t n = 0; n < f.size(); ++n)
      if (roi[n]) sum += f[n], count += 1;
    return sum / count;
  };
  EXPECT_NEAR(r.Feature("lbp-2D_firstorder_Mean"), roi_mean(whole2), 1e-9);
  EXPECT_EQ(r.Feature("lbp-2D_firstorder_Maximum"), 13);  // samples + 1: the non-uniform code
  for (const auto& [name, f] : whole3)
    EXPECT_NEAR(r.Feature(name + "_firstorder_Mean"), roi_mean(f), 1e-9 * std::abs(roi_mean(f))) << name;
}

// The LoG first-order values of an extraction against the filter itself.
void CheckNormalisedLog(const Image& img, const LabelImage& lab, const preprocessing::IndexBox& box) {
  const ExtractionParameters p = ParseParameters(R"(
imageType:
  LoG: {sigma: [1.0, 2.5]}
featureClass:
  firstorder: [Minimum, Maximum, Mean]
setting:
  normalize: true
  normalizeScale: 100
  removeOutliers: 2.5
)", "log.yaml");
  const auto r = FeatureExtractor(p).Execute(img, lab);
  const preprocessing::Normalizer normalizer(preprocessing::IntensityStatistics::Of(img), 100, 2.5);
  for (const double sigma : {1.0, 2.5}) {
    const auto pad = preprocessing::LogContext(img.geometry(), sigma);
    preprocessing::IndexBox region;
    std::array<std::size_t, 3> lower{}, upper{};
    for (int d = 0; d < 3; ++d) {
      region.lower[d] = box.lower[d] > pad[d] ? box.lower[d] - pad[d] : 0;
      region.upper[d] = std::min(img.geometry().size[d] - 1, box.upper[d] + pad[d]);
      lower[d] = box.lower[d] - region.lower[d];
      upper[d] = box.upper[d] - region.lower[d];
    }
    const Image log = preprocessing::LaplacianOfGaussian(img, sigma, region, lower, upper, &normalizer);
    double low = std::numeric_limits<double>::infinity(), high = -low, sum = 0, count = 0;
    for (std::size_t k = box.lower[2]; k <= box.upper[2]; ++k)
      for (std::size_t j = box.lower[1]; j <= box.upper[1]; ++j)
        for (std::size_t i = box.lower[0]; i <= box.upper[0]; ++i)
          if (lab(i, j, k) == 1) {
            const double v = log(i - box.lower[0], j - box.lower[1], k - box.lower[2]);
            low = std::min(low, v);
            high = std::max(high, v);
            sum += v;
            count += 1;
          }
    const std::string prefix = sigma == 1.0 ? "log-sigma-1-0-mm-3D" : "log-sigma-2-5-mm-3D";
    EXPECT_EQ(r.Feature(prefix + "_firstorder_Minimum"), low) << prefix;
    EXPECT_EQ(r.Feature(prefix + "_firstorder_Maximum"), high) << prefix;
    EXPECT_NEAR(r.Feature(prefix + "_firstorder_Mean"), sum / count, 1e-12 * std::abs(sum / count)) << prefix;
  }
}

TEST(Extractor, NormalisedLogRegionsGiveTheFiltersOwnValues) {
  // With normalisation, the extractor hands small LoG regions a normalised
  // copy of their union and lets large ones normalise while reading: both
  // must give exactly what LaplacianOfGaussian gives on the ROI box plus
  // its context, normalising as it reads.  The small case's regions make
  // a copy of about 4 KB, the large one's 2.2 MB (read in place).
  for (const std::size_t side : {0, 100}) {
    auto [img, lab] = Case();
    preprocessing::IndexBox box{{2, 2, 1}, {7, 6, 4}};  // the ROI's bounding box
    if (side > 0) {
      Geometry g = img.geometry();
      g.size = {side, side, 40};
      img = Image(g);
      lab = LabelImage(g, 0);
      for (std::size_t n = 0; n < img.size(); ++n) img[n] = static_cast<double>((n * 7919) % 97);
      box = {{47, 46, 18}, {52, 50, 24}};
      for (std::size_t k = box.lower[2]; k <= box.upper[2]; ++k)
        for (std::size_t j = box.lower[1]; j <= box.upper[1]; ++j)
          for (std::size_t i = box.lower[0]; i <= box.upper[0]; ++i) lab(i, j, k) = (i + j + k) % 5 != 0;
    }
    CheckNormalisedLog(img, lab, box);
  }
}

TEST(Extractor, UndefinedLbpValuesInTheRoiAreDataErrors) {
  // A flat image: every icosphere sample equals its centre, so the
  // kurtosis image is NaN at every ROI voxel; "var" codes are NaN too.
  auto [img, lab] = Case();
  for (auto& v : img.values()) v = 7;
  for (const char* type : {"LBP3D: {}", "LBP2D: {lbp2DMethod: var}"}) {
    const ExtractionParameters p = ParseParameters(std::string("imageType:\n  ") + type + "\nfeatureClass:\n  firstorder:\n",
                                                   "flat.yaml");
    try {
      FeatureExtractor(p).Execute(img, lab);
      FAIL() << type;
    } catch (const DataError& e) {
      EXPECT_NE(std::string(e.what()).find("120 ROI voxel(s)"), std::string::npos) << e.what();
    }
  }
}

TEST(Extractor, BadInputGivesTypedErrors) {
  auto [img, lab] = Case();
  ExtractionParameters p = ExtractionParameters::Defaults();
  p.settings.label = 2;
  EXPECT_THROW(FeatureExtractor(p).Execute(img, lab), DataError);  // label absent

  LabelImage single(lab.geometry(), 0);
  single(3, 3, 3) = 1;
  EXPECT_THROW(FeatureExtractor().Execute(img, single), DataError);  // one voxel

  LabelImage line(lab.geometry(), 0);
  for (std::size_t i = 0; i < 5; ++i) line(i, 3, 3) = 1;
  try {
    FeatureExtractor().Execute(img, line);  // 1-D ROI, minimumROIDimensions 2
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("minimumROIDimensions"), std::string::npos) << e.what();
  }

  LabelImage moved = lab;
  Geometry g = lab.geometry();
  g.origin[0] += 0.4;
  moved.set_geometry(g);
  EXPECT_THROW(FeatureExtractor().Execute(img, moved), GeometryError);
  ExtractionParameters correct = ExtractionParameters::Defaults();
  correct.settings.correct_mask = true;
  EXPECT_NO_THROW(FeatureExtractor(correct).Execute(img, moved));

  Image nan_img = img;
  nan_img(4, 4, 2) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(FeatureExtractor().Execute(nan_img, lab), DataError);

  ExtractionParameters bad = ExtractionParameters::Defaults();
  bad.settings.bin_width = 0;
  EXPECT_THROW(FeatureExtractor{bad}, InvalidArgument);
  bad = ExtractionParameters::Defaults();
  bad.settings.resampled_pixel_spacing = std::array<double, 3>{1, -1, 1};
  EXPECT_THROW(FeatureExtractor{bad}, InvalidArgument);
  bad = ExtractionParameters::Defaults();
  bad.settings.interpolator = "sitkMagic";
  EXPECT_THROW(FeatureExtractor{bad}, InvalidArgument);
}

TEST(Extractor, FileErrorsNameTheFile) {
  auto [img, lab] = Case();
  const std::string dir = testing::ScratchDir("extractor_files");
  io::WriteImage(img, dir + "/img.nrrd");
  LabelImage empty(lab.geometry(), 0);
  empty(0, 0, 0) = 3;
  io::WriteLabelImage(empty, dir + "/mask.nrrd");
  try {
    FeatureExtractor().ExecuteFiles(dir + "/img.nrrd", dir + "/mask.nrrd");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_EQ(e.path(), dir + "/mask.nrrd");
  }
  EXPECT_THROW(FeatureExtractor().ExecuteFiles(dir + "/missing.nrrd", dir + "/mask.nrrd"), IoError);
}

TEST(Extractor, ResegmentationAndResamplingRun) {
  auto [img, lab] = Case();
  ExtractionParameters p = ExtractionParameters::Defaults();
  p.settings.resegment_range = {10, 80};
  const auto r = FeatureExtractor(p).Execute(img, lab);
  EXPECT_LE(r.Feature("original_firstorder_Maximum"), 80);
  EXPECT_GE(r.Feature("original_firstorder_Minimum"), 10);
  ExtractionParameters q = ExtractionParameters::Defaults();
  q.settings.resampled_pixel_spacing = std::array<double, 3>{1, 1, 1};
  const auto s = FeatureExtractor(q).Execute(img, lab, "int16");
  EXPECT_GT(s.Feature("original_shape_VoxelVolume"), 0);
  EXPECT_EQ(s.Feature("original_firstorder_Minimum"), std::trunc(s.Feature("original_firstorder_Minimum")));
}

}  // namespace
}  // namespace lvsi::radiomics

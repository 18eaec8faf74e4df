#include "lvsi/io/mask.h"

#include <gtest/gtest.h>

#include "lvsi/core/error.h"
#include "lvsi/io/manifest.h"
#include "lvsi/io/synthetic.h"
#include "test_util.h"

namespace lvsi::io {
namespace {

Geometry Grid() {
  Geometry g;
  g.size = {8, 8, 4};
  g.spacing = {1.0, 1.0, 3.0};
  g.origin = {0.0, 0.0, 0.0};
  return g;
}

LabelImage Labels() {
  LabelImage l(Grid(), 0);
  for (std::size_t k = 1; k < 3; ++k)
    for (std::size_t j = 2; j < 5; ++j)
      for (std::size_t i = 2; i < 6; ++i) l(i, j, k) = 1;
  l(7, 7, 3) = 3;
  return l;
}

TEST(Mask, SelectsLabel) {
  const Mask m = SelectLabel(Labels(), 1);
  EXPECT_EQ(CountVoxels(m), 24u);
  EXPECT_EQ(CountVoxels(SelectLabel(Labels(), 3)), 1u);
  EXPECT_EQ(LabelsPresent(Labels()), (std::vector<int>{1, 3}));
}

TEST(Mask, AbsentLabelAndEmptyMaskAreDataErrors) {
  try {
    SelectLabel(Labels(), 2, "reader1.nii.gz");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_EQ(e.path(), "reader1.nii.gz");
    EXPECT_NE(std::string(e.what()).find("labels present: 1, 3"), std::string::npos) << e.what();
  }
  try {
    SelectLabel(LabelImage(Grid(), 0), 1, "empty.nii.gz");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("mask is empty"), std::string::npos);
  }
}

TEST(Mask, ReadMaskChecksGeometry) {
  const std::string dir = testing::ScratchDir("mask_geometry");
  LabelImage shifted = Labels();
  Geometry g = Grid();
  g.origin[2] = 1.5;  // half a slice off
  shifted.set_geometry(g);
  WriteLabelImage(shifted, dir + "/mask.nii.gz");
  try {
    ReadMask(dir + "/mask.nii.gz", Grid());
    FAIL();
  } catch (const GeometryError& e) {
    EXPECT_EQ(e.path(), dir + "/mask.nii.gz");
    EXPECT_NE(std::string(e.what()).find("origin"), std::string::npos) << e.what();
  }
  MaskSettings resample;
  resample.resample_to_image = true;
  const Mask m = ReadMask(dir + "/mask.nii.gz", Grid(), resample);
  // Image slice k is at z = 3k, mask slice m at 1.5 + 3m: continuous index
  // k - 0.5, which rounds (halves up) to mask slice k.
  EXPECT_TRUE(SameGeometry(m.geometry(), Grid()));
  EXPECT_EQ(CountVoxels(m), 24u);

  WriteLabelImage(Labels(), dir + "/ok.nrrd");
  EXPECT_EQ(CountVoxels(ReadMask(dir + "/ok.nrrd", Grid())), 24u);
  MaskSettings label3;
  label3.label = 3;
  EXPECT_EQ(CountVoxels(ReadMask(dir + "/ok.nrrd", Grid(), label3)), 1u);
}

TEST(Mask, NearestNeighbourResamplingMatchesHandComputation) {
  LabelImage src(Grid(), 0);
  src(3, 4, 1) = 5;
  Geometry fine = Grid();
  fine.size = {16, 16, 12};
  fine.spacing = {0.5, 0.5, 1.0};
  const LabelImage out = ResampleLabelsNearest(src, fine);
  // Source voxel (3,4,1) covers x in [2.5,3.5), y in [3.5,4.5), z in [1.5,4.5):
  // fine indices i 5..6, j 7..8, k 2..4.
  std::size_t count = 0;
  for (std::size_t k = 0; k < 12; ++k)
    for (std::size_t j = 0; j < 16; ++j)
      for (std::size_t i = 0; i < 16; ++i)
        if (out(i, j, k) == 5) {
          ++count;
          EXPECT_TRUE(i >= 5 && i <= 6 && j >= 7 && j <= 8 && k >= 2 && k <= 4) << i << j << k;
        }
  EXPECT_EQ(count, 2u * 2u * 3u);
}


TEST(Settings, IoSettingsSayWhatIsWrong) {
  std::string why;
  SyntheticCohortSettings cohort;
  cohort.patients = 2;
  EXPECT_FALSE(cohort.IsValid(&why));
  EXPECT_THROW(GenerateSyntheticCohort(testing::ScratchDir("two_patients"), cohort), InvalidArgument);
  ManifestSettings manifest;
  manifest.required_sequences = {""};
  EXPECT_FALSE(manifest.IsValid(&why));
  MaskSettings mask;
  mask.tolerance.coordinate = -1;
  EXPECT_FALSE(mask.IsValid(&why));
  EXPECT_NE(why.find("tolerance"), std::string::npos);
  EXPECT_THROW(ReadMask("unused.nii.gz", Geometry{}, mask), InvalidArgument);
  EXPECT_TRUE(SyntheticCohortSettings().IsValid() && ManifestSettings().IsValid() && MaskSettings().IsValid() &&
              ImageReadSettings().IsValid() && ImageWriteSettings().IsValid());
}

}  // namespace
}  // namespace lvsi::io

#include "lvsi/io/rtstruct.h"

#include <gtest/gtest.h>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "test_util.h"

namespace lvsi::io {
namespace {

Geometry Grid() {
  Geometry g;
  g.size = {20, 20, 5};
  g.spacing = {1.0, 1.0, 2.0};
  g.origin = {-10.0, -10.0, 0.0};
  return g;
}

// A square with corners at physical x, y in [lo, hi] on slice z.
Contour Square(double lo, double hi, double z) {
  return Contour{{{lo, lo, z}, {hi, lo, z}, {hi, hi, z}, {lo, hi, z}}};
}

TEST(RtStruct, RasterisesContoursWithHoles) {
  const std::string path = testing::ScratchDir("rtstruct") + "/rs.dcm";
  // Outer square x,y in [-5.5, 4.5]: voxel centres -5..4 -> 10x10 voxels.
  // Inner square [-2.5, 1.5]: centres -2..1 -> a 4x4 hole.
  WriteRtStruct(path, {{"GTV", {Square(-5.5, 4.5, 4.0), Square(-2.5, 1.5, 4.0),
                                Square(-5.5, 4.5, 6.1)}},
                       {"Bladder", {Square(0.5, 3.5, 2.0)}}});
  const auto rois = ListRtStructRois(path);
  ASSERT_EQ(rois.size(), 2u);
  EXPECT_EQ(rois[0].name, "GTV");
  EXPECT_EQ(rois[0].contours, 3u);
  EXPECT_EQ(rois[1].number, 2);

  const Mask gtv = ReadRtStructMask(path, "GTV", Grid());
  EXPECT_EQ(CountVoxels(gtv), 100u - 16u + 100u);
  EXPECT_EQ(gtv(5, 5, 2), 1);    // x = -5, y = -5, z = 4
  EXPECT_EQ(gtv(10, 10, 2), 0);  // x = 0, inside the hole
  EXPECT_EQ(gtv(10, 10, 3), 1);  // z = 6.1 maps to slice 3
  EXPECT_EQ(gtv(15, 15, 2), 0);  // x = 5, outside
  EXPECT_EQ(CountVoxels(ReadRtStructMask(path, "Bladder", Grid())), 9u);
}

TEST(RtStruct, Errors) {
  const std::string dir = testing::ScratchDir("rtstruct_err");
  WriteRtStruct(dir + "/rs.dcm", {{"GTV", {Square(-5.5, 4.5, 4.0)}}});
  try {
    ReadRtStructMask(dir + "/rs.dcm", "CTV", Grid());
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("ROIs: 'GTV'"), std::string::npos) << e.what();
  }
  WriteRtStruct(dir + "/far.dcm", {{"GTV", {Square(100, 110, 4.0)}}});
  EXPECT_THROW(ReadRtStructMask(dir + "/far.dcm", "GTV", Grid()), DataError);
  EXPECT_THROW(ListRtStructRois(dir + "/none.dcm"), IoError);
  WriteFileAtomically(dir + "/junk.dcm", "not dicom");
  EXPECT_THROW(ListRtStructRois(dir + "/junk.dcm"), FormatError);
}

}  // namespace
}  // namespace lvsi::io

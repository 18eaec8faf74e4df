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

// Damaged structure is refused, before GDCM sees it, with the element at
// fault: GDCM aborted on the first file (found by fuzz_rtstruct) and
// trusted the length of the second (a 1 KiB file made it allocate 1.3 GB).
TEST(RtStruct, MalformedStructureNamesTheElement) {
  const std::string dir = testing::ScratchDir("rtstruct_structure");
  const std::string found = std::string(LVSI_SOURCE_DIR) + "/tests/fuzz/corpus/rtstruct/gdcm_assert_vr16";
  try {
    ListRtStructRois(found);
    FAIL() << "no error";
  } catch (const FormatError& e) {
    EXPECT_EQ(e.path(), found);
    EXPECT_NE(e.problem().find("(FAFE,E00D) has no valid value representation"), std::string::npos) << e.what();
  }
  WriteRtStruct(dir + "/rs.dcm", {{"GTV", {Square(-5.5, 4.5, 4.0)}}});
  std::string bytes = ReadTextFile(dir + "/rs.dcm");
  // (3006,0026) ROIName, explicit VR "LO" with a 16-bit length.
  const std::string name_tag("\x06\x30\x26\x00LO", 6);
  const std::size_t at = bytes.find(name_tag);
  ASSERT_NE(at, std::string::npos);
  std::string longer = bytes;
  longer[at + 6] = '\xF0';
  longer[at + 7] = '\x7F';
  WriteFileAtomically(dir + "/long.dcm", longer);
  try {
    ListRtStructRois(dir + "/long.dcm");
    FAIL() << "no error";
  } catch (const FormatError& e) {
    EXPECT_NE(e.problem().find("element (3006,0026) claims 32752 bytes, but only"), std::string::npos) << e.what();
  }
  // The file cut anywhere after the prefix: a FormatError, or (cut between
  // two whole elements after the ROI list) the ROI with fewer contours.
  int valid_prefixes = 0;
  for (std::size_t cut = 132; cut < bytes.size(); cut += 2) {
    WriteFileAtomically(dir + "/cut.dcm", bytes.substr(0, cut));
    try {
      const auto rois = ListRtStructRois(dir + "/cut.dcm");
      ASSERT_EQ(rois.size(), 1u) << cut;
      EXPECT_EQ(rois[0].name, "GTV") << cut;
      EXPECT_LE(rois[0].contours, 1u) << cut;
      ++valid_prefixes;
    } catch (const FormatError&) {
    }
  }
  EXPECT_LT(valid_prefixes, 10);
  EXPECT_EQ(ListRtStructRois(dir + "/rs.dcm").size(), 1u);
}

// The readers run in a child; what the child throws reaches the caller as
// the same lvsi type, with the same path and problem.
TEST(RtStruct, ChildErrorsKeepTheirType) {
  const std::string dir = testing::ScratchDir("rtstruct_child");
  WriteRtStruct(dir + "/rs.dcm", {{"GTV", {Square(-5.5, 4.5, 4.0)}}});
  try {
    ListRtStructRois(dir + "/missing.dcm");
    FAIL();
  } catch (const FormatError&) {
    FAIL() << "IoError expected, not FormatError";
  } catch (const IoError& e) {
    EXPECT_EQ(e.path(), dir + "/missing.dcm");
    EXPECT_EQ(e.problem(), "file does not exist");
  }
}

}  // namespace
}  // namespace lvsi::io

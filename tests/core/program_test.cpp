// Exit statuses of lvsi's programs and the guard their main() runs in.
#include <gtest/gtest.h>

#include <filesystem>
#include <new>
#include <stdexcept>

#include "lvsi/core/error.h"
#include "lvsi/core/geometry.h"
#include "lvsi/core/program.h"

namespace lvsi {
namespace {

TEST(Program, EveryErrorHasItsStatus) {
  EXPECT_EQ(ExitStatusOf(IoError("a.nrrd", "missing")), ExitStatus::kInput);
  EXPECT_EQ(ExitStatusOf(FormatError("a.nrrd", "corrupt")), ExitStatus::kInput);
  EXPECT_EQ(ExitStatusOf(ManifestError("m.csv", {"line 2: bad"})), ExitStatus::kInput);
  EXPECT_EQ(ExitStatusOf(DataError("a.nrrd", "NaN")), ExitStatus::kInput);
  EXPECT_EQ(ExitStatusOf(GeometryError(Input::kMask, "grid")), ExitStatus::kInput);
  EXPECT_EQ(ExitStatusOf(InvalidArgument("binWidth")), ExitStatus::kSettings);
  EXPECT_EQ(ExitStatusOf(OutputError("o.csv", "disk full")), ExitStatus::kOutput);
  EXPECT_EQ(ExitStatusOf(ModelError("m.lvsi: bad")), ExitStatus::kModel);
  EXPECT_EQ(ExitStatusOf(std::bad_alloc()), ExitStatus::kResources);
  EXPECT_EQ(ExitStatusOf(std::filesystem::filesystem_error("mkdir", std::make_error_code(std::errc::read_only_file_system))),
            ExitStatus::kOutput);
  EXPECT_EQ(ExitStatusOf(std::logic_error("oops")), ExitStatus::kInternal);
}

TEST(Program, RunProgramReportsAndNeverThrows) {
  EXPECT_EQ(RunProgram("t", [] { return 0; }), 0);
  EXPECT_EQ(RunProgram("t", [] { return 4; }), 4);
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(RunProgram("lvsi_test", []() -> int { throw DataError("x.nii.gz", "3 voxel(s) are NaN or infinite"); }), 1);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "lvsi_test: x.nii.gz: 3 voxel(s) are NaN or infinite\n");
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(RunProgram("lvsi_test", []() -> int { throw std::bad_alloc(); }), 7);
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("out of memory"), std::string::npos);
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(RunProgram("lvsi_test", []() -> int { throw 42; }), 8);
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("internal error"), std::string::npos);
}

TEST(Program, VoxelCountsNeverOverflow) {
  EXPECT_EQ(CheckedVoxelCount({2, 3, 4}), 24u);
  EXPECT_EQ(CheckedVoxelCount({0, 100000, 100000}), 0u);
  EXPECT_EQ(CheckedVoxelCount({1u << 16, 1u << 15, 1}), kMaxVoxels);
  EXPECT_EQ(CheckedVoxelCount({(1u << 16) + 1, 1u << 15, 1}), kMaxVoxels + 1);
  EXPECT_EQ(CheckedVoxelCount({100000, 100000, 100000}), kMaxVoxels + 1);
  const std::size_t huge = ~std::size_t{0};
  EXPECT_EQ(CheckedVoxelCount({huge, huge, huge}), kMaxVoxels + 1);
  Geometry g;
  g.size = {100000, 100000, 100000};
  std::string why;
  EXPECT_FALSE(g.IsValid(&why));
  EXPECT_NE(why.find("2^31"), std::string::npos);
}

}  // namespace
}  // namespace lvsi

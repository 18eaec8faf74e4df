// Largest tumour slice and the network input built from it.
#include <gtest/gtest.h>

#include <cmath>

#include "lvsi/core/error.h"
#include "lvsi/preprocessing/slice.h"

namespace lvsi::preprocessing {
namespace {

Geometry Grid(std::size_t nx, std::size_t ny, std::size_t nz) {
  Geometry g;
  g.size = {nx, ny, nz};
  return g;
}

TEST(TumourSlice, LargestSliceAndTies) {
  Mask mask(Grid(20, 20, 5), 0);
  for (std::size_t i = 5; i < 9; ++i)
    for (std::size_t j = 5; j < 9; ++j) {
      mask(i, j, 1) = 1;  // 16 voxels
      mask(i, j, 3) = 1;  // 16 voxels: a tie, the lower index wins
    }
  mask(2, 2, 4) = 1;
  std::size_t area = 0;
  EXPECT_EQ(LargestMaskSlice(mask, &area), 1u);
  EXPECT_EQ(area, 16u);
  mask(10, 10, 3) = 1;
  EXPECT_EQ(LargestMaskSlice(mask, &area), 3u);
  EXPECT_EQ(area, 17u);
  EXPECT_THROW(LargestMaskSlice(Mask(Grid(4, 4, 2), 0)), InvalidArgument);
}

TEST(TumourSlice, SquareCropScaledAndNormalised) {
  // Intensity rises along x only; a 6 x 2 tumour in slice 2.
  Image image(Grid(40, 30, 4), 0.0);
  for (std::size_t k = 0; k < 4; ++k)
    for (std::size_t j = 0; j < 30; ++j)
      for (std::size_t i = 0; i < 40; ++i) image(i, j, k) = static_cast<double>(i);
  Mask mask(Grid(40, 30, 4), 0);
  for (std::size_t i = 10; i < 16; ++i)
    for (std::size_t j = 12; j < 14; ++j) mask(i, j, 2) = 1;
  SliceSettings o;
  o.size = 32;
  o.margin = 2;
  o.imagenet_normalise = false;
  const TumourSlice s = ExtractTumourSlice(image, mask, o);
  EXPECT_EQ(s.slice, 2u);
  EXPECT_EQ(s.area, 12u);
  ASSERT_EQ(s.values.size(), 3u * 32 * 32);
  // Three identical channels in [0, 1]; constant along y; increasing along x.
  for (std::size_t n = 0; n < 32 * 32; ++n) {
    EXPECT_EQ(s.values[n], s.values[32 * 32 + n]);
    EXPECT_EQ(s.values[n], s.values[2 * 32 * 32 + n]);
    EXPECT_GE(s.values[n], 0.0f);
    EXPECT_LE(s.values[n], 1.0f);
  }
  for (int y = 1; y < 32; ++y) EXPECT_FLOAT_EQ(s.values[static_cast<std::size_t>(y) * 32 + 7], s.values[7]);
  for (int x = 1; x < 32; ++x) EXPECT_GE(s.values[static_cast<std::size_t>(x)], s.values[static_cast<std::size_t>(x - 1)]);
  EXPECT_LT(s.values[0], 0.05f);
  EXPECT_GT(s.values[31], 0.95f);
  // ImageNet normalisation of the same values.
  o.imagenet_normalise = true;
  const TumourSlice n = ExtractTumourSlice(image, mask, o);
  EXPECT_NEAR(n.values[40], (s.values[40] - 0.485) / 0.229, 1e-5);
  EXPECT_NEAR(n.values[2 * 32 * 32 + 40], (s.values[40] - 0.406) / 0.225, 1e-5);
}

TEST(TumourSlice, ResizeKeepsConstantsAndLinearRamps) {
  const std::vector<double> flat(7 * 5, 3.25);
  for (double v : ResizeBilinear(flat, 7, 5, 16, 11)) EXPECT_DOUBLE_EQ(v, 3.25);
  // Upsampling by 2 with half-pixel centres: interior samples of a ramp are exact.
  std::vector<double> ramp(8);
  for (int i = 0; i < 8; ++i) ramp[static_cast<std::size_t>(i)] = i;
  const std::vector<double> up = ResizeBilinear(ramp, 8, 1, 16, 1);
  for (int x = 1; x < 15; ++x) EXPECT_NEAR(up[static_cast<std::size_t>(x)], (x + 0.5) / 2 - 0.5, 1e-12);
  EXPECT_THROW(ResizeBilinear(ramp, 7, 1, 16, 1), InvalidArgument);
}

TEST(TumourSlice, BadInput) {
  Image image(Grid(10, 10, 3), 1.0);
  EXPECT_THROW(ExtractTumourSlice(image, Mask(Grid(10, 10, 2), 1)), GeometryError);
  EXPECT_THROW(ExtractTumourSlice(image, Mask(Grid(10, 10, 3), 0)), InvalidArgument);
  SliceSettings o;
  o.low_percentile = 90;
  o.high_percentile = 10;
  EXPECT_THROW(ExtractTumourSlice(image, Mask(Grid(10, 10, 3), 1), o), InvalidArgument);
  // NaN intensities around the tumour are a DataError; a tumour touching
  // the border is padded by repeating edge pixels.
  Image with_nan(Grid(10, 10, 3), 1.0);
  with_nan(5, 5, 1) = std::nan("");
  Mask m(Grid(10, 10, 3), 0);
  m(5, 5, 1) = 1;
  EXPECT_THROW(ExtractTumourSlice(with_nan, m, {}), DataError);
  Mask corner(Grid(10, 10, 3), 0);
  corner(0, 0, 0) = 1;
  SliceSettings small;
  small.size = 16;
  small.imagenet_normalise = false;
  const TumourSlice s = ExtractTumourSlice(image, corner, small);
  EXPECT_EQ(s.values.size(), 3u * 16 * 16);
}

// 2.5D: the channels are the slices below, at and above the tumour's,
// scaled by the tumour slice's percentiles; the ends repeat.
TEST(TumourSlice, NeighbouringSlicesAsChannels) {
  Image image(Grid(20, 20, 3), 0.0);
  for (std::size_t k = 0; k < 3; ++k)
    for (std::size_t j = 0; j < 20; ++j)
      for (std::size_t i = 0; i < 20; ++i) image(i, j, k) = static_cast<double>(i) + 100.0 * static_cast<double>(k);
  Mask mask(Grid(20, 20, 3), 0);
  for (std::size_t i = 8; i < 12; ++i)
    for (std::size_t j = 8; j < 12; ++j) mask(i, j, 1) = 1;
  SliceSettings o;
  o.size = 16;
  o.margin = 3;
  o.imagenet_normalise = false;
  o.neighbouring_slices = true;
  const TumourSlice s = ExtractTumourSlice(image, mask, o);
  const std::size_t plane = 16 * 16;
  for (std::size_t n = 0; n < plane; ++n) {
    EXPECT_EQ(s.values[n], 0.0f);           // slice 0 lies below the tumour slice's range
    EXPECT_EQ(s.values[2 * plane + n], 1.0f);  // slice 2 above it
    EXPECT_GE(s.values[plane + n], 0.0f);
    EXPECT_LE(s.values[plane + n], 1.0f);
  }
  o.neighbouring_slices = false;
  const TumourSlice flat = ExtractTumourSlice(image, mask, o);
  for (std::size_t n = 0; n < plane; ++n) EXPECT_EQ(flat.values[plane + n], s.values[plane + n]);
  // At the end of the volume the missing neighbour repeats the tumour slice.
  Mask top(Grid(20, 20, 3), 0);
  top(10, 10, 2) = 1;
  o.neighbouring_slices = true;
  const TumourSlice t = ExtractTumourSlice(image, top, o);
  for (std::size_t n = 0; n < plane; ++n) EXPECT_EQ(t.values[2 * plane + n], t.values[plane + n]);
}

}  // namespace
}  // namespace lvsi::preprocessing

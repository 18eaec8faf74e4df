#include "lvsi/core/geometry.h"

#include <gtest/gtest.h>

#include <cmath>

#include "lvsi/core/volume.h"
#include "lvsi/version.h"

namespace lvsi {
namespace {

Geometry Oblique() {
  Geometry g;
  g.size = {5, 4, 3};
  g.spacing = {0.5, 0.7, 3.0};
  g.origin = {-10.0, 20.0, 5.5};
  const double c = std::cos(0.3), s = std::sin(0.3);
  g.direction = {c, -s, 0, s, c, 0, 0, 0, 1};
  return g;
}

TEST(Geometry, IndexPhysicalRoundTrip) {
  const Geometry g = Oblique();
  const std::array<double, 3> idx{1.25, 2.5, -0.75};
  const auto p = g.IndexToPhysical(idx);
  const auto back = g.PhysicalToIndex(p);
  for (int d = 0; d < 3; ++d) EXPECT_NEAR(back[d], idx[d], 1e-12);
  // Index (0,0,0) is the origin.
  const auto o = g.IndexToPhysical({0, 0, 0});
  for (int d = 0; d < 3; ++d) EXPECT_DOUBLE_EQ(o[d], g.origin[d]);
}

TEST(Geometry, Validity) {
  Geometry g = Oblique();
  std::string why;
  EXPECT_TRUE(g.IsValid(&why));
  g.spacing[1] = -1.0;
  EXPECT_FALSE(g.IsValid(&why));
  EXPECT_NE(why.find("spacing"), std::string::npos);
  g = Oblique();
  g.direction[0] = 2.0;
  EXPECT_FALSE(g.IsValid(&why));
  EXPECT_THROW(Volume<double>{g}, InvalidArgument);
}

TEST(Geometry, SameGeometryToleranceAndReason) {
  const Geometry a = Oblique();
  Geometry b = a;
  b.origin[0] += 1e-9;
  EXPECT_TRUE(SameGeometry(a, b));
  b.origin[0] += 0.01;
  std::string why;
  EXPECT_FALSE(SameGeometry(a, b, {}, &why));
  EXPECT_NE(why.find("origin"), std::string::npos);
  b = a;
  b.size[2] = 4;
  EXPECT_FALSE(SameGeometry(a, b, {}, &why));
  EXPECT_NE(why.find("size"), std::string::npos);
}

TEST(Volume, BoundingBoxAndCount) {
  Geometry g;
  g.size = {6, 5, 4};
  Mask m(g);
  EXPECT_TRUE(ComputeBoundingBox(m).empty());
  m(1, 2, 3) = 1;
  m(4, 1, 2) = 1;
  const BoundingBox box = ComputeBoundingBox(m);
  EXPECT_EQ(box.lower, (std::array<std::size_t, 3>{1, 1, 2}));
  EXPECT_EQ(box.size, (std::array<std::size_t, 3>{4, 2, 2}));
  EXPECT_EQ(CountVoxels(m), 2u);
  EXPECT_THROW(Volume<double>(g, std::vector<double>(3)), InvalidArgument);
}

TEST(Version, MatchesHeader) {
  EXPECT_EQ(Version(), LVSI_VERSION_STRING);
  EXPECT_EQ(Version(), std::to_string(LVSI_VERSION_MAJOR) + "." +
                           std::to_string(LVSI_VERSION_MINOR) + "." +
                           std::to_string(LVSI_VERSION_PATCH));
}

}  // namespace
}  // namespace lvsi

// Local binary patterns (pyradiomics' LBP2D / LBP3D): hand-computed codes,
// scikit-image and scipy as the reference, crop-with-context equals the
// whole image, bad settings.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "lvsi/core/error.h"
#include "lvsi/preprocessing/filters.h"
#include "test_util.h"

namespace lvsi::preprocessing {
namespace {

Image Textured(std::array<std::size_t, 3> size, double scale) {
  Geometry g;
  g.size = size;
  Image img(g);
  for (std::size_t k = 0; k < size[2]; ++k)
    for (std::size_t j = 0; j < size[1]; ++j)
      for (std::size_t i = 0; i < size[0]; ++i)
        img(i, j, k) = scale * (std::sin(0.9 * i + 0.3 * k) + std::cos(1.7 * j) * (1 + 0.2 * k) + 0.05 * i * j);
  return img;
}

Mask Pattern(const Geometry& g) {
  Mask m(g, 0);
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i) m(i, j, k) = (i + 2 * j + k) % 3 != 0;  // touches every border
  return m;
}

TEST(Lbp2D, HandComputedUniformCodesOfAFlatSlice) {
  // A flat 3x3 slice of ones: the centre sees ones everywhere (8 set bits);
  // zeros outside the slice clear the bits that reach out of it.
  Geometry g;
  g.size = {3, 3, 1};
  Image img(g, 1.0);
  const Image lbp = LocalBinaryPattern2D(img, {});
  EXPECT_EQ(lbp(1, 1, 0), 8);
  EXPECT_EQ(lbp(0, 0, 0), 3);  // right, down, down-right
  EXPECT_EQ(lbp(2, 2, 0), 3);
  EXPECT_EQ(lbp(1, 0, 0), 5);  // top edge: left, right and the three below
  EXPECT_EQ(lbp(0, 1, 0), 5);
  // A single bright voxel: its neighbours' patterns have one set bit.
  Image spot(g, 0.0);
  spot(1, 1, 0) = 10;
  const Image s = LocalBinaryPattern2D(spot, {});
  EXPECT_EQ(s(1, 1, 0), 0);  // every sample is darker
  EXPECT_EQ(s(0, 1, 0), 8);  // left neighbour: samples >= 0 everywhere (zeros outside count as equal)
}

TEST(Lbp, BadSettingsAreRefused) {
  Geometry g;
  g.size = {4, 4, 2};
  const Image img(g, 1.0);
  Lbp2DSettings s2;
  s2.radius = 0;
  EXPECT_THROW(LocalBinaryPattern2D(img, s2), InvalidArgument);
  s2 = {};
  s2.samples = 40;
  EXPECT_THROW(LocalBinaryPattern2D(img, s2), InvalidArgument);
  EXPECT_THROW(ParseLbpMethod("median"), InvalidArgument);
  Lbp3DSettings s3;
  s3.levels = 0;
  EXPECT_THROW(LocalBinaryPattern3D(img, Mask(g, 1), s3), InvalidArgument);
  s3 = {};
  s3.icosphere_subdivision = 0;
  s3.icosphere_radius = 2;
  EXPECT_THROW(LocalBinaryPattern3D(img, Mask(g, 1), s3), InvalidArgument);
  Geometry other = g;
  other.size = {4, 4, 3};
  EXPECT_THROW(LocalBinaryPattern3D(img, Mask(other, 1), {}), InvalidArgument);
}

TEST(Lbp3D, FlatNeighbourhoodsGiveUndefinedKurtosisAndFullPatterns) {
  Geometry g;
  g.size = {7, 7, 7};
  const Image img(g, 5.0);
  Mask centre(g, 0);
  centre(3, 3, 3) = 1;
  const auto out = LocalBinaryPattern3D(img, centre, {});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].first, "lbp-3D-m1");
  EXPECT_EQ(out[1].first, "lbp-3D-m2");
  EXPECT_EQ(out[2].first, "lbp-3D-k");
  // All 42 bits set: the degree-0 part is the constant c00 Y00 = 42 / (4 pi)
  // over the sphere, its norm sqrt(42) * 42 / (4 pi).  (Degree 1 does not
  // vanish: pyradiomics passes the polar angle as scipy's azimuth.)
  EXPECT_NEAR(out[0].second(3, 3, 3), std::sqrt(42.0) * 42 / (4 * M_PI), 1e-9);
  EXPECT_TRUE(std::isfinite(out[1].second(3, 3, 3)));
  EXPECT_TRUE(std::isnan(out[2].second(3, 3, 3)));
  EXPECT_EQ(out[0].second(0, 0, 0), 0);  // outside the mask
}

TEST(Lbp, CropWithContextEqualsWholeImage) {
  const Image img = Textured({90, 44, 40}, 50);
  Mask roi(img.geometry(), 0);
  IndexBox box;
  box.lower = {40, 18, 17};
  box.upper = {46, 24, 22};
  for (std::size_t k = box.lower[2]; k <= box.upper[2]; ++k)
    for (std::size_t j = box.lower[1]; j <= box.upper[1]; ++j)
      for (std::size_t i = box.lower[0]; i <= box.upper[0]; ++i) roi(i, j, k) = (i + j + k) % 4 != 0;
  auto region = [&](const std::array<std::size_t, 3>& pad) {
    IndexBox r;
    for (int d = 0; d < 3; ++d) {
      r.lower[d] = box.lower[d] > pad[d] ? box.lower[d] - pad[d] : 0;
      r.upper[d] = std::min(img.geometry().size[d] - 1, box.upper[d] + pad[d]);
    }
    return r;
  };
  Lbp2DSettings s2;
  s2.radius = 2;
  s2.samples = 12;
  for (int axis = 0; axis < 3; ++axis) {
    s2.axis = axis;
    const Image whole = LocalBinaryPattern2D(img, s2);
    const IndexBox r = region(Lbp2DContext(s2));
    const Image part = LocalBinaryPattern2D(CropImage(img, r, 0), s2);
    for (std::size_t k = box.lower[2]; k <= box.upper[2]; ++k)
      for (std::size_t j = box.lower[1]; j <= box.upper[1]; ++j)
        for (std::size_t i = box.lower[0]; i <= box.upper[0]; ++i)
          ASSERT_EQ(part(i - r.lower[0], j - r.lower[1], k - r.lower[2]), whole(i, j, k)) << axis;
  }
  const Lbp3DSettings s3;
  const auto whole = LocalBinaryPattern3D(img, roi, s3);
  const IndexBox r = region(Lbp3DContext(s3));
  EXPECT_LT(r.upper[0] - r.lower[0] + 1, img.geometry().size[0]);  // a real crop
  const auto part = LocalBinaryPattern3D(CropImage(img, r, 0), CropMask(roi, r, 0), s3);
  std::size_t compared = 0;
  for (std::size_t t = 0; t < whole.size(); ++t)
    for (std::size_t k = box.lower[2]; k <= box.upper[2]; ++k)
      for (std::size_t j = box.lower[1]; j <= box.upper[1]; ++j)
        for (std::size_t i = box.lower[0]; i <= box.upper[0]; ++i) {
          const double w = whole[t].second(i, j, k);
          ASSERT_NEAR(part[t].second(i - r.lower[0], j - r.lower[1], k - r.lower[2]), w,
                      1e-12 * std::max(1.0, std::abs(w)))
              << whole[t].first;
          compared += roi(i, j, k);
        }
  EXPECT_GT(compared, 300u);
}

// scikit-image and scipy, called by tests/preprocessing/lbp_reference.py
// as pyradiomics calls them, for a float64 and an int16 image.
class LbpReference : public ::testing::TestWithParam<const char*> {};

TEST_P(LbpReference, EqualsScikitImageAndScipy) {
  const char* python = "/usr/bin/python3";
  LVSI_SKIP_UNLESS_REFERENCE(
      std::system((std::string(python) + " -c 'import skimage, scipy' 2>/dev/null").c_str()) == 0,
      "python3-skimage/python3-scipy are not installed (scripts/install-deps.sh installs them)");
  const std::string dtype = GetParam();
  const bool integer = dtype == "int16";
  Image img = Textured({11, 10, 9}, integer ? 40 : 1);
  if (integer)
    for (auto& v : img.values()) v = std::nearbyint(v);
  const Mask mask = Pattern(img.geometry());
  const std::string dir = testing::ScratchDir("lbp_reference_" + dtype);
  {
    std::ofstream in(dir + "/input.txt");
    in.precision(17);
    in << img.geometry().size[2] << ' ' << img.geometry().size[1] << ' ' << img.geometry().size[0] << '\n';
    for (double v : img.values()) in << v << ' ';
    in << '\n';
    for (auto m : mask.values()) in << int(m) << ' ';
    in << '\n';
  }
  const std::string cmd = std::string(python) + " " + LVSI_SOURCE_DIR + "/tests/preprocessing/lbp_reference.py " + dir +
                          "/input.txt " + dtype + " " + dir + "/reference.txt 2> " + dir + "/python.log";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "see " << dir << "/python.log";
  const StoragePixelType storage = integer ? StoragePixelType::kInt16 : StoragePixelType::kFloat64;

  std::map<std::string, Image> mine;
  const std::pair<double, int> sizes[] = {{1, 8}, {1, 8}, {1.5, 12}, {2, 8}, {1, 8}};
  const char* methods[] = {"uniform", "default", "ror", "nri_uniform", "var"};
  for (int m = 0; m < 5; ++m)
    for (int axis = 0; axis < 3; ++axis) {
      Lbp2DSettings s;
      s.radius = sizes[m].first;
      s.samples = sizes[m].second;
      s.method = ParseLbpMethod(methods[m]);
      s.axis = axis;
      s.storage = storage;
      std::ostringstream radius;
      radius << s.radius;
      mine["lbp2d-" + radius.str() + "-" + std::to_string(s.samples) + "-" + methods[m] + "-" + std::to_string(axis)] =
          LocalBinaryPattern2D(img, s);
    }
  const struct { int levels; double radius; int subdivision; const char* text; } spheres[] = {{2, 1, 1, "2-1-1"},
                                                                                              {3, 1.5, 2, "3-1.5-2"}};
  for (const auto& sp : spheres) {
    Lbp3DSettings s;
    s.levels = sp.levels;
    s.icosphere_radius = sp.radius;
    s.icosphere_subdivision = sp.subdivision;
    s.storage = storage;
    for (auto& [name, image] : LocalBinaryPattern3D(img, mask, s)) mine[name + "-" + sp.text] = std::move(image);
  }

  std::ifstream ref(dir + "/reference.txt");
  std::string line;
  std::size_t images = 0, values = 0, nan_skipped = 0;
  while (std::getline(ref, line)) {
    std::istringstream row(line);
    std::string name;
    row >> name;
    ASSERT_TRUE(mine.count(name)) << name;
    const Image& lbp = mine.at(name);
    const bool three_d = name.rfind("lbp-3D", 0) == 0;
    std::size_t n = 0;
    for (std::string token; row >> token; ++n) {
      while (three_d && !mask[n]) ++n;  // LBP3D lists the mask voxels only
      ASSERT_LT(n, lbp.size()) << name;
      const double expected = std::strtod(token.c_str(), nullptr);
      if (std::isnan(lbp[n]) && integer) {  // numpy casts the NaN of "var" into int16 arbitrarily
        ++nan_skipped;
        continue;
      }
      if (std::isnan(expected)) {
        ASSERT_TRUE(std::isnan(lbp[n])) << name << " voxel " << n;
      } else {
        ASSERT_NEAR(lbp[n], expected, 1e-9 * std::max(1.0, std::abs(expected))) << name << " voxel " << n;
      }
      ++values;
    }
    ++images;
  }
  EXPECT_EQ(images, mine.size());
  std::printf("compared %zu LBP values of %zu images with scikit-image/scipy (%s; %zu NaN cast to int16 skipped)\n",
              values, images, dtype.c_str(), nan_skipped);
}

INSTANTIATE_TEST_SUITE_P(Dtypes, LbpReference, ::testing::Values("float64", "int16"));

}  // namespace
}  // namespace lvsi::preprocessing

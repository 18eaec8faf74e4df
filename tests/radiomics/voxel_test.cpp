// Voxel-based extraction against its definition: every map value equals
// the segment-based feature classes run on that voxel's kernel as an ROI
// of its own, with the grey levels of the whole ROI (pyradiomics' voxel
// rule).  The reference kernels are built here from the public API
// (image, label map, ComputeBinEdges, Digitize), not by the engine's code.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "lvsi/core/error.h"
#include "lvsi/io/image_io.h"
#include "lvsi/preprocessing/discretization.h"
#include "lvsi/radiomics/extractor.h"
#include "lvsi/radiomics/features.h"
#include "lvsi/radiomics/settings.h"
#include "test_util.h"

namespace lvsi::radiomics {
namespace {

using Index = std::array<std::size_t, 3>;

// The case as the test sees it: image, ROI, and pyradiomics' voxel crop.
struct Case {
  Image image;
  LabelImage labels;
  Index lo{}, hi{};  // the crop: ROI box grown by r, clamped to the image
};

Case Load(const std::string& name, int radius) {
  const std::string dir = testing::ReferenceDir("LVSI_PYRADIOMICS_REFERENCE", "pyradiomics");
  Case c{io::ReadImage(dir + "/" + name + "_image.nrrd"), io::ReadLabelImage(dir + "/" + name + "_label.nrrd"), {}, {}};
  const auto& size = c.image.geometry().size;
  Index blo{size[0], size[1], size[2]}, bhi{0, 0, 0};
  for (std::size_t k = 0; k < size[2]; ++k)
    for (std::size_t j = 0; j < size[1]; ++j)
      for (std::size_t i = 0; i < size[0]; ++i)
        if (c.labels(i, j, k) == 1) {
          const Index p{i, j, k};
          for (int d = 0; d < 3; ++d) {
            blo[d] = std::min(blo[d], p[d]);
            bhi[d] = std::max(bhi[d], p[d]);
          }
        }
  const auto r = static_cast<std::size_t>(radius);
  for (int d = 0; d < 3; ++d) {
    c.lo[d] = blo[d] > r ? blo[d] - r : 0;
    c.hi[d] = std::min(size[d] - 1, bhi[d] + r);
  }
  return c;
}

// The definition's ROI for voxel p: the kernel box (clipped to the crop),
// its voxels in the ROI (masked) or all (unmasked), levels from `edges`.
Roi KernelRoi(const Case& c, const Index& p, int radius, bool masked, const std::vector<double>& edges, int ng) {
  Index lo{}, hi{};
  for (int d = 0; d < 3; ++d) {
    lo[d] = std::max<long>(static_cast<long>(p[d]) - radius, static_cast<long>(c.lo[d]));
    hi[d] = std::min<long>(static_cast<long>(p[d]) + radius, static_cast<long>(c.hi[d]));
  }
  Roi roi;
  roi.geometry = c.image.geometry();
  roi.geometry.size = {hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1};
  std::set<int> present;
  for (std::size_t k = lo[2]; k <= hi[2]; ++k)
    for (std::size_t j = lo[1]; j <= hi[1]; ++j)
      for (std::size_t i = lo[0]; i <= hi[0]; ++i) {
        const bool in = !masked || c.labels(i, j, k) == 1;
        const double v = c.image(i, j, k);
        const int level = in ? preprocessing::Digitize(v, edges) : 0;
        roi.values.push_back(v);
        roi.mask.push_back(in ? 1 : 0);
        roi.levels.push_back(level);
        if (in) present.insert(level);
      }
  roi.voxel_count = static_cast<std::size_t>(std::count(roi.mask.begin(), roi.mask.end(), 1));
  roi.gray_levels.assign(present.begin(), present.end());
  roi.max_level = ng;  // pyradiomics' Ng: the whole ROI's (or crop's)
  return roi;
}

// Sample of ROI voxels: random ones, ROI-border ones (a face neighbour
// outside the ROI) and ones on the ROI box's faces (kernels reaching the
// crop's edge).
std::vector<Index> Sample(const Case& c, std::size_t random_count, unsigned seed) {
  std::vector<Index> all, border, face;
  Index blo{c.hi}, bhi{c.lo};
  for (std::size_t k = c.lo[2]; k <= c.hi[2]; ++k)
    for (std::size_t j = c.lo[1]; j <= c.hi[1]; ++j)
      for (std::size_t i = c.lo[0]; i <= c.hi[0]; ++i)
        if (c.labels(i, j, k) == 1) {
          all.push_back({i, j, k});
          for (int d = 0; d < 3; ++d) {
            blo[d] = std::min(blo[d], all.back()[d]);
            bhi[d] = std::max(bhi[d], all.back()[d]);
          }
        }
  const auto& size = c.image.geometry().size;
  for (const Index& p : all) {
    bool edge = false;
    for (int d = 0; d < 3; ++d)
      for (int s : {-1, 1}) {
        Index q = p;
        if ((s < 0 && q[d] == 0) || (s > 0 && q[d] + 1 == size[d])) {
          edge = true;
          continue;
        }
        q[d] += s;
        edge = edge || c.labels(q[0], q[1], q[2]) != 1;
      }
    if (edge) border.push_back(p);
    for (int d = 0; d < 3; ++d)
      if (p[d] == blo[d] || p[d] == bhi[d]) {
        face.push_back(p);
        break;
      }
  }
  std::mt19937 rng(seed);
  std::vector<Index> out;
  for (const auto* pool : {&all, &border, &face}) {
    std::vector<Index> shuffled = *pool;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    shuffled.resize(std::min(shuffled.size(), random_count));
    out.insert(out.end(), shuffled.begin(), shuffled.end());
  }
  return out;
}

std::vector<double> Definition(const std::string& cls, const Roi& kernel, std::size_t roi_levels) {
  if (cls == "firstorder") return FirstOrderFeatures(kernel).Values();
  if (cls == "glcm") {
    std::vector<double> v = GlcmFeatures(kernel).Values();
    // pyradiomics' voxel matrices span every grey level of the ROI: a
    // one-level kernel in a many-level ROI has MCC 0.
    if (kernel.gray_levels.size() == 1 && roi_levels > 1) {
      const auto& infos = GlcmFeatures::Features();
      std::size_t k = 0;
      for (const auto& info : infos) {
        if (info.deprecated) continue;
        if (info.name == "MCC") v[k] = 0;
        ++k;
      }
    }
    return v;
  }
  if (cls == "glrlm") return GlrlmFeatures(kernel).Values();
  if (cls == "glszm") return GlszmFeatures(kernel).Values();
  if (cls == "gldm") return GldmFeatures(kernel).Values();
  return NgtdmFeatures(kernel).Values();
}

bool Close(double a, double b, double relative = 1e-9, double absolute = 1e-12) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  const double diff = std::abs(a - b);
  return diff <= absolute || diff <= relative * std::max(std::abs(a), std::abs(b));
}

class VoxelDefinition : public ::testing::TestWithParam<std::tuple<std::string, bool>> {};

TEST_P(VoxelDefinition, EveryClassEqualsSegmentFeaturesOfTheKernel) {
  const auto [name, masked] = GetParam();
  const std::string dir = testing::ReferenceDir("LVSI_PYRADIOMICS_REFERENCE", "pyradiomics");
  LVSI_SKIP_UNLESS_EXISTS(dir + "/" + name + "_image.nrrd");
  const int radius = 1;
  ExtractionParameters p = ParseParameters(std::string("voxelSetting:\n  kernelRadius: ") + std::to_string(radius) +
                                           "\n  maskedKernel: " + (masked ? "true" : "false") +
                                           "\n  initValue: -7\nsetting:\n  binWidth: 25\n");
  FeatureExtractor extractor(p);
  extractor.set_threads(0);
  const VoxelResult result = extractor.ExecuteVoxel(io::ReadImage(dir + "/" + name + "_image.nrrd"),
                                                    io::ReadLabelImage(dir + "/" + name + "_label.nrrd"));
  const Case c = Load(name, radius);
  // The maps' grid is pyradiomics' crop.
  const Geometry& g = result.maps.front().second.geometry();
  EXPECT_EQ(g.size, (std::array<std::size_t, 3>{c.hi[0] - c.lo[0] + 1, c.hi[1] - c.lo[1] + 1, c.hi[2] - c.lo[2] + 1}));
  const auto origin = c.image.geometry().IndexToPhysical(
      {static_cast<double>(c.lo[0]), static_cast<double>(c.lo[1]), static_cast<double>(c.lo[2])});
  for (int d = 0; d < 3; ++d) EXPECT_NEAR(g.origin[d], origin[d], 1e-9);
  // ROI-wide discretisation: the ROI's values (masked) or the crop's.
  std::vector<double> binned;
  for (std::size_t k = c.lo[2]; k <= c.hi[2]; ++k)
    for (std::size_t j = c.lo[1]; j <= c.hi[1]; ++j)
      for (std::size_t i = c.lo[0]; i <= c.hi[0]; ++i)
        if (!masked || c.labels(i, j, k) == 1) binned.push_back(c.image(i, j, k));
  const std::vector<double> edges = preprocessing::ComputeBinEdges(binned, {25.0, std::nullopt});
  std::set<int> roi_levels;
  for (double v : binned) roi_levels.insert(preprocessing::Digitize(v, edges));
  const int ng = *roi_levels.rbegin();

  std::size_t compared = 0;
  const std::vector<Index> sample = Sample(c, 60, 20261206);
  for (const Index& p : sample) {
    const Roi kernel = KernelRoi(c, p, radius, masked, edges, ng);
    const std::size_t at = (p[0] - c.lo[0]) + g.size[0] * ((p[1] - c.lo[1]) + g.size[1] * (p[2] - c.lo[2]));
    for (const std::string cls : {"firstorder", "glcm", "glrlm", "glszm", "gldm", "ngtdm"}) {
      const std::vector<double> want = Definition(cls, kernel, roi_levels.size());
      std::size_t k = 0;
      for (const auto& info : FeatureClassInfo(cls)) {
        if (info.deprecated) continue;
        const double got = result.Map("original_" + cls + "_" + info.name).data()[at];
        ++compared;
        EXPECT_TRUE(Close(got, want[k])) << name << (masked ? " masked" : " unmasked") << " voxel (" << p[0] << ", "
                                         << p[1] << ", " << p[2] << ") " << cls << "_" << info.name << ": map " << got
                                         << ", kernel ROI " << want[k];
        ++k;
      }
    }
  }
  EXPECT_EQ(result.maps.size(), 93u);
  EXPECT_GT(compared, 93u * 100);
  // Outside the ROI every map holds initValue.
  const Image& mean = result.Map("original_firstorder_Mean");
  std::size_t outside = 0;
  for (std::size_t k = c.lo[2]; k <= c.hi[2]; ++k)
    for (std::size_t j = c.lo[1]; j <= c.hi[1]; ++j)
      for (std::size_t i = c.lo[0]; i <= c.hi[0]; ++i)
        if (c.labels(i, j, k) != 1) {
          EXPECT_EQ(mean(i - c.lo[0], j - c.lo[1], k - c.lo[2]), -7.0);
          ++outside;
        }
  EXPECT_GT(outside, 0u);
  std::printf("[ voxel   ] %s %s: %zu map values equal their kernel ROI's features (%zu voxels)\n", name.c_str(),
              masked ? "masked" : "unmasked", compared, sample.size());
}

INSTANTIATE_TEST_SUITE_P(Cases, VoxelDefinition,
                         ::testing::Combine(::testing::Values("brain1", "breast1"), ::testing::Bool()),
                         [](const auto& info) {
                           return std::get<0>(info.param) + (std::get<1>(info.param) ? "_masked" : "_unmasked");
                         });

// A kernel that covers the whole ROI (masked) is the ROI: every voxel's map
// value of every image type equals the segment-based feature.  This checks
// the filters, the crop and the discretisation of voxel mode on the
// study's 1409-feature configuration.
TEST(VoxelExtraction, KernelCoveringTheRoiGivesSegmentFeaturesOnEveryImageType) {
  const std::string dir = testing::ReferenceDir("LVSI_PYRADIOMICS_REFERENCE", "pyradiomics");
  LVSI_SKIP_UNLESS_EXISTS(dir + "/brain1_image.nrrd");
  const Image image = io::ReadImage(dir + "/brain1_image.nrrd");
  const LabelImage full = io::ReadLabelImage(dir + "/brain1_label.nrrd");
  // A small ROI: the label within a 5 x 5 x 3 block around its centroid.
  std::array<double, 3> centre{0, 0, 0};
  std::size_t roi = 0;
  for (std::size_t k = 0; k < full.geometry().size[2]; ++k)
    for (std::size_t j = 0; j < full.geometry().size[1]; ++j)
      for (std::size_t i = 0; i < full.geometry().size[0]; ++i)
        if (full(i, j, k) == 1) {
          centre[0] += static_cast<double>(i);
          centre[1] += static_cast<double>(j);
          centre[2] += static_cast<double>(k);
          ++roi;
        }
  const auto corner = [&](int d, int half) {
    return static_cast<std::size_t>(std::lround(centre[d] / static_cast<double>(roi))) - static_cast<std::size_t>(half);
  };
  LabelImage small(full.geometry(), 0);
  std::size_t count = 0;
  for (std::size_t k = 0; k < 3; ++k)
    for (std::size_t j = 0; j < 5; ++j)
      for (std::size_t i = 0; i < 5; ++i) {
        const std::size_t x = corner(0, 2) + i, y = corner(1, 2) + j, z = corner(2, 1) + k;
        if (full(x, y, z) == 1) {
          small(x, y, z) = 1;
          ++count;
        }
      }
  ASSERT_GT(count, 40u);
  ExtractionParameters p = ReadParameterFile(std::string(LVSI_SOURCE_DIR) + "/examples/params/t2w.yaml");
  p.ApplySetting("kernelRadius", "6");
  const FeatureExtractor extractor(p);
  const ExtractionResult segment = extractor.Execute(image, small);
  const VoxelResult voxel = extractor.ExecuteVoxel(image, small);
  std::size_t compared = 0;
  for (const auto& [name, value] : segment.features) {
    if (name.find("_shape") != std::string::npos) continue;
    const Image& map = voxel.Map(name);
    for (std::size_t n = 0; n < map.size(); ++n) {
      if (map[n] == p.settings.init_value) continue;
      ++compared;
      // LoG and wavelet images are computed on the region each mode needs
      // (the voxel crop is larger), so their float32 voxels can differ in
      // the last bits: 1e-5 relative (as the filtered pyradiomics reference)
      // or 1e-6 absolute (features near 0) there.
      const bool region_filter = name.rfind("log-", 0) == 0 || name.rfind("wavelet", 0) == 0;
      ASSERT_TRUE(region_filter ? Close(map[n], value, 1e-5, 1e-6) : Close(map[n], value)) << name << ": voxel " << map[n] << ", segment " << value;
    }
  }
  EXPECT_EQ(compared, count * (segment.features.size() - 14));
  EXPECT_EQ(voxel.maps.size(), segment.features.size() - 14);
}

TEST(VoxelExtraction, SameMapsOnAnyThreadCount) {
  const std::string dir = testing::ReferenceDir("LVSI_PYRADIOMICS_REFERENCE", "pyradiomics");
  LVSI_SKIP_UNLESS_EXISTS(dir + "/breast1_image.nrrd");
  ExtractionParameters p = ParseParameters("imageType:\n  Original: {}\n  LoG:\n    sigma: [2.0]\n");
  FeatureExtractor one(p), many(p);
  one.set_threads(1);
  many.set_threads(3);
  const VoxelResult a = one.ExecuteVoxelFiles(dir + "/breast1_image.nrrd", dir + "/breast1_label.nrrd");
  const VoxelResult b = many.ExecuteVoxelFiles(dir + "/breast1_image.nrrd", dir + "/breast1_label.nrrd", MapGrid::kImage);
  ASSERT_EQ(a.maps.size(), b.maps.size());
  const Geometry& ga = a.maps[0].second.geometry();
  const Geometry& gb = b.maps[0].second.geometry();
  const Image image = io::ReadImage(dir + "/breast1_image.nrrd");
  EXPECT_EQ(gb.size, image.geometry().size);  // the whole image's grid on request
  // The cropped map sits in the full one at the crop's place.
  const auto lo = gb.PhysicalToIndex(ga.origin);
  for (std::size_t m = 0; m < a.maps.size(); ++m) {
    ASSERT_EQ(a.maps[m].first, b.maps[m].first);
    for (std::size_t k = 0; k < ga.size[2]; ++k)
      for (std::size_t j = 0; j < ga.size[1]; ++j)
        for (std::size_t i = 0; i < ga.size[0]; ++i) {
          const double x = a.maps[m].second(i, j, k);
          const double y = b.maps[m].second(i + static_cast<std::size_t>(std::lround(lo[0])),
                                            j + static_cast<std::size_t>(std::lround(lo[1])),
                                            k + static_cast<std::size_t>(std::lround(lo[2])));
          ASSERT_TRUE((std::isnan(x) && std::isnan(y)) || x == y) << a.maps[m].first;
        }
  }
}

TEST(VoxelSettings, ReadFromTheVoxelSettingSectionAndChecked) {
  const ExtractionParameters p =
      ParseParameters("voxelSetting:\n  kernelRadius: 2\n  maskedKernel: false\n  initValue: .nan\n  voxelBatch: 500\n");
  EXPECT_EQ(p.settings.kernel_radius, 2);
  EXPECT_FALSE(p.settings.masked_kernel);
  EXPECT_TRUE(std::isnan(p.settings.init_value));
  EXPECT_EQ(p.settings.voxel_batch, 500);
  // Segment-based extraction is not changed by them: the cache key is the same.
  EXPECT_EQ(p.ToYaml(), ExtractionParameters::Defaults().ToYaml());
  EXPECT_THROW(ParseParameters("voxelSetting:\n  kernelRadius: 0\n"), InvalidArgument);
  EXPECT_THROW(ParseParameters("voxelSetting:\n  kernelSize: 2\n"), InvalidArgument);
  EXPECT_THROW(ParseParameters("voxelSetting:\n  maskedKernel: maybe\n"), InvalidArgument);
}

}  // namespace
}  // namespace lvsi::radiomics

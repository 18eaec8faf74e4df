// Image filters: analytic and hand-computed cases, properties, and the
// crop-with-context equals whole-image guarantee.
#include "lvsi/preprocessing/filters.h"

#include <itkLaplacianRecursiveGaussianImageFilter.h>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/core/logging.h"
#include "lvsi/core/itk_interop.h"
#include "lvsi/radiomics/extractor.h"
#include "test_util.h"

namespace lvsi::preprocessing {
namespace {

Image Pattern(std::array<std::size_t, 3> size, std::array<double, 3> spacing = {1, 1, 1}) {
  Geometry g;
  g.size = size;
  g.spacing = spacing;
  Image img(g);
  for (std::size_t k = 0; k < size[2]; ++k)
    for (std::size_t j = 0; j < size[1]; ++j)
      for (std::size_t i = 0; i < size[0]; ++i)
        img(i, j, k) = std::sin(0.7 * i) + std::cos(1.3 * j) * (1 + 0.25 * k) + 0.01 * i * j;
  return img;
}

TEST(LoG, MatchesTheAnalyticLaplacianOfAGaussianBlob) {
  // f = exp(-r^2 / (2 s^2)); G_sigma * f = (s^2/t^2)^{3/2} exp(-r^2/(2 t^2)),
  // t^2 = s^2 + sigma^2; its scale-normalised Laplacian at the centre is
  // sigma^2 * (s^2/t^2)^{3/2} * (-3 / t^2).
  const double s = 3.0, sigma = 2.0;
  Geometry g;
  g.size = {41, 41, 41};
  g.spacing = {0.5, 0.5, 0.5};
  Image f(g);
  for (std::size_t k = 0; k < 41; ++k)
    for (std::size_t j = 0; j < 41; ++j)
      for (std::size_t i = 0; i < 41; ++i) {
        const double r2 = 0.25 * ((i - 20.0) * (i - 20.0) + (j - 20.0) * (j - 20.0) + (k - 20.0) * (k - 20.0));
        f(i, j, k) = std::exp(-r2 / (2 * s * s));
      }
  const Image log = LaplacianOfGaussian(f, sigma);
  const double t2 = s * s + sigma * sigma;
  const double expected = sigma * sigma * std::pow(s * s / t2, 1.5) * (-3 / t2);
  EXPECT_NEAR(log(20, 20, 20), expected, 0.01 * std::abs(expected));
  // Constant images have no Laplacian.
  Image flat(g, 7.0);
  const Image zero = LaplacianOfGaussian(flat, sigma);
  for (std::size_t n = 0; n < zero.size(); n += 97) EXPECT_NEAR(zero[n], 0, 1e-9);
  EXPECT_THROW(LaplacianOfGaussian(f, 0), InvalidArgument);
  EXPECT_THROW(LaplacianOfGaussian(f, 100), InvalidArgument);  // larger than the image
}

TEST(LoG, EqualsItksLaplacianRecursiveGaussianFilter) {
  const Image img = Pattern({23, 19, 11}, {0.8, 0.9, 2.5});
  auto filter = itk::LaplacianRecursiveGaussianImageFilter<itk::Image<double, 3>, itk::Image<double, 3>>::New();
  filter->SetInput(ToItkImage<double>(img));
  filter->SetSigma(1.7);
  filter->SetNormalizeAcrossScale(true);
  filter->Update();
  const Image itk_result = FromItkImage<double>(filter->GetOutput());
  const Image mine = LaplacianOfGaussian(img, 1.7);
  double worst = 0;
  for (std::size_t n = 0; n < mine.size(); ++n) worst = std::max(worst, std::abs(mine[n] - itk_result[n]));
  EXPECT_LT(worst, 1e-6);
  // The box variant equals the same part of the whole result.
  const Image box = LaplacianOfGaussian(img, 1.7, {5, 4, 3}, {12, 9, 6});
  for (std::size_t k = 0; k < 4; ++k)
    for (std::size_t j = 0; j < 6; ++j)
      for (std::size_t i = 0; i < 8; ++i) EXPECT_EQ(box(i, j, k), mine(i + 5, j + 4, k + 3));
}

TEST(LoG, RegionInPlaceEqualsTheCroppedImage) {
  const Image img = Pattern({30, 27, 12}, {0.9, 0.8, 2.5});
  const IndexBox region{{3, 2, 1}, {26, 24, 10}};
  const Image cropped = CropImage(img, region, 0);
  const Image in_place = LaplacianOfGaussian(img, 1.5, region, {4, 5, 2}, {17, 20, 7});
  const Image reference = LaplacianOfGaussian(cropped, 1.5, {4, 5, 2}, {17, 20, 7});
  ASSERT_EQ(in_place.geometry().size, reference.geometry().size);
  EXPECT_EQ(in_place.geometry().origin, reference.geometry().origin);
  for (std::size_t n = 0; n < in_place.size(); ++n) ASSERT_EQ(in_place[n], reference[n]) << n;
  // Normalising on the way equals normalising the crop first, in both
  // builds of the kernel.
  const IntensityStatistics stats = IntensityStatistics::Of(img);
  for (const std::optional<double> clip : {std::optional<double>{}, std::optional<double>{0.8}}) {
    const Normalizer normalize(stats, 100, clip);
    const Image expected = LaplacianOfGaussian(NormalizeImage(cropped, stats, 100, clip), 1.5, {4, 5, 2}, {17, 20, 7});
    for (const char* simd : {"", "baseline"}) {
      if (*simd) {
        ASSERT_EQ(setenv("LVSI_SIMD", simd, 1), 0);
      }
      const Image got = LaplacianOfGaussian(img, 1.5, region, {4, 5, 2}, {17, 20, 7}, &normalize);
      unsetenv("LVSI_SIMD");
      for (std::size_t n = 0; n < got.size(); ++n) ASSERT_EQ(got[n], expected[n]) << n << " " << simd;
    }
  }
  EXPECT_THROW(LaplacianOfGaussian(img, 1.5, IndexBox{{3, 2, 1}, {30, 24, 10}}, {0, 0, 0}, {1, 1, 1}), InvalidArgument);
  EXPECT_THROW(LaplacianOfGaussian(img, 1.5, region, {0, 0, 0}, {24, 1, 1}), InvalidArgument);
}

TEST(LoG, BaselineAndAvx2BuildsGiveTheSameBits) {
  // The kernel is compiled for the baseline instruction set and for AVX2
  // (used where the processor has it); LVSI_SIMD=baseline selects the
  // former.  Both must round every operation alike.
  const Image img = Pattern({37, 29, 13}, {0.7, 0.8, 3});
  const Image fast = LaplacianOfGaussian(img, 2.5, {3, 5, 2}, {30, 21, 9});
  ASSERT_EQ(setenv("LVSI_SIMD", "baseline", 1), 0);
  const Image baseline = LaplacianOfGaussian(img, 2.5, {3, 5, 2}, {30, 21, 9});
  unsetenv("LVSI_SIMD");
  ASSERT_EQ(fast.size(), baseline.size());
  for (std::size_t n = 0; n < fast.size(); ++n) ASSERT_EQ(fast[n], baseline[n]) << n;
}

TEST(Wavelet, HandComputedHaar) {
  // One line 1 2 3 4 (x), one voxel in y and z: with haar the x low band is
  // (x[o] + x[o+1]) / sqrt(2) with wrap-around, the high band the difference.
  Geometry g;
  g.size = {4, 1, 1};
  Image img(g);
  for (std::size_t i = 0; i < 4; ++i) img[i] = static_cast<double>(i + 1);
  WaveletSettings ws;
  ws.wavelet = "haar";
  ws.force2d = true;  // in-plane (x, y) only
  const auto bands = WaveletDecomposition(img, ws);
  ASSERT_EQ(bands.size(), 4u);
  EXPECT_EQ(bands[0].first, "LH");
  EXPECT_EQ(bands.back().first, "LL");
  // x: low (x[o] + x[o+1]) / sqrt(2), high (x[o] - x[o+1]) / sqrt(2);
  // y has one voxel, padded to two equal ones by wrapping: low = sqrt(2) v,
  // high = 0.  So LL = x[o] + x[o+1], HL = x[o] - x[o+1], LH = HH = 0.
  const double lo[4] = {3, 5, 7, 5}, hi[4] = {-1, -1, -1, 3};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(bands[3].second[i], lo[i], 1e-12) << i;  // LL
    EXPECT_NEAR(bands[1].second[i], hi[i], 1e-12) << i;  // HL: high in x
    EXPECT_NEAR(bands[0].second[i], 0, 1e-12) << i;      // LH
    EXPECT_NEAR(bands[2].second[i], 0, 1e-12) << i;      // HH
  }
}

TEST(Wavelet, TightFrameAndFlatImages) {
  const Image img = Pattern({8, 6, 4});
  const auto bands = WaveletDecomposition(img, {});
  ASSERT_EQ(bands.size(), 8u);
  double in = 0, out = 0;
  for (std::size_t n = 0; n < img.size(); ++n) in += img[n] * img[n];
  for (const auto& [name, band] : bands)
    for (std::size_t n = 0; n < band.size(); ++n) out += band[n] * band[n];
  EXPECT_NEAR(out, 8 * in, 1e-9 * out);  // undecimated orthonormal filters: frame bound 2 per axis
  Image flat = img;
  for (auto& v : flat.values()) v = 3.5;
  for (const auto& [name, band] : WaveletDecomposition(flat, {}))
    if (name != "LLL") {
      for (std::size_t n = 0; n < band.size(); ++n) ASSERT_NEAR(band[n], 0, 1e-12) << name;
    }
  WaveletSettings bad;
  bad.wavelet = "mexh";
  EXPECT_THROW(WaveletDecomposition(img, bad), InvalidArgument);
}

TEST(Wavelet, EqualsPyWavelets) {
  // Independent reference: PyWavelets' swtn, used as pyradiomics uses it.
  const char* python = "/usr/bin/python3";
  LVSI_SKIP_UNLESS_REFERENCE(std::system((std::string(python) + " -c 'import pywt' 2>/dev/null").c_str()) == 0,
                             "python3-pywt is not installed (scripts/install-deps.sh installs it)");
  const std::string dir = testing::ScratchDir("pywt");
  const std::string script = dir + "/swt.py";
  WriteFileAtomically(script, R"(import numpy as np, pywt, sys
z, y, x = 5, 6, 7
k, j, i = np.meshgrid(np.arange(z), np.arange(y), np.arange(x), indexing='ij')
a = np.sin(0.7 * i) + np.cos(1.3 * j) * (1 + 0.25 * k) + 0.01 * i * j
pad = tuple((0, 1 if d % 2 else 0) for d in a.shape)
d = np.pad(a, pad, 'wrap')
w = pywt.Wavelet(sys.argv[1])
for lvl in range(2):
    dec = pywt.swtn(d, w, level=1, start_level=0, axes=(2, 1, 0))[0]
    d = dec['aaa'].copy()
    for name, band in dec.items():
        if name == 'aaa':
            continue
        band = band[tuple(slice(None, -1 if s % 2 else None) for s in a.shape)]
        prefix = '' if lvl == 0 else '2-'
        print(prefix + name.replace('a', 'L').replace('d', 'H'), ' '.join(repr(v) for v in band.ravel()))
d = d[tuple(slice(None, -1 if s % 2 else None) for s in a.shape)]
print('2-LLL', ' '.join(repr(v) for v in d.ravel()))
)");
  for (const char* wavelet : {"coif1", "db3", "sym4", "haar", "bior2.2"}) {
    const std::string out = dir + "/" + wavelet + ".txt";
    ASSERT_EQ(std::system((std::string(python) + " " + script + " " + wavelet + " > " + out).c_str()), 0);
    WaveletSettings ws;
    ws.wavelet = wavelet;
    ws.level = 2;
    const auto bands = WaveletDecomposition(Pattern({7, 6, 5}), ws);
    std::ifstream in(out);
    std::string name;
    std::size_t checked = 0;
    while (in >> name) {
      auto it = std::find_if(bands.begin(), bands.end(), [&](const auto& b) { return b.first == name; });
      ASSERT_NE(it, bands.end()) << wavelet << " " << name;
      for (std::size_t n = 0; n < it->second.size(); ++n) {
        double v;
        in >> v;
        ASSERT_NEAR(it->second[n], v, 1e-12 * std::max(1.0, std::abs(v))) << wavelet << " " << name << " " << n;
      }
      ++checked;
    }
    EXPECT_EQ(checked, bands.size()) << wavelet;
  }
}

TEST(Wavelet, BoxEqualsTheWholeImageResult) {
  // The box overload computes only what its sub-bands depend on; every
  // value must equal the whole-image decomposition's, bit for bit.
  const Image img = Pattern({11, 8, 7});
  using Box = std::pair<std::array<std::size_t, 3>, std::array<std::size_t, 3>>;
  const std::vector<Box> boxes{{{0, 0, 0}, {10, 7, 6}}, {{3, 2, 1}, {6, 5, 4}}, {{0, 0, 0}, {0, 0, 0}},
                               {{10, 7, 6}, {10, 7, 6}}, {{9, 0, 2}, {10, 3, 6}}};
  std::size_t compared = 0;
  for (const char* wavelet : {"haar", "coif1", "db3"})
    for (int variant = 0; variant < 5; ++variant) {
      WaveletSettings ws;
      ws.wavelet = wavelet;
      ws.level = variant == 1 || variant == 4 ? 2 : 1;
      ws.start_level = variant == 2 || variant == 4 ? 1 : 0;
      ws.force2d = variant == 3;
      const auto whole = WaveletDecomposition(img, ws);
      for (const auto& [lo, hi] : boxes) {
        const auto part = WaveletDecomposition(img, ws, lo, hi);
        ASSERT_EQ(part.size(), whole.size());
        for (std::size_t b = 0; b < part.size(); ++b) {
          ASSERT_EQ(part[b].first, whole[b].first);
          const Image& p = part[b].second;
          for (std::size_t k = 0; k < p.geometry().size[2]; ++k)
            for (std::size_t j = 0; j < p.geometry().size[1]; ++j)
              for (std::size_t i = 0; i < p.geometry().size[0]; ++i, ++compared)
                ASSERT_EQ(p(i, j, k), whole[b].second(i + lo[0], j + lo[1], k + lo[2]))
                    << wavelet << " variant " << variant << " " << part[b].first;
        }
        const auto origin = img.geometry().IndexToPhysical(
            {static_cast<double>(lo[0]), static_cast<double>(lo[1]), static_cast<double>(lo[2])});
        EXPECT_EQ(part[0].second.geometry().origin, origin);
      }
    }
  EXPECT_GT(compared, 100000u);
  EXPECT_THROW(WaveletDecomposition(img, {}, {0, 0, 0}, {11, 7, 6}), InvalidArgument);
  EXPECT_THROW(WaveletDecomposition(img, {}, {4, 0, 0}, {3, 7, 6}), InvalidArgument);
}

TEST(PointwiseFilters, PyradiomicsDefinitions) {
  Geometry g;
  g.size = {4, 1, 1};
  Image img(g);
  const double v[4] = {-4, 0, 1, 16};
  for (std::size_t i = 0; i < 4; ++i) img[i] = v[i];
  const double m = MaxAbs(img);
  EXPECT_EQ(m, 16);
  EXPECT_DOUBLE_EQ(SquareFilter(img, m)[3], 16);
  EXPECT_DOUBLE_EQ(SquareFilter(img, m)[0], 1);
  EXPECT_DOUBLE_EQ(SquareRootFilter(img, m)[3], 16);
  EXPECT_DOUBLE_EQ(SquareRootFilter(img, m)[0], -8);
  EXPECT_DOUBLE_EQ(SquareRootFilter(img, m)[1], 0);
  EXPECT_DOUBLE_EQ(LogarithmFilter(img, m)[3], 16);  // range preserved
  EXPECT_DOUBLE_EQ(LogarithmFilter(img, m)[0], -std::log(5.0) * 16 / std::log(17.0));
  EXPECT_DOUBLE_EQ(ExponentialFilter(img, m)[3], 16);
  EXPECT_DOUBLE_EQ(ExponentialFilter(img, m)[1], 1);
}

TEST(Gradient, LinearRampHasConstantGradient) {
  Geometry g;
  g.size = {8, 7, 6};
  g.spacing = {2, 1, 1};
  Image img(g);
  for (std::size_t k = 0; k < 6; ++k)
    for (std::size_t j = 0; j < 7; ++j)
      for (std::size_t i = 0; i < 8; ++i) img(i, j, k) = 3.0 * i;
  EXPECT_NEAR(GradientMagnitude(img, true)(4, 3, 3), 1.5, 1e-12);   // 3 per voxel / 2 mm
  EXPECT_NEAR(GradientMagnitude(img, false)(4, 3, 3), 3.0, 1e-12);
}

// Extraction on an image type computes the filter on the ROI box plus the
// filter's context; the features must equal those of the whole filtered image.
TEST(FilteredExtraction, CropWithContextEqualsWholeImage) {
  const Image img = Pattern({48, 44, 40}, {1, 1, 1.5});
  LabelImage lab(img.geometry(), 0);
  for (std::size_t k = 17; k < 23; ++k)
    for (std::size_t j = 19; j < 26; ++j)
      for (std::size_t i = 20; i < 28; ++i) lab(i, j, k) = 1;
  radiomics::ExtractionParameters p = radiomics::ExtractionParameters::Defaults();
  p.class_order = {"firstorder", "glcm"};
  p.feature_classes = {{"firstorder", {}}, {"glcm", {}}};
  p.settings.bin_width = 0.05;
  radiomics::ExtractionParameters log = p, wav = p, grad = p;
  log.image_type_order = {"LoG"};
  log.image_types = {{"LoG", {{"sigma", "[1.0]"}}}};
  wav.image_type_order = {"Wavelet"};
  wav.image_types = {{"Wavelet", {}}};
  grad.image_type_order = {"Gradient"};
  grad.image_types = {{"Gradient", {}}};
  const auto by_crop_log = radiomics::FeatureExtractor(log).Execute(img, lab);
  const auto by_crop_wav = radiomics::FeatureExtractor(wav).Execute(img, lab);
  const auto by_crop_grad = radiomics::FeatureExtractor(grad).Execute(img, lab);
  const auto whole_log = radiomics::FeatureExtractor(p).Execute(LaplacianOfGaussian(img, 1.0), lab);
  const auto whole_grad = radiomics::FeatureExtractor(p).Execute(GradientMagnitude(img, true), lab);
  const auto bands = WaveletDecomposition(img, {});
  const auto whole_hhh = radiomics::FeatureExtractor(p).Execute(bands[6].second, lab);
  ASSERT_EQ(bands[6].first, "HHH");
  auto compare = [](const radiomics::ExtractionResult& crop, const radiomics::ExtractionResult& whole,
                    const std::string& prefix) {
    std::size_t n = 0;
    for (const auto& [name, value] : whole.features) {
      const std::string tail = name.substr(std::string("original").size());
      EXPECT_NEAR(crop.Feature(prefix + tail), value, 1e-9 * std::max(1.0, std::abs(value))) << prefix + tail;
      ++n;
    }
    EXPECT_EQ(n, 18u + 24u);
  };
  compare(by_crop_log, whole_log, "log-sigma-1-0-mm-3D");
  compare(by_crop_grad, whole_grad, "gradient");
  compare(by_crop_wav, whole_hhh, "wavelet-HHH");
}

TEST(FilteredExtraction, NormalisingInsideEqualsExtractingTheNormalisedImage) {
  // With normalize the extractor normalises only what each filter reads
  // (and takes the square filters' scale from the image's extremes); the
  // features must be those of the whole image normalised first, bit for bit.
  Image img = Pattern({40, 36, 18}, {0.8, 0.8, 2});
  for (std::size_t n = 0; n < img.size(); ++n) img[n] = 300 + 120 * img[n] + (n % 7 == 0 ? 900 : 0);  // outliers
  LabelImage lab(img.geometry(), 0);
  for (std::size_t k = 6; k < 12; ++k)
    for (std::size_t j = 12; j < 22; ++j)
      for (std::size_t i = 15; i < 27; ++i) lab(i, j, k) = 1;
  auto p = radiomics::ReadParameterFile(std::string(LVSI_SOURCE_DIR) + "/examples/params/t2w.yaml");
  p.image_types.at("LoG") = {{"sigma", "[1.0, 3.0]"}};
  for (const char* type : {"SquareRoot", "Logarithm", "Exponential", "Gradient"}) {
    p.image_type_order.push_back(type);
    p.image_types[type] = {};
  }
  p.settings.remove_outliers = 2.5;
  const auto inside = radiomics::FeatureExtractor(p).Execute(img, lab);
  const Image normalised = NormalizeImage(img, p.settings.normalize_scale, p.settings.remove_outliers);
  p.settings.normalize = false;
  p.settings.remove_outliers.reset();
  const auto outside = radiomics::FeatureExtractor(p).Execute(normalised, lab);
  ASSERT_EQ(inside.features.size(), outside.features.size());
  ASSERT_EQ(inside.features.size(), 14u + 93u * (1 + 2 + 8 + 5));
  for (std::size_t n = 0; n < inside.features.size(); ++n) {
    ASSERT_EQ(inside.features[n].first, outside.features[n].first);
    if (std::isnan(outside.features[n].second)) EXPECT_TRUE(std::isnan(inside.features[n].second));
    else EXPECT_EQ(inside.features[n].second, outside.features[n].second) << inside.features[n].first;
  }
}

TEST(FilteredExtraction, FlatAndBorderTouchingRoisGiveFiniteFeatures) {
  for (bool flat : {true, false}) {
    Image img = Pattern({16, 14, 10});
    if (flat)
      for (auto& v : img.values()) v = 5;
    LabelImage lab(img.geometry(), 0);
    for (std::size_t k = 0; k < 4; ++k)
      for (std::size_t j = 0; j < 5; ++j)
        for (std::size_t i = 0; i < 6; ++i) lab(i, j, k) = 1;  // touches three borders
    auto p = radiomics::ReadParameterFile(std::string(LVSI_SOURCE_DIR) + "/examples/params/t2w.yaml");
    p.settings.normalize = false;  // a flat image cannot be z-scored
    p.image_types.at("LoG") = {{"sigma", "[1.0, 2.0]"}};
    const auto r = radiomics::FeatureExtractor(p).Execute(img, lab);
    EXPECT_EQ(r.features.size(), 14u + 93u * (1 + 2 + 8 + 1));
    for (const auto& [name, value] : r.features) EXPECT_TRUE(std::isfinite(value)) << (flat ? "flat " : "") << name;
  }
}

TEST(FilteredExtraction, BadFilterSettingsAreRejected) {
  radiomics::ExtractionParameters p = radiomics::ExtractionParameters::Defaults();
  p.image_type_order = {"Wavelet"};
  p.image_types = {{"Wavelet", {{"wavelet", "nope7"}}}};
  EXPECT_THROW(radiomics::FeatureExtractor{p}, InvalidArgument);
  p.image_type_order = {"LoG"};
  p.image_types = {{"LoG", {{"sigma", "[-1]"}}}};
  EXPECT_THROW(radiomics::FeatureExtractor{p}, InvalidArgument);
  p.image_types = {{"LoG", {}}};
  EXPECT_THROW(radiomics::FeatureExtractor{p}, InvalidArgument);  // no sigma
  p.image_types = {{"LoG", {{"sigma", "[50.0]"}}}};
  const Image img = Pattern({12, 12, 6});
  LabelImage lab(img.geometry(), 0);
  lab(5, 5, 2) = lab(6, 5, 2) = lab(5, 6, 3) = 1;
  // A sigma too large for the image is skipped with a warning, as in
  // pyradiomics; the case goes on with the sigmas that fit.
  p.image_types = {{"LoG", {{"sigma", "[50.0, 1.0]"}}}};
  std::vector<std::string> warnings;
  SetLogSink([&](LogLevel level, const std::string& message) {
    if (level == LogLevel::kWarning) warnings.push_back(message);
  });
  const radiomics::ExtractionResult r = radiomics::FeatureExtractor(p).Execute(img, lab);
  SetLogSink(nullptr);
  bool sigma1 = false, sigma50 = false;
  for (const auto& [name, value] : r.features) {
    sigma1 |= name.rfind("log-sigma-1-0-mm-3D_", 0) == 0;
    sigma50 |= name.rfind("log-sigma-50-0-mm-3D_", 0) == 0;
  }
  EXPECT_TRUE(sigma1);
  EXPECT_FALSE(sigma50);
  std::string all;
  for (const auto& w : warnings) all += w + "\n";
  EXPECT_NE(all.find("sigma 50.0 mm"), std::string::npos) << all;
  EXPECT_EQ(all.find("sigma 1.0 mm"), std::string::npos) << all;
}

}  // namespace
}  // namespace lvsi::preprocessing

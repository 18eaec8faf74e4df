// ADC maps: exact recovery of a synthetic mono-exponential decay, the
// two-point closed form, background and bad input.
#include "lvsi/preprocessing/adc.h"

#include <gtest/gtest.h>

#include <cmath>

#include "lvsi/core/error.h"
#include "lvsi/preprocessing/image_ops.h"
#include "lvsi/preprocessing/slice.h"

namespace lvsi::preprocessing {
namespace {

Geometry Grid() {
  Geometry g;
  g.size = {6, 5, 3};
  g.spacing = {1.5, 1.5, 4};
  return g;
}

// S0 and ADC [mm^2/s] vary over the grid; returns the images for `b`.
std::vector<Image> Decay(const std::vector<double>& b, Image* truth) {
  const Geometry g = Grid();
  *truth = Image(g);
  std::vector<Image> out(b.size(), Image(g));
  for (std::size_t n = 0; n < truth->size(); ++n) {
    const double s0 = 500 + 37.0 * static_cast<double>(n % 11);
    const double adc = 0.6e-3 + 0.05e-3 * static_cast<double>(n % 17);  // cervical tumour .. water-like
    (*truth)[n] = adc;
    for (std::size_t m = 0; m < b.size(); ++m) out[m][n] = s0 * std::exp(-b[m] * adc);
  }
  return out;
}

TEST(Adc, RecoversTheDiffusionCoefficientOfAMonoExponentialDecay) {
  const std::vector<double> b{0, 50, 400, 800, 1000};
  Image truth;
  const auto dwi = Decay(b, &truth);
  const Image adc = AdcMap(dwi, b);
  for (std::size_t n = 0; n < adc.size(); ++n) ASSERT_NEAR(adc[n], truth[n] * 1e6, 1e-9 * truth[n] * 1e6) << n;
  AdcSettings mm2;
  mm2.scale = 1;
  EXPECT_NEAR(AdcMap(dwi, b, mm2)[3], truth[3], 1e-15);
  // Order of the images does not matter.
  EXPECT_NEAR(AdcMap({dwi[3], dwi[0], dwi[1]}, {800, 0, 50})[7], truth[7] * 1e6, 1e-6);
}

TEST(Adc, TwoBValuesGiveTheClosedForm) {
  Geometry g = Grid();
  Image s1(g), s2(g);
  for (std::size_t n = 0; n < s1.size(); ++n) {
    s1[n] = 900 + 13.0 * static_cast<double>(n % 7);
    s2[n] = 300 + 29.0 * static_cast<double>(n % 5);
  }
  const Image adc = AdcMap({s1, s2}, {100, 800});
  for (std::size_t n = 0; n < adc.size(); ++n)
    ASSERT_NEAR(adc[n], std::log(s1[n] / s2[n]) / 700 * 1e6, 1e-9 * adc[n]) << n;
}

TEST(Adc, BackgroundAndRisingSignalGiveZero) {
  Geometry g = Grid();
  Image low(g, 400.0), high(g, 100.0);
  low[0] = 5;     // background at b = 0
  low[1] = 50;    // signal rises with b: negative ADC
  high[1] = 80;
  high[2] = 0;    // no signal at the high b-value: log undefined
  AdcSettings s;
  s.background = 10;
  const Image adc = AdcMap({low, high}, {0, 1000}, s);
  EXPECT_EQ(adc[0], 0);
  EXPECT_EQ(adc[1], 0);
  EXPECT_EQ(adc[2], 0);
  EXPECT_NEAR(adc[3], std::log(4.0) / 1000 * 1e6, 1e-9);
  s.clamp_negative = false;
  EXPECT_LT(AdcMap({low, high}, {0, 1000}, s)[1], 0);
}

TEST(Adc, BadInputIsRefused) {
  Geometry g = Grid();
  const Image a(g, 100.0);
  EXPECT_THROW(AdcMap({a}, {0}), InvalidArgument);
  EXPECT_THROW(AdcMap({a, a}, {0}), InvalidArgument);
  EXPECT_THROW(AdcMap({a, a}, {500, 500}), InvalidArgument);
  EXPECT_THROW(AdcMap({a, a}, {0, -800}), InvalidArgument);
  Geometry shifted = g;
  shifted.origin[0] = 3;
  try {
    AdcMap({a, Image(shifted, 50.0)}, {0, 800});
    FAIL() << "expected GeometryError";
  } catch (const GeometryError& e) {
    EXPECT_NE(std::string(e.what()).find("b = 800"), std::string::npos) << e.what();
  }
}


TEST(Settings, PreprocessingSettingsSayWhatIsWrong) {
  std::string why;
  AdcSettings adc;
  adc.scale = 0;
  EXPECT_FALSE(adc.IsValid(&why));
  MaskCheckSettings check;
  check.minimum_roi_dimensions = 4;
  EXPECT_FALSE(check.IsValid(&why));
  Geometry g;
  g.size = {4, 4, 4};
  Mask m(g, 1);
  EXPECT_THROW(CheckMask(m, check), InvalidArgument);
  ResampleSettings resample;
  resample.pad_distance = -1;
  EXPECT_FALSE(resample.IsValid(&why));
  EXPECT_THROW(ResampleToSpacing(Image(g, 0.0), m, resample), InvalidArgument);
  SliceSettings slice;
  slice.low_percentile = 99.9;
  EXPECT_FALSE(slice.IsValid(&why));
  EXPECT_THROW(ExtractTumourSlice(Image(g, 0.0), m, slice), InvalidArgument);
  EXPECT_TRUE(AdcSettings().IsValid() && MaskCheckSettings().IsValid() && ResampleSettings().IsValid() &&
              SliceSettings().IsValid());
}

}  // namespace
}  // namespace lvsi::preprocessing

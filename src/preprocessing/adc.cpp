// ADC maps: log-linear least squares of the mono-exponential DWI model.
#include "lvsi/preprocessing/adc.h"

#include <cmath>

#include "lvsi/core/error.h"

namespace lvsi::preprocessing {

bool AdcSettings::IsValid(std::string* why) const {
  if (!(scale > 0) || !std::isfinite(scale)) return Invalid(why, "scale must be positive");
  if (!std::isfinite(background)) return Invalid(why, "background must be finite");
  return true;
}

Image AdcMap(const std::vector<Image>& dwi, const std::vector<double>& b_values, const AdcSettings& settings) {
  CheckValid(settings, "AdcMap");
  if (dwi.size() != b_values.size())
    throw InvalidArgument("AdcMap: " + std::to_string(dwi.size()) + " images but " + std::to_string(b_values.size()) +
                          " b-values");
  if (dwi.size() < 2) throw InvalidArgument("AdcMap needs at least two diffusion-weighted images");
  std::size_t lowest = 0;
  double mean_b = 0;
  for (std::size_t m = 0; m < b_values.size(); ++m) {
    if (!(b_values[m] >= 0) || !std::isfinite(b_values[m]))
      throw InvalidArgument("AdcMap: b-value " + std::to_string(b_values[m]) + " (image " + std::to_string(m) +
                            ") must be finite and >= 0 s/mm^2");
    if (b_values[m] < b_values[lowest]) lowest = m;
    mean_b += b_values[m];
  }
  mean_b /= static_cast<double>(b_values.size());
  double sbb = 0;
  for (double b : b_values) sbb += (b - mean_b) * (b - mean_b);
  if (!(sbb > 0)) throw InvalidArgument("AdcMap needs at least two distinct b-values");
  for (std::size_t m = 1; m < dwi.size(); ++m) {
    std::string why;
    if (!SameGeometry(dwi[0].geometry(), dwi[m].geometry(), {}, &why))
      throw GeometryError(Input::kImage, "diffusion-weighted image " + std::to_string(m) + " (b = " +
                                             std::to_string(b_values[m]) + ") is not on the grid of image 0: " + why);
  }
  Image adc(dwi[0].geometry(), 0.0);
  const std::size_t n = adc.size();
  for (std::size_t v = 0; v < n; ++v) {
    if (!(dwi[lowest][v] > settings.background)) continue;
    bool positive = true;
    double mean_log = 0;
    for (const Image& image : dwi) {
      if (!(image[v] > 0)) {
        positive = false;
        break;
      }
      mean_log += std::log(image[v]);
    }
    if (!positive) continue;
    mean_log /= static_cast<double>(dwi.size());
    double sbl = 0;
    for (std::size_t m = 0; m < dwi.size(); ++m) sbl += (b_values[m] - mean_b) * (std::log(dwi[m][v]) - mean_log);
    double value = -sbl / sbb;  // slope of ln S against b is -ADC
    if (settings.clamp_negative && value < 0) value = 0;
    adc[v] = value * settings.scale;
  }
  return adc;
}

}  // namespace lvsi::preprocessing

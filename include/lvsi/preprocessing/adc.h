#pragma once
/// \file
/// Apparent diffusion coefficient (ADC) maps from diffusion-weighted images.

#include <string>
#include <vector>

#include "lvsi/core/volume.h"
#include "lvsi/preprocessing/export.h"

namespace lvsi::preprocessing {

/// Settings of AdcMap.
struct LVSI_PREPROCESSING_EXPORT AdcSettings {
  /// Factor applied to the ADC in mm^2/s.  The default 1e6 gives the unit
  /// scanners store ADC maps in (10^-6 mm^2/s, e.g. 1100 for 1.1e-3 mm^2/s).
  double scale = 1e6;
  /// Voxels whose signal at the lowest b-value is at or below this are
  /// background: their ADC is 0, as on scanner maps.
  double background = 0;
  /// Negative fitted ADCs (noise; signal rising with b) become 0.
  bool clamp_negative = true;
  /// False, with the reason in `why` (when not null), when a setting is out of range.
  bool IsValid(std::string* why = nullptr) const;
};

/// ADC of the mono-exponential model S(b) = S0 exp(-b ADC), fitted voxel by
/// voxel by least squares on ln S against b (with two b-values: ln(S1/S2) /
/// (b2 - b1)).  `b_values` in s/mm^2, one per image, at least two distinct;
/// the images must share one grid (GeometryError naming the image
/// otherwise).  A voxel with a non-positive signal at any b-value (where the
/// logarithm is undefined) above `background` gets ADC 0 too.  The result
/// is on the images' grid, in mm^2/s times `scale`.
LVSI_PREPROCESSING_EXPORT Image AdcMap(const std::vector<Image>& dwi, const std::vector<double>& b_values,
                                       const AdcSettings& settings = {});

}  // namespace lvsi::preprocessing

#pragma once
/// \file
/// The deep-learning input of the study: the largest tumour cross-section,
/// cropped around the tumour, made square, resized, scaled robustly to
/// [0, 1], replicated to three channels and normalised as ImageNet models
/// expect.
#include <cstddef>
#include <vector>

#include "lvsi/core/volume.h"
#include "lvsi/preprocessing/export.h"

namespace lvsi::preprocessing {

/// The slice (index along the third image axis, the axial one for axially
/// acquired MRI) with the most mask voxels, and that count.  Ties go to the
/// lowest index.  Throws InvalidArgument for an empty mask.
LVSI_PREPROCESSING_EXPORT std::size_t LargestMaskSlice(const Mask& mask, std::size_t* area = nullptr);

/// Settings of ExtractTumourSlice.
struct LVSI_PREPROCESSING_EXPORT SliceSettings {
  int size = 224;                  ///< Output width and height [pixels].
  int margin = 10;                 ///< Added around the tumour's bounding box on each side [pixels].
  double low_percentile = 0.5;     ///< Intensity mapped to 0 (percentile of the crop).
  double high_percentile = 99.5;   ///< Intensity mapped to 1; values outside are clipped.
  bool imagenet_normalise = true;  ///< Subtract ImageNet's channel means, divide by its SDs.
  /// 2.5D: channels from the slices below, at and above the tumour slice
  /// (the first/last slice repeats at the volume's ends), all cropped and
  /// scaled like the tumour slice, instead of the tumour slice three times.
  bool neighbouring_slices = false;
  /// False, with the reason in `why` (when not null), when a setting is out of range.
  bool IsValid(std::string* why = nullptr) const;
};

/// The name of lvsi 0.1, kept for one minor release.
using SliceOptions [[deprecated("use SliceSettings")]] = SliceSettings;

/// One network input.
struct TumourSlice {
  std::size_t slice = 0;       ///< Index along the third axis.
  std::size_t area = 0;        ///< Mask voxels in that slice.
  std::vector<float> values;   ///< 3 x size x size, channel-major, row-major (C order).
};

/// The largest tumour slice of `image` as a network input: the mask's 2D
/// bounding box plus `margin`, widened symmetrically to a square (pixels
/// beyond the image repeat the nearest edge pixel), resized by bilinear
/// interpolation with half-pixel centres (torch's interpolate with
/// align_corners = False), intensities mapped from the crop's
/// [low, high] percentiles to [0, 1], three identical channels (or the
/// neighbouring slices, `neighbouring_slices`), then ImageNet
/// normalisation.  Throws DataError for NaN or infinite intensities in the
/// crop.  Throws GeometryError when image and mask
/// differ in size, InvalidArgument for an empty mask or bad options.
LVSI_PREPROCESSING_EXPORT TumourSlice ExtractTumourSlice(const Image& image, const Mask& mask,
                                                         const SliceSettings& options = {});

/// Bilinear resize of a row-major `width` x `height` plane to `out_width` x
/// `out_height` with half-pixel centres and edge clamping (torch's
/// interpolate, mode bilinear, align_corners = False, no antialiasing).
LVSI_PREPROCESSING_EXPORT std::vector<double> ResizeBilinear(const std::vector<double>& plane, int width, int height,
                                                             int out_width, int out_height);

}  // namespace lvsi::preprocessing

#pragma once
/// \file
/// Image preprocessing with pyradiomics semantics: normalisation, mask
/// checks, cropping, resegmentation and resampling.

#include <algorithm>
#include <array>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lvsi/core/volume.h"
#include "lvsi/preprocessing/export.h"

namespace lvsi::preprocessing {

/// Mean and sample standard deviation (N - 1) of all voxels of an image,
/// with compensated sums as ITK's StatisticsImageFilter computes them, and
/// the smallest and largest voxel (NaN voxels ignored).
struct LVSI_PREPROCESSING_EXPORT IntensityStatistics {
  double mean = 0;       ///< [intensity units]
  double sample_sd = 0;  ///< [intensity units]
  double minimum = 0;    ///< [intensity units]
  double maximum = 0;    ///< [intensity units]
  /// Statistics of every voxel of `image`.
  static IntensityStatistics Of(const Image& image);
  /// The same statistics, in a pass that also hands `visit` the image's
  /// values: consecutive blocks (pointer, count), in storage order, each
  /// once; every block but the last holds a multiple of 64 bytes.  It lets
  /// a caller compute something else over the image (a hash, a histogram)
  /// while the values are in cache, instead of reading a large image twice.
  /// An empty `visit` is allowed; an exception thrown by `visit` ends the
  /// pass and propagates.
  static IntensityStatistics Of(const Image& image, const std::function<void(const double*, std::size_t)>& visit);
};

/// The z-score normalisation of NormalizeImage as a function of one
/// intensity: (v - mean) / sd, clipped at +/- `remove_outliers`, times
/// `scale`.  It is non-decreasing in v, so the normalised image's extremes
/// are the images of the input's.  Throws InvalidArgument as NormalizeImage.
class LVSI_PREPROCESSING_EXPORT Normalizer {
 public:
  Normalizer(const IntensityStatistics& statistics, double scale, std::optional<double> remove_outliers = {});
  double operator()(double v) const {
    double z = (v - mean_) * inverse_sd_;
    if (clip_) z = std::min(*clip_, std::max(-*clip_, z));
    return z * scale_;
  }
  /// out[i] = (*this)(in[i]) for n values (in and out may be the same).
  void Apply(const double* in, double* out, std::size_t n) const;
  /// The image mean it subtracts [intensity units].
  double mean() const noexcept { return mean_; }
  /// 1 / sample SD it multiplies by [1 / intensity units].
  double inverse_sd() const noexcept { return inverse_sd_; }
  /// The final factor (normalizeScale).
  double scale() const noexcept { return scale_; }
  /// The clipping limit [SD], if outliers are removed.
  std::optional<double> clip() const noexcept { return clip_; }

 private:
  double mean_, inverse_sd_, scale_;
  std::optional<double> clip_;
};

/// Z-score normalisation over the whole image, as SimpleITK's Normalize
/// (mean and sample standard deviation, N-1), optionally clipping at
/// +/- `remove_outliers` standard deviations, then multiplied by `scale`.
/// Throws InvalidArgument for a flat image or non-positive scale/outliers.
LVSI_PREPROCESSING_EXPORT Image NormalizeImage(const Image& image, double scale = 1.0,
                                               std::optional<double> remove_outliers = {});
/// The same normalisation with statistics computed elsewhere (e.g. on the
/// whole image before cropping), applied to `image`.
LVSI_PREPROCESSING_EXPORT Image NormalizeImage(const Image& image, const IntensityStatistics& statistics,
                                               double scale, std::optional<double> remove_outliers = {});

/// Inclusive index bounds of the non-zero voxels of a mask.
struct IndexBox {
  std::array<std::size_t, 3> lower{0, 0, 0};  ///< First index inside [voxels].
  std::array<std::size_t, 3> upper{0, 0, 0};  ///< Last index inside [voxels].
  /// Extent along each axis, upper - lower + 1 [voxels].
  std::array<std::size_t, 3> Size() const noexcept {
    return {upper[0] - lower[0] + 1, upper[1] - lower[1] + 1, upper[2] - lower[2] + 1};
  }
};

/// Requirements checked by CheckMask (pyradiomics' checkMask).
struct LVSI_PREPROCESSING_EXPORT MaskCheckSettings {
  int minimum_roi_dimensions = 2;            ///< 1..3: dimensions with extent > 1 required.
  std::optional<std::size_t> minimum_roi_size;  ///< ROI must have more voxels than this.
  /// False, with the reason in `why` (when not null), when a setting is out of range.
  bool IsValid(std::string* why = nullptr) const;
};

/// Bounding box of a mask after pyradiomics' checks.  Throws DataError
/// (Input::kMask) for an empty mask, a single-voxel ROI, too few dimensions,
/// or too few voxels; InvalidArgument for invalid settings.
LVSI_PREPROCESSING_EXPORT IndexBox CheckMask(const Mask& mask, const MaskCheckSettings& settings);

/// Crops image and mask to `box` grown by `pad` voxels on every side
/// (clamped to the image), keeping physical positions (origin moves).
LVSI_PREPROCESSING_EXPORT std::pair<Image, Mask> CropToBox(const Image& image, const Mask& mask,
                                                           const IndexBox& box, std::size_t pad = 0);
/// Crops one volume to `box` grown by `pad` voxels (see CropToBox).
LVSI_PREPROCESSING_EXPORT Image CropImage(const Image& image, const IndexBox& box, std::size_t pad = 0);
/// Crops a mask to `box` grown by `pad` voxels (see CropToBox).
LVSI_PREPROCESSING_EXPORT Mask CropMask(const Mask& mask, const IndexBox& box, std::size_t pad = 0);

/// Threshold modes of ResegmentMask.
enum class ResegmentMode { kAbsolute, kRelative, kSigma };

/// Parses "absolute", "relative" or "sigma"; throws InvalidArgument.
LVSI_PREPROCESSING_EXPORT ResegmentMode ParseResegmentMode(const std::string& text);

/// Keeps the mask voxels whose intensity lies in the closed range given by
/// one (lower only) or two thresholds: absolute values, fractions of the ROI
/// maximum (relative) or mean + k * SD of the ROI (sigma, population SD).
/// Throws InvalidArgument for 0 or more than 2 thresholds, DataError when
/// one voxel or fewer remain.
LVSI_PREPROCESSING_EXPORT Mask ResegmentMask(const Image& image, const Mask& mask,
                                             std::vector<double> range, ResegmentMode mode);

/// Interpolators of ResampleToSpacing, named as SimpleITK names them.
enum class Interpolator {
  kNearestNeighbor, kLinear, kBSpline, kGaussian, kLabelGaussian, kHammingWindowedSinc,
  kCosineWindowedSinc, kWelchWindowedSinc, kLanczosWindowedSinc, kBlackmanWindowedSinc,
  kBSplineResamplerOrder1, kBSplineResamplerOrder2, kBSplineResamplerOrder3,
  kBSplineResamplerOrder4, kBSplineResamplerOrder5
};

/// Parses "sitkBSpline", "sitkLinear", ... (with or without "sitk"); throws
/// InvalidArgument listing the names accepted.
LVSI_PREPROCESSING_EXPORT Interpolator ParseInterpolator(const std::string& name);

/// Voxel types resampled images are cast back to, as SimpleITK keeps the
/// input pixel type (values clamped to the type's range and truncated).
enum class StoragePixelType { kFloat64, kFloat32, kInt8, kUInt8, kInt16, kUInt16, kInt32, kUInt32 };

/// Settings of ResampleToSpacing (pyradiomics' resampleImage).
struct LVSI_PREPROCESSING_EXPORT ResampleSettings {
  std::array<double, 3> spacing{0, 0, 0};  ///< Target spacing [mm]; 0 keeps the mask's.
  Interpolator interpolator = Interpolator::kBSpline;  ///< Image interpolator.
  int pad_distance = 5;                      ///< Voxels kept around the ROI [voxels].
  StoragePixelType image_pixel_type = StoragePixelType::kFloat64;  ///< Output voxel type.
  /// False, with the reason in `why` (when not null), when a setting is out of range.
  bool IsValid(std::string* why = nullptr) const;
};

/// Resamples image and mask onto a grid with the requested spacing aligned
/// to the mask's origin, covering only the ROI's bounding box plus
/// pad_distance, exactly as pyradiomics' resampleImage does (mask by
/// nearest neighbour).  Throws DataError when the mask is empty or its ROI
/// lies outside the image.
LVSI_PREPROCESSING_EXPORT std::pair<Image, Mask> ResampleToSpacing(const Image& image,
                                                                   const Mask& mask,
                                                                   const ResampleSettings& settings);

/// Resamples `mask` onto `reference` by nearest neighbour (pyradiomics'
/// correctMask), after checking that the ROI lies within the reference's
/// physical extent (DataError otherwise).
LVSI_PREPROCESSING_EXPORT Mask ResampleMaskToGrid(const Mask& mask, const Geometry& reference);

}  // namespace lvsi::preprocessing

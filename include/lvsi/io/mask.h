#pragma once
/// \file
/// Tumour masks: label selection, validation against the image grid and
/// explicit nearest-neighbour resampling onto it.

#include <string>
#include <vector>

#include "lvsi/core/geometry.h"
#include "lvsi/core/volume.h"
#include "lvsi/io/export.h"
#include "lvsi/io/image_io.h"

namespace lvsi::io {

/// How a mask is read and checked against its image.
struct LVSI_IO_EXPORT MaskSettings {
  int label = 1;  ///< Label value that marks the region of interest.
  /// Tolerance of the geometry check (as SimpleITK's, relative to spacing).
  GeometryTolerance tolerance{};
  /// When the mask's grid differs from the image's, resample the mask onto
  /// the image grid by nearest neighbour instead of failing.  Off by
  /// default: a mismatch usually means the wrong file.
  bool resample_to_image = false;
  /// Options passed to the reader (DICOM series UID).
  ImageReadSettings read{};
  /// False, with the reason in `why` (when not null), when a setting is out of range.
  bool IsValid(std::string* why = nullptr) const;
};

/// The name of lvsi 0.1, kept for one minor release.
using MaskOptions [[deprecated("use MaskSettings")]] = MaskSettings;

/// The voxels equal to `label` as a binary mask.  Throws DataError naming
/// `source` when the label map has no non-zero voxel ("mask is empty") or
/// none equal to `label` (listing the labels present).
LVSI_IO_EXPORT Mask SelectLabel(const LabelImage& labels, int label,
                                const std::string& source = "mask");

/// The distinct non-zero labels of a label map, ascending.
LVSI_IO_EXPORT std::vector<int> LabelsPresent(const LabelImage& labels);

/// Resamples a label map onto `target` by nearest neighbour (ITK's
/// convention: the voxel whose centre is nearest, halves rounded up;
/// points outside the source grid get 0).
LVSI_IO_EXPORT LabelImage ResampleLabelsNearest(const LabelImage& labels, const Geometry& target);

/// Reads the mask at `path` for an image on grid `image_geometry`: checks
/// geometry (GeometryError naming both grids, or resampling when
/// options.resample_to_image), then selects options.label (DataError when
/// empty or absent).
LVSI_IO_EXPORT Mask ReadMask(const std::string& path, const Geometry& image_geometry,
                             const MaskSettings& options = {});

}  // namespace lvsi::io

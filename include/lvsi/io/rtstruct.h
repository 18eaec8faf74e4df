#pragma once
/// \file
/// DICOM RT Structure Sets (RTSTRUCT): contours drawn on a reference
/// series, rasterised to a mask on that series' grid.

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "lvsi/core/geometry.h"
#include "lvsi/core/volume.h"
#include "lvsi/io/export.h"

namespace lvsi::io {

/// One region of interest of an RTSTRUCT file.
struct RtStructRoi {
  int number = 0;            ///< (3006,0022) ROINumber.
  std::string name;          ///< (3006,0026) ROIName.
  std::size_t contours = 0;  ///< Planar contours drawn for this ROI.
};

/// Lists the ROIs of an RTSTRUCT file.  Throws IoError / FormatError
/// naming the file when it is missing or not an RT Structure Set.
LVSI_IO_EXPORT std::vector<RtStructRoi> ListRtStructRois(const std::string& path);

/// Rasterises the contours of ROI `roi_name` onto `reference` (the grid of
/// the image the contours were drawn on).  Each closed planar contour is
/// mapped to the slice nearest to its plane; a voxel is inside when its
/// centre lies inside the polygon (even-odd rule, so holes drawn as inner
/// contours are excluded).  Throws InvalidArgument listing the available
/// ROI names when `roi_name` is absent, and DataError when the contours
/// cover no voxel of the grid.
LVSI_IO_EXPORT Mask ReadRtStructMask(const std::string& path, const std::string& roi_name,
                                     const Geometry& reference);

/// A closed planar contour in physical coordinates [mm] (LPS).
struct Contour {
  std::vector<std::array<double, 3>> points;
};

/// Writes a minimal RTSTRUCT holding the given named ROIs, each a list of
/// closed planar contours (ROI numbers 1, 2, ... in order).  Used to export
/// contours and in lvsi's own tests.  Throws IoError naming the file.
LVSI_IO_EXPORT void WriteRtStruct(
    const std::string& path,
    const std::vector<std::pair<std::string, std::vector<Contour>>>& rois);

}  // namespace lvsi::io

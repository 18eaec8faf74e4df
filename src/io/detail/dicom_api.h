#pragma once
// DICOM support (series via ITK/GDCM, RT Structure Sets via GDCM) and the
// readers of the other formats ITK knows live in
// a plugin, liblvsi_io_dicom.so, loaded on first use: programs that never
// touch DICOM do not load GDCM and its dozen libraries, whose start-up
// (the DICOM dictionary alone) cost more than reading a NRRD case.
// Private to lvsi_io.

#include <string>
#include <utility>
#include <vector>

#include "lvsi/core/volume.h"
#include "lvsi/io/image_io.h"
#include "lvsi/io/rtstruct.h"

namespace lvsi::io::detail {

/// One ROI of an RT Structure Set with its closed planar contours.
struct ParsedRoi {
  RtStructRoi info;
  std::vector<Contour> contours;
};

/// The plugin's entry points; `version` must equal kDicomApiVersion.
struct DicomApi {
  int version;
  ImageInfo (*read_info)(const std::string& folder, const std::string& series_uid);
  Image (*read_image)(const std::string& folder, const std::string& series_uid);
  std::vector<DicomSeriesInfo> (*list_series)(const std::string& folder);
  void (*write_series)(const Image& image, const std::string& folder, const std::string& description);
  std::vector<ParsedRoi> (*parse_rtstruct)(const std::string& path);
  void (*write_rtstruct)(const std::string& path,
                         const std::vector<std::pair<std::string, std::vector<Contour>>>& rois);
  /// Any other file ITK reads (a single DICOM file, PNG, TIFF, JPEG, BMP,
  /// VTK, GIPL, MRC, ...): its header, and its voxels as double.
  ImageInfo (*read_other_info)(const std::string& path);
  Image (*read_other)(const std::string& path);
};

constexpr int kDicomApiVersion = 2;

/// The plugin, loaded on first call from the folder liblvsi_io itself was
/// loaded from.  Throws IoError naming the plugin when it cannot be loaded.
const DicomApi& Dicom();

}  // namespace lvsi::io::detail

/// The plugin's one exported symbol.
extern "C" __attribute__((visibility("default"))) const lvsi::io::detail::DicomApi* lvsi_io_dicom_api();

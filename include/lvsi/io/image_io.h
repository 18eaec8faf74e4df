#pragma once
/// \file
/// Reading and writing images and label maps: NIfTI (.nii, .nii.gz), NRRD
/// (.nrrd, .nhdr), MetaImage (.mha, .mhd) and DICOM series (a folder).

#include <optional>
#include <string>
#include <vector>

#include "lvsi/core/volume.h"
#include "lvsi/io/export.h"

namespace lvsi::io {

/// File formats lvsi reads and writes.
/// Image file formats.  kItk: any other file one of ITK's readers reads (a
/// single DICOM file, PNG, TIFF, JPEG, BMP, VTK, GIPL, MRC, LSM, Bio-Rad,
/// Stimulate), through lvsi's plugin; read only.
enum class ImageFormat { kNifti, kNrrd, kMetaImage, kDicomSeries, kItk };

/// The format of `path`, decided by its extension (a folder is a DICOM
/// series; an existing file of another extension kItk).  Throws IoError
/// for a missing file of an unknown extension.
LVSI_IO_EXPORT ImageFormat DetectFormat(const std::string& path);

/// Settings for reading images.
struct LVSI_IO_EXPORT ImageReadSettings {
  /// DICOM only: SeriesInstanceUID to read when the folder holds several
  /// series (empty: the folder must hold exactly one).
  std::string dicom_series_uid;
  /// Accept NaN or infinite voxels (default: DataError).
  bool allow_non_finite = false;
  /// For a multi-component (vector) image, e.g. a 3D Slicer segmentation
  /// with one channel per segment: the component to read, 0-based
  /// (pyradiomics' `label_channel`).  Without it a vector image is a
  /// FormatError; a scalar image ignores it.
  std::optional<int> component;
  /// False, with the reason in `why` (when not null), when a setting is out of range.
  bool IsValid(std::string* why = nullptr) const;
};

/// The name of lvsi 0.1, kept for one minor release.
using ImageReadOptions [[deprecated("use ImageReadSettings")]] = ImageReadSettings;

/// Reads a scalar 3-D (or 2-D, as one slice) image, converting voxels to
/// double.  Throws IoError (missing file), FormatError (unsupported,
/// unreadable or truncated file, several DICOM series without a UID, a
/// vector or 4-D image) or DataError (non-finite voxels), each naming the
/// file.
LVSI_IO_EXPORT Image ReadImage(const std::string& path, const ImageReadSettings& options = {});

/// Reads an integer label map (segmentation).  Non-integer voxel values are
/// truncated, as SimpleITK's cast does.  Errors as ReadImage.
LVSI_IO_EXPORT LabelImage ReadLabelImage(const std::string& path,
                                         const ImageReadSettings& options = {});

/// What an image file's header says, without reading the voxels.
struct ImageInfo {
  Geometry geometry;        ///< Grid of the image.
  /// Voxel component type as stored: "int8", "uint8", "int16", "uint16",
  /// "int32", "uint32", "int64", "uint64", "float32" or "float64".
  std::string pixel_type;
};

/// Reads the header of an image file (any format ReadImage accepts; a
/// DICOM folder reports its first series).  Errors as ReadImage.
LVSI_IO_EXPORT ImageInfo ReadImageInfo(const std::string& path, const ImageReadSettings& options = {});

/// One series of a DICOM folder.
struct DicomSeriesInfo {
  std::string series_uid;    ///< (0020,000E) SeriesInstanceUID.
  std::string description;   ///< (0008,103E) SeriesDescription.
  std::string modality;      ///< (0008,0060) Modality.
  std::size_t num_files = 0; ///< Slices (files) in the series.
};

/// Lists the image series in a DICOM folder (not recursive).  Throws
/// IoError when the folder does not exist.
LVSI_IO_EXPORT std::vector<DicomSeriesInfo> ListDicomSeries(const std::string& folder);

/// Voxel type of a written image.
enum class PixelType { kFloat64, kFloat32, kInt16, kInt32, kUInt8 };

/// Options for writing images.
struct LVSI_IO_EXPORT ImageWriteSettings {
  PixelType pixel_type = PixelType::kFloat64;  ///< Values are cast (rounded for integers).
  bool compress = true;  ///< gzip the data (NRRD, MetaImage; NIfTI by .nii.gz).
  /// False, with the reason in `why` (when not null), when a setting is out of range.
  bool IsValid(std::string* why = nullptr) const;
};

/// The name of lvsi 0.1, kept for one minor release.
using ImageWriteOptions [[deprecated("use ImageWriteSettings")]] = ImageWriteSettings;

/// Writes an image as NIfTI, NRRD or MetaImage (chosen by the extension).
/// The file appears atomically: a failed write leaves an existing file
/// intact.  Throws IoError / FormatError naming the file.
LVSI_IO_EXPORT void WriteImage(const Image& image, const std::string& path,
                               const ImageWriteSettings& options = {});
/// Writes a label map (int32 voxels unless options say otherwise).
LVSI_IO_EXPORT void WriteLabelImage(const LabelImage& labels, const std::string& path,
                                    const ImageWriteSettings& options = {PixelType::kInt32, true});
/// Writes a binary mask (uint8 voxels, 0/1).
LVSI_IO_EXPORT void WriteMask(const Mask& mask, const std::string& path);

/// Writes an image as a DICOM series (one file per slice, MR modality)
/// into `folder`, mainly for tests and for exporting results to viewers.
LVSI_IO_EXPORT void WriteDicomSeries(const Image& image, const std::string& folder,
                                     const std::string& series_description = "lvsi");

}  // namespace lvsi::io

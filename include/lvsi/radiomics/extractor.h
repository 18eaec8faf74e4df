#pragma once
/// \file
/// FeatureExtractor: the pyradiomics pipeline (preprocessing, mask checks,
/// shape, image types, feature classes) in one call.

#include <string>
#include <utility>
#include <vector>

#include "lvsi/core/feature_table.h"
#include "lvsi/core/volume.h"
#include "lvsi/radiomics/export.h"
#include "lvsi/radiomics/settings.h"

namespace lvsi::radiomics {

/// The result of one extraction: pyradiomics-named features in pyradiomics'
/// order and the diagnostics (provenance, settings, image and mask
/// properties) that pyradiomics reports with `additionalInfo`.
struct LVSI_RADIOMICS_EXPORT ExtractionResult {
  std::vector<std::pair<std::string, std::string>> diagnostics;  ///< name -> text
  FeatureList features;                                          ///< name -> value
  double seconds = 0;  ///< Wall time of the extraction [s].

  /// Value of a feature; throws InvalidArgument when absent.
  double Feature(const std::string& name) const;
  /// One-line summary ("107 features in 0.012 s").
  std::string BriefReport() const;
  /// The features as a one-row table with id `case_id`; diagnostics go to
  /// the table's metadata.
  FeatureTable ToTable(const std::string& case_id) const;
};

/// Where voxel-based maps live.
enum class MapGrid {
  kCropped,  ///< pyradiomics' grid: the ROI's bounding box grown by kernelRadius (clamped to the image).
  kImage,    ///< The whole grid of the image the features were computed on (the resampled one when resampling).
};

/// The result of a voxel-based extraction: one map per feature, in the
/// order segment-based extraction names the features (shape excluded), and
/// the diagnostics.  Map voxels outside the ROI hold `initValue`; a feature
/// that cannot be computed for a voxel is NaN there.
struct LVSI_RADIOMICS_EXPORT VoxelResult {
  std::vector<std::pair<std::string, std::string>> diagnostics;  ///< name -> text
  std::vector<std::pair<std::string, Image>> maps;               ///< feature name -> map
  std::size_t voxel_count = 0;  ///< ROI voxels computed (kernels per image type).
  double seconds = 0;           ///< Wall time of the extraction [s].

  /// The map of a feature; throws InvalidArgument when absent.
  const Image& Map(const std::string& name) const;
};

/// Extracts radiomics features exactly as pyradiomics' RadiomicsFeatureExtractor.
class LVSI_RADIOMICS_EXPORT FeatureExtractor {
 public:
  /// Throws InvalidArgument when the parameters are invalid.
  explicit FeatureExtractor(ExtractionParameters parameters = ExtractionParameters::Defaults());

  const ExtractionParameters& parameters() const noexcept { return parameters_; }

  /// Extracts from an image and a label map (the ROI is `settings.label`).
  /// `image_pixel_type` is the voxel type the image was stored with, which
  /// resampling keeps as SimpleITK does ("float64" when unknown).  Throws
  /// DataError / GeometryError / InvalidArgument with the reason.
  ExtractionResult Execute(const Image& image, const LabelImage& labels,
                           const std::string& image_pixel_type = "float64") const;
  /// Reads image and mask (any format lvsi reads) and extracts.  Errors name
  /// the file.
  ExtractionResult ExecuteFiles(const std::string& image_path, const std::string& mask_path) const;

  /// Voxel-based extraction (pyradiomics' `voxelBased=True`): every
  /// enabled non-shape feature of every image type computed in the kernel
  /// around each ROI voxel (settings kernelRadius, maskedKernel, initValue),
  /// with the grey levels of the whole ROI (maskedKernel false: of the whole
  /// crop).  Shape classes are skipped with a warning, as pyradiomics does.
  /// Results are the same for any thread count.  Errors as Execute().
  VoxelResult ExecuteVoxel(const Image& image, const LabelImage& labels,
                           const std::string& image_pixel_type = "float64",
                           MapGrid grid = MapGrid::kCropped) const;
  /// Reads image and mask and extracts voxel-based.  Errors name the file.
  VoxelResult ExecuteVoxelFiles(const std::string& image_path, const std::string& mask_path,
                                MapGrid grid = MapGrid::kCropped) const;

  /// Threads used to compute feature classes of one case in parallel
  /// (0: lvsi's default, 1: sequential).
  void set_threads(int threads) noexcept { threads_ = threads; }

 private:
  ExtractionParameters parameters_;
  int threads_ = 1;
};

}  // namespace lvsi::radiomics

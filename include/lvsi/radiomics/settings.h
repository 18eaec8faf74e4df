#pragma once
/// \file
/// Extraction settings with pyradiomics' names and defaults, and reading of
/// pyradiomics YAML parameter files.

#include <array>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lvsi/radiomics/export.h"
#include "lvsi/radiomics/roi.h"

namespace lvsi::radiomics {

/// Every pyradiomics `setting:` key, with pyradiomics' defaults.  Field
/// comments give the pyradiomics key and unit.
struct LVSI_RADIOMICS_EXPORT ExtractionSettings {
  // -- mask
  int label = 1;                                ///< `label`: ROI value in the label map.
  int label_channel = 0;                        ///< `label_channel`: the channel of a vector (multi-segment) mask.
  int minimum_roi_dimensions = 2;               ///< `minimumROIDimensions` (1..3).
  std::optional<int> minimum_roi_size;          ///< `minimumROISize` [voxels].
  bool correct_mask = false;                    ///< `correctMask`: resample a mismatched mask.
  std::optional<double> geometry_tolerance;     ///< `geometryTolerance` [relative].
  bool additional_info = true;                  ///< `additionalInfo`: diagnostics in the output.
  // -- intensity preprocessing
  bool normalize = false;                       ///< `normalize`: z-score the whole image.
  double normalize_scale = 1;                   ///< `normalizeScale` [intensity units].
  std::optional<double> remove_outliers;        ///< `removeOutliers` [SD].
  std::optional<std::array<double, 3>> resampled_pixel_spacing;  ///< `resampledPixelSpacing` [mm].
  std::string interpolator = "sitkBSpline";     ///< `interpolator` (SimpleITK name).
  int pad_distance = 5;                         ///< `padDistance` [voxels].
  bool pre_crop = false;                        ///< `preCrop`.
  std::vector<double> resegment_range;          ///< `resegmentRange` (1 or 2 thresholds).
  std::string resegment_mode = "absolute";      ///< `resegmentMode`: absolute, relative, sigma.
  bool resegment_shape = false;                 ///< `resegmentShape`.
  // -- discretisation and features
  double bin_width = 25;                        ///< `binWidth` [intensity units].
  std::optional<int> bin_count;                 ///< `binCount`.
  double voxel_array_shift = 0;                 ///< `voxelArrayShift` [intensity units].
  TextureSettings texture;                      ///< distances, symmetricalGLCM, weightingNorm, gldm_a, force2D(dimension).
  // -- filters (image types); stored for the filter module
  std::vector<double> log_sigma;                ///< `sigma` (LoG) [mm].
  /// `sigma` as written in the parameter file ("1.0", "3"): pyradiomics
  /// builds image-type names from Python's text of each value.
  std::vector<std::string> log_sigma_text;
  std::string wavelet = "coif1";                ///< `wavelet`.
  int wavelet_start_level = 0;                  ///< `start_level`.
  int wavelet_level = 1;                        ///< `level`.
  bool gradient_use_spacing = true;             ///< `gradientUseSpacing`.
  double lbp2d_radius = 1;                      ///< `lbp2DRadius` [voxels].
  int lbp2d_samples = 8;                        ///< `lbp2DSamples` (pyradiomics code default 8; its docstring says 9).
  std::string lbp2d_method = "uniform";         ///< `lbp2DMethod`.
  int lbp3d_levels = 2;                         ///< `lbp3DLevels`.
  double lbp3d_icosphere_radius = 1;            ///< `lbp3DIcosphereRadius` [voxels].
  int lbp3d_icosphere_subdivision = 1;          ///< `lbp3DIcosphereSubdivision`.
  // -- voxel-based extraction (pyradiomics' `voxelSetting`; segment-based
  //    extraction ignores them, so they are not part of ToYaml())
  int kernel_radius = 1;                        ///< `kernelRadius`: kernel half-width (1..50) [voxels].
  bool masked_kernel = true;                    ///< `maskedKernel`: kernels hold ROI voxels only (else every voxel).
  double init_value = 0;                        ///< `initValue`: map value outside the ROI (NaN allowed).
  int voxel_batch = -1;                         ///< `voxelBatch`: accepted; lvsi's memory does not depend on it.
  /// Checks every value; on failure names the pyradiomics key in *why.
  bool IsValid(std::string* why = nullptr) const;
};

/// A full extraction configuration: settings, enabled image types (with
/// per-type setting overrides) and enabled feature classes.
struct LVSI_RADIOMICS_EXPORT ExtractionParameters {
  ExtractionSettings settings;
  /// Image type ("Original", "LoG", "Wavelet", ...) -> setting overrides
  /// (raw YAML text of each value).  Default: Original only.
  std::map<std::string, std::map<std::string, std::string>> image_types{{"Original", {}}};
  /// Image types in the order they were given (pyradiomics' output order).
  std::vector<std::string> image_type_order{"Original"};
  /// Family -> features (empty list: all non-deprecated).  Default: all
  /// eight families, as pyradiomics enables them (shape2D gives values for
  /// a 2-D input, or with force2D for a ROI one voxel thick; else a warning).
  std::map<std::string, std::vector<std::string>> feature_classes;
  /// Families in the order they were given (output order of a parameter
  /// file); pyradiomics' order when defaulted.
  std::vector<std::string> class_order;
  /// The general settings given (key, YAML text), in the order first given
  /// (a key given again keeps its place): what the diagnostics report in
  /// `diagnostics_Configuration_Settings` after pyradiomics' defaults.
  std::vector<std::pair<std::string, std::string>> applied_settings;

  /// pyradiomics' defaults: Original image, all classes.
  static ExtractionParameters Defaults();
  /// A parameter file with every value that determines the features (each
  /// setting, also those left at their default; image types with their
  /// overrides; feature classes), in a fixed order.  ParseParameters reads
  /// it back to parameters that extract the same features, and two
  /// parameters give the same text exactly when they extract the same way:
  /// the key of cached results (CohortExtractor).  Only the diagnostics'
  /// `Configuration_Settings` differ (it lists every setting as given).
  std::string ToYaml() const;
  /// Applies one pyradiomics setting given as YAML scalar/sequence text
  /// ("25", "[2, 2, 2]", "sitkLinear").  Throws InvalidArgument naming the
  /// key for an unknown key or a value of the wrong type.
  void ApplySetting(const std::string& key, const std::string& yaml_value);
};

/// Reads a pyradiomics YAML parameter file (sections `imageType`,
/// `featureClass`, `setting`, `voxelSetting`); absent entries keep
/// pyradiomics' defaults.  Throws IoError for a missing file, FormatError
/// for malformed YAML, InvalidArgument naming the key for unknown keys,
/// unknown classes or features, and wrong types.
LVSI_RADIOMICS_EXPORT ExtractionParameters ReadParameterFile(const std::string& path);
/// Parses parameter-file text (`source` names it in errors).
LVSI_RADIOMICS_EXPORT ExtractionParameters ParseParameters(const std::string& yaml_text,
                                                           const std::string& source = "parameters");

}  // namespace lvsi::radiomics

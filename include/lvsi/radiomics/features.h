#pragma once
/// \file
/// The seven pyradiomics feature families.  Each family is one class that
/// reads a prepared Roi, which must outlive it (construction from a
/// temporary Roi does not compile); Compute() returns the features in pyradiomics'
/// order.  Every feature is documented in Features() (formula, unit, IBSI
/// code, deviations) and in docs/radiomics.md.

#include <string>
#include <vector>

#include "lvsi/core/volume.h"
#include "lvsi/radiomics/export.h"
#include "lvsi/radiomics/roi.h"

namespace lvsi::radiomics {

/// First-order (intensity) statistics, pyradiomics class `firstorder`.
class LVSI_RADIOMICS_EXPORT FirstOrderFeatures {
 public:
  /// `voxel_array_shift` is added to intensities for Energy, TotalEnergy and
  /// RootMeanSquared (pyradiomics `voxelArrayShift`) [intensity units].
  FirstOrderFeatures(const Roi& roi, double voxel_array_shift = 0);
  /// The class reads the Roi it was given, which must outlive it: a
  /// temporary would dangle, so it is refused at compile time.
  FirstOrderFeatures(Roi&&, double = 0) = delete;
  /// The named features (all non-deprecated ones when `names` is empty).
  /// Throws InvalidArgument for an unknown name.
  FeatureList Compute(const std::vector<std::string>& names = {}) const;
  /// Compute(names)'s values alone, in the same order, without making the
  /// name strings (for callers that name the features themselves).  Throws
  /// InvalidArgument for an unknown name, as Compute() does.
  std::vector<double> Values(const std::vector<std::string>& names = {}) const;
  /// Every feature of the family with its documentation.
  static const std::vector<FeatureInfo>& Features();

 private:
  const Roi& roi_;
  double shift_;
};

/// 3-D shape from the marching-cubes mesh and the voxel PCA, class `shape`.
class LVSI_RADIOMICS_EXPORT ShapeFeatures {
 public:
  /// `mask` is the ROI cropped to its bounding box (no padding).
  explicit ShapeFeatures(const Mask& mask);
  FeatureList Compute(const std::vector<std::string>& names = {}) const;
  static const std::vector<FeatureInfo>& Features();

  double MeshVolume() const noexcept { return volume_; }      ///< [mm^3]
  double SurfaceArea() const noexcept { return surface_; }    ///< [mm^2]

 private:
  double volume_ = 0, surface_ = 0;
  double diameters_[4] = {0, 0, 0, 0};  // slice, column, row, 3D [mm]
  double eigen_[3] = {0, 0, 0};         // ascending [mm^2]
  std::size_t voxels_ = 0;
  double voxel_volume_ = 0;
};

/// 2-D shape of a single-slice ROI, class `shape2D`.
class LVSI_RADIOMICS_EXPORT Shape2DFeatures {
 public:
  /// `mask` cropped to its box, one voxel thick along `force2d_dimension`
  /// (pyradiomics numbering, 0 = z).  Throws InvalidArgument otherwise.
  Shape2DFeatures(const Mask& mask, int force2d_dimension);
  FeatureList Compute(const std::vector<std::string>& names = {}) const;
  static const std::vector<FeatureInfo>& Features();

 private:
  double perimeter_ = 0, surface_ = 0, diameter_ = 0;
  double eigen_[2] = {0, 0};
  std::size_t pixels_ = 0;
  double pixel_area_ = 0;
};

/// Grey-level co-occurrence matrix features, class `glcm`.
class LVSI_RADIOMICS_EXPORT GlcmFeatures {
 public:
  GlcmFeatures(const Roi& roi, const TextureSettings& settings = {});
  GlcmFeatures(Roi&&, const TextureSettings& = {}) = delete;  ///< The Roi must outlive the class.
  FeatureList Compute(const std::vector<std::string>& names = {}) const;
  /// Compute(names)'s values alone, in the same order, without making the
  /// name strings (for callers that name the features themselves).  Throws
  /// InvalidArgument for an unknown name, as Compute() does.
  std::vector<double> Values(const std::vector<std::string>& names = {}) const;
  static const std::vector<FeatureInfo>& Features();

 private:
  const Roi& roi_;
  TextureSettings settings_;
};

/// Grey-level run-length matrix features, class `glrlm`.
class LVSI_RADIOMICS_EXPORT GlrlmFeatures {
 public:
  GlrlmFeatures(const Roi& roi, const TextureSettings& settings = {});
  GlrlmFeatures(Roi&&, const TextureSettings& = {}) = delete;  ///< The Roi must outlive the class.
  FeatureList Compute(const std::vector<std::string>& names = {}) const;
  /// Compute(names)'s values alone, in the same order, without making the
  /// name strings (for callers that name the features themselves).  Throws
  /// InvalidArgument for an unknown name, as Compute() does.
  std::vector<double> Values(const std::vector<std::string>& names = {}) const;
  static const std::vector<FeatureInfo>& Features();

 private:
  const Roi& roi_;
  TextureSettings settings_;
};

/// Grey-level size-zone matrix features, class `glszm`.
class LVSI_RADIOMICS_EXPORT GlszmFeatures {
 public:
  GlszmFeatures(const Roi& roi, const TextureSettings& settings = {});
  GlszmFeatures(Roi&&, const TextureSettings& = {}) = delete;  ///< The Roi must outlive the class.
  FeatureList Compute(const std::vector<std::string>& names = {}) const;
  /// Compute(names)'s values alone, in the same order, without making the
  /// name strings (for callers that name the features themselves).  Throws
  /// InvalidArgument for an unknown name, as Compute() does.
  std::vector<double> Values(const std::vector<std::string>& names = {}) const;
  static const std::vector<FeatureInfo>& Features();

 private:
  const Roi& roi_;
  TextureSettings settings_;
};

/// Grey-level dependence matrix features, class `gldm`.
class LVSI_RADIOMICS_EXPORT GldmFeatures {
 public:
  GldmFeatures(const Roi& roi, const TextureSettings& settings = {});
  GldmFeatures(Roi&&, const TextureSettings& = {}) = delete;  ///< The Roi must outlive the class.
  FeatureList Compute(const std::vector<std::string>& names = {}) const;
  /// Compute(names)'s values alone, in the same order, without making the
  /// name strings (for callers that name the features themselves).  Throws
  /// InvalidArgument for an unknown name, as Compute() does.
  std::vector<double> Values(const std::vector<std::string>& names = {}) const;
  static const std::vector<FeatureInfo>& Features();

 private:
  const Roi& roi_;
  TextureSettings settings_;
};

/// Neighbouring grey-tone difference matrix features, class `ngtdm`.
class LVSI_RADIOMICS_EXPORT NgtdmFeatures {
 public:
  NgtdmFeatures(const Roi& roi, const TextureSettings& settings = {});
  NgtdmFeatures(Roi&&, const TextureSettings& = {}) = delete;  ///< The Roi must outlive the class.
  FeatureList Compute(const std::vector<std::string>& names = {}) const;
  /// Compute(names)'s values alone, in the same order, without making the
  /// name strings (for callers that name the features themselves).  Throws
  /// InvalidArgument for an unknown name, as Compute() does.
  std::vector<double> Values(const std::vector<std::string>& names = {}) const;
  static const std::vector<FeatureInfo>& Features();

 private:
  const Roi& roi_;
  TextureSettings settings_;
};

/// The family names in pyradiomics' order: firstorder, glcm, gldm, glrlm,
/// glszm, ngtdm, shape, shape2D.
LVSI_RADIOMICS_EXPORT const std::vector<std::string>& FeatureClassNames();
/// Documentation of every feature of a family; throws InvalidArgument for
/// an unknown family.
LVSI_RADIOMICS_EXPORT const std::vector<FeatureInfo>& FeatureClassInfo(const std::string& family);

}  // namespace lvsi::radiomics

#pragma once
/// \file
/// Image grid geometry in ITK's conventions (LPS physical space).

#include <array>
#include <cstddef>
#include <string>

#include "lvsi/core/export.h"

namespace lvsi {

/// The sampling grid of a 3-D image: size, spacing, origin and direction,
/// exactly as ITK defines them.  Index (i, j, k) maps to the physical point
/// origin + D * diag(spacing) * (i, j, k), where D is the direction matrix
/// (its columns are the directions of the three index axes).  2-D images
/// are represented with size[2] == 1.
/// The largest volume lvsi allocates: 2^31 voxels (16 GiB as double).
/// Readers refuse a file whose header claims more (FormatError naming the
/// file) before allocating anything, and operations that would make a
/// larger grid (resampling to a tiny spacing) refuse with InvalidArgument.
inline constexpr std::size_t kMaxVoxels = std::size_t{1} << 31;

/// Voxels of a grid of `size`, or kMaxVoxels + 1 when there are more than
/// kMaxVoxels (the product never overflows).
LVSI_CORE_EXPORT std::size_t CheckedVoxelCount(const std::array<std::size_t, 3>& size) noexcept;

struct LVSI_CORE_EXPORT Geometry {
  std::array<std::size_t, 3> size{0, 0, 0};     ///< Voxels along i, j, k.
  std::array<double, 3> spacing{1.0, 1.0, 1.0};  ///< Voxel size [mm].
  std::array<double, 3> origin{0.0, 0.0, 0.0};   ///< Centre of voxel (0,0,0) [mm].
  /// Direction cosines, row-major: direction[3*r + c] is row r, column c.
  std::array<double, 9> direction{1, 0, 0, 0, 1, 0, 0, 0, 1};

  /// Number of voxels, size[0] * size[1] * size[2].
  std::size_t NumVoxels() const noexcept { return size[0] * size[1] * size[2]; }
  /// Linear index of (i, j, k) with i varying fastest (ITK / NIfTI order).
  std::size_t Offset(std::size_t i, std::size_t j, std::size_t k) const noexcept {
    return i + size[0] * (j + size[1] * k);
  }
  /// Physical point [mm] of a (continuous) index.
  std::array<double, 3> IndexToPhysical(const std::array<double, 3>& index) const noexcept;
  /// Continuous index of a physical point [mm].
  std::array<double, 3> PhysicalToIndex(const std::array<double, 3>& point) const noexcept;
  /// Checks positive finite spacing, finite origin, an orthonormal
  /// direction matrix and at most kMaxVoxels voxels; on failure writes the
  /// reason to *why (if given).
  bool IsValid(std::string* why = nullptr) const;
  /// Voxel volume [mm^3].
  double VoxelVolume() const noexcept { return spacing[0] * spacing[1] * spacing[2]; }
};

/// Tolerances for comparing grids.  As SimpleITK (and so pyradiomics) does,
/// origins and spacings are compared relative to the voxel size.
struct LVSI_CORE_EXPORT GeometryTolerance {
  double coordinate = 1e-6;  ///< Relative to the smallest spacing [unitless].
  double direction = 1e-6;   ///< Absolute, per direction-matrix entry [unitless].
  /// False, with the reason in `why` (when not null), for a negative or
  /// non-finite tolerance.
  bool IsValid(std::string* why = nullptr) const;
};

/// True when both grids have the same size and, within tolerance, the same
/// spacing, origin and direction.  On a mismatch *why (if given) names the
/// first property that differs and both values.
LVSI_CORE_EXPORT bool SameGeometry(const Geometry& a, const Geometry& b,
                                   const GeometryTolerance& tolerance = {},
                                   std::string* why = nullptr);

/// Human-readable one-line description ("256x256x25 @ 0.94x0.94x6.5 mm").
LVSI_CORE_EXPORT std::string Describe(const Geometry& geometry);

}  // namespace lvsi

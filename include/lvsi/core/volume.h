#pragma once
/// \file
/// Dense 3-D volumes with geometry: images, label maps and binary masks.

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "lvsi/core/error.h"
#include "lvsi/core/geometry.h"

namespace lvsi {

/// A dense 3-D array of voxels of type T on a Geometry.  Storage is
/// contiguous with i varying fastest (ITK / NIfTI order).  Volumes are
/// values: copying copies the voxels.
template <typename T>
class Volume {
 public:
  using value_type = T;

  Volume() = default;
  /// A volume on `geometry`, every voxel set to `fill`.  Throws
  /// InvalidArgument when the geometry is invalid.
  explicit Volume(const Geometry& geometry, T fill = T{}) : geometry_(geometry) {
    std::string why;
    if (!geometry_.IsValid(&why)) throw InvalidArgument("invalid geometry: " + why);
    data_.assign(geometry_.NumVoxels(), fill);
  }
  /// A volume that takes ownership of `data` (size must match the geometry).
  Volume(const Geometry& geometry, std::vector<T> data)
      : geometry_(geometry), data_(std::move(data)) {
    std::string why;
    if (!geometry_.IsValid(&why)) throw InvalidArgument("invalid geometry: " + why);
    if (data_.size() != geometry_.NumVoxels())
      throw InvalidArgument("volume data has " + std::to_string(data_.size()) +
                            " voxels, geometry needs " +
                            std::to_string(geometry_.NumVoxels()));
  }

  const Geometry& geometry() const noexcept { return geometry_; }
  /// Replaces spacing, origin and direction; the size must stay the same.
  void set_geometry(const Geometry& geometry) {
    if (geometry.size != geometry_.size)
      throw InvalidArgument("set_geometry cannot change the volume size");
    geometry_ = geometry;
  }
  std::size_t size() const noexcept { return data_.size(); }
  bool empty() const noexcept { return data_.empty(); }
  T* data() noexcept { return data_.data(); }
  const T* data() const noexcept { return data_.data(); }
  std::vector<T>& values() noexcept { return data_; }
  const std::vector<T>& values() const noexcept { return data_; }
  T& operator[](std::size_t n) noexcept { return data_[n]; }
  const T& operator[](std::size_t n) const noexcept { return data_[n]; }
  T& operator()(std::size_t i, std::size_t j, std::size_t k) noexcept {
    return data_[geometry_.Offset(i, j, k)];
  }
  const T& operator()(std::size_t i, std::size_t j, std::size_t k) const noexcept {
    return data_[geometry_.Offset(i, j, k)];
  }

 private:
  Geometry geometry_;
  std::vector<T> data_;
};

/// Intensity image; values kept in double precision as pyradiomics does.
using Image = Volume<double>;
/// Integer label map (segmentations with several labels).
using LabelImage = Volume<std::int32_t>;
/// Binary mask: 1 inside the region of interest, 0 outside.
using Mask = Volume<std::uint8_t>;

/// Number of non-zero voxels of a mask.
LVSI_CORE_EXPORT std::size_t CountVoxels(const Mask& mask) noexcept;

/// Bounding box of the non-zero voxels: lower corner and size along each
/// axis.  For an empty mask all sizes are 0.
struct LVSI_CORE_EXPORT BoundingBox {
  std::array<std::size_t, 3> lower{0, 0, 0};  ///< First index inside [voxels].
  std::array<std::size_t, 3> size{0, 0, 0};   ///< Extent [voxels].
  bool empty() const noexcept { return size[0] == 0 || size[1] == 0 || size[2] == 0; }
};

/// The bounding box of the non-zero voxels of `mask`.
LVSI_CORE_EXPORT BoundingBox ComputeBoundingBox(const Mask& mask) noexcept;

}  // namespace lvsi

#pragma once
/// \file
/// Dense 3-D volumes with geometry: images, label maps and binary masks.

#include <cmath>
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

/// Resamples a volume onto `target` by nearest neighbour with ITK's
/// conventions: each target voxel centre is mapped to the source's
/// continuous index, rounded half up; centres outside the source grid
/// (index < -0.5 or >= size - 0.5) get `outside`.
template <typename T>
Volume<T> ResampleNearest(const Volume<T>& source, const Geometry& target, T outside = T{}) {
  const Geometry& src = source.geometry();
  Volume<T> out(target, outside);
  std::size_t n = 0;
  for (std::size_t k = 0; k < target.size[2]; ++k)
    for (std::size_t j = 0; j < target.size[1]; ++j)
      for (std::size_t i = 0; i < target.size[0]; ++i, ++n) {
        const auto c = src.PhysicalToIndex(target.IndexToPhysical(
            {static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)}));
        long idx[3];
        bool inside = true;
        for (int d = 0; d < 3; ++d) {
          idx[d] = static_cast<long>(std::floor(c[d] + 0.5));
          inside = inside && idx[d] >= 0 && idx[d] < static_cast<long>(src.size[d]);
        }
        if (inside)
          out[n] = source(static_cast<std::size_t>(idx[0]), static_cast<std::size_t>(idx[1]),
                          static_cast<std::size_t>(idx[2]));
      }
  return out;
}

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

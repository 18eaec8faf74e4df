#include "lvsi/core/geometry.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "lvsi/core/volume.h"
#include "lvsi/version.h"

namespace lvsi {

std::string Version() { return LVSI_VERSION_STRING; }

std::array<double, 3> Geometry::IndexToPhysical(const std::array<double, 3>& index) const noexcept {
  std::array<double, 3> p{};
  for (int r = 0; r < 3; ++r) {
    double s = origin[r];
    for (int c = 0; c < 3; ++c) s += direction[3 * r + c] * spacing[c] * index[c];
    p[r] = s;
  }
  return p;
}

std::array<double, 3> Geometry::PhysicalToIndex(const std::array<double, 3>& point) const noexcept {
  // The direction matrix is orthonormal, so its inverse is its transpose.
  std::array<double, 3> d{point[0] - origin[0], point[1] - origin[1], point[2] - origin[2]};
  std::array<double, 3> index{};
  for (int c = 0; c < 3; ++c) {
    double s = 0.0;
    for (int r = 0; r < 3; ++r) s += direction[3 * r + c] * d[r];
    index[c] = s / spacing[c];
  }
  return index;
}

std::size_t CheckedVoxelCount(const std::array<std::size_t, 3>& size) noexcept {
  std::size_t n = 1;
  for (std::size_t s : size) {
    if (s == 0) return 0;
    if (s > kMaxVoxels || n > kMaxVoxels / s) return kMaxVoxels + 1;
    n *= s;
  }
  return n;
}

bool Geometry::IsValid(std::string* why) const {
  if (CheckedVoxelCount(size) > kMaxVoxels)
    return Invalid(why, "size " + std::to_string(size[0]) + " x " + std::to_string(size[1]) + " x " +
                            std::to_string(size[2]) + " is more than lvsi's limit of 2^31 voxels");
  for (int d = 0; d < 3; ++d) {
    if (!(std::isfinite(spacing[d]) && spacing[d] > 0.0))
      return Invalid(why, "spacing must be positive and finite, got " + std::to_string(spacing[d]) +
                  " along axis " + std::to_string(d));
    if (!std::isfinite(origin[d])) return Invalid(why, "origin is not finite");
  }
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) {
      double dot = 0.0;
      for (int k = 0; k < 3; ++k) dot += direction[3 * k + r] * direction[3 * k + c];
      if (std::abs(dot - (r == c ? 1.0 : 0.0)) > 1e-4)
        return Invalid(why, "direction matrix is not orthonormal");
    }
  }
  return true;
}

bool GeometryTolerance::IsValid(std::string* why) const {
  if (!(coordinate >= 0) || !std::isfinite(coordinate) || !(direction >= 0) || !std::isfinite(direction))
    return Invalid(why, "geometry tolerances must be finite and non-negative");
  return true;
}

bool SameGeometry(const Geometry& a, const Geometry& b, const GeometryTolerance& tol,
                  std::string* why) {
  auto triple = [](const auto& v) {
    std::ostringstream s;
    s.precision(9);
    s << "(" << v[0] << ", " << v[1] << ", " << v[2] << ")";
    return s.str();
  };
  if (a.size != b.size) return Invalid(why, "size " + triple(a.size) + " != " + triple(b.size));
  const double scale =
      tol.coordinate * std::min({a.spacing[0], a.spacing[1], a.spacing[2]});
  for (int d = 0; d < 3; ++d) {
    if (std::abs(a.spacing[d] - b.spacing[d]) > scale)
      return Invalid(why, "spacing " + triple(a.spacing) + " != " + triple(b.spacing));
  }
  for (int d = 0; d < 3; ++d) {
    if (std::abs(a.origin[d] - b.origin[d]) > scale)
      return Invalid(why, "origin " + triple(a.origin) + " != " + triple(b.origin));
  }
  for (int n = 0; n < 9; ++n) {
    if (std::abs(a.direction[n] - b.direction[n]) > tol.direction)
      return Invalid(why, "direction matrices differ");
  }
  return true;
}

std::string Describe(const Geometry& g) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%zux%zux%zu @ %.4gx%.4gx%.4g mm", g.size[0], g.size[1],
                g.size[2], g.spacing[0], g.spacing[1], g.spacing[2]);
  return buf;
}

std::size_t CountVoxels(const Mask& mask) noexcept {
  return static_cast<std::size_t>(
      std::count_if(mask.data(), mask.data() + mask.size(), [](std::uint8_t v) { return v != 0; }));
}

BoundingBox ComputeBoundingBox(const Mask& mask) noexcept {
  const auto& g = mask.geometry();
  std::array<std::size_t, 3> lo{g.size[0], g.size[1], g.size[2]};
  std::array<std::size_t, 3> hi{0, 0, 0};
  bool any = false;
  std::size_t n = 0;
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i, ++n) {
        if (!mask[n]) continue;
        any = true;
        const std::array<std::size_t, 3> idx{i, j, k};
        for (int d = 0; d < 3; ++d) {
          lo[d] = std::min(lo[d], idx[d]);
          hi[d] = std::max(hi[d], idx[d]);
        }
      }
  BoundingBox box;
  if (!any) return box;
  for (int d = 0; d < 3; ++d) {
    box.lower[d] = lo[d];
    box.size[d] = hi[d] - lo[d] + 1;
  }
  return box;
}

}  // namespace lvsi

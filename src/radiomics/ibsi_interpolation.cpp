// IBSI-1's interpolation (IBSI 1, section 2.4) for lvsi's IBSI mode
// (lvsi/radiomics/ibsi.h): the new grid's size is the old extent divided by
// the new spacing, rounded up; its centre is the old grid's centre; values
// are (bi/tri)linear between the old voxel centres, extrapolated beyond
// them with the nearest boundary value.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "lvsi/core/error.h"
#include "lvsi/radiomics/ibsi.h"

namespace lvsi::radiomics::ibsi {
namespace {

// The new grid and, per axis, the old index coordinate of each new centre.
struct Grid {
  Geometry geometry;
  std::array<std::vector<double>, 3> position;
};

Grid NewGrid(const Geometry& old, const std::array<double, 3>& spacing, bool in_plane) {
  Grid grid;
  grid.geometry = old;
  std::array<double, 3> shift{};  // new origin - old origin, along the index axes [mm]
  for (int a = 0; a < 3; ++a) {
    const bool keep = in_plane && a == 2;
    const double s_new = keep ? old.spacing[a] : spacing[a];
    if (!(s_new > 0) || !std::isfinite(s_new))
      throw InvalidArgument("IBSI interpolation: spacing " + std::to_string(s_new) + " mm is not a positive number");
    const double extent = static_cast<double>(old.size[a]) * old.spacing[a];
    const auto n = keep ? old.size[a] : static_cast<std::size_t>(std::ceil(extent / s_new - 1e-9));
    grid.geometry.size[a] = std::max<std::size_t>(n, 1);
    grid.geometry.spacing[a] = s_new;
    shift[a] = (old.spacing[a] * (static_cast<double>(old.size[a]) - 1) -
                s_new * (static_cast<double>(grid.geometry.size[a]) - 1)) / 2;
    grid.position[a].resize(grid.geometry.size[a]);
    for (std::size_t j = 0; j < grid.geometry.size[a]; ++j)
      grid.position[a][j] = (shift[a] + static_cast<double>(j) * s_new) / old.spacing[a];
  }
  for (int r = 0; r < 3; ++r) {
    double offset = 0;
    for (int c = 0; c < 3; ++c) offset += old.direction[static_cast<std::size_t>(3 * r + c)] * shift[c];
    grid.geometry.origin[r] = old.origin[r] + offset;
  }
  std::string why;
  if (!grid.geometry.IsValid(&why)) throw InvalidArgument("IBSI interpolation: " + why);
  return grid;
}

// Linear interpolation weights along one axis: the lower index and the
// upper one's weight, the position clamped to the old centres.
struct Step {
  std::size_t lower;
  double weight;
};

std::vector<Step> Steps(const std::vector<double>& position, std::size_t old_size) {
  std::vector<Step> steps;
  steps.reserve(position.size());
  const double last = static_cast<double>(old_size) - 1;
  for (double p : position) {
    const double u = std::clamp(p, 0.0, last);
    auto lower = static_cast<std::size_t>(std::floor(u));
    if (lower + 1 > old_size - 1) lower = old_size > 1 ? old_size - 2 : 0;
    steps.push_back({lower, old_size > 1 ? u - static_cast<double>(lower) : 0.0});
  }
  return steps;
}

template <class T>
std::vector<double> Linear(const Volume<T>& old, const Grid& grid) {
  const auto& s = old.geometry().size;
  const auto sx = Steps(grid.position[0], s[0]), sy = Steps(grid.position[1], s[1]), sz = Steps(grid.position[2], s[2]);
  const auto at = [&](std::size_t i, std::size_t j, std::size_t k) {
    return static_cast<double>(old(std::min(i, s[0] - 1), std::min(j, s[1] - 1), std::min(k, s[2] - 1)));
  };
  const auto& n = grid.geometry.size;
  std::vector<double> out(n[0] * n[1] * n[2]);
  for (std::size_t k = 0; k < n[2]; ++k)
    for (std::size_t j = 0; j < n[1]; ++j)
      for (std::size_t i = 0; i < n[0]; ++i) {
        const Step x = sx[i], y = sy[j], z = sz[k];
        double v = 0;
        for (int dz = 0; dz < 2; ++dz)
          for (int dy = 0; dy < 2; ++dy)
            for (int dx = 0; dx < 2; ++dx) {
              const double w = (dx ? x.weight : 1 - x.weight) * (dy ? y.weight : 1 - y.weight) *
                               (dz ? z.weight : 1 - z.weight);
              if (w != 0) v += w * at(x.lower + static_cast<std::size_t>(dx), y.lower + static_cast<std::size_t>(dy),
                                      z.lower + static_cast<std::size_t>(dz));
            }
        out[i + n[0] * (j + n[1] * k)] = v;
      }
  return out;
}

}  // namespace

Image InterpolateImage(const Image& image, const std::array<double, 3>& spacing, bool in_plane, bool round) {
  const Grid grid = NewGrid(image.geometry(), spacing, in_plane);
  std::vector<double> values = Linear(image, grid);
  if (round)
    for (double& v : values) v = std::nearbyint(v);
  return Image(grid.geometry, std::move(values));
}

LabelImage InterpolateMask(const LabelImage& mask, const std::array<double, 3>& spacing, bool in_plane,
                           double partial_volume) {
  if (!(partial_volume > 0 && partial_volume <= 1))
    throw InvalidArgument("IBSI interpolation: the partial volume threshold must be in (0, 1]");
  const Grid grid = NewGrid(mask.geometry(), spacing, in_plane);
  Volume<std::uint8_t> inside(mask.geometry(), 0);
  for (std::size_t n = 0; n < mask.size(); ++n) inside[n] = mask[n] != 0;
  const std::vector<double> fraction = Linear(inside, grid);
  LabelImage out(grid.geometry, 0);
  for (std::size_t n = 0; n < out.size(); ++n) out[n] = fraction[n] >= partial_volume - 1e-12 ? 1 : 0;
  return out;
}

}  // namespace lvsi::radiomics::ibsi

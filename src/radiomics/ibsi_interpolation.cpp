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

// Cubic B-spline interpolation: the coefficients by the recursive
// prefilter (pole sqrt(3) - 2, mirror boundaries) along each axis, then
// the 4 x 4 x 4 weighted sum (indices beyond the grid mirrored).
std::vector<double> CubicSpline(const Image& old, const Grid& grid, bool in_plane) {
  const auto& s = old.geometry().size;
  std::vector<double> c(old.values());
  const double pole = std::sqrt(3.0) - 2;
  const auto prefilter = [&](std::size_t n, std::size_t stride, std::size_t start) {
    if (n < 2) return;
    const auto at = [&](std::size_t k) -> double& { return c[start + k * stride]; };
    for (std::size_t k = 0; k < n; ++k) at(k) *= (1 - pole) * (1 - 1 / pole);
    // Causal initialisation, exact for the mirror-symmetric extension.
    {
      double zn = pole, z2n = std::pow(pole, static_cast<double>(n - 1));
      double sum = at(0) + z2n * at(n - 1);
      z2n *= z2n / pole;
      for (std::size_t k = 1; k + 1 < n; ++k) {
        sum += (zn + z2n) * at(k);
        zn *= pole;
        z2n /= pole;
      }
      at(0) = sum / (1 - zn * zn);
    }
    for (std::size_t k = 1; k < n; ++k) at(k) += pole * at(k - 1);
    at(n - 1) = pole / (pole * pole - 1) * (pole * at(n - 2) + at(n - 1));
    for (std::size_t k = n - 1; k-- > 0;) at(k) = pole * (at(k + 1) - at(k));
  };
  for (std::size_t k = 0; k < s[2]; ++k)
    for (std::size_t j = 0; j < s[1]; ++j) prefilter(s[0], 1, s[0] * (j + s[1] * k));
  for (std::size_t k = 0; k < s[2]; ++k)
    for (std::size_t i = 0; i < s[0]; ++i) prefilter(s[1], s[0], i + s[0] * s[1] * k);
  if (!in_plane)
    for (std::size_t j = 0; j < s[1]; ++j)
      for (std::size_t i = 0; i < s[0]; ++i) prefilter(s[2], s[0] * s[1], i + s[0] * j);
  const auto mirror = [](long k, std::size_t n) {
    if (n == 1) return std::size_t{0};
    const long period = 2 * static_cast<long>(n) - 2;
    k = ((k % period) + period) % period;
    return static_cast<std::size_t>(k < static_cast<long>(n) ? k : period - k);
  };
  const auto weights = [](double t, double w[4]) {  // at offsets -1, 0, 1, 2 from floor
    w[0] = (1 - t) * (1 - t) * (1 - t) / 6;
    w[1] = (4 - 6 * t * t + 3 * t * t * t) / 6;
    w[2] = (1 + 3 * t + 3 * t * t - 3 * t * t * t) / 6;
    w[3] = t * t * t / 6;
  };
  const auto& n = grid.geometry.size;
  std::vector<double> out(n[0] * n[1] * n[2]);
  for (std::size_t k = 0; k < n[2]; ++k)
    for (std::size_t j = 0; j < n[1]; ++j)
      for (std::size_t i = 0; i < n[0]; ++i) {
        // Beyond the old centres: the nearest boundary value (IBSI).
        const double u[3] = {std::clamp(grid.position[0][i], 0.0, static_cast<double>(s[0] - 1)),
                             std::clamp(grid.position[1][j], 0.0, static_cast<double>(s[1] - 1)),
                             std::clamp(grid.position[2][k], 0.0, static_cast<double>(s[2] - 1))};
        long base[3];
        double w[3][4];
        for (int a = 0; a < 3; ++a) {
          base[a] = static_cast<long>(std::floor(u[a]));
          weights(u[a] - static_cast<double>(base[a]), w[a]);
        }
        double v = 0;
        if (in_plane) {  // the slice's own coefficients (no prefilter along z)
          const std::size_t z = static_cast<std::size_t>(std::lround(u[2]));
          for (int b = 0; b < 4; ++b)
            for (int a = 0; a < 4; ++a)
              v += w[1][b] * w[0][a] * c[mirror(base[0] + a - 1, s[0]) + s[0] * (mirror(base[1] + b - 1, s[1]) + s[1] * z)];
        } else {
          for (int g = 0; g < 4; ++g)
            for (int b = 0; b < 4; ++b)
              for (int a = 0; a < 4; ++a)
                v += w[2][g] * w[1][b] * w[0][a] *
                     c[mirror(base[0] + a - 1, s[0]) +
                       s[0] * (mirror(base[1] + b - 1, s[1]) + s[1] * mirror(base[2] + g - 1, s[2]))];
        }
        out[i + n[0] * (j + n[1] * k)] = v;
      }
  return out;
}

}  // namespace

Image InterpolateImage(const Image& image, const std::array<double, 3>& spacing, bool in_plane, bool round,
                       Interpolator method) {
  const Grid grid = NewGrid(image.geometry(), spacing, in_plane);
  std::vector<double> values;
  if (method == Interpolator::kCubicSpline) {
    values = CubicSpline(image, grid, in_plane);
  } else if (method == Interpolator::kNearest) {
    const auto& s = image.geometry().size;
    const auto& n = grid.geometry.size;
    values.resize(n[0] * n[1] * n[2]);
    const auto pick = [](double p, std::size_t size) {
      return static_cast<std::size_t>(std::clamp(std::lround(p), 0L, static_cast<long>(size) - 1));
    };
    for (std::size_t k = 0; k < n[2]; ++k)
      for (std::size_t j = 0; j < n[1]; ++j)
        for (std::size_t i = 0; i < n[0]; ++i)
          values[i + n[0] * (j + n[1] * k)] =
              image(pick(grid.position[0][i], s[0]), pick(grid.position[1][j], s[1]), pick(grid.position[2][k], s[2]));
  } else {
    values = Linear(image, grid);
  }
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

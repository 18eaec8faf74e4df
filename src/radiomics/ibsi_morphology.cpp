// IBSI-1 morphological features (IBSI 3.1) for lvsi's IBSI mode
// (lvsi/radiomics/ibsi.h).  The mesh is the one of lvsi's shape class
// (marching cubes on the morphological mask, vertices on the edges between
// ROI and background voxel centres), so mesh volume, area and maximum
// diameter are shared with pyradiomics mode.
#include <Eigen/Dense>
#include <fftw3.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <mutex>
#include <new>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "lvsi/core/error.h"
#include "lvsi/radiomics/features.h"
#include "lvsi/radiomics/ibsi.h"

namespace lvsi::radiomics::ibsi {
namespace {

constexpr double kPi = 3.14159265358979323846;
using Point = std::array<double, 3>;

Point Sub(const Point& a, const Point& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
Point Cross(const Point& a, const Point& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
double Dot(const Point& a, const Point& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
double Norm(const Point& a) { return std::sqrt(Dot(a, a)); }

// The convex hull's volume and area of points spanning 3-D space
// (incremental construction; points strictly between two others on a line
// along z are dropped first, as they cannot change the hull).
std::pair<double, double> ConvexHull(std::vector<Point> points, double scale) {
  {
    std::map<std::pair<double, double>, std::pair<double, double>> column;  // (x, y) -> (min z, max z)
    for (const auto& p : points) {
      auto [it, added] = column.try_emplace({p[0], p[1]}, p[2], p[2]);
      if (!added) it->second = {std::min(it->second.first, p[2]), std::max(it->second.second, p[2])};
    }
    points.clear();
    for (const auto& [xy, z] : column) {
      points.push_back({xy.first, xy.second, z.first});
      if (z.second != z.first) points.push_back({xy.first, xy.second, z.second});
    }
  }
  const double eps = 1e-9 * scale * scale * scale;
  // A first tetrahedron.
  std::size_t a = 0, b = 0, c = 0, d = 0;
  for (std::size_t k = 1; k < points.size(); ++k)
    if (points[k] < points[a]) a = k;
  double best = 0;
  for (std::size_t k = 0; k < points.size(); ++k)
    if (const double dist = Norm(Sub(points[k], points[a])); dist > best) best = dist, b = k;
  best = 0;
  for (std::size_t k = 0; k < points.size(); ++k)
    if (const double area = Norm(Cross(Sub(points[b], points[a]), Sub(points[k], points[a]))); area > best)
      best = area, c = k;
  best = 0;
  const Point normal = Cross(Sub(points[b], points[a]), Sub(points[c], points[a]));
  for (std::size_t k = 0; k < points.size(); ++k)
    if (const double h = std::abs(Dot(normal, Sub(points[k], points[a]))); h > best) best = h, d = k;
  if (best <= eps) throw DataError(Input::kMask, "IBSI morphology: the ROI's mesh is flat (no convex hull)");
  struct Face {
    std::size_t v[3];
  };
  std::vector<Face> faces = {{{a, b, c}}, {{a, c, d}}, {{a, d, b}}, {{b, d, c}}};
  Point inside{};
  for (std::size_t k : {a, b, c, d})
    for (int i = 0; i < 3; ++i) inside[i] += points[k][i] / 4;
  const auto outward = [&](Face& f) {
    const Point n = Cross(Sub(points[f.v[1]], points[f.v[0]]), Sub(points[f.v[2]], points[f.v[0]]));
    if (Dot(n, Sub(inside, points[f.v[0]])) > 0) std::swap(f.v[1], f.v[2]);
  };
  for (auto& f : faces) outward(f);
  const auto sees = [&](const Face& f, const Point& p) {
    const Point n = Cross(Sub(points[f.v[1]], points[f.v[0]]), Sub(points[f.v[2]], points[f.v[0]]));
    return Dot(n, Sub(p, points[f.v[0]])) > eps;
  };
  for (std::size_t k = 0; k < points.size(); ++k) {
    if (k == a || k == b || k == c || k == d) continue;
    std::vector<Face> kept;
    std::set<std::pair<std::size_t, std::size_t>> edges;  // directed edges of the visible faces
    for (const auto& f : faces) {
      if (sees(f, points[k])) {
        for (int e = 0; e < 3; ++e) edges.insert({f.v[e], f.v[(e + 1) % 3]});
      } else {
        kept.push_back(f);
      }
    }
    if (edges.empty()) continue;  // inside the hull
    for (const auto& [u, v] : edges)
      if (!edges.count({v, u})) kept.push_back({{u, v, k}});  // the horizon, joined to the new point
    faces.swap(kept);
  }
  double volume = 0, area = 0;
  for (const auto& f : faces) {
    const Point n = Cross(Sub(points[f.v[1]], points[f.v[0]]), Sub(points[f.v[2]], points[f.v[0]]));
    area += Norm(n) / 2;
    volume += Dot(n, Sub(points[f.v[0]], inside)) / 6;
  }
  return {volume, area};
}

// Moran's I and Geary's C of the intensity mask's voxels, weights the
// inverse distance between voxel centres, over every pair.  The pair sums
// are sums over offsets o of w(o) times a correlation of two arrays at o
// (the mask, the deviations from the mean, their squares), which FFTs give
// for the whole bounding box at once: O(M log M) for M voxels in twice the
// box, instead of O(N^2) pairs (a CT tumour of 125,000 voxels: 7.8e9 pairs).
std::pair<double, double> MoranGeary(const std::vector<std::array<long, 3>>& index, const std::vector<double>& x,
                                     const std::array<double, 3>& spacing) {
  const std::size_t count = x.size();
  if (count < 2) return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
  std::array<long, 3> low{index[0]}, high{index[0]};
  for (const auto& v : index)
    for (int a = 0; a < 3; ++a) low[a] = std::min(low[a], v[a]), high[a] = std::max(high[a], v[a]);
  // Twice the box: correlations at every offset without wrapping around.
  const long nx = 2 * (high[0] - low[0] + 1), ny = 2 * (high[1] - low[1] + 1), nz = 2 * (high[2] - low[2] + 1);
  const std::size_t n = static_cast<std::size_t>(nx * ny * nz), nc = static_cast<std::size_t>(nz * ny * (nx / 2 + 1));
  double mean = 0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(count);
  double spread = 0;
  for (double v : x) spread += (v - mean) * (v - mean);
  if (spread == 0) return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};

  struct Buffers {
    double* real;
    fftw_complex* a;
    fftw_complex* b;
    fftw_plan forward_a, forward_b, backward;
  } f{};
  f.real = fftw_alloc_real(n);
  f.a = fftw_alloc_complex(nc);
  f.b = fftw_alloc_complex(nc);
  if (!f.real || !f.a || !f.b) {
    fftw_free(f.real), fftw_free(f.a), fftw_free(f.b);
    throw std::bad_alloc();
  }
  {
    static std::mutex planner;  // FFTW's planner is not thread-safe
    std::lock_guard<std::mutex> lock(planner);
    f.forward_a = fftw_plan_dft_r2c_3d(static_cast<int>(nz), static_cast<int>(ny), static_cast<int>(nx), f.real, f.a,
                                       FFTW_ESTIMATE);
    f.forward_b = fftw_plan_dft_r2c_3d(static_cast<int>(nz), static_cast<int>(ny), static_cast<int>(nx), f.real, f.b,
                                       FFTW_ESTIMATE);
    f.backward = fftw_plan_dft_c2r_3d(static_cast<int>(nz), static_cast<int>(ny), static_cast<int>(nx), f.a, f.real,
                                      FFTW_ESTIMATE);
  }
  const auto fill = [&](int what) {  // 0: the mask, 1: deviations, 2: squared deviations
    std::fill(f.real, f.real + n, 0.0);
    for (std::size_t k = 0; k < count; ++k) {
      const double d = x[k] - mean;
      f.real[static_cast<std::size_t>(((index[k][2] - low[2]) * ny + (index[k][1] - low[1])) * nx +
                                      (index[k][0] - low[0]))] = what == 0 ? 1.0 : what == 1 ? d : d * d;
    }
  };
  // Sum over offsets o != 0 of w(o) * sum_i u_i v_(i+o), from the spectra
  // in f.a (of u) and f.b (of v).
  const auto weighted_correlation = [&]() {
    for (std::size_t k = 0; k < nc; ++k) {
      const double re = f.a[k][0] * f.b[k][0] + f.a[k][1] * f.b[k][1];  // conj(U) V
      const double im = f.a[k][0] * f.b[k][1] - f.a[k][1] * f.b[k][0];
      f.a[k][0] = re;
      f.a[k][1] = im;
    }
    fftw_execute(f.backward);  // (unnormalised: divided by n below)
    double total = 0;
    for (long z = 0; z < nz; ++z)
      for (long y = 0; y < ny; ++y)
        for (long xx = 0; xx < nx; ++xx) {
          if (z == 0 && y == 0 && xx == 0) continue;
          const double oz = static_cast<double>(z < nz / 2 ? z : z - nz) * spacing[2];
          const double oy = static_cast<double>(y < ny / 2 ? y : y - ny) * spacing[1];
          const double ox = static_cast<double>(xx < nx / 2 ? xx : xx - nx) * spacing[0];
          total += f.real[static_cast<std::size_t>((z * ny + y) * nx + xx)] / std::sqrt(ox * ox + oy * oy + oz * oz);
        }
    return total / static_cast<double>(n);
  };
  fill(0);
  fftw_execute(f.forward_a);
  fftw_execute(f.forward_b);
  const double weights = weighted_correlation();  // sum of w_ij over pairs
  fill(1);
  fftw_execute(f.forward_a);
  fftw_execute(f.forward_b);
  const double products = weighted_correlation();  // sum of w_ij d_i d_j
  fill(0);
  fftw_execute(f.forward_b);
  fill(2);
  fftw_execute(f.forward_a);
  const double squares = weighted_correlation();  // sum of w_ij d_i^2 (j in the mask)
  fftw_destroy_plan(f.forward_a);
  fftw_destroy_plan(f.forward_b);
  fftw_destroy_plan(f.backward);
  fftw_free(f.real);
  fftw_free(f.a);
  fftw_free(f.b);
  const double nn = static_cast<double>(count);
  const double moran = nn / weights * products / spread;
  // sum w (x_i - x_j)^2 = sum w (d_i^2 + d_j^2 - 2 d_i d_j) = 2 (squares - products), w symmetric
  const double geary = (nn - 1) / (2 * weights) * 2 * (squares - products) / spread;
  return {moran, geary};
}

// The surface area of an ellipsoid with semi-axes a >= b >= c (IBSI's
// series with Legendre polynomials, 20 terms).  (alpha beta)^n P_n(x) is
// computed as one polynomial, which stays finite for a sphere.
double EllipsoidArea(double a, double b, double c) {
  const double alpha = std::sqrt(std::max(0.0, 1 - b * b / (a * a)));
  const double beta = std::sqrt(std::max(0.0, 1 - c * c / (a * a)));
  const double ab = alpha * beta, half_sum = (alpha * alpha + beta * beta) / 2;
  double previous = 1, current = half_sum;  // Q_0, Q_1
  double sum = 1 + current / (1 - 4.0);
  for (int n = 1; n < 20; ++n) {
    const double next = ((2 * n + 1) * half_sum * current - n * ab * ab * previous) / (n + 1);
    previous = current;
    current = next;
    sum += current / (1 - 4.0 * (n + 1) * (n + 1));
  }
  return 4 * kPi * a * b * sum;
}

}  // namespace

std::vector<Feature> MorphologyFeatures(const Image& image, const LabelImage& morphological_mask,
                                        const LabelImage& intensity_mask) {
  const Geometry& g = image.geometry();
  if (morphological_mask.geometry().size != g.size || intensity_mask.geometry().size != g.size)
    throw GeometryError(Input::kMask, "IBSI morphology: the masks' grids differ from the image's");
  Mask morph(morphological_mask.geometry(), 0);
  std::vector<Point> centres;                       // morphological mask voxel centres [mm]
  std::vector<std::pair<Point, double>> weighted;   // intensity mask: centre and intensity
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i) {
        const Point r{static_cast<double>(i) * g.spacing[0], static_cast<double>(j) * g.spacing[1],
                      static_cast<double>(k) * g.spacing[2]};
        if (morphological_mask(i, j, k) != 0) {
          morph(i, j, k) = 1;
          centres.push_back(r);
        }
        if (intensity_mask(i, j, k) != 0) {
          const double x = image(i, j, k);
          if (!std::isfinite(x)) throw DataError(Input::kImage, "IBSI morphology: an intensity is not finite");
          weighted.push_back({r, x});
        }
      }
  if (centres.empty() || weighted.empty()) throw DataError(Input::kMask, "IBSI morphology: the ROI is empty");
  const ShapeFeatures shape(morph);
  const double V = shape.MeshVolume(), A = shape.SurfaceArea();
  double diameter = 0;
  for (const auto& [name, value] : shape.Compute({"Maximum3DDiameter"})) diameter = value;
  const double n_voxels = static_cast<double>(centres.size());
  const double voxel_volume = n_voxels * g.spacing[0] * g.spacing[1] * g.spacing[2];

  // Principal axes: the covariance of the voxel centres (N - 1, as IBSI).
  Eigen::Vector3d mean = Eigen::Vector3d::Zero();
  for (const auto& r : centres) mean += Eigen::Vector3d(r[0], r[1], r[2]);
  mean /= n_voxels;
  Eigen::Matrix3d cov = Eigen::Matrix3d::Zero();
  for (const auto& r : centres) {
    const Eigen::Vector3d v = Eigen::Vector3d(r[0], r[1], r[2]) - mean;
    cov += v * v.transpose();
  }
  if (centres.size() > 1) cov /= n_voxels - 1;
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> eig(cov, Eigen::EigenvaluesOnly);
  const double l_least = std::max(0.0, eig.eigenvalues()(0)), l_minor = std::max(0.0, eig.eigenvalues()(1)),
               l_major = std::max(0.0, eig.eigenvalues()(2));

  // Centre of mass shift: geometric centre against the intensity-weighted one.
  Point weighted_centre{};
  double total = 0, intensity_sum = 0;
  for (const auto& [r, x] : weighted) {
    for (int i = 0; i < 3; ++i) weighted_centre[i] += x * r[i];
    total += x;
  }
  intensity_sum = total;
  for (double& v : weighted_centre) v /= total;
  const double shift = Norm(Sub(weighted_centre, {mean(0), mean(1), mean(2)}));

  // The mesh's vertices: midpoints between ROI voxel centres and their
  // face neighbours outside the ROI (or the grid).
  std::vector<Point> vertices;
  Point low{std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(),
            std::numeric_limits<double>::infinity()};
  Point high{-low[0], -low[1], -low[2]};
  const long size[3] = {static_cast<long>(g.size[0]), static_cast<long>(g.size[1]), static_cast<long>(g.size[2])};
  const auto inside = [&](long x, long y, long z) {
    return x >= 0 && y >= 0 && z >= 0 && x < size[0] && y < size[1] && z < size[2] &&
           morph(static_cast<std::size_t>(x), static_cast<std::size_t>(y), static_cast<std::size_t>(z)) != 0;
  };
  for (long z = 0; z < size[2]; ++z)
    for (long y = 0; y < size[1]; ++y)
      for (long x = 0; x < size[0]; ++x) {
        if (!inside(x, y, z)) continue;
        static constexpr long kFace[6][3] = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
        for (const auto& f : kFace) {
          if (inside(x + f[0], y + f[1], z + f[2])) continue;
          const Point p{(static_cast<double>(x) + 0.5 * static_cast<double>(f[0])) * g.spacing[0],
                        (static_cast<double>(y) + 0.5 * static_cast<double>(f[1])) * g.spacing[1],
                        (static_cast<double>(z) + 0.5 * static_cast<double>(f[2])) * g.spacing[2]};
          vertices.push_back(p);
          for (int i = 0; i < 3; ++i) low[i] = std::min(low[i], p[i]), high[i] = std::max(high[i], p[i]);
        }
      }
  const Point box = Sub(high, low);
  const double box_volume = box[0] * box[1] * box[2];
  const double box_area = 2 * (box[0] * box[1] + box[1] * box[2] + box[0] * box[2]);
  const double scale = std::max({g.spacing[0], g.spacing[1], g.spacing[2]});
  const auto [hull_volume, hull_area] = ConvexHull(vertices, scale);

  // The approximate enclosing ellipsoid: semi-axes 2 sqrt(lambda).
  const double ea = 2 * std::sqrt(l_major), eb = 2 * std::sqrt(l_minor), ec = 2 * std::sqrt(l_least);
  const double ellipsoid_volume = 4 * kPi * ea * eb * ec / 3;
  const double ellipsoid_area = ea > 0 ? EllipsoidArea(ea, eb, ec) : 0.0;

  // Moran's I and Geary's C over the intensity mask, weights 1 / distance.
  const double mu = intensity_sum / static_cast<double>(weighted.size());
  std::vector<std::array<long, 3>> voxel_index;
  std::vector<double> voxel_value;
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i)
        if (intensity_mask(i, j, k) != 0) {
          voxel_index.push_back({static_cast<long>(i), static_cast<long>(j), static_cast<long>(k)});
          voxel_value.push_back(image(i, j, k));
        }
  const auto [morans_i, gearys_c] = MoranGeary(voxel_index, voxel_value, g.spacing);
  const double nan = std::numeric_limits<double>::quiet_NaN();

  const double sphericity = std::cbrt(36 * kPi * V * V) / A;
  const std::vector<std::pair<std::pair<const char*, const char*>, double>> values = {
      {{"Volume (mesh)", "RNU0"}, V},
      {{"Volume (voxel counting)", "YEKZ"}, voxel_volume},
      {{"Surface area (mesh)", "C0JK"}, A},
      {{"Surface to volume ratio", "2PR5"}, A / V},
      {{"Compactness 1", "SKGS"}, V / (std::sqrt(kPi) * std::pow(A, 1.5))},
      {{"Compactness 2", "BQWJ"}, 36 * kPi * V * V / (A * A * A)},
      {{"Spherical disproportion", "KRCK"}, A / std::cbrt(36 * kPi * V * V)},
      {{"Sphericity", "QCFX"}, sphericity},
      {{"Asphericity", "25C7"}, std::cbrt(A * A * A / (36 * kPi * V * V)) - 1},
      {{"Centre of mass shift", "KLMA"}, shift},
      {{"Maximum 3D diameter", "L0JK"}, diameter},
      {{"Major axis length", "TDIC"}, 4 * std::sqrt(l_major)},
      {{"Minor axis length", "P9VJ"}, 4 * std::sqrt(l_minor)},
      {{"Least axis length", "7J51"}, 4 * std::sqrt(l_least)},
      {{"Elongation", "Q3CK"}, l_major > 0 ? std::sqrt(l_minor / l_major) : nan},
      {{"Flatness", "N17B"}, l_major > 0 ? std::sqrt(l_least / l_major) : nan},
      {{"Volume density (axis-aligned bounding box)", "PBX1"}, V / box_volume},
      {{"Area density (axis-aligned bounding box)", "R59B"}, A / box_area},
      {{"Volume density (approximate enclosing ellipsoid)", "6BDE"}, V / ellipsoid_volume},
      {{"Area density (approximate enclosing ellipsoid)", "RDD2"}, A / ellipsoid_area},
      {{"Volume density (convex hull)", "R3ER"}, V / hull_volume},
      {{"Area density (convex hull)", "7T7F"}, A / hull_area},
      {{"Integrated intensity", "99N0"}, V * mu},
      {{"Moran’s I index", "N365"}, morans_i},
      {{"Geary’s C measure", "NPT7"}, gearys_c},
  };
  std::vector<Feature> out;
  for (const auto& [name, value] : values) out.push_back({"morph", name.first, name.second, Aggregation::kNone, value});
  return out;
}

}  // namespace lvsi::radiomics::ibsi

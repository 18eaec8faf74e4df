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
struct Hull {
  double volume = 0, area = 0;
  std::vector<Point> vertices;          // the points on the hull
  std::vector<Point> normals;           // its faces' unit outward normals
};

Hull ConvexHull(std::vector<Point> points, double scale) {
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
  Hull hull;
  std::set<std::size_t> on_hull;
  for (const auto& f : faces) {
    const Point n = Cross(Sub(points[f.v[1]], points[f.v[0]]), Sub(points[f.v[2]], points[f.v[0]]));
    const double length = Norm(n);
    hull.area += length / 2;
    hull.volume += Dot(n, Sub(points[f.v[0]], inside)) / 6;
    if (length > 0) hull.normals.push_back({n[0] / length, n[1] / length, n[2] / length});
    for (std::size_t v : f.v) on_hull.insert(v);
  }
  for (std::size_t v : on_hull) hull.vertices.push_back(points[v]);
  return hull;
}

// The smallest-area rectangle around 2-D points (rotating calipers on
// their convex hull): its area and side lengths.
struct Rectangle {
  double area, a, b;
};

Rectangle MinimumRectangle(std::vector<std::array<double, 2>> p) {
  std::sort(p.begin(), p.end());
  p.erase(std::unique(p.begin(), p.end()), p.end());
  if (p.size() < 3) {
    double span = 0;
    for (const auto& q : p) span = std::max(span, std::hypot(q[0] - p[0][0], q[1] - p[0][1]));
    return {0, span, 0};
  }
  const auto cross = [](const std::array<double, 2>& o, const std::array<double, 2>& a, const std::array<double, 2>& b) {
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  };
  std::vector<std::array<double, 2>> h(2 * p.size());
  std::size_t k = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {  // Andrew's monotone chain
    while (k >= 2 && cross(h[k - 2], h[k - 1], p[i]) <= 0) --k;
    h[k++] = p[i];
  }
  for (std::size_t i = p.size() - 1, t = k + 1; i-- > 0;) {
    while (k >= t && cross(h[k - 2], h[k - 1], p[i]) <= 0) --k;
    h[k++] = p[i];
  }
  h.resize(k - 1);
  Rectangle best{std::numeric_limits<double>::infinity(), 0, 0};
  for (std::size_t e = 0; e < h.size(); ++e) {  // one side flush with each edge
    const auto& a = h[e];
    const auto& b = h[(e + 1) % h.size()];
    const double len = std::hypot(b[0] - a[0], b[1] - a[1]);
    if (len == 0) continue;
    const double ux = (b[0] - a[0]) / len, uy = (b[1] - a[1]) / len;
    double lo_u = 1e300, hi_u = -1e300, lo_v = 1e300, hi_v = -1e300;
    for (const auto& q : h) {
      const double u = (q[0] - a[0]) * ux + (q[1] - a[1]) * uy, v = -(q[0] - a[0]) * uy + (q[1] - a[1]) * ux;
      lo_u = std::min(lo_u, u), hi_u = std::max(hi_u, u), lo_v = std::min(lo_v, v), hi_v = std::max(hi_v, v);
    }
    const double area = (hi_u - lo_u) * (hi_v - lo_v);
    if (area < best.area) best = {area, hi_u - lo_u, hi_v - lo_v};
  }
  return best;
}

// The oriented minimum bounding box, as the smallest of the boxes with one
// face flush with a face of the convex hull (each face's normal, the hull
// projected on its plane, the smallest rectangle there): its volume and
// area.  The exact minimum may instead touch the hull along edges only
// (O'Rourke); this is the approximation IBSI allows.
std::pair<double, double> OrientedBoundingBox(const Hull& hull) {
  double best_volume = std::numeric_limits<double>::infinity(), best_area = 0;
  // A normal and its opposite give the same box: one of each.
  std::vector<Point> normals;
  for (Point n : hull.normals) {
    const double first = std::abs(n[0]) > 1e-12 ? n[0] : std::abs(n[1]) > 1e-12 ? n[1] : n[2];
    if (first < 0) n = {-n[0], -n[1], -n[2]};
    normals.push_back(n);
  }
  std::sort(normals.begin(), normals.end());
  normals.erase(std::unique(normals.begin(), normals.end(),
                            [](const Point& a, const Point& b) { return Norm(Sub(a, b)) < 1e-9; }),
                normals.end());
  for (const Point& n : normals) {
    // An orthonormal basis (u, v) of the plane normal to n.
    const Point helper = std::abs(n[0]) < 0.9 ? Point{1, 0, 0} : Point{0, 1, 0};
    Point u = Cross(n, helper);
    const double lu = Norm(u);
    u = {u[0] / lu, u[1] / lu, u[2] / lu};
    const Point v = Cross(n, u);
    std::vector<std::array<double, 2>> projected;
    double lo = 1e300, hi = -1e300;
    for (const auto& p : hull.vertices) {
      projected.push_back({Dot(p, u), Dot(p, v)});
      lo = std::min(lo, Dot(p, n)), hi = std::max(hi, Dot(p, n));
    }
    const Rectangle r = MinimumRectangle(projected);
    const double height = hi - lo, volume = r.area * height;
    if (volume < best_volume) {
      best_volume = volume;
      best_area = 2 * (r.a * r.b + r.a * height + r.b * height);
    }
  }
  return {best_volume, best_area};
}

// The minimum volume enclosing ellipsoid of points (Khachiyan's algorithm
// until every point's q^T X^-1 q is within 1e-4 of 4, which bounds the
// volume to about 2e-4 of the minimum; the result is then scaled to hold
// every point): its semi-axes, largest first.  Each step moves weight to
// one point, a rank-one change of X = Q diag(u) Q^T, so X's inverse and
// every q^T X^-1 q are updated in O(n) (Sherman-Morrison), recomputed now
// and then against rounding.
std::array<double, 3> EnclosingEllipsoid(const std::vector<Point>& points) {
  const std::size_t n = points.size();
  std::vector<Eigen::Vector4d> q(n);
  for (std::size_t i = 0; i < n; ++i) q[i] << points[i][0], points[i][1], points[i][2], 1;
  std::vector<double> u(n, 1.0 / static_cast<double>(n)), m(n);
  Eigen::Matrix4d inverse;
  const auto recompute = [&] {
    Eigen::Matrix4d x = Eigen::Matrix4d::Zero();
    for (std::size_t i = 0; i < n; ++i) x += u[i] * q[i] * q[i].transpose();
    inverse = x.inverse();
    for (std::size_t i = 0; i < n; ++i) m[i] = q[i].dot(inverse * q[i]);
  };
  recompute();
  for (int iteration = 1; iteration <= 200000; ++iteration) {
    const std::size_t j = static_cast<std::size_t>(std::max_element(m.begin(), m.end()) - m.begin());
    if (m[j] <= 4 * (1 + 1e-4)) break;
    const double step = (m[j] - 4) / (4 * (m[j] - 1));
    // X' = (1 - step) X + step q_j q_j^T.
    const double a = step / (1 - step);
    const Eigen::Vector4d w = inverse * q[j];
    const double denominator = 1 + a * m[j];
    for (std::size_t i = 0; i < n; ++i) {
      const double c = q[i].dot(w);
      m[i] = (m[i] - a * c * c / denominator) / (1 - step);
    }
    inverse = (inverse - a * w * w.transpose() / denominator) / (1 - step);
    for (double& v : u) v *= 1 - step;
    u[j] += step;
    if (iteration % 2000 == 0) recompute();
  }
  Eigen::Vector3d centre = Eigen::Vector3d::Zero();
  for (std::size_t i = 0; i < n; ++i) centre += u[i] * q[i].head<3>();
  Eigen::Matrix3d spread = Eigen::Matrix3d::Zero();
  for (std::size_t i = 0; i < n; ++i) spread += u[i] * q[i].head<3>() * q[i].head<3>().transpose();
  const Eigen::Matrix3d shape = 3 * (spread - centre * centre.transpose());  // the ellipsoid's matrix, inverted
  const Eigen::Matrix3d matrix = shape.inverse();
  double reach = 1;  // every point inside: (p - c)^T M (p - c) <= reach
  for (std::size_t i = 0; i < n; ++i) {
    const Eigen::Vector3d d = q[i].head<3>() - centre;
    reach = std::max(reach, d.dot(matrix * d));
  }
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> es(shape, Eigen::EigenvaluesOnly);
  std::array<double, 3> axes{};
  for (int k = 0; k < 3; ++k)
    axes[static_cast<std::size_t>(k)] = std::sqrt(std::max(0.0, es.eigenvalues()(2 - k)) * reach);
  return axes;
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
  std::vector<Point> centres;                      // morphological mask voxel centres [mm]
  std::vector<std::array<long, 3>> voxel_index;    // intensity mask: voxels
  std::vector<double> voxel_value;                 // and their intensities
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
          voxel_index.push_back({static_cast<long>(i), static_cast<long>(j), static_cast<long>(k)});
          voxel_value.push_back(x);
        }
      }
  if (centres.empty() || voxel_value.empty()) throw DataError(Input::kMask, "IBSI morphology: the ROI is empty");
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
  double total = 0;
  for (std::size_t n = 0; n < voxel_value.size(); ++n) {
    for (int i = 0; i < 3; ++i) weighted_centre[i] += voxel_value[n] * static_cast<double>(voxel_index[n][i]) * g.spacing[i];
    total += voxel_value[n];
  }
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
  const Hull hull = ConvexHull(vertices, scale);
  const double hull_volume = hull.volume, hull_area = hull.area;
  const auto [box_oriented_volume, box_oriented_area] = OrientedBoundingBox(hull);
  const std::array<double, 3> mvee = EnclosingEllipsoid(hull.vertices);
  const double mvee_volume = 4 * kPi * mvee[0] * mvee[1] * mvee[2] / 3;
  const double mvee_area = mvee[0] > 0 ? EllipsoidArea(mvee[0], mvee[1], mvee[2]) : 0.0;

  // The approximate enclosing ellipsoid: semi-axes 2 sqrt(lambda).
  const double ea = 2 * std::sqrt(l_major), eb = 2 * std::sqrt(l_minor), ec = 2 * std::sqrt(l_least);
  const double ellipsoid_volume = 4 * kPi * ea * eb * ec / 3;
  const double ellipsoid_area = ea > 0 ? EllipsoidArea(ea, eb, ec) : 0.0;

  // Moran's I and Geary's C over the intensity mask, weights 1 / distance.
  const double mu = total / static_cast<double>(voxel_value.size());
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
      {{"Volume density (oriented minimum bounding box)", "ZH1A"}, V / box_oriented_volume},
      {{"Area density (oriented minimum bounding box)", "IQYR"}, A / box_oriented_area},
      {{"Volume density (approximate enclosing ellipsoid)", "6BDE"}, V / ellipsoid_volume},
      {{"Area density (approximate enclosing ellipsoid)", "RDD2"}, A / ellipsoid_area},
      {{"Volume density (minimum volume enclosing ellipsoid)", "SWZ1"}, V / mvee_volume},
      {{"Area density (minimum volume enclosing ellipsoid)", "BRI8"}, A / mvee_area},
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

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <string_view>

#include "detail/texture.h"
#include "lvsi/core/error.h"
#include "lvsi/radiomics/features.h"

namespace lvsi::radiomics {
namespace {

#include "detail/marching_cubes_table.inc"

// Cube corners and edge midpoints as (z, y, x) offsets, in the numbering of
// the triangle table.
constexpr int kCorner[8][3] = {{0, 0, 0}, {0, 0, 1}, {0, 1, 1}, {0, 1, 0},
                               {1, 0, 0}, {1, 0, 1}, {1, 1, 1}, {1, 1, 0}};
constexpr double kEdge[12][3] = {{0, 0, 0.5}, {0, 0.5, 1}, {0, 1, 0.5}, {0, 0.5, 0},
                                 {1, 0, 0.5}, {1, 0.5, 1}, {1, 1, 0.5}, {1, 0.5, 0},
                                 {0.5, 0, 0}, {0.5, 0, 1}, {0.5, 1, 1}, {0.5, 1, 0}};

// A mesh vertex in doubled index units (exact), (z, y, x).
struct Vertex {
  long c[3];
};

// Scratch space of KeepExtremes, kept from one call to the next.
struct ExtremesScratch {
  std::vector<std::size_t> least, greatest;
  std::vector<char> keep;
  std::vector<Vertex> out;
};

// Keeps, for every line parallel to `axis`, only the two extreme vertices
// (pts is replaced); points strictly between them cannot be end points of
// a diameter.
void KeepExtremes(std::vector<Vertex>& pts, int axis, int dims, ExtremesScratch& scratch) {
  if (pts.empty()) return;
  // Lines are cells of a table over the other coordinates' ranges; each
  // holds its first points of least and greatest coordinate along `axis`.
  int other[2] = {0, 0}, count = 0;
  for (int d = 0; d < dims; ++d)
    if (d != axis) other[count++] = d;
  long low[2] = {0, 0}, span[2] = {1, 1};
  for (int q = 0; q < count; ++q) {
    long lo = pts[0].c[other[q]], hi = lo;
    for (const Vertex& v : pts) {
      lo = std::min(lo, v.c[other[q]]);
      hi = std::max(hi, v.c[other[q]]);
    }
    low[q] = lo;
    span[q] = hi - lo + 1;
  }
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::vector<std::size_t>& least = scratch.least;
  std::vector<std::size_t>& greatest = scratch.greatest;
  least.assign(static_cast<std::size_t>(span[0] * span[1]), kNone);
  greatest.assign(least.size(), kNone);
  for (std::size_t n = 0; n < pts.size(); ++n) {
    const Vertex& v = pts[n];
    const auto cell = static_cast<std::size_t>((count > 0 ? v.c[other[0]] - low[0] : 0) * span[1] +
                                               (count > 1 ? v.c[other[1]] - low[1] : 0));
    if (least[cell] == kNone) {
      least[cell] = greatest[cell] = n;
      continue;
    }
    if (v.c[axis] < pts[least[cell]].c[axis]) least[cell] = n;
    if (v.c[axis] > pts[greatest[cell]].c[axis]) greatest[cell] = n;
  }
  std::vector<char>& keep = scratch.keep;
  keep.assign(pts.size(), 0);
  for (std::size_t cell = 0; cell < least.size(); ++cell)
    if (least[cell] != kNone) keep[least[cell]] = keep[greatest[cell]] = 1;
  std::vector<Vertex>& out = scratch.out;
  out.clear();
  for (std::size_t n = 0; n < pts.size(); ++n)
    if (keep[n]) out.push_back(pts[n]);
  pts.swap(out);
}

double MaxSquaredDistance(const std::vector<Vertex>& pts, const double* half_spacing, int dims) {
  double best = 0;
  for (std::size_t a = 0; a < pts.size(); ++a)
    for (std::size_t b = a + 1; b < pts.size(); ++b) {
      double d2 = 0;
      for (int d = 0; d < dims; ++d) {
        const double t = static_cast<double>(pts[a].c[d] - pts[b].c[d]) * half_spacing[d];
        d2 += t * t;
      }
      best = std::max(best, d2);
    }
  return best;
}

// Largest distance between vertices sharing coordinate `axis` (or any pair
// when axis < 0).
double Diameter(const std::vector<Vertex>& pts, int axis, const double* half_spacing, int dims) {
  ExtremesScratch scratch;
  if (axis < 0) {
    std::vector<Vertex> c = pts;
    for (int d = 0; d < dims; ++d) KeepExtremes(c, d, dims, scratch);
    return std::sqrt(MaxSquaredDistance(c, half_spacing, dims));
  }
  // The planes across `axis`, each keeping its points' order.
  std::vector<Vertex> sorted = pts;
  std::stable_sort(sorted.begin(), sorted.end(), [axis](const Vertex& a, const Vertex& b) { return a.c[axis] < b.c[axis]; });
  double best = 0;
  std::vector<Vertex> plane;
  for (std::size_t a = 0; a < sorted.size();) {
    std::size_t b = a + 1;
    while (b < sorted.size() && sorted[b].c[axis] == sorted[a].c[axis]) ++b;
    plane.assign(sorted.begin() + static_cast<long>(a), sorted.begin() + static_cast<long>(b));
    for (int d = 0; d < dims; ++d)
      if (d != axis) KeepExtremes(plane, d, dims, scratch);
    best = std::max(best, MaxSquaredDistance(plane, half_spacing, dims));
    a = b;
  }
  return std::sqrt(best);
}

double SqrtOrNaN(double v) { return v < 0 ? std::numeric_limits<double>::quiet_NaN() : std::sqrt(v); }

}  // namespace

// ------------------------------------------------------------------- 3-D

ShapeFeatures::ShapeFeatures(const Mask& mask) {
  const Geometry& g = mask.geometry();
  const long X = static_cast<long>(g.size[0]) + 2, Y = static_cast<long>(g.size[1]) + 2,
             Z = static_cast<long>(g.size[2]) + 2;
  // Zero-padded copy, indexed (z, y, x).
  std::vector<char> m(static_cast<std::size_t>(X * Y * Z), 0);
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i)
        if (mask(i, j, k))
          m[static_cast<std::size_t>((static_cast<long>(k) + 1) * X * Y + (static_cast<long>(j) + 1) * X +
                                     static_cast<long>(i) + 1)] = 1;
  const double sp[3] = {g.spacing[2], g.spacing[1], g.spacing[0]};  // z, y, x
  const long stride[3] = {X * Y, X, 1};
  std::vector<Vertex> vertices;
  double volume = 0, surface = 0;
  for (long iz = 0; iz < Z - 1; ++iz)
    for (long iy = 0; iy < Y - 1; ++iy)
      for (long ix = 0; ix < X - 1; ++ix) {
        unsigned cube = 0;
        for (int c = 0; c < 8; ++c)
          if (m[static_cast<std::size_t>((iz + kCorner[c][0]) * stride[0] + (iy + kCorner[c][1]) * stride[1] +
                                         (ix + kCorner[c][2]) * stride[2])])
            cube |= 1u << c;
        double sign = 1;
        if (cube & 0x80) {
          cube ^= 0xff;
          sign = -1;
        }
        // Each vertex is stored once: by the cube owning edges 6, 7 and 11.
        static constexpr int kPoint[3] = {6, 4, 3}, kOwnEdge[3] = {6, 7, 11};
        for (int t = 0; t < 3; ++t)
          if (cube & (1u << kPoint[t])) {
            const double* e = kEdge[kOwnEdge[t]];
            vertices.push_back({{2 * iz + static_cast<long>(2 * e[0]), 2 * iy + static_cast<long>(2 * e[1]),
                                 2 * ix + static_cast<long>(2 * e[2])}});
          }
        if (cube == 0) continue;
        const long pos[3] = {iz, iy, ix};
        for (int t = 0; kTriangleTable[cube][3 * t] >= 0; ++t) {
          double p[3][3];
          for (int v = 0; v < 3; ++v)
            for (int d = 0; d < 3; ++d)
              p[v][d] = (static_cast<double>(pos[d]) + kEdge[kTriangleTable[cube][3 * t + v]][d]) * sp[d];
          const double* a = p[0];
          const double* b = p[1];
          const double* c = p[2];
          const double ab[3] = {a[1] * b[2] - b[1] * a[2], a[2] * b[0] - b[2] * a[0], a[0] * b[1] - b[0] * a[1]};
          volume += sign * (ab[0] * c[0] + ab[1] * c[1] + ab[2] * c[2]);
          const double u[3] = {a[0] - c[0], a[1] - c[1], a[2] - c[2]};
          const double w[3] = {b[0] - c[0], b[1] - c[1], b[2] - c[2]};
          const double x[3] = {u[1] * w[2] - w[1] * u[2], u[2] * w[0] - w[2] * u[0], u[0] * w[1] - w[0] * u[1]};
          surface += 0.5 * std::sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
        }
      }
  volume_ = volume / 6;
  surface_ = surface;
  const double half[3] = {sp[0] / 2, sp[1] / 2, sp[2] / 2};
  for (int axis = 0; axis < 3; ++axis) diameters_[axis] = Diameter(vertices, axis, half, 3);
  diameters_[3] = Diameter(vertices, -1, half, 3);

  // PCA of the voxel centres (physical coordinates).
  std::vector<std::array<double, 3>> pts;
  Eigen::Vector3d mean = Eigen::Vector3d::Zero();
  for (long iz = 0; iz < Z; ++iz)
    for (long iy = 0; iy < Y; ++iy)
      for (long ix = 0; ix < X; ++ix)
        if (m[static_cast<std::size_t>(iz * stride[0] + iy * stride[1] + ix)]) {
          pts.push_back({static_cast<double>(iz) * sp[0], static_cast<double>(iy) * sp[1],
                         static_cast<double>(ix) * sp[2]});
          mean += Eigen::Vector3d(pts.back()[0], pts.back()[1], pts.back()[2]);
        }
  voxels_ = pts.size();
  voxel_volume_ = sp[0] * sp[1] * sp[2];
  if (voxels_ == 0) throw DataError(Input::kMask, "shape features need a non-empty mask");
  mean /= static_cast<double>(voxels_);
  Eigen::Matrix3d cov = Eigen::Matrix3d::Zero();
  const double scale = 1.0 / std::sqrt(static_cast<double>(voxels_));
  for (const auto& p : pts) {
    const Eigen::Vector3d v = (Eigen::Vector3d(p[0], p[1], p[2]) - mean) * scale;
    cov += v * v.transpose();
  }
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> es(cov, Eigen::EigenvaluesOnly);
  for (int k = 0; k < 3; ++k) {
    double e = es.eigenvalues()(k);
    if (e < 0 && e > -1e-10) e = 0;
    eigen_[k] = e;
  }
  std::sort(eigen_, eigen_ + 3);
}

namespace {

constexpr double kPi = 3.14159265358979323846;

// What the 3-D shape features read: the mesh's volume V and area A, the
// diameters, the eigenvalues of the voxel-centre covariance (ascending)
// and the voxel count.
struct Shape3D {
  double V = 0, A = 0;
  const double* diameters = nullptr;  // slice, column, row, 3D [mm]
  const double* eigen = nullptr;      // ascending [mm^2]
  std::size_t voxels = 0;
  double voxel_volume = 0;
};

using ShapeRow = detail::FeatureRow<const Shape3D>;

const std::vector<ShapeRow>& ShapeRows() {
  static const std::vector<ShapeRow> kRows = {
      {{"MeshVolume", false, "RNU0", R"(V = \sum_f \frac{Oa_f \cdot (Ob_f \times Oc_f)}{6} over the marching-cubes mesh.)", "",
        "mm^3"},
       [](const Shape3D& s) { return s.V; }},
      {{"VoxelVolume", false, "YEKZ", R"(N_v V_{voxel}.)", "", "mm^3"},
       [](const Shape3D& s) { return static_cast<double>(s.voxels) * s.voxel_volume; }},
      {{"SurfaceArea", false, "C0JK", R"(A = \sum_f \frac12 |a_fb_f \times a_fc_f|.)", "", "mm^2"},
       [](const Shape3D& s) { return s.A; }},
      {{"SurfaceVolumeRatio", false, "2PR5", R"(A/V.)", "", "mm^{-1}"}, [](const Shape3D& s) { return s.A / s.V; }},
      {{"Sphericity", false, "QCFX", R"(\sqrt[3]{36\pi V^2}/A.)", "", "unitless"},
       [](const Shape3D& s) { return std::cbrt(36 * kPi * s.V * s.V) / s.A; }},
      {{"Compactness1", true, "SKGS", R"(V/\sqrt{\pi A^3}.)", "Same definition as IBSI.", "unitless"},
       [](const Shape3D& s) { return s.V / (std::pow(s.A, 1.5) * std::sqrt(kPi)); }},
      {{"Compactness2", true, "BQWJ", R"(36\pi V^2/A^3.)", "", "unitless"},
       [](const Shape3D& s) { return 36 * kPi * s.V * s.V / (s.A * s.A * s.A); }},
      {{"SphericalDisproportion", true, "KRCK", R"(A/\sqrt[3]{36\pi V^2}.)", "", "unitless"},
       [](const Shape3D& s) { return s.A / std::cbrt(36 * kPi * s.V * s.V); }},
      {{"Maximum3DDiameter", false, "L0JK", R"(Largest distance between mesh vertices.)", "", "mm"},
       [](const Shape3D& s) { return s.diameters[3]; }},
      {{"Maximum2DDiameterSlice", false, "", R"(Largest distance between mesh vertices in one axial (row-column) plane.)",
        "Not in IBSI.", "mm"},
       [](const Shape3D& s) { return s.diameters[0]; }},
      {{"Maximum2DDiameterColumn", false, "",
        R"(Largest distance between mesh vertices in one coronal (row-slice) plane.)", "Not in IBSI.", "mm"},
       [](const Shape3D& s) { return s.diameters[1]; }},
      {{"Maximum2DDiameterRow", false, "",
        R"(Largest distance between mesh vertices in one sagittal (column-slice) plane.)", "Not in IBSI.", "mm"},
       [](const Shape3D& s) { return s.diameters[2]; }},
      {{"MajorAxisLength", false, "TDIC", R"(4\sqrt{\lambda_{major}} of the voxel-centre covariance.)", "", "mm"},
       [](const Shape3D& s) { return 4 * SqrtOrNaN(s.eigen[2]); }},
      {{"MinorAxisLength", false, "P9VJ", R"(4\sqrt{\lambda_{minor}}.)", "", "mm"},
       [](const Shape3D& s) { return 4 * SqrtOrNaN(s.eigen[1]); }},
      {{"LeastAxisLength", false, "7J51", R"(4\sqrt{\lambda_{least}}.)", "", "mm"},
       [](const Shape3D& s) { return 4 * SqrtOrNaN(s.eigen[0]); }},
      {{"Elongation", false, "Q3CK", R"(\sqrt{\lambda_{minor}/\lambda_{major}}.)", "", "unitless"},
       [](const Shape3D& s) { return (s.eigen[1] < 0 || s.eigen[2] < 0) ? std::nan("") : std::sqrt(s.eigen[1] / s.eigen[2]); }},
      {{"Flatness", false, "N17B", R"(\sqrt{\lambda_{least}/\lambda_{major}}.)", "", "unitless"},
       [](const Shape3D& s) { return (s.eigen[0] < 0 || s.eigen[2] < 0) ? std::nan("") : std::sqrt(s.eigen[0] / s.eigen[2]); }},
  };
  return kRows;
}

// What the 2-D shape features read: the perimeter's length P and enclosed
// area A, the largest diameter, the pixel covariance's eigenvalues
// (ascending) and the pixel count.
struct Shape2D {
  double P = 0, A = 0, diameter = 0;
  const double* eigen = nullptr;
  std::size_t pixels = 0;
  double pixel_area = 0;
};

using Shape2DRow = detail::FeatureRow<const Shape2D>;

const std::vector<Shape2DRow>& Shape2DRows() {
  static const char* const kNoIbsi = "Not in IBSI, whose morphology is 3D.";
  static const std::vector<Shape2DRow> kRows = {
      {{"MeshSurface", false, "", R"(Signed area enclosed by the marching-squares perimeter.)", kNoIbsi, "mm^2"},
       [](const Shape2D& s) { return s.A; }},
      {{"PixelSurface", false, "", R"(N_p A_{pixel}.)", kNoIbsi, "mm^2"},
       [](const Shape2D& s) { return static_cast<double>(s.pixels) * s.pixel_area; }},
      {{"Perimeter", false, "", R"(Length of the marching-squares perimeter.)", kNoIbsi, "mm"},
       [](const Shape2D& s) { return s.P; }},
      {{"PerimeterSurfaceRatio", false, "", R"(P/A.)", kNoIbsi, "mm^{-1}"}, [](const Shape2D& s) { return s.P / s.A; }},
      {{"Sphericity", false, "", R"(2\sqrt{\pi A}/P.)", kNoIbsi, "unitless"},
       [](const Shape2D& s) { return 2 * std::sqrt(kPi * s.A) / s.P; }},
      {{"SphericalDisproportion", true, "", R"(P/(2\sqrt{\pi A}).)", kNoIbsi, "unitless"},
       [](const Shape2D& s) { return s.P / (2 * std::sqrt(kPi * s.A)); }},
      {{"MaximumDiameter", false, "", R"(Largest distance between perimeter vertices.)", kNoIbsi, "mm"},
       [](const Shape2D& s) { return s.diameter; }},
      {{"MajorAxisLength", false, "", R"(4\sqrt{\lambda_{major}}.)", kNoIbsi, "mm"},
       [](const Shape2D& s) { return 4 * SqrtOrNaN(s.eigen[1]); }},
      {{"MinorAxisLength", false, "", R"(4\sqrt{\lambda_{minor}}.)", kNoIbsi, "mm"},
       [](const Shape2D& s) { return 4 * SqrtOrNaN(s.eigen[0]); }},
      {{"Elongation", false, "", R"(\sqrt{\lambda_{minor}/\lambda_{major}}.)", kNoIbsi, "unitless"},
       [](const Shape2D& s) { return (s.eigen[0] < 0 || s.eigen[1] < 0) ? std::nan("") : std::sqrt(s.eigen[0] / s.eigen[1]); }},
  };
  return kRows;
}

}  // namespace

const std::vector<FeatureInfo>& ShapeFeatures::Features() {
  static const std::vector<FeatureInfo> kInfos = detail::InfosOf(ShapeRows());
  return kInfos;
}

FeatureList ShapeFeatures::Compute(const std::vector<std::string>& names) const {
  const auto wanted = detail::ResolveNames(Features(), names, "shape");
  const Shape3D shape{volume_, surface_, diameters_, eigen_, voxels_, voxel_volume_};
  return detail::Named(wanted, detail::Evaluate(ShapeRows(), wanted, shape, "shape"));
}

// ------------------------------------------------------------------- 2-D

Shape2DFeatures::Shape2DFeatures(const Mask& mask, int force2d_dimension) {
  const Geometry& g = mask.geometry();
  if (force2d_dimension < 0 || force2d_dimension > 2)
    throw InvalidArgument("force2Ddimension must be 0, 1 or 2");
  // pyradiomics axis k (0 = z, 1 = y, 2 = x) is lvsi axis 2 - k.
  const int out_axis = 2 - force2d_dimension;
  if (g.size[static_cast<std::size_t>(out_axis)] != 1)
    throw InvalidArgument("shape2D needs a ROI one voxel thick along force2Ddimension " +
                          std::to_string(force2d_dimension) + "; it has " +
                          std::to_string(g.size[static_cast<std::size_t>(out_axis)]));
  // Remaining axes in pyradiomics order (slow, fast).
  int ax[2], k = 0;
  for (int d = 2; d >= 0; --d)
    if (d != out_axis) ax[k++] = d;
  const long A = static_cast<long>(g.size[static_cast<std::size_t>(ax[0])]) + 2;
  const long B = static_cast<long>(g.size[static_cast<std::size_t>(ax[1])]) + 2;
  const double sp[2] = {g.spacing[static_cast<std::size_t>(ax[0])], g.spacing[static_cast<std::size_t>(ax[1])]};
  std::vector<char> m(static_cast<std::size_t>(A * B), 0);
  for (std::size_t n = 0; n < mask.size(); ++n) {
    if (!mask[n]) continue;
    const std::size_t idx[3] = {n % g.size[0], (n / g.size[0]) % g.size[1], n / (g.size[0] * g.size[1])};
    m[static_cast<std::size_t>((static_cast<long>(idx[ax[0]]) + 1) * B + static_cast<long>(idx[ax[1]]) + 1)] = 1;
  }
  static constexpr int kCorner2[4][2] = {{0, 0}, {0, 1}, {1, 1}, {1, 0}};
  static constexpr int kLines[16][5] = {
      {-1, -1, -1, -1, -1}, {3, 0, -1, -1, -1}, {0, 1, -1, -1, -1}, {3, 1, -1, -1, -1},
      {1, 2, -1, -1, -1},   {1, 2, 3, 0, -1},   {0, 2, -1, -1, -1}, {3, 2, -1, -1, -1},
      {2, 3, -1, -1, -1},   {2, 0, -1, -1, -1}, {0, 1, 2, 3, -1},   {2, 1, -1, -1, -1},
      {1, 3, -1, -1, -1},   {1, 0, -1, -1, -1}, {0, 3, -1, -1, -1}, {-1, -1, -1, -1, -1}};
  static constexpr double kEdge2[4][2] = {{0, 0.5}, {0.5, 1}, {1, 0.5}, {0.5, 0}};
  std::vector<Vertex> vertices;
  double perimeter = 0, surface = 0;
  for (long ia = 0; ia < A - 1; ++ia)
    for (long ib = 0; ib < B - 1; ++ib) {
      unsigned sq = 0;
      for (int c = 0; c < 4; ++c)
        if (m[static_cast<std::size_t>((ia + kCorner2[c][0]) * B + ib + kCorner2[c][1])]) sq |= 1u << c;
      if (sq == 0 || sq == 0xF) continue;
      for (int t = 0; kLines[sq][2 * t] >= 0; ++t) {
        double a[2], b[2];
        for (int d = 0; d < 2; ++d) {
          const double base = d == 0 ? static_cast<double>(ia) : static_cast<double>(ib);
          a[d] = (base + kEdge2[kLines[sq][2 * t]][d]) * sp[d];
          b[d] = (base + kEdge2[kLines[sq][2 * t + 1]][d]) * sp[d];
        }
        surface += a[0] * b[1] - b[0] * a[1];
        perimeter += std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]));
      }
      unsigned own = sq > 7 ? sq ^ 0xF : sq;
      static constexpr int kPoint2[2] = {0, 2}, kOwnEdge2[2] = {3, 2};
      for (int t = 0; t < 2; ++t)
        if (own & (1u << kPoint2[t])) {
          const double* e = kEdge2[kOwnEdge2[t]];
          vertices.push_back({{2 * ia + static_cast<long>(2 * e[0]), 2 * ib + static_cast<long>(2 * e[1]), 0}});
        }
    }
  perimeter_ = perimeter;
  surface_ = surface / 2;
  const double half[2] = {sp[0] / 2, sp[1] / 2};
  diameter_ = Diameter(vertices, -1, half, 2);
  Eigen::Vector2d mean = Eigen::Vector2d::Zero();
  std::vector<Eigen::Vector2d> pts;
  for (long ia = 0; ia < A; ++ia)
    for (long ib = 0; ib < B; ++ib)
      if (m[static_cast<std::size_t>(ia * B + ib)]) {
        pts.emplace_back(static_cast<double>(ia) * sp[0], static_cast<double>(ib) * sp[1]);
        mean += pts.back();
      }
  pixels_ = pts.size();
  pixel_area_ = sp[0] * sp[1];
  if (pixels_ == 0) throw DataError(Input::kMask, "shape2D features need a non-empty mask");
  mean /= static_cast<double>(pixels_);
  Eigen::Matrix2d cov = Eigen::Matrix2d::Zero();
  const double scale = 1.0 / std::sqrt(static_cast<double>(pixels_));
  for (const auto& p : pts) {
    const Eigen::Vector2d v = (p - mean) * scale;
    cov += v * v.transpose();
  }
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> es(cov, Eigen::EigenvaluesOnly);
  for (int d = 0; d < 2; ++d) {
    double e = es.eigenvalues()(d);
    if (e < 0 && e > -1e-10) e = 0;
    eigen_[d] = e;
  }
  std::sort(eigen_, eigen_ + 2);
}

const std::vector<FeatureInfo>& Shape2DFeatures::Features() {
  static const std::vector<FeatureInfo> kInfos = detail::InfosOf(Shape2DRows());
  return kInfos;
}

FeatureList Shape2DFeatures::Compute(const std::vector<std::string>& names) const {
  const auto wanted = detail::ResolveNames(Features(), names, "shape2D");
  const Shape2D shape{perimeter_, surface_, diameter_, eigen_, pixels_, pixel_area_};
  return detail::Named(wanted, detail::Evaluate(Shape2DRows(), wanted, shape, "shape2D"));
}

const std::vector<std::string>& FeatureClassNames() {
  static const std::vector<std::string> kNames{"firstorder", "glcm", "gldm", "glrlm",
                                               "glszm", "ngtdm", "shape", "shape2D"};
  return kNames;
}

const std::vector<FeatureInfo>& FeatureClassInfo(const std::string& family) {
  if (family == "firstorder") return FirstOrderFeatures::Features();
  if (family == "glcm") return GlcmFeatures::Features();
  if (family == "gldm") return GldmFeatures::Features();
  if (family == "glrlm") return GlrlmFeatures::Features();
  if (family == "glszm") return GlszmFeatures::Features();
  if (family == "ngtdm") return NgtdmFeatures::Features();
  if (family == "shape") return ShapeFeatures::Features();
  if (family == "shape2D") return Shape2DFeatures::Features();
  throw InvalidArgument("unknown feature class '" + family +
                        "' (firstorder, glcm, gldm, glrlm, glszm, ngtdm, shape, shape2D)");
}

}  // namespace lvsi::radiomics

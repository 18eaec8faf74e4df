// Local binary patterns: pyradiomics' LBP2D (scikit-image) and LBP3D
// (spherical harmonics on scipy spline samples).
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "lvsi/core/error.h"
#include "detail/storage.h"
#include "lvsi/preprocessing/filters.h"

namespace lvsi::preprocessing {
namespace {

constexpr double kPi = 3.141592653589793238462643383279502884;

// The value an array of `type` holds after numpy assigns `v` to it
// (C conversion: integers truncate toward zero).
double StoreTruncated(double v, StoragePixelType type) {
  if (type == StoragePixelType::kFloat64 || std::isnan(v)) return v;
  if (type == StoragePixelType::kFloat32) return static_cast<double>(static_cast<float>(v));
  return std::trunc(v);
}

// The value scipy.ndimage writes into an output array of `type`
// (CASE_INTERP_OUT_INT / _UINT: integers round half away from zero, then
// clamp as any cast to the type).
double StoreRounded(double t, StoragePixelType type) {
  const bool integer = type != StoragePixelType::kFloat64 && type != StoragePixelType::kFloat32;
  return detail::CastToStorage(integer ? (t > 0 ? t + 0.5 : t - 0.5) : t, type);
}

// ---------------------------------------------------------------- LBP 2D

unsigned RotateRight(unsigned value, int length) {
  return (value >> 1) | ((value & 1u) << (length - 1));
}

// The code of one pattern (bits[i] = sample i >= centre).
double PatternCode(const std::vector<signed char>& bits, const std::vector<double>& texture, LbpMethod method) {
  const int p = static_cast<int>(bits.size());
  if (method == LbpMethod::kVar) {
    double sum = 0, sq = 0;
    for (double t : texture) {
      sum += t;
      sq += t * t;
    }
    const double var = (sq - (sum * sum) / p) / p;
    return var != 0 ? var : std::numeric_limits<double>::quiet_NaN();
  }
  if (method == LbpMethod::kUniform || method == LbpMethod::kNriUniform) {
    int changes = 0;  // scikit-image does not count the wrap-around change
    for (int i = 0; i + 1 < p; ++i) changes += bits[i] != bits[i + 1];
    if (method == LbpMethod::kUniform) {
      if (changes > 2) return p + 1;
      int ones = 0;
      for (auto b : bits) ones += b;
      return ones;
    }
    if (changes > 2) return p * (p - 1) + 2;
    int ones = 0, first_one = -1, first_zero = -1;
    for (int i = 0; i < p; ++i) {
      if (bits[i]) {
        ++ones;
        if (first_one < 0) first_one = i;
      } else if (first_zero < 0) {
        first_zero = i;
      }
    }
    if (ones == 0) return 0;
    if (ones == p) return p * (p - 1) + 1;
    const int rot = first_one == 0 ? ones - first_zero : p - first_one;
    return 1 + (ones - 1) * p + rot;
  }
  unsigned code = 0;
  for (int i = 0; i < p; ++i) code += static_cast<unsigned>(bits[i]) << i;
  if (method == LbpMethod::kRor) {
    unsigned best = code, r = code;
    for (int i = 1; i < p; ++i) {
      r = RotateRight(r, p);
      best = std::min(best, r);
    }
    code = best;
  }
  return code;
}

// ---------------------------------------------------------------- LBP 3D

// trimesh.creation.icosphere: the icosahedron scaled to unit radius, then
// `subdivisions` times split at the edge midpoints and pushed out to the
// sphere (v + unit * (radius - |v|)).
std::vector<std::array<double, 3>> Icosphere(int subdivisions, double radius) {
  const double t = (1.0 + std::sqrt(5.0)) / 2.0;
  const double base[12][3] = {{-1, t, 0}, {1, t, 0}, {-1, -t, 0}, {1, -t, 0}, {0, -1, t}, {0, 1, t},
                              {0, -1, -t}, {0, 1, -t}, {t, 0, -1}, {t, 0, 1}, {-t, 0, -1}, {-t, 0, 1}};
  std::vector<std::array<double, 3>> v;
  const double scale = std::sqrt(2.0 + t);
  for (const auto& b : base) v.push_back({b[0] / scale, b[1] / scale, b[2] / scale});
  // Faces: the triples of mutually adjacent vertices (edge length 2 before scaling).
  auto adjacent = [&](std::size_t a, std::size_t b) {
    double d = 0;
    for (int c = 0; c < 3; ++c) d += (base[a][c] - base[b][c]) * (base[a][c] - base[b][c]);
    return std::abs(d - 4.0) < 1e-9;
  };
  std::vector<std::array<std::size_t, 3>> faces;
  for (std::size_t a = 0; a < 12; ++a)
    for (std::size_t b = a + 1; b < 12; ++b)
      for (std::size_t c = b + 1; c < 12; ++c)
        if (adjacent(a, b) && adjacent(b, c) && adjacent(a, c)) faces.push_back({a, b, c});
  for (int s = 0; s < subdivisions; ++s) {
    std::map<std::pair<std::size_t, std::size_t>, std::size_t> midpoint;
    auto mid = [&](std::size_t a, std::size_t b) {
      const auto key = std::minmax(a, b);
      auto it = midpoint.find(key);
      if (it != midpoint.end()) return it->second;
      v.push_back({(v[a][0] + v[b][0]) / 2, (v[a][1] + v[b][1]) / 2, (v[a][2] + v[b][2]) / 2});
      midpoint.emplace(key, v.size() - 1);
      return v.size() - 1;
    };
    std::vector<std::array<std::size_t, 3>> next;
    for (const auto& f : faces) {
      const std::size_t ab = mid(f[0], f[1]), bc = mid(f[1], f[2]), ca = mid(f[2], f[0]);
      next.push_back({f[0], ab, ca});
      next.push_back({f[1], bc, ab});
      next.push_back({f[2], ca, bc});
      next.push_back({ab, bc, ca});
    }
    faces = std::move(next);
    for (auto& p : v) {
      const double norm = std::sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]);
      const double offset = radius - norm;
      for (int c = 0; c < 3; ++c) p[c] += p[c] / norm * offset;
    }
  }
  return v;
}

// scipy.special.sph_harm(m, n, theta, phi): azimuth theta, polar phi,
// orthonormal with the Condon-Shortley phase.
std::complex<double> SphHarm(int m, int n, double theta, double phi) {
  const int am = std::abs(m);
  const double x = std::cos(phi);
  // Associated Legendre P_n^|m|(x) with the Condon-Shortley phase.
  double pmm = 1.0;
  const double somx2 = std::sqrt((1.0 - x) * (1.0 + x));
  double fact = 1.0;
  for (int i = 1; i <= am; ++i) {
    pmm *= -fact * somx2;
    fact += 2.0;
  }
  double p = pmm;
  if (n > am) {
    double pmmp1 = x * (2 * am + 1) * pmm;
    p = pmmp1;
    for (int l = am + 2; l <= n; ++l) {
      const double pll = (x * (2 * l - 1) * pmmp1 - (l + am - 1) * pmm) / (l - am);
      pmm = pmmp1;
      pmmp1 = pll;
      p = pll;
    }
  }
  // sqrt((2n+1)/(4 pi) (n-|m|)!/(n+|m|)!); negative m: (-1)^m conj(Y_n^|m|).
  double ratio = 1.0;
  for (int k = n - am + 1; k <= n + am; ++k) ratio /= k;
  double value = p * std::sqrt((2 * n + 1) / (4.0 * kPi) * ratio);
  if (m < 0 && (am % 2)) value = -value;
  return value * std::exp(std::complex<double>(0.0, m * theta));
}

// scipy.ndimage's cubic B-spline prefilter along one line, mirror boundary
// (what map_coordinates' mode='constant' uses): gain, causal and
// anticausal passes with the pole sqrt(3) - 2.
void SplineFilterLine(double* c, std::size_t n, std::size_t stride) {
  if (n < 2) return;
  const double z = -0.267949192431122706472553658494127633;
  const double gain = (1.0 - z) * (1.0 - 1.0 / z);
  for (std::size_t i = 0; i < n; ++i) c[i * stride] *= gain;
  // causal initialisation (mirror), summed over the whole line
  double zi = z;
  const double zn1 = std::pow(z, static_cast<double>(n - 1));
  c[0] = c[0] + zn1 * c[(n - 1) * stride];
  for (std::size_t i = 1; i + 1 < n; ++i) {
    c[0] += zi * (c[i * stride] + zn1 * c[(n - 1 - i) * stride]);
    zi *= z;
  }
  c[0] /= 1 - zn1 * zn1;
  for (std::size_t i = 1; i < n; ++i) c[i * stride] += z * c[(i - 1) * stride];
  c[(n - 1) * stride] = (z * c[(n - 2) * stride] + c[(n - 1) * stride]) * z / (z * z - 1);
  for (std::size_t i = n - 1; i-- > 0;) c[i * stride] = z * (c[(i + 1) * stride] - c[i * stride]);
}

// scipy's map_coordinate for the mirror extension of an integer index.
long MirrorIndex(long in, long len) {
  if (len <= 1) return 0;
  const long sz2 = 2 * len - 2;
  if (in < 0) {
    in = sz2 * (-in / sz2) + in;
    return in <= 1 - len ? in + sz2 : -in;
  }
  if (in > len - 1) {
    in -= sz2 * (in / sz2);
    if (in >= len) in = sz2 - in;
  }
  return in;
}

// scipy.ndimage.map_coordinates(order=3, mode='constant', cval=0) at one
// point (z, y, x) of the prefiltered coefficients `c` (numpy order).
class SplineSampler {
 public:
  SplineSampler(const std::vector<double>& coefficients, const std::array<long, 3>& dims)
      : c_(coefficients), dims_(dims) {}

  double operator()(const std::array<double, 3>& point) const {
    long offsets[3][4];
    double weights[3][4];
    const long strides[3] = {dims_[1] * dims_[2], dims_[2], 1};
    for (int a = 0; a < 3; ++a) {
      const double cc = point[static_cast<std::size_t>(a)];
      const long len = dims_[static_cast<std::size_t>(a)];
      if (cc < 0 || cc > static_cast<double>(len - 1)) return 0.0;  // constant mode: outside gives cval
      const long start = static_cast<long>(std::floor(cc)) - 1;
      for (int l = 0; l < 4; ++l) offsets[a][l] = MirrorIndex(start + l, len) * strides[a];
      const double x = cc - std::floor(cc);
      const double y = x, z = 1.0 - x;
      weights[a][1] = (y * y * (y - 2.0) * 3.0 + 4.0) / 6.0;
      weights[a][2] = (z * z * (z - 2.0) * 3.0 + 4.0) / 6.0;
      weights[a][0] = z * z * z / 6.0;
      weights[a][3] = 1.0;
      for (int l = 0; l < 3; ++l) weights[a][3] -= weights[a][l];
    }
    double t = 0.0;
    for (int fz = 0; fz < 4; ++fz)
      for (int fy = 0; fy < 4; ++fy)
        for (int fx = 0; fx < 4; ++fx) {
          double coeff = c_[static_cast<std::size_t>(offsets[0][fz] + offsets[1][fy] + offsets[2][fx])];
          coeff *= weights[0][fz];
          coeff *= weights[1][fy];
          coeff *= weights[2][fx];
          t += coeff;
        }
    return t;
  }

 private:
  const std::vector<double>& c_;
  std::array<long, 3> dims_;
};

}  // namespace

LbpMethod ParseLbpMethod(const std::string& name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
  if (lower == "default") return LbpMethod::kDefault;
  if (lower == "ror") return LbpMethod::kRor;
  if (lower == "uniform") return LbpMethod::kUniform;
  if (lower == "nri_uniform") return LbpMethod::kNriUniform;
  if (lower == "var") return LbpMethod::kVar;
  throw InvalidArgument("unknown LBP method '" + name + "' (default, ror, uniform, nri_uniform, var)");
}

bool Lbp2DSettings::IsValid(std::string* why) const {
  if (!(radius > 0) || !std::isfinite(radius)) return Invalid(why, "lbp2DRadius must be a positive number of voxels");
  if (samples < 1 || samples > 30) return Invalid(why, "lbp2DSamples must be 1..30, got " + std::to_string(samples));
  if (axis < 0 || axis > 2) return Invalid(why, "force2Ddimension must be 0, 1 or 2 for LBP2D");
  return true;
}

std::array<std::size_t, 3> Lbp2DContext(const Lbp2DSettings& s) {
  const auto reach = static_cast<std::size_t>(std::ceil(static_cast<float>(s.radius))) + 1;
  std::array<std::size_t, 3> pad{reach, reach, reach};
  pad[static_cast<std::size_t>(2 - s.axis)] = 0;  // pyradiomics axis 0 = z = our index 2
  return pad;
}

Image LocalBinaryPattern2D(const Image& image, const Lbp2DSettings& s) {
  std::string why;
  if (!s.IsValid(&why)) throw InvalidArgument("LBP2D: " + why);
  const Geometry& g = image.geometry();
  // The slice's rows and columns in our (i, j, k) axes, as pyradiomics'
  // swapaxes(0, axis) lays them out.
  int row_axis = 1, col_axis = 0, normal = 2;  // axis 0: slices k, rows j, columns i
  if (s.axis == 1) row_axis = 2, col_axis = 0, normal = 1;
  if (s.axis == 2) row_axis = 1, col_axis = 2, normal = 0;
  const long rows = static_cast<long>(g.size[static_cast<std::size_t>(row_axis)]);
  const long cols = static_cast<long>(g.size[static_cast<std::size_t>(col_axis)]);
  const std::size_t slices = g.size[static_cast<std::size_t>(normal)];
  std::size_t stride[3] = {1, g.size[0], g.size[0] * g.size[1]};
  const std::size_t rs = stride[row_axis], cs = stride[col_axis], ns = stride[normal];

  const int p = s.samples;
  const double radius = static_cast<double>(static_cast<float>(s.radius));
  std::vector<double> rp(static_cast<std::size_t>(p)), cp(static_cast<std::size_t>(p));
  for (int i = 0; i < p; ++i) {
    const double angle = 2 * kPi * static_cast<double>(i) / p;
    rp[static_cast<std::size_t>(i)] = std::nearbyint(-radius * std::sin(angle) * 1e5) / 1e5;
    cp[static_cast<std::size_t>(i)] = std::nearbyint(radius * std::cos(angle) * 1e5) / 1e5;
  }
  Image out(g);
  std::vector<double> texture(static_cast<std::size_t>(p));
  std::vector<signed char> bits(static_cast<std::size_t>(p));
  for (std::size_t sl = 0; sl < slices; ++sl) {
    const double* base = image.data() + sl * ns;
    auto pixel = [&](long r, long c) {
      return r < 0 || r >= rows || c < 0 || c >= cols ? 0.0
                                                      : base[static_cast<std::size_t>(r) * rs + static_cast<std::size_t>(c) * cs];
    };
    for (long r = 0; r < rows; ++r)
      for (long c = 0; c < cols; ++c) {
        const double centre = pixel(r, c);
        for (int i = 0; i < p; ++i) {
          const double pr = static_cast<double>(r) + rp[static_cast<std::size_t>(i)];
          const double pc = static_cast<double>(c) + cp[static_cast<std::size_t>(i)];
          const long minr = static_cast<long>(std::floor(pr)), minc = static_cast<long>(std::floor(pc));
          const long maxr = static_cast<long>(std::ceil(pr)), maxc = static_cast<long>(std::ceil(pc));
          const double dr = pr - static_cast<double>(minr), dc = pc - static_cast<double>(minc);
          const double top = (1 - dc) * pixel(minr, minc) + dc * pixel(minr, maxc);
          const double bottom = (1 - dc) * pixel(maxr, minc) + dc * pixel(maxr, maxc);
          texture[static_cast<std::size_t>(i)] = (1 - dr) * top + dr * bottom;
          bits[static_cast<std::size_t>(i)] = texture[static_cast<std::size_t>(i)] - centre >= 0;
        }
        out[sl * ns + static_cast<std::size_t>(r) * rs + static_cast<std::size_t>(c) * cs] =
            StoreTruncated(PatternCode(bits, texture, s.method), s.storage);
      }
  }
  return out;
}

bool Lbp3DSettings::IsValid(std::string* why) const {
  if (levels < 1 || levels > 10) return Invalid(why, "lbp3DLevels must be 1..10, got " + std::to_string(levels));
  if (!(icosphere_radius > 0) || !std::isfinite(icosphere_radius))
    return Invalid(why, "lbp3DIcosphereRadius must be a positive number of voxels");
  if (icosphere_subdivision < 0 || icosphere_subdivision > 4)
    return Invalid(why, "lbp3DIcosphereSubdivision must be 0..4, got " + std::to_string(icosphere_subdivision));
  if (icosphere_subdivision == 0 && icosphere_radius != 1)
    return Invalid(why, "lbp3DIcosphereSubdivision 0 ignores lbp3DIcosphereRadius (trimesh returns the unit icosahedron); "
                "use radius 1 or subdivide");
  return true;
}

std::array<std::size_t, 3> Lbp3DContext(const Lbp3DSettings& s) {
  // sample reach + the cubic footprint + 28 voxels of prefilter decay (0.268^28 < 1e-15)
  const auto reach = static_cast<std::size_t>(std::ceil(s.icosphere_radius)) + 2 + 28;
  return {reach, reach, reach};
}

std::vector<std::pair<std::string, Image>> LocalBinaryPattern3D(const Image& image, const Mask& mask,
                                                                const Lbp3DSettings& s) {
  std::string why;
  if (!s.IsValid(&why)) throw InvalidArgument("LBP3D: " + why);
  const Geometry& g = image.geometry();
  if (mask.geometry().size != g.size) throw InvalidArgument("LBP3D: the mask is not on the image's grid");
  const std::array<long, 3> dims{static_cast<long>(g.size[2]), static_cast<long>(g.size[1]),
                                 static_cast<long>(g.size[0])};  // numpy order (z, y, x)
  // Coefficients: our memory order is numpy's C order of (z, y, x).
  std::vector<double> coeff(image.values());
  const std::size_t nx = g.size[0], ny = g.size[1], nz = g.size[2];
  for (std::size_t y = 0; y < ny; ++y)  // axis 0 (z) first, as scipy's spline_filter
    for (std::size_t x = 0; x < nx; ++x) SplineFilterLine(coeff.data() + x + nx * y, nz, nx * ny);
  for (std::size_t z = 0; z < nz; ++z)
    for (std::size_t x = 0; x < nx; ++x) SplineFilterLine(coeff.data() + x + nx * ny * z, ny, nx);
  for (std::size_t z = 0; z < nz; ++z)
    for (std::size_t y = 0; y < ny; ++y) SplineFilterLine(coeff.data() + nx * (y + ny * z), nx, 1);
  const SplineSampler sample(coeff, dims);

  const auto vertices = Icosphere(s.icosphere_subdivision, s.icosphere_radius);
  const std::size_t nv = vertices.size();
  // Harmonics per vertex, pyradiomics' call: theta = arccos(v2 / r) as
  // scipy's azimuth, phi = atan2(v1, v0) as its polar angle.
  std::vector<int> degree;
  std::vector<std::vector<std::complex<double>>> y;  // [term][vertex]
  for (int n = 0; n < s.levels; ++n)
    for (int m = -n; m <= n; ++m) {
      degree.push_back(n);
      std::vector<std::complex<double>> col(nv);
      for (std::size_t v = 0; v < nv; ++v) {
        const double theta = std::acos(vertices[v][2] / s.icosphere_radius);
        const double phi = std::atan2(vertices[v][1], vertices[v][0]);
        col[v] = SphHarm(m, n, theta, phi);
      }
      y.push_back(std::move(col));
    }

  std::vector<Image> levels(static_cast<std::size_t>(s.levels), Image(g));
  Image kurtosis(g);
  std::vector<double> f(nv);
  std::vector<std::complex<double>> c(y.size());
  for (std::size_t z = 0; z < nz; ++z)
    for (std::size_t yy = 0; yy < ny; ++yy)
      for (std::size_t x = 0; x < nx; ++x) {
        const std::size_t n = g.Offset(x, yy, z);
        if (!mask[n]) continue;
        for (std::size_t v = 0; v < nv; ++v)
          f[v] = StoreRounded(sample({static_cast<double>(z) + vertices[v][0], static_cast<double>(yy) + vertices[v][1],
                                      static_cast<double>(x) + vertices[v][2]}),
                              s.storage);
        // scipy.stats.kurtosis (Fisher, biased); NaN for (numerically) constant samples.
        double mean = 0;
        for (double v : f) mean += v;
        mean /= static_cast<double>(nv);
        double m2 = 0, m4 = 0;
        for (double v : f) {
          const double d2 = (v - mean) * (v - mean);
          m2 += d2;
          m4 += d2 * d2;
        }
        m2 /= static_cast<double>(nv);
        m4 /= static_cast<double>(nv);
        const double resolution = 1e-15 * mean;
        kurtosis[n] = m2 <= resolution * resolution ? std::numeric_limits<double>::quiet_NaN() : m4 / (m2 * m2) - 3;
        // Sign pattern and its expansion coefficients c_{n,m}.
        const double centre = image[n];
        for (std::size_t t = 0; t < y.size(); ++t) {
          std::complex<double> sum = 0;
          for (std::size_t v = 0; v < nv; ++v)
            if (f[v] >= centre) sum += y[t][v];
          c[t] = sum;
        }
        for (int l = 0; l < s.levels; ++l) {
          std::complex<double> norm2 = 0;
          for (std::size_t v = 0; v < nv; ++v) {
            std::complex<double> part = 0;
            for (std::size_t t = 0; t < y.size(); ++t)
              if (degree[t] == l) part += c[t] * y[t][v];
            norm2 += part * part;  // numpy squares the complex value, not its modulus
          }
          levels[static_cast<std::size_t>(l)][n] = std::sqrt(norm2).real();
        }
      }
  std::vector<std::pair<std::string, Image>> out;
  for (int l = 0; l < s.levels; ++l) out.emplace_back("lbp-3D-m" + std::to_string(l + 1), std::move(levels[static_cast<std::size_t>(l)]));
  out.emplace_back("lbp-3D-k", std::move(kurtosis));
  return out;
}

}  // namespace lvsi::preprocessing

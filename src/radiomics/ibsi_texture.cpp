// IBSI-1 texture matrices and features with IBSI's aggregation methods
// (lvsi/radiomics/ibsi.h).  Definitions: IBSI 1 reference manual, sections
// 3.1.4 (aggregation), 3.6 (grey level co-occurrence) and 3.7 (grey level
// run length).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "lvsi/core/error.h"
#include "lvsi/radiomics/ibsi.h"
#include "detail/ibsi_named.h"

namespace lvsi::radiomics::ibsi {
namespace {

using detail::Named;
using detail::Names;

using Direction = std::array<long, 3>;

// The 4 in-plane directions (2D, 2.5D) or the 13 of 3D, one of each
// opposite pair (the matrices count both orders).
const std::vector<Direction>& Directions(bool three_d) {
  static const std::vector<Direction> in_plane = {{1, 0, 0}, {1, 1, 0}, {0, 1, 0}, {-1, 1, 0}};
  static const std::vector<Direction> all = [] {
    std::vector<Direction> d;
    for (long dz = -1; dz <= 1; ++dz)
      for (long dy = -1; dy <= 1; ++dy)
        for (long dx = -1; dx <= 1; ++dx) {
          const Direction v{dx, dy, dz};
          // The first non-zero component positive: one of each pair.
          const long first = dx != 0 ? dx : dy != 0 ? dy : dz;
          if (first > 0) d.push_back(v);
        }
    return d;
  }();
  return three_d ? all : in_plane;
}

// One matrix's source: a direction, within one slice (z) or the volume (-1).
struct Part {
  Direction direction;
  long slice;
};

// The groups of parts whose matrices are merged; features are averaged over
// the groups.
std::vector<std::vector<Part>> Groups(Aggregation aggregation, const std::vector<long>& slices) {
  std::vector<std::vector<Part>> groups;
  const auto& planar = Directions(false);
  switch (aggregation) {
    case Aggregation::k2DAveraged:
      for (long s : slices)
        for (const auto& d : planar) groups.push_back({{d, s}});
      break;
    case Aggregation::k2DSliceMerged:
      for (long s : slices) {
        groups.emplace_back();
        for (const auto& d : planar) groups.back().push_back({d, s});
      }
      break;
    case Aggregation::k25DDirectionMerged:
      for (const auto& d : planar) {
        groups.emplace_back();
        for (long s : slices) groups.back().push_back({d, s});
      }
      break;
    case Aggregation::k25DMerged:
      groups.emplace_back();
      for (const auto& d : planar)
        for (long s : slices) groups.back().push_back({d, s});
      break;
    case Aggregation::k3DAveraged:
      for (const auto& d : Directions(true)) groups.push_back({{d, -1}});
      break;
    case Aggregation::k3DMerged:
      groups.emplace_back();
      for (const auto& d : Directions(true)) groups.back().push_back({d, -1});
      break;
    case Aggregation::k2D:
    case Aggregation::k25D:
    case Aggregation::k3D:
    case Aggregation::kNone:
      throw InvalidArgument("IBSI texture: aggregation '" + AggregationName(aggregation) +
                            "' is for zone and neighbourhood matrices; co-occurrence and run length matrices take "
                            "the six directional methods (2D, averaged ... 3D, merged)");
  }
  return groups;
}

// The ROI's grey levels with bounds-checked neighbour access.
class Levels {
 public:
  Levels(const LabelImage& levels, int grey_levels) : v_(levels), ng_(grey_levels) {
    if (grey_levels < 1 || grey_levels > kMaxGreyLevels)
      throw InvalidArgument("IBSI texture: " + std::to_string(grey_levels) + " grey levels (1.." +
                            std::to_string(kMaxGreyLevels) + "; a co-occurrence matrix holds their square)");
    for (std::size_t n = 0; n < levels.size(); ++n)
      if (levels[n] < 0 || levels[n] > grey_levels)
        throw InvalidArgument("IBSI texture: a voxel holds grey level " + std::to_string(levels[n]) + ", outside 0.." +
                              std::to_string(grey_levels));
    const auto& s = levels.geometry().size;
    size_ = {static_cast<long>(s[0]), static_cast<long>(s[1]), static_cast<long>(s[2])};
    for (long z = 0; z < size_[2]; ++z) {
      long count = 0;
      for (long y = 0; y < size_[1]; ++y)
        for (long x = 0; x < size_[0]; ++x) count += At(x, y, z) > 0;
      if (count > 0) slices_.push_back(z);
      voxels_in_slice_.push_back(count);
    }
    if (slices_.empty()) throw DataError(Input::kMask, "IBSI texture: the ROI is empty");
  }

  // The level at (x, y, z); 0 outside the ROI or the grid.
  int At(long x, long y, long z) const {
    if (x < 0 || y < 0 || z < 0 || x >= size_[0] || y >= size_[1] || z >= size_[2]) return 0;
    return v_(static_cast<std::size_t>(x), static_cast<std::size_t>(y), static_cast<std::size_t>(z));
  }
  int grey_levels() const { return ng_; }
  const std::array<long, 3>& size() const { return size_; }
  const std::vector<long>& slices() const { return slices_; }
  // ROI voxels in a part's region (one slice, or the volume for -1).
  long Voxels(long slice) const {
    if (slice >= 0) return voxels_in_slice_[static_cast<std::size_t>(slice)];
    long total = 0;
    for (long c : voxels_in_slice_) total += c;
    return total;
  }
  // Calls f(x, y, z, level) for every ROI voxel of a part's region.
  template <class F>
  void ForEachVoxel(long slice, F f) const {
    const long z0 = slice >= 0 ? slice : 0, z1 = slice >= 0 ? slice + 1 : size_[2];
    for (long z = z0; z < z1; ++z)
      for (long y = 0; y < size_[1]; ++y)
        for (long x = 0; x < size_[0]; ++x)
          if (const int a = At(x, y, z); a > 0) f(x, y, z, a);
  }

 private:
  const LabelImage& v_;
  int ng_;
  std::array<long, 3> size_{};
  std::vector<long> slices_;
  std::vector<long> voxels_in_slice_;
};

// Averages the feature vectors of the groups' merged matrices (a group
// lists the parts or regions `fill` adds to one matrix); groups whose matrix
// has no count are left out, and DataError(`none`) when every one is.
template <class Matrix, class Group, class Fill, class Compute>
std::vector<double> AverageOverGroups(const Levels& levels, const std::vector<std::vector<Group>>& groups, Fill fill,
                                      Compute compute, const std::string& none) {
  std::vector<double> sum;
  std::size_t used = 0;
  for (const auto& group : groups) {
    Matrix m(levels);
    for (const Group& part : group) fill(part, &m);
    if (m.Empty()) continue;
    const std::vector<double> values = compute(m);
    if (sum.empty()) sum.assign(values.size(), 0.0);
    for (std::size_t k = 0; k < values.size(); ++k) sum[k] += values[k];
    ++used;
  }
  if (used == 0) throw DataError(Input::kMask, none);
  for (double& v : sum) v /= static_cast<double>(used);
  return sum;
}

// The directional matrices (co-occurrence, run length) of an aggregation.
template <class Matrix, class Fill, class Compute>
std::vector<double> Aggregate(const Levels& levels, Aggregation aggregation, Fill fill, Compute compute,
                              const char* family) {
  return AverageOverGroups<Matrix>(levels, Groups(aggregation, levels.slices()), fill, compute,
                                   std::string("IBSI texture (") + family + ", " + AggregationName(aggregation) +
                                       "): no matrix has a count (no neighbouring ROI voxels)");
}

// ---- grey level co-occurrence (IBSI 3.6)

struct Cooccurrence {
  explicit Cooccurrence(const Levels& l) : ng(l.grey_levels()), counts(static_cast<std::size_t>(ng * ng), 0.0) {}
  bool Empty() const {
    return std::all_of(counts.begin(), counts.end(), [](double c) { return c == 0; });
  }
  int ng;
  std::vector<double> counts;  // row-major (i, j), levels 1..ng at 0..ng-1
};

void FillCooccurrence(const Levels& levels, const Part& part, Cooccurrence* m) {
  const auto& d = part.direction;
  levels.ForEachVoxel(part.slice, [&](long x, long y, long z, int a) {
    const int b = levels.At(x + d[0], y + d[1], z + d[2]);
    if (b == 0) return;
    m->counts[static_cast<std::size_t>((a - 1) * m->ng + (b - 1))] += 1;
    m->counts[static_cast<std::size_t>((b - 1) * m->ng + (a - 1))] += 1;
  });
}

double Log2(double p) { return std::log2(p); }

std::vector<double> CooccurrenceValues(const Cooccurrence& m) {
  const int ng = m.ng;
  double total = 0;
  for (double c : m.counts) total += c;
  std::vector<double> p(m.counts.size());
  for (std::size_t n = 0; n < p.size(); ++n) p[n] = m.counts[n] / total;
  auto P = [&](int i, int j) { return p[static_cast<std::size_t>((i - 1) * ng + (j - 1))]; };
  std::vector<double> pi(static_cast<std::size_t>(ng + 1), 0.0), pj(static_cast<std::size_t>(ng + 1), 0.0);
  std::vector<double> diff(static_cast<std::size_t>(ng), 0.0), sum(static_cast<std::size_t>(2 * ng + 1), 0.0);
  double joint_max = 0, mu = 0, entropy = 0, asm_ = 0, contrast = 0, dissimilarity = 0, id = 0, idn = 0, idm = 0,
         idmn = 0, inv_var = 0, autocorr = 0;
  for (int i = 1; i <= ng; ++i)
    for (int j = 1; j <= ng; ++j) {
      const double v = P(i, j);
      if (v == 0) continue;
      const double k = std::abs(i - j);
      pi[static_cast<std::size_t>(i)] += v;
      pj[static_cast<std::size_t>(j)] += v;
      diff[static_cast<std::size_t>(k)] += v;
      sum[static_cast<std::size_t>(i + j)] += v;
      joint_max = std::max(joint_max, v);
      mu += i * v;
      entropy -= v * Log2(v);
      asm_ += v * v;
      contrast += k * k * v;
      dissimilarity += k * v;
      id += v / (1 + k);
      idn += v / (1 + k / ng);
      idm += v / (1 + k * k);
      idmn += v / (1 + k * k / (static_cast<double>(ng) * ng));
      if (i != j) inv_var += v / (k * k);
      autocorr += static_cast<double>(i) * j * v;
    }
  double joint_var = 0, mu_i = 0, mu_j = 0;
  for (int i = 1; i <= ng; ++i) {
    mu_i += i * pi[static_cast<std::size_t>(i)];
    mu_j += i * pj[static_cast<std::size_t>(i)];
  }
  double var_i = 0, var_j = 0, cov = 0, tendency = 0, shade = 0, prominence = 0, hxy1 = 0, hxy2 = 0, hx = 0;
  for (int i = 1; i <= ng; ++i) {
    const double a = pi[static_cast<std::size_t>(i)];
    var_i += (i - mu_i) * (i - mu_i) * a;
    var_j += (i - mu_j) * (i - mu_j) * pj[static_cast<std::size_t>(i)];
    if (a > 0) hx -= a * Log2(a);
    for (int j = 1; j <= ng; ++j) {
      const double v = P(i, j), b = pj[static_cast<std::size_t>(j)], ab = a * b;
      if (ab > 0) {
        hxy2 -= ab * Log2(ab);
        if (v > 0) hxy1 -= v * Log2(ab);
      }
      if (v == 0) continue;
      joint_var += (i - mu) * (i - mu) * v;
      cov += (i - mu_i) * (j - mu_j) * v;
      const double c = i + j - mu_i - mu_j;
      tendency += c * c * v;
      shade += c * c * c * v;
      prominence += c * c * c * c * v;
    }
  }
  double diff_avg = 0, diff_var = 0, diff_entropy = 0;
  for (int k = 0; k < ng; ++k) diff_avg += k * diff[static_cast<std::size_t>(k)];
  for (int k = 0; k < ng; ++k) {
    const double v = diff[static_cast<std::size_t>(k)];
    diff_var += (k - diff_avg) * (k - diff_avg) * v;
    if (v > 0) diff_entropy -= v * Log2(v);
  }
  double sum_avg = 0, sum_var = 0, sum_entropy = 0;
  for (int k = 2; k <= 2 * ng; ++k) sum_avg += k * sum[static_cast<std::size_t>(k)];
  for (int k = 2; k <= 2 * ng; ++k) {
    const double v = sum[static_cast<std::size_t>(k)];
    sum_var += (k - sum_avg) * (k - sum_avg) * v;
    if (v > 0) sum_entropy -= v * Log2(v);
  }
  const double correlation = var_i > 0 && var_j > 0 ? cov / std::sqrt(var_i * var_j) : 0.0;
  // With one grey level HX is 0 and IBSI's ratio is undefined: 0, as the
  // feature's value for a matrix without information.
  const double imc1 = hx > 0 ? (entropy - hxy1) / hx : 0.0;
  const double imc2 = std::sqrt(std::max(0.0, 1 - std::exp(-2 * (hxy2 - entropy))));
  return {joint_max,    mu,          joint_var, entropy,  diff_avg,   diff_var,   diff_entropy,
          sum_avg,      sum_var,     sum_entropy, asm_,   contrast,   dissimilarity, id,
          idn,          idm,         idmn,      inv_var,  correlation, autocorr, tendency,
          shade,        prominence,  imc1,      imc2};
}

const Names& CooccurrenceNames() {
  static const Names names = {
      {"Joint maximum", "GYBY"},
      {"Joint average", "60VM"},
      {"Joint variance", "UR99"},
      {"Joint entropy", "TU9B"},
      {"Difference average", "TF7R"},
      {"Difference variance", "D3YU"},
      {"Difference entropy", "NTRS"},
      {"Sum average", "ZGXS"},
      {"Sum variance", "OEEB"},
      {"Sum entropy", "P6QZ"},
      {"Angular second moment", "8ZQL"},
      {"Contrast", "ACUI"},
      {"Dissimilarity", "8S9J"},
      {"Inverse difference", "IB1Z"},
      {"Normalised inverse difference", "NDRX"},
      {"Inverse difference moment", "WF0Z"},
      {"Normalised inverse difference moment", "1QCO"},
      {"Inverse variance", "E8JP"},
      {"Correlation", "NI2N"},
      {"Autocorrelation", "QWB0"},
      {"Cluster tendency", "DG8W"},
      {"Cluster shade", "7NFM"},
      {"Cluster prominence", "AE86"},
      {"Information correlation 1", "R8DG"},
      {"Information correlation 2", "JN9H"},
  };
  return names;
}

// ---- matrices of counts by grey level and a second index j >= 1 (run
// length, zone size, zone distance, dependence count), with their common
// features

struct CountMatrix {
  explicit CountMatrix(const Levels& l) : rows(static_cast<std::size_t>(l.grey_levels())) {}
  void Add(int level, long j) {
    auto& row = rows[static_cast<std::size_t>(level - 1)];
    if (row.size() < static_cast<std::size_t>(j)) row.resize(static_cast<std::size_t>(j), 0.0);
    row[static_cast<std::size_t>(j - 1)] += 1;
  }
  bool Empty() const {
    return std::all_of(rows.begin(), rows.end(), [](const std::vector<double>& r) { return r.empty(); });
  }
  std::vector<std::vector<double>> rows;  // rows[level - 1][j - 1]
  double voxels = 0;                      // N_v, summed over merged matrices
};

// The 16 features IBSI defines alike for run length, size zone, distance
// zone and dependence count matrices (in that order: short/small/low j
// emphasis, long/large/high j emphasis, low and high grey level emphasis,
// the four combinations, grey level non-uniformity and its normalised
// form, j non-uniformity and its normalised form, percentage, grey level
// variance, j variance, entropy), then the energy (used by NGLDM only).
std::vector<double> CountValues(const CountMatrix& m) {
  const int ng = static_cast<int>(m.rows.size());
  double total = 0;
  std::size_t nj = 0;
  for (const auto& row : m.rows) {
    for (double c : row) total += c;
    nj = std::max(nj, row.size());
  }
  std::vector<double> by_level(static_cast<std::size_t>(ng + 1), 0.0), by_j(nj + 1, 0.0);
  double low_j = 0, high_j = 0, low_g = 0, high_g = 0, low_j_low_g = 0, low_j_high_g = 0, high_j_low_g = 0,
         high_j_high_g = 0, mu_i = 0, mu_j = 0, entropy = 0, energy = 0;
  for (int i = 1; i <= ng; ++i) {
    const auto& row = m.rows[static_cast<std::size_t>(i - 1)];
    for (std::size_t jj = 0; jj < row.size(); ++jj) {
      const double r = row[jj];
      if (r == 0) continue;
      const double j = static_cast<double>(jj + 1), i2 = static_cast<double>(i) * i, j2 = j * j, p = r / total;
      by_level[static_cast<std::size_t>(i)] += r;
      by_j[jj + 1] += r;
      low_j += r / j2;
      high_j += r * j2;
      low_g += r / i2;
      high_g += r * i2;
      low_j_low_g += r / (i2 * j2);
      low_j_high_g += r * i2 / j2;
      high_j_low_g += r * j2 / i2;
      high_j_high_g += r * i2 * j2;
      mu_i += i * p;
      mu_j += j * p;
      entropy -= p * std::log2(p);
      energy += p * p;
    }
  }
  double gln = 0, jn = 0, var_i = 0, var_j = 0;
  for (double c : by_level) gln += c * c;
  for (double c : by_j) jn += c * c;
  for (int i = 1; i <= ng; ++i) {
    const auto& row = m.rows[static_cast<std::size_t>(i - 1)];
    for (std::size_t jj = 0; jj < row.size(); ++jj) {
      const double p = row[jj] / total, j = static_cast<double>(jj + 1);
      var_i += (i - mu_i) * (i - mu_i) * p;
      var_j += (j - mu_j) * (j - mu_j) * p;
    }
  }
  return {low_j / total,         high_j / total,        low_g / total,         high_g / total,
          low_j_low_g / total,   low_j_high_g / total,  high_j_low_g / total,  high_j_high_g / total,
          gln / total,           gln / (total * total), jn / total,            jn / (total * total),
          total / m.voxels,      var_i,                 var_j,                 entropy,
          energy};
}


// ---- grey level run length (IBSI 3.7)

void FillRunLength(const Levels& levels, const Part& part, CountMatrix* m) {
  const auto& d = part.direction;
  levels.ForEachVoxel(part.slice, [&](long x, long y, long z, int a) {
    if (levels.At(x - d[0], y - d[1], z - d[2]) == a) return;  // not where a run starts
    long length = 1;
    while (levels.At(x + length * d[0], y + length * d[1], z + length * d[2]) == a) ++length;
    m->Add(a, length);
  });
  m->voxels += static_cast<double>(levels.Voxels(part.slice));
}

const Names& RunLengthNames() {
  static const Names names = {
      {"Short runs emphasis", "22OV"},
      {"Long runs emphasis", "W4KF"},
      {"Low grey level run emphasis", "V3SW"},
      {"High grey level run emphasis", "G3QZ"},
      {"Short run low grey level emphasis", "HTZT"},
      {"Short run high grey level emphasis", "GD3A"},
      {"Long run low grey level emphasis", "IVPO"},
      {"Long run high grey level emphasis", "3KUM"},
      {"Grey level non-uniformity", "R5YN"},
      {"Normalised grey level non-uniformity", "OVBL"},
      {"Run length non-uniformity", "W92Y"},
      {"Normalised run length non-uniformity", "IC23"},
      {"Run percentage", "9ZK5"},
      {"Grey level variance", "8CE5"},
      {"Run length variance", "SXLW"},
      {"Run entropy", "HJ9O"},
  };
  return names;
}

// ---- zones and neighbourhoods: 2D (each slice, in-plane neighbours),
// 2.5D (the slices' matrices merged) and 3D (26 neighbours)

// The neighbours at Chebyshev distance 1: 8 in-plane or 26.
const std::vector<Direction>& Neighbours(bool three_d) {
  static const std::vector<Direction> in_plane = [] {
    std::vector<Direction> d;
    for (long dy = -1; dy <= 1; ++dy)
      for (long dx = -1; dx <= 1; ++dx)
        if (dx != 0 || dy != 0) d.push_back({dx, dy, 0});
    return d;
  }();
  static const std::vector<Direction> all = [] {
    std::vector<Direction> d;
    for (long dz = -1; dz <= 1; ++dz)
      for (long dy = -1; dy <= 1; ++dy)
        for (long dx = -1; dx <= 1; ++dx)
          if (dx != 0 || dy != 0 || dz != 0) d.push_back({dx, dy, dz});
    return d;
  }();
  return three_d ? all : in_plane;
}

// The face neighbours: 4 in-plane or 6.
const std::vector<Direction>& FaceNeighbours(bool three_d) {
  static const std::vector<Direction> in_plane = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}};
  static const std::vector<Direction> all = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
  return three_d ? all : in_plane;
}

// The regions (slices, or the volume: -1) whose matrices are merged, per
// group; features are averaged over the groups.
std::vector<std::vector<long>> ZoneGroups(Aggregation aggregation, const std::vector<long>& slices,
                                          const char* family) {
  switch (aggregation) {
    case Aggregation::k2D: {
      std::vector<std::vector<long>> groups;
      for (long s : slices) groups.push_back({s});
      return groups;
    }
    case Aggregation::k25D: return {slices};
    case Aggregation::k3D: return {{-1}};
    default: break;
  }
  throw InvalidArgument(std::string("IBSI texture (") + family + "): aggregation '" + AggregationName(aggregation) +
                        "' is for co-occurrence and run length matrices; this family takes 2D, 2.5D or 3D");
}

// The zone and neighbourhood matrices (one per slice or the volume) of an
// aggregation.
template <class Matrix, class Fill, class Compute>
std::vector<double> AggregateRegions(const Levels& levels, Aggregation aggregation, Fill fill, Compute compute,
                                     const char* family) {
  return AverageOverGroups<Matrix>(levels, ZoneGroups(aggregation, levels.slices(), family), fill, compute,
                                   std::string("IBSI texture (") + family + "): the ROI is empty");
}

// Indices of the voxels of a region (one slice, or the volume for -1) in
// buffers of the region's size only (per-slice work on a large volume
// allocated and cleared the whole volume for every slice).
struct RegionIndex {
  RegionIndex(const Levels& levels, long region)
      : nx(levels.size()[0]), ny(levels.size()[1]), z0(region >= 0 ? region : 0),
        depth(region >= 0 ? 1 : levels.size()[2]) {}
  std::size_t Count() const { return static_cast<std::size_t>(nx * ny * depth); }
  std::size_t operator()(long x, long y, long z) const {
    return static_cast<std::size_t>(((z - z0) * ny + y) * nx + x);
  }
  long nx, ny, z0, depth;
};

// Zones (connected voxels of one grey level; 8 in-plane or 26 neighbours)
// of a region, each as its voxels' indices into `levels`.
template <class F>
void ForEachZone(const Levels& levels, long region, F f) {
  const bool three_d = region < 0;  // (in 2D the in-plane neighbours never leave the slice)
  const RegionIndex index(levels, region);
  std::vector<char> seen(index.Count(), 0);
  std::vector<std::array<long, 3>> zone, stack;
  levels.ForEachVoxel(region, [&](long x, long y, long z, int a) {
    if (seen[index(x, y, z)]) return;
    zone.clear();
    stack.assign(1, {x, y, z});
    seen[index(x, y, z)] = 1;
    while (!stack.empty()) {
      const auto v = stack.back();
      stack.pop_back();
      zone.push_back(v);
      for (const auto& d : Neighbours(three_d)) {
        const long nx = v[0] + d[0], ny = v[1] + d[1], nz = v[2] + d[2];
        if (levels.At(nx, ny, nz) != a || seen[index(nx, ny, nz)]) continue;
        seen[index(nx, ny, nz)] = 1;
        stack.push_back({nx, ny, nz});
      }
    }
    f(a, zone);
  });
}

// ---- grey level size zone (IBSI 3.8)

void FillSizeZones(const Levels& levels, long region, CountMatrix* m) {
  ForEachZone(levels, region, [&](int a, const std::vector<std::array<long, 3>>& zone) {
    m->Add(a, static_cast<long>(zone.size()));
  });
  m->voxels += static_cast<double>(levels.Voxels(region));
}

const Names& SizeZoneNames() {
  static const Names names = {
      {"Small zone emphasis", "P001"},
      {"Large zone emphasis", "48P8"},
      {"Low grey level zone emphasis", "XMSY"},
      {"High grey level zone emphasis", "5GN9"},
      {"Small zone low grey level emphasis", "5RAI"},
      {"Small zone high grey level emphasis", "HW1V"},
      {"Large zone low grey level emphasis", "YH51"},
      {"Large zone high grey level emphasis", "J17V"},
      {"Grey level non-uniformity", "JNSA"},
      {"Normalised grey level non-uniformity", "Y1RO"},
      {"Zone size non-uniformity", "4JP3"},
      {"Normalised zone size non-uniformity", "VB3A"},
      {"Zone percentage", "P30P"},
      {"Grey level variance", "BYLV"},
      {"Zone size variance", "3NSA"},
      {"Zone size entropy", "GU8N"},
  };
  return names;
}

// ---- grey level distance zone (IBSI 3.9)

// Each ROI voxel's distance to the ROI's edge: 1 where a face neighbour
// (4 in-plane or 6) lies outside the ROI or the grid, growing by one per
// face step inward.  0 outside the ROI.  Indexed by RegionIndex.
// The distances are those of the morphological mask (`shape`, non-zero
// inside; the ROI itself when null), as IBSI defines them: re-segmentation
// does not move the ROI's edge.
std::vector<long> EdgeDistances(const Levels& levels, long region, const LabelImage* shape) {
  const bool three_d = region < 0;
  const auto& size = levels.size();
  const auto in_shape = [&](long x, long y, long z) {
    if (!shape) return levels.At(x, y, z) > 0;
    if (x < 0 || y < 0 || z < 0 || x >= size[0] || y >= size[1] || z >= size[2]) return false;
    return (*shape)(static_cast<std::size_t>(x), static_cast<std::size_t>(y), static_cast<std::size_t>(z)) != 0;
  };
  const RegionIndex index(levels, region);  // (in 2D the face steps stay in the slice)
  std::vector<long> distance(index.Count(), 0);
  std::vector<std::array<long, 3>> front, next;
  for (long z = index.z0; z < index.z0 + index.depth; ++z)
    for (long y = 0; y < size[1]; ++y)
      for (long x = 0; x < size[0]; ++x) {
        if (!in_shape(x, y, z)) continue;
        for (const auto& d : FaceNeighbours(three_d))
          if (!in_shape(x + d[0], y + d[1], z + d[2])) {
            distance[index(x, y, z)] = 1;
            front.push_back({x, y, z});
            break;
          }
      }
  for (long step = 2; !front.empty(); ++step) {
    next.clear();
    for (const auto& v : front)
      for (const auto& d : FaceNeighbours(three_d)) {
        const long nx = v[0] + d[0], ny = v[1] + d[1], nz = v[2] + d[2];
        if (!in_shape(nx, ny, nz) || distance[index(nx, ny, nz)] != 0) continue;
        distance[index(nx, ny, nz)] = step;
        next.push_back({nx, ny, nz});
      }
    front.swap(next);
  }
  return distance;
}

void FillDistanceZones(const Levels& levels, long region, const LabelImage* shape, CountMatrix* m) {
  const std::vector<long> distance = EdgeDistances(levels, region, shape);
  const RegionIndex index(levels, region);
  ForEachZone(levels, region, [&](int a, const std::vector<std::array<long, 3>>& zone) {
    long nearest = std::numeric_limits<long>::max();
    for (const auto& v : zone) nearest = std::min(nearest, distance[index(v[0], v[1], v[2])]);
    m->Add(a, nearest);
  });
  m->voxels += static_cast<double>(levels.Voxels(region));
}

const Names& DistanceZoneNames() {
  static const Names names = {
      {"Small distance emphasis", "0GBI"},
      {"Large distance emphasis", "MB4I"},
      {"Low grey level zone emphasis", "S1RA"},
      {"High grey level zone emphasis", "K26C"},
      {"Small distance low grey level emphasis", "RUVG"},
      {"Small distance high grey level emphasis", "DKNJ"},
      {"Large distance low grey level emphasis", "A7WM"},
      {"Large distance high grey level emphasis", "KLTH"},
      {"Grey level non-uniformity", "VFT7"},
      {"Normalised grey level non-uniformity", "7HP3"},
      {"Zone distance non-uniformity", "V294"},
      {"Normalised zone distance non-uniformity", "IATH"},
      {"Zone percentage", "VIWW"},
      {"Grey level variance", "QK93"},
      {"Zone distance variance", "7WT1"},
      {"Zone distance entropy", "GBDU"},
  };
  return names;
}

// ---- neighbouring grey level dependence (IBSI 3.11): for each ROI voxel,
// j = 1 + its neighbours in the ROI with the same grey level (coarseness
// parameter alpha = 0, Chebyshev distance 1)

void FillDependence(const Levels& levels, long region, CountMatrix* m) {
  const bool three_d = region < 0;
  levels.ForEachVoxel(region, [&](long x, long y, long z, int a) {
    long j = 1;
    for (const auto& d : Neighbours(three_d)) j += levels.At(x + d[0], y + d[1], z + d[2]) == a;
    m->Add(a, j);
  });
  m->voxels += static_cast<double>(levels.Voxels(region));
}

const Names& DependenceNames() {
  static const Names names = {
      {"Low dependence emphasis", "SODN"},
      {"High dependence emphasis", "IMOQ"},
      {"Low grey level count emphasis", "TL9H"},
      {"High grey level count emphasis", "OAE7"},
      {"Low dependence low grey level emphasis", "EQ3F"},
      {"Low dependence high grey level emphasis", "JA6D"},
      {"High dependence low grey level emphasis", "NBZI"},
      {"High dependence high grey level emphasis", "9QMG"},
      {"Grey level non-uniformity", "FP8K"},
      {"Normalised grey level non-uniformity", "5SPA"},
      {"Dependence count non-uniformity", "Z87G"},
      {"Normalised dependence count non-uniformity", "OKJI"},
      {"Dependence count percentage", "6XV8"},
      {"Grey level variance", "1PFV"},
      {"Dependence count variance", "DNX2"},
      {"Dependence count entropy", "FCBV"},
      {"Dependence count energy", "CAS9"},
  };
  return names;
}

// ---- neighbourhood grey tone difference (IBSI 3.10): for each ROI voxel
// with at least one neighbour in the ROI, |level - mean of those
// neighbours' levels| summed per grey level

struct ToneDifference {
  explicit ToneDifference(const Levels& l)
      : s(static_cast<std::size_t>(l.grey_levels() + 1), 0.0), n(static_cast<std::size_t>(l.grey_levels() + 1), 0.0) {}
  bool Empty() const {
    return std::all_of(n.begin(), n.end(), [](double c) { return c == 0; });
  }
  std::vector<double> s, n;  // by grey level (index 0 unused)
};

void FillToneDifference(const Levels& levels, long region, ToneDifference* m) {
  const bool three_d = region < 0;
  levels.ForEachVoxel(region, [&](long x, long y, long z, int a) {
    double total = 0;
    long count = 0;
    for (const auto& d : Neighbours(three_d))
      if (const int b = levels.At(x + d[0], y + d[1], z + d[2]); b > 0) {
        total += b;
        ++count;
      }
    if (count == 0) return;  // no neighbourhood
    m->s[static_cast<std::size_t>(a)] += std::abs(a - total / static_cast<double>(count));
    m->n[static_cast<std::size_t>(a)] += 1;
  });
}

std::vector<double> ToneDifferenceValues(const ToneDifference& m) {
  const int ng = static_cast<int>(m.n.size()) - 1;
  double voxels = 0, s_total = 0, ps = 0;
  for (int i = 1; i <= ng; ++i) {
    voxels += m.n[static_cast<std::size_t>(i)];
    s_total += m.s[static_cast<std::size_t>(i)];
  }
  std::vector<double> p(static_cast<std::size_t>(ng + 1), 0.0);
  long present = 0;
  for (int i = 1; i <= ng; ++i) {
    p[static_cast<std::size_t>(i)] = m.n[static_cast<std::size_t>(i)] / voxels;
    ps += p[static_cast<std::size_t>(i)] * m.s[static_cast<std::size_t>(i)];
    present += p[static_cast<std::size_t>(i)] > 0;
  }
  double spread = 0, busy = 0, complexity = 0, strength = 0;
  for (int i = 1; i <= ng; ++i)
    for (int j = 1; j <= ng; ++j) {
      const double pi = p[static_cast<std::size_t>(i)], pj = p[static_cast<std::size_t>(j)];
      if (pi == 0 || pj == 0) continue;
      const double dij = static_cast<double>(i - j);
      spread += pi * pj * dij * dij;
      busy += std::abs(i * pi - j * pj);
      complexity += std::abs(dij) * (pi * m.s[static_cast<std::size_t>(i)] + pj * m.s[static_cast<std::size_t>(j)]) /
                    (pi + pj);
      strength += (pi + pj) * dij * dij;
    }
  // One grey level present: every difference is 0 and IBSI's ratios are
  // 0/0; they are given as 0 (coarseness as IBSI's maximum, 1e6).
  const double coarseness = ps > 0 ? 1 / ps : 1e6;
  const double contrast = present > 1 ? spread / (present * (present - 1.0)) * s_total / voxels : 0.0;
  const double busyness = busy > 0 ? ps / busy : 0.0;
  const double strength_value = s_total > 0 ? strength / s_total : 0.0;
  return {coarseness, contrast, busyness, complexity / voxels, strength_value};
}

const Names& ToneDifferenceNames() {
  static const Names names = {
      {"Coarseness", "QCDE"}, {"Contrast", "65HE"}, {"Busyness", "NQ30"}, {"Complexity", "HDEZ"}, {"Strength", "1X9X"},
  };
  return names;
}

}  // namespace

const std::vector<Aggregation>& AllAggregations() {
  static const std::vector<Aggregation> all = {Aggregation::k2DAveraged,         Aggregation::k2DSliceMerged,
                                               Aggregation::k25DDirectionMerged, Aggregation::k25DMerged,
                                               Aggregation::k3DAveraged,         Aggregation::k3DMerged};
  return all;
}

const std::vector<Aggregation>& RegionAggregations() {
  static const std::vector<Aggregation> all = {Aggregation::k2D, Aggregation::k25D, Aggregation::k3D};
  return all;
}

std::string AggregationName(Aggregation aggregation) {
  switch (aggregation) {
    case Aggregation::k2DAveraged: return "2D, averaged";
    case Aggregation::k2DSliceMerged: return "2D, slice-merged";
    case Aggregation::k25DDirectionMerged: return "2.5D, direction-merged";
    case Aggregation::k25DMerged: return "2.5D, merged";
    case Aggregation::k3DAveraged: return "3D, averaged";
    case Aggregation::k3DMerged: return "3D, merged";
    case Aggregation::k2D: return "2D";
    case Aggregation::k25D: return "2.5D";
    case Aggregation::k3D: return "3D";
    case Aggregation::kNone: return "";
  }
  return "";
}

std::vector<Feature> CooccurrenceFeatures(const LabelImage& levels, int grey_levels, Aggregation aggregation) {
  const Levels l(levels, grey_levels);
  const auto values = Aggregate<Cooccurrence>(
      l, aggregation, [&](const Part& part, Cooccurrence* m) { FillCooccurrence(l, part, m); }, CooccurrenceValues,
      "cm");
  return Named("cm", CooccurrenceNames(), aggregation, values);
}

std::vector<Feature> RunLengthFeatures(const LabelImage& levels, int grey_levels, Aggregation aggregation) {
  const Levels l(levels, grey_levels);
  auto values = Aggregate<CountMatrix>(
      l, aggregation, [&](const Part& part, CountMatrix* m) { FillRunLength(l, part, m); }, CountValues, "rlm");
  return Named("rlm", RunLengthNames(), aggregation, values);
}

std::vector<Feature> SizeZoneFeatures(const LabelImage& levels, int grey_levels, Aggregation aggregation) {
  const Levels l(levels, grey_levels);
  const auto values = AggregateRegions<CountMatrix>(
      l, aggregation, [&](long region, CountMatrix* m) { FillSizeZones(l, region, m); }, CountValues, "szm");
  return Named("szm", SizeZoneNames(), aggregation, values);
}

std::vector<Feature> DistanceZoneFeatures(const LabelImage& levels, int grey_levels, Aggregation aggregation,
                                          const LabelImage* morphological_mask) {
  const Levels l(levels, grey_levels);
  if (morphological_mask && morphological_mask->geometry().size != levels.geometry().size)
    throw GeometryError(Input::kMask, "IBSI texture (dzm): the morphological mask's grid differs from the ROI's");
  const auto values = AggregateRegions<CountMatrix>(
      l, aggregation, [&](long region, CountMatrix* m) { FillDistanceZones(l, region, morphological_mask, m); },
      CountValues, "dzm");
  return Named("dzm", DistanceZoneNames(), aggregation, values);
}

std::vector<Feature> ToneDifferenceFeatures(const LabelImage& levels, int grey_levels, Aggregation aggregation) {
  const Levels l(levels, grey_levels);
  const auto values = AggregateRegions<ToneDifference>(
      l, aggregation, [&](long region, ToneDifference* m) { FillToneDifference(l, region, m); },
      ToneDifferenceValues, "ngt");
  return Named("ngt", ToneDifferenceNames(), aggregation, values);
}

std::vector<Feature> DependenceFeatures(const LabelImage& levels, int grey_levels, Aggregation aggregation) {
  const Levels l(levels, grey_levels);
  const auto values = AggregateRegions<CountMatrix>(
      l, aggregation, [&](long region, CountMatrix* m) { FillDependence(l, region, m); }, CountValues, "ngl");
  return Named("ngl", DependenceNames(), aggregation, values);
}

}  // namespace lvsi::radiomics::ibsi

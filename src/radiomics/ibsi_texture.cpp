// IBSI-1 texture matrices and features with IBSI's aggregation methods
// (lvsi/radiomics/ibsi.h).  Definitions: IBSI 1 reference manual, sections
// 3.1.4 (aggregation), 3.6 (grey level co-occurrence) and 3.7 (grey level
// run length).
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
  }
  return groups;
}

// The ROI's grey levels with bounds-checked neighbour access.
class Levels {
 public:
  Levels(const LabelImage& levels, int grey_levels) : v_(levels), ng_(grey_levels) {
    if (grey_levels < 1) throw InvalidArgument("IBSI texture: grey_levels must be at least 1");
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

// Averages the feature vectors of the groups' merged matrices; groups whose
// matrix has no count are left out.
template <class Matrix, class Fill, class Compute>
std::vector<double> Aggregate(const Levels& levels, Aggregation aggregation, Fill fill, Compute compute,
                              const char* family) {
  std::vector<double> sum;
  std::size_t used = 0;
  for (const auto& group : Groups(aggregation, levels.slices())) {
    Matrix m(levels);
    for (const Part& part : group) fill(part, &m);
    if (m.Empty()) continue;
    const std::vector<double> values = compute(m);
    if (sum.empty()) sum.assign(values.size(), 0.0);
    for (std::size_t k = 0; k < values.size(); ++k) sum[k] += values[k];
    ++used;
  }
  if (used == 0)
    throw DataError(Input::kMask, std::string("IBSI texture (") + family + ", " + AggregationName(aggregation) +
                    "): no matrix has a count (no neighbouring ROI voxels)");
  for (double& v : sum) v /= static_cast<double>(used);
  return sum;
}

std::vector<Feature> Named(const char* family, const std::vector<std::pair<const char*, const char*>>& names,
                           Aggregation aggregation, const std::vector<double>& values) {
  std::vector<Feature> out;
  out.reserve(names.size());
  for (std::size_t k = 0; k < names.size(); ++k)
    out.push_back({family, names[k].first, names[k].second, aggregation, values[k]});
  return out;
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

const std::vector<std::pair<const char*, const char*>>& CooccurrenceNames() {
  static const std::vector<std::pair<const char*, const char*>> names = {
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

// ---- grey level run length (IBSI 3.7)

struct RunLength {
  explicit RunLength(const Levels& l)
      : ng(l.grey_levels()),
        longest(*std::max_element(l.size().begin(), l.size().end())),
        counts(static_cast<std::size_t>(ng * longest), 0.0) {}
  bool Empty() const {
    return std::all_of(counts.begin(), counts.end(), [](double c) { return c == 0; });
  }
  int ng;
  long longest;
  std::vector<double> counts;  // row-major (level, run length), both from 1
  double voxels = 0;           // N_v, summed over the merged matrices
};

void FillRunLength(const Levels& levels, const Part& part, RunLength* m) {
  const auto& d = part.direction;
  levels.ForEachVoxel(part.slice, [&](long x, long y, long z, int a) {
    if (levels.At(x - d[0], y - d[1], z - d[2]) == a) return;  // not where a run starts
    long length = 1;
    while (levels.At(x + length * d[0], y + length * d[1], z + length * d[2]) == a) ++length;
    m->counts[static_cast<std::size_t>((a - 1) * m->longest + (length - 1))] += 1;
  });
  m->voxels += static_cast<double>(levels.Voxels(part.slice));
}

std::vector<double> RunLengthValues(const RunLength& m) {
  const int ng = m.ng;
  const long nr = m.longest;
  double runs = 0;
  for (double c : m.counts) runs += c;
  std::vector<double> by_level(static_cast<std::size_t>(ng + 1), 0.0), by_length(static_cast<std::size_t>(nr + 1), 0.0);
  double sre = 0, lre = 0, lgre = 0, hgre = 0, srlge = 0, srhge = 0, lrlge = 0, lrhge = 0, mu_i = 0, mu_j = 0,
         entropy = 0;
  for (int i = 1; i <= ng; ++i)
    for (long j = 1; j <= nr; ++j) {
      const double r = m.counts[static_cast<std::size_t>((i - 1) * nr + (j - 1))];
      if (r == 0) continue;
      const double i2 = static_cast<double>(i) * i, j2 = static_cast<double>(j) * j, p = r / runs;
      by_level[static_cast<std::size_t>(i)] += r;
      by_length[static_cast<std::size_t>(j)] += r;
      sre += r / j2;
      lre += r * j2;
      lgre += r / i2;
      hgre += r * i2;
      srlge += r / (i2 * j2);
      srhge += r * i2 / j2;
      lrlge += r * j2 / i2;
      lrhge += r * i2 * j2;
      mu_i += i * p;
      mu_j += static_cast<double>(j) * p;
      entropy -= p * std::log2(p);
    }
  double gln = 0, rln = 0, var_i = 0, var_j = 0;
  for (int i = 1; i <= ng; ++i) gln += by_level[static_cast<std::size_t>(i)] * by_level[static_cast<std::size_t>(i)];
  for (long j = 1; j <= nr; ++j) rln += by_length[static_cast<std::size_t>(j)] * by_length[static_cast<std::size_t>(j)];
  for (int i = 1; i <= ng; ++i)
    for (long j = 1; j <= nr; ++j) {
      const double p = m.counts[static_cast<std::size_t>((i - 1) * nr + (j - 1))] / runs;
      if (p == 0) continue;
      var_i += (i - mu_i) * (i - mu_i) * p;
      var_j += (static_cast<double>(j) - mu_j) * (static_cast<double>(j) - mu_j) * p;
    }
  return {sre / runs, lre / runs,  lgre / runs,        hgre / runs,       srlge / runs, srhge / runs,
          lrlge / runs, lrhge / runs, gln / runs,      gln / (runs * runs), rln / runs,   rln / (runs * runs),
          runs / m.voxels, var_i,     var_j,             entropy};
}

const std::vector<std::pair<const char*, const char*>>& RunLengthNames() {
  static const std::vector<std::pair<const char*, const char*>> names = {
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

}  // namespace

const std::vector<Aggregation>& AllAggregations() {
  static const std::vector<Aggregation> all = {Aggregation::k2DAveraged,         Aggregation::k2DSliceMerged,
                                               Aggregation::k25DDirectionMerged, Aggregation::k25DMerged,
                                               Aggregation::k3DAveraged,         Aggregation::k3DMerged};
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
  const auto values = Aggregate<RunLength>(
      l, aggregation, [&](const Part& part, RunLength* m) { FillRunLength(l, part, m); }, RunLengthValues, "rlm");
  return Named("rlm", RunLengthNames(), aggregation, values);
}

}  // namespace lvsi::radiomics::ibsi

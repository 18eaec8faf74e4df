#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <memory>
#include <string_view>
#include <type_traits>

#include "detail/glcm_angle.h"
#include "detail/mcc_solver.h"
#include "detail/texture.h"
#include "lvsi/core/error.h"
#include "lvsi/core/parallel.h"
#include "lvsi/radiomics/features.h"

namespace lvsi::radiomics {
using namespace std::string_view_literals;  // name comparisons check the length first
namespace {
using detail::AngleStats;
using detail::kEps;
using detail::MccSolver;
using detail::Slice;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// log2(x + offset), remembered for recent arguments: GLCM entries,
// marginals and their products repeat (they are small counts over one
// total; a symmetric GLCM's p_y mostly equals its p_x), and the same
// argument gives the same bits however it is computed.
class Log2Memo {
 public:
  explicit Log2Memo(double offset) : offset_(offset) { std::fill(std::begin(key_), std::end(key_), kNaN); }
  double operator()(double x) {
    std::uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    const std::size_t slot = static_cast<std::size_t>((bits * 0x9E3779B97F4A7C15ULL) >> 55);  // 9 bits
    if (key_[slot] != x) {
      key_[slot] = x;
      value_[slot] = std::log2(x + offset_);
    }
    return value_[slot];
  }

 private:
  double offset_;
  double key_[512], value_[512];
};

// The co-occurrence counts of every angle: entries (i, j, count) in flat
// arrays, each angle's entries one range of them.
struct Range {
  std::size_t begin, end;
  std::size_t size() const { return end - begin; }
};
struct GlcmCounts {
  std::unique_ptr<std::size_t[]> i, j;
  std::unique_ptr<double[]> v;
};

// Counts the pairs of every angle (one weighted matrix with
// settings.weighting_norm); returns each matrix's range of entries.
std::vector<Range> CountPairs(const Roi& roi, const TextureSettings& settings, const std::vector<detail::Offset>& angles,
                              GlcmCounts& c) {
  const Geometry& g = roi.geometry;
  const std::size_t G = roi.gray_levels.size();
  const std::size_t Na = angles.size();
  // Compact levels on the box padded by the largest distance.
  int reach = 1;
  for (int d : settings.distances) reach = std::max(reach, d);
  const detail::PaddedLevels padded(roi, static_cast<std::size_t>(reach));
  // Each angle's counts are kept sparse: its entries (i, j, count) in the
  // order first met (the voxels' raster order: deterministic, and no sum
  // below depends on more than that), the angles one after another in flat
  // arrays.  entry_of[i * G + j] is the entry of (i, j) in the angle being
  // counted, or -1; a pair whose neighbour lies outside the ROI goes to a
  // sink cell (no branch on the ROI's shape), whose entry opens the angle's
  // block and is not kept.  The arrays are sized for the most entries an
  // angle can have but never zeroed ahead (an ROI's pairs can far
  // outnumber its entries): an entry is set when it is made.
  const std::size_t sink = G * G;
  std::vector<std::ptrdiff_t> entry_of(G * G + 1, -1);
  const std::size_t pairs = (settings.symmetrical_glcm ? 2 : 1) * padded.voxels.size();
  const std::size_t capacity = Na * (std::min(pairs, G * G) + 1);
  c.i.reset(new std::size_t[capacity]);
  c.j.reset(new std::size_t[capacity]);
  c.v.reset(new double[capacity]);
  std::vector<Range> counts(Na);
  std::size_t next = 0;
  for (std::size_t a = 0; a < Na; ++a) {
    const long delta = padded.Step(angles[a]);
    std::size_t* const ei = c.i.get();
    std::size_t* const ej = c.j.get();
    double* const ev = c.v.get();
    std::ptrdiff_t* const of = entry_of.data();
    const std::size_t sink_entry = next++;
    ev[sink_entry] = 0;
    of[sink] = static_cast<std::ptrdiff_t>(sink_entry);
    auto tally = [&](std::size_t key, std::size_t i, std::size_t j) {
      std::ptrdiff_t k = of[key];
      if (k < 0) {
        k = static_cast<std::ptrdiff_t>(next++);
        of[key] = k;
        ei[k] = i;
        ej[k] = j;
        ev[k] = 0;
      }
      ev[k] += 1;
    };
    for (const std::size_t n : padded.voxels) {
      const int gj = padded.Near(n, delta);
      const bool inside = gj >= 0;
      const std::size_t i = static_cast<std::size_t>(padded.at[n]), j = inside ? static_cast<std::size_t>(gj) : 0;
      tally(inside ? i * G + j : sink, i, j);
      if (settings.symmetrical_glcm) tally(inside ? j * G + i : sink, j, i);  // P + P^T
    }
    for (std::size_t e = sink_entry + 1; e < next; ++e) of[ei[e] * G + ej[e]] = -1;
    counts[a] = {sink_entry + 1, next};
  }
  if (!settings.weighting_norm.empty()) {
    // One matrix: the angles' counts weighted and summed, entries in the
    // order first met over the angles; entries whose weighted sum is zero
    // (weights that underflow) are dropped, as zeros of a dense matrix.
    std::vector<std::size_t> wi, wj;
    std::vector<double> wv;
    for (std::size_t a = 0; a < Na; ++a) {
      const double d = detail::AngleDistance(angles[a], g.spacing, settings.weighting_norm);
      const double w = settings.weighting_norm == "no_weighting" ? 1.0 : std::exp(-d * d);
      for (std::size_t e = counts[a].begin; e < counts[a].end; ++e) {
        std::ptrdiff_t& k = entry_of[c.i[e] * G + c.j[e]];
        if (k < 0) {
          k = static_cast<std::ptrdiff_t>(wv.size());
          wi.push_back(c.i[e]);
          wj.push_back(c.j[e]);
          wv.push_back(0.0);
        }
        wv[static_cast<std::size_t>(k)] += c.v[e] * w;
      }
    }
    std::size_t kept = 0;  // (wv.size() <= the entries counted: room enough)
    for (std::size_t e = 0; e < wv.size(); ++e) {
      entry_of[wi[e] * G + wj[e]] = -1;
      if (wv[e] == 0) continue;
      c.i[kept] = wi[e];
      c.j[kept] = wj[e];
      c.v[kept] = wv[e];
      ++kept;
    }
    counts.assign(1, Range{0, kept});
  }
  return counts;
}

// Drops empty matrices (when there are several) and normalises the others to
// sum 1; none at all when the only one is empty.
std::vector<Range> Normalise(const std::vector<Range>& counts, GlcmCounts& c) {
  // Drop empty angles (when there are several) and normalise.
  std::vector<Range> mats;
  for (std::size_t a = 0; a < counts.size(); ++a) {
    double s = 0;
    for (std::size_t e = counts[a].begin; e < counts[a].end; ++e) s += c.v[e];
    if (s == 0 && counts.size() > 1) continue;
    if (s == 0) return {};  // the only matrix is empty
    for (std::size_t e = counts[a].begin; e < counts[a].end; ++e) c.v[e] /= s;
    mats.push_back(counts[a]);
  }
  return mats;
}

// Sums over an angle's non-zero entries, all in one pass.  Each is
// accumulated on its own in the entries' order, so it has the bits of a
// pass of its own; together their additions overlap instead of waiting on
// one another.
struct EntrySums {
  double autocorrelation = 0, prominence = 0, shade = 0, tendency = 0, contrast = 0, correlation = 0, energy = 0,
         squares = 0, maximum = 0;
};
// Likewise the sums over p_{x-y}(k), k = |i - j|.
struct DiffSums {
  double average = 0, entropy = 0, idm = 0, idmn = 0, id = 0, idn = 0, inverse_variance = 0;
};

// What the feature rows compute from: each angle's statistics, and the
// entry and difference sums, computed once, when a row first needs them.
class GlcmAngles {
 public:
  std::vector<AngleStats> stats;
  std::vector<double> marginal_pool, entry_pool;  // the arrays the stats' slices point into
  std::vector<std::size_t> index_pool;
  Log2Memo log2_eps{kEps};  // log2(x + eps)
  std::size_t G = 0;
  int Ng = 0;
  bool symmetric = true;

  // The mean over the angles of fn(angle's statistics, angle index).
  template <class F>
  double PerAngle(F&& fn) {
    for (std::size_t a = 0; a < stats.size(); ++a) angle_values_[a] = fn(stats[a], a);
    return detail::NanMean(angle_values_);
  }
  double FromEntries(double EntrySums::*member) {
    return PerAngle([&](const AngleStats&, std::size_t a) { return Entry(a).*member; });
  }
  double FromDiff(double DiffSums::*member) {
    return PerAngle([&](const AngleStats&, std::size_t a) { return Diff(a).*member; });
  }
  const EntrySums& Entry(std::size_t a) {
    if (entry_sums_.empty()) {
      entry_sums_.resize(stats.size());
      for (std::size_t b = 0; b < stats.size(); ++b) {
        const AngleStats& s = stats[b];
        EntrySums r;
        for (std::size_t e = 0; e < s.nz_v.size(); ++e) {
          const double p = s.nz_v[e], i = s.nz_li[e], j = s.nz_lj[e];
          const double d = i + j - s.ux - s.uy;
          r.autocorrelation += p * (i * j);
          r.prominence += p * ((d * d) * (d * d));
          r.shade += p * (d * d * d);
          r.tendency += p * (d * d);
          r.contrast += p * ((i - j) * (i - j));
          r.correlation += p * ((i - s.ux) * (j - s.uy));
          r.energy += p * p;
          r.squares += p * ((i - s.ux) * (i - s.ux));
          r.maximum = std::max(r.maximum, p);
        }
        entry_sums_[b] = r;
      }
    }
    return entry_sums_[a];
  }
  const DiffSums& Diff(std::size_t a) {
    if (diff_sums_.empty()) {
      diff_sums_.resize(stats.size());
      const double ng = static_cast<double>(Ng);
      for (std::size_t b = 0; b < stats.size(); ++b) {
        const AngleStats& s = stats[b];
        DiffSums r;
        for (std::size_t k = s.diff_lo; k < s.diff_hi; ++k) {
          const double p = s.diff_k[k], x = static_cast<double>(k);
          r.average += x * p;
          if (p > 0) r.entropy -= p * log2_eps(p);
          r.idm += 1 / (1 + x * x) * p;
          r.idmn += 1 / (1 + (x * x) / (ng * Ng)) * p;
          r.id += 1 / (1 + x) * p;
          r.idn += 1 / (1 + x / Ng) * p;
          if (k > 0) r.inverse_variance += p / (x * k);
        }
        diff_sums_[b] = r;
      }
    }
    return diff_sums_[a];
  }
  void Prepare() { angle_values_.resize(stats.size()); }

 private:
  std::vector<double> angle_values_;  // (PerAngle's, never nested)
  std::vector<EntrySums> entry_sums_;
  std::vector<DiffSums> diff_sums_;
};

// Each angle's marginals, sums and differences, means, SDs and entropies.
void AngleStatistics(const Roi& roi, const std::vector<Range>& mats, const GlcmCounts& c, bool symmetric,
                     GlcmAngles& angles) {
  const std::size_t G = roi.gray_levels.size();
  const int Ng = roi.max_level;
  std::vector<double> lv(G);
  for (std::size_t i = 0; i < G; ++i) lv[i] = roi.gray_levels[i];

  // The angles' arrays live in three pools (zero marginals and sums;
  // entry values and levels; entry indices).
  const std::size_t marginals = 2 * G + static_cast<std::size_t>(3 * Ng - 1);
  std::size_t entries = 0;
  for (const auto& p : mats) entries += p.size();
  angles.marginal_pool.assign(mats.size() * marginals, 0.0);
  angles.entry_pool.resize(3 * entries);
  angles.index_pool.resize(2 * entries);
  std::vector<AngleStats>& stats = angles.stats;
  stats.resize(mats.size());
  Log2Memo& log2_eps = angles.log2_eps;
  Log2Memo log2_plain(0.0);  // log2(x) (x + 0 = x)
  double* next_marginal = angles.marginal_pool.data();
  double* next_entry = angles.entry_pool.data();
  std::size_t* next_index = angles.index_pool.data();
  auto take = [](auto*& next, std::size_t count) {
    Slice<std::remove_reference_t<decltype(*next)>> slice{next, count};
    next += count;
    return slice;
  };
  for (std::size_t a = 0; a < mats.size(); ++a) {
    const auto& p = mats[a];
    AngleStats& s = stats[a];
    s.px = take(next_marginal, G);
    s.py = take(next_marginal, G);
    s.sum_k = take(next_marginal, static_cast<std::size_t>(2 * Ng - 1));
    s.diff_k = take(next_marginal, static_cast<std::size_t>(Ng));
    s.nz_i = take(next_index, p.size());
    s.nz_j = take(next_index, p.size());
    s.nz_v = take(next_entry, p.size());
    s.nz_li = take(next_entry, p.size());
    s.nz_lj = take(next_entry, p.size());
    for (std::size_t e = 0; e < p.size(); ++e) {
      const std::size_t from = p.begin + e;
      s.nz_i[e] = c.i[from];
      s.nz_j[e] = c.j[from];
      s.nz_v[e] = c.v[from];
      s.nz_li[e] = lv[c.i[from]];
      s.nz_lj[e] = lv[c.j[from]];
    }
    // Every sum over (i, j) runs over the non-zero entries; the marginal
    // ones over the marginals.  A symmetric GLCM's entries come in adjacent
    // pairs (i, j), (j, i) of equal value (counted together), so p_y(l)
    // adds the same values in the same order as p_x(l): it is p_x to the
    // bit, and every y-side statistic is its x-side twin.
    const bool twin = symmetric;
    for (std::size_t e = 0; e < s.nz_v.size(); ++e) {
      const std::size_t i = s.nz_i[e], j = s.nz_j[e];
      const double v = s.nz_v[e];
      s.px[i] += v;
      if (!twin) s.py[j] += v;
      s.hxy -= v * log2_eps(v);
      s.sum_k[static_cast<std::size_t>(lv[i] + lv[j] - 2)] += v;
      s.diff_k[static_cast<std::size_t>(std::abs(lv[i] - lv[j]))] += v;
    }
    if (twin) std::copy(s.px.begin(), s.px.end(), s.py.begin());
    // (Zero terms of the entropies are skipped: each would subtract -0.)
    for (std::size_t i = 0; i < G; ++i) {
      s.ux += s.px[i] * lv[i];
      if (s.px[i] > 0) s.hx -= s.px[i] * log2_eps(s.px[i]);
      if (twin) continue;
      s.uy += s.py[i] * lv[i];
      if (s.py[i] > 0) s.hy -= s.py[i] * log2_eps(s.py[i]);
    }
    if (twin) {
      s.uy = s.ux;
      s.hy = s.hx;
    }
    double vx = 0, vy = 0;
    for (std::size_t i = 0; i < G; ++i) {
      vx += s.px[i] * (lv[i] - s.ux) * (lv[i] - s.ux);
      if (!twin) vy += s.py[i] * (lv[i] - s.uy) * (lv[i] - s.uy);
    }
    if (twin) vy = vx;
    // HXY1 = -sum p(i,j) log2(p_x(i) p_y(j) + eps) over the non-zero p.
    for (std::size_t e = 0; e < s.nz_v.size(); ++e)
      s.hxy1 -= s.nz_v[e] * log2_eps(s.px[s.nz_i[e]] * s.py[s.nz_j[e]]);
    // HXY2 = -sum p_x(i) p_y(j) log2(p_x(i) p_y(j) + eps) over the pairs of
    // non-zero marginals.  log2(a b + eps) = log2 a + log2 b + log2(1 + e)
    // with e = eps / (a b), tiny (a, b >= 1 / (2N) for N pairs), and
    // log2(1 + e) = e / ln 2 up to a relative e / 2: each pair adds
    // eps / ln 2, the marginals' entropies give the rest.  O(G), not O(G^2).
    // (A flat region gets HXY2 within one unit in the last place of HXY, so
    // its Imc2 is 0, as pyradiomics' is.)
    double plogp_x = 0, plogp_y = 0, sum_x = 0, sum_y = 0, nx = 0, ny = 0;
    for (std::size_t i = 0; i < G; ++i) {
      if (s.px[i] > 0) {
        plogp_x += s.px[i] * log2_plain(s.px[i]);
        sum_x += s.px[i];
        nx += 1;
      }
      if (!twin && s.py[i] > 0) {
        plogp_y += s.py[i] * log2_plain(s.py[i]);
        sum_y += s.py[i];
        ny += 1;
      }
    }
    if (twin) {
      plogp_y = plogp_x;
      sum_y = sum_x;
      ny = nx;
    }
    s.hxy2 = -(plogp_x * sum_y + plogp_y * sum_x) - nx * ny * (kEps / std::log(2.0));
    s.sigx = std::sqrt(vx);
    s.sigy = std::sqrt(vy);
    auto nonzero_range = [](const Slice<double>& v, std::size_t* lo, std::size_t* hi) {
      std::size_t a = 0, b = v.size();
      while (a < b && v[a] == 0) ++a;
      while (b > a && v[b - 1] == 0) --b;
      *lo = a;
      *hi = b;
    };
    nonzero_range(s.sum_k, &s.sum_lo, &s.sum_hi);
    nonzero_range(s.diff_k, &s.diff_lo, &s.diff_hi);
  }

  angles.G = G;
  angles.Ng = Ng;
  angles.symmetric = symmetric;
  angles.Prepare();
}

// One row per feature: its documentation and the code that computes it
// (from the angles' statistics, averaged over the angles).
using GlcmRow = detail::FeatureRow<GlcmAngles>;

const std::vector<GlcmRow>& Rows() {
  static const std::vector<GlcmRow> kRows = {
      {{"Autocorrelation", false, "QWB0", R"(\sum_{i,j} p(i,j)\,ij.)", "", "unitless"},
       [](GlcmAngles& g) { return g.FromEntries(&EntrySums::autocorrelation); }},
      {{"JointAverage", false, "60VM", R"(\mu_x = \sum_{i,j} p(i,j)\,i.)", "Assumes a symmetric GLCM.", "unitless"},
       [](GlcmAngles& g) {
         double s = 0;
         for (const auto& st : g.stats) s += st.ux;
         return s / static_cast<double>(g.stats.size());
       }},
      {{"ClusterProminence", false, "AE86", R"(\sum_{i,j} (i+j-\mu_x-\mu_y)^4 p(i,j).)", "", "unitless"},
       [](GlcmAngles& g) { return g.FromEntries(&EntrySums::prominence); }},
      {{"ClusterShade", false, "7NFM", R"(\sum_{i,j} (i+j-\mu_x-\mu_y)^3 p(i,j).)", "", "unitless"},
       [](GlcmAngles& g) { return g.FromEntries(&EntrySums::shade); }},
      {{"ClusterTendency", false, "DG8W", R"(\sum_{i,j} (i+j-\mu_x-\mu_y)^2 p(i,j).)", "", "unitless"},
       [](GlcmAngles& g) { return g.FromEntries(&EntrySums::tendency); }},
      {{"Contrast", false, "ACUI", R"(\sum_{i,j} (i-j)^2 p(i,j).)", "", "unitless"},
       [](GlcmAngles& g) { return g.FromEntries(&EntrySums::contrast); }},
      {{"Correlation", false, "NI2N",
        R"(\frac{\sum_{i,j} p(i,j)(i-\mu_x)(j-\mu_y)}{\sigma_x\sigma_y}; 1 when \sigma_x\sigma_y = 0.)", "", "unitless"},
       [](GlcmAngles& g) {
         return g.PerAngle([&](const AngleStats& s, std::size_t a) {
           if (s.sigx * s.sigy == 0) return 1.0;
           return g.Entry(a).correlation / (s.sigx * s.sigy + kEps);
         });
       }},
      {{"DifferenceAverage", false, "TF7R", R"(\sum_k k\,p_{x-y}(k).)", "", "unitless"},
       [](GlcmAngles& g) { return g.FromDiff(&DiffSums::average); }},
      {{"DifferenceEntropy", false, "NTRS", R"(-\sum_k p_{x-y}(k)\log_2(p_{x-y}(k)+\epsilon).)", "", "bits"},
       [](GlcmAngles& g) { return g.FromDiff(&DiffSums::entropy); }},
      {{"DifferenceVariance", false, "D3YU", R"(\sum_k (k-DA)^2 p_{x-y}(k).)", "", "unitless"},
       [](GlcmAngles& g) {
         return g.PerAngle([&](const AngleStats& s, std::size_t a) {
           const double da = g.Diff(a).average;
           double r = 0;
           for (std::size_t k = s.diff_lo; k < s.diff_hi; ++k) {
             const double x = static_cast<double>(k);
             r += (x - da) * (x - da) * s.diff_k[k];
           }
           return r;
         });
       }},
      {{"Dissimilarity", true, "8S9J", R"(\sum_{i,j}|i-j|\,p(i,j) (= DifferenceAverage).)",
        "pyradiomics deprecates it and computes nothing; lvsi returns DifferenceAverage.", "unitless"},
       [](GlcmAngles& g) { return g.FromDiff(&DiffSums::average); }},
      {{"JointEnergy", false, "8ZQL", R"(\sum_{i,j} p(i,j)^2.)", "IBSI angular second moment.", "unitless"},
       [](GlcmAngles& g) { return g.FromEntries(&EntrySums::energy); }},
      {{"JointEntropy", false, "TU9B", R"(-\sum_{i,j} p(i,j)\log_2(p(i,j)+\epsilon).)", "", "bits"},
       [](GlcmAngles& g) { return g.PerAngle([](const AngleStats& s, std::size_t) { return s.hxy; }); }},
      {{"Homogeneity1", true, "", R"(\sum_{i,j} p(i,j)/(1+|i-j|) (= Id).)", "Deprecated in pyradiomics; lvsi returns Id.",
        "unitless"},
       [](GlcmAngles& g) { return g.FromDiff(&DiffSums::id); }},
      {{"Homogeneity2", true, "", R"(\sum_{i,j} p(i,j)/(1+|i-j|^2) (= Idm).)",
        "Deprecated in pyradiomics; lvsi returns Idm.", "unitless"},
       [](GlcmAngles& g) { return g.FromDiff(&DiffSums::idm); }},
      {{"Imc1", false, "R8DG", R"(\frac{HXY-HXY1}{\max(HX,HY)}; 0 when both entropies are 0.)", "", "unitless"},
       [](GlcmAngles& g) {
         return g.PerAngle([](const AngleStats& s, std::size_t) {
           const double div = std::fmax(s.hx, s.hy);
           return div != 0 ? (s.hxy - s.hxy1) / div : 0.0;
         });
       }},
      {{"Imc2", false, "JN9H", R"(\sqrt{1-e^{-2(HXY2-HXY)}}; 0 when HXY2 = HXY.)", "", "unitless"},
       [](GlcmAngles& g) {
         return g.PerAngle([](const AngleStats& s, std::size_t) {
           if (s.hxy2 == s.hxy) return 0.0;
           const double arg = 1 - std::exp(-2 * (s.hxy2 - s.hxy));
           return arg < 0 ? kNaN : std::sqrt(arg);
         });
       }},
      {{"Idm", false, "WF0Z", R"(\sum_k p_{x-y}(k)/(1+k^2).)", "", "unitless"},
       [](GlcmAngles& g) { return g.FromDiff(&DiffSums::idm); }},
      {{"MCC", false, "",
        R"(\sqrt{\lambda_2(Q)}, Q(i,j)=\sum_k \frac{p(i,k)p(j,k)}{p_x(i)p_y(k)}; 1 for a flat region.)", "Not in IBSI 1.",
        "unitless"},
       [](GlcmAngles& g) {
         if (g.G < 2) return 1.0;
         std::vector<double> v(g.stats.size());
         MccSolver solver(g.G);
         for (std::size_t a = 0; a < g.stats.size(); ++a) v[a] = solver.SecondEigenvalueOfQ(g.stats[a], g.G, g.symmetric);
         for (double& x : v) x = x < 0 ? 0.0 : std::sqrt(x);
         return detail::NanMean(v);
       }},
      {{"Idmn", false, "1QCO", R"(\sum_k p_{x-y}(k)/(1+k^2/N_g^2).)", "", "unitless"},
       [](GlcmAngles& g) { return g.FromDiff(&DiffSums::idmn); }},
      {{"Id", false, "IB1Z", R"(\sum_k p_{x-y}(k)/(1+k).)", "", "unitless"},
       [](GlcmAngles& g) { return g.FromDiff(&DiffSums::id); }},
      {{"Idn", false, "NDRX", R"(\sum_k p_{x-y}(k)/(1+k/N_g).)", "", "unitless"},
       [](GlcmAngles& g) { return g.FromDiff(&DiffSums::idn); }},
      {{"InverseVariance", false, "E8JP", R"(\sum_{k\ge1} p_{x-y}(k)/k^2.)", "", "unitless"},
       [](GlcmAngles& g) { return g.FromDiff(&DiffSums::inverse_variance); }},
      {{"MaximumProbability", false, "GYBY", R"(\max_{i,j} p(i,j).)", "IBSI joint maximum.", "unitless"},
       [](GlcmAngles& g) { return g.FromEntries(&EntrySums::maximum); }},
      {{"SumAverage", false, "ZGXS", R"(\sum_k k\,p_{x+y}(k).)", "", "unitless"},
       [](GlcmAngles& g) {
         return g.PerAngle([](const AngleStats& s, std::size_t) {
           double r = 0;
           for (std::size_t k = s.sum_lo; k < s.sum_hi; ++k) r += static_cast<double>(k + 2) * s.sum_k[k];
           return r;
         });
       }},
      {{"SumEntropy", false, "P6QZ", R"(-\sum_k p_{x+y}(k)\log_2(p_{x+y}(k)+\epsilon).)", "", "bits"},
       [](GlcmAngles& g) {
         return g.PerAngle([&](const AngleStats& s, std::size_t) {
           double h = 0;
           for (std::size_t k = s.sum_lo; k < s.sum_hi; ++k)
             if (s.sum_k[k] > 0) h -= s.sum_k[k] * g.log2_eps(s.sum_k[k]);
           return h;
         });
       }},
      {{"SumSquares", false, "UR99", R"(\sum_{i,j}(i-\mu_x)^2 p(i,j).)", "IBSI joint variance.", "unitless"},
       [](GlcmAngles& g) { return g.FromEntries(&EntrySums::squares); }},
      {{"SumVariance", true, "OEEB", R"(\sum_k (k-SA)^2 p_{x+y}(k) (= ClusterTendency).)",
        "Deprecated in pyradiomics; lvsi returns ClusterTendency.", "unitless"},
       [](GlcmAngles& g) { return g.FromEntries(&EntrySums::tendency); }},
  };
  return kRows;
}

}  // namespace

GlcmFeatures::GlcmFeatures(const Roi& roi, const TextureSettings& settings)
    : roi_(roi), settings_(settings) {
  std::string why;
  if (!settings_.IsValid(&why)) throw InvalidArgument(why);
}

const std::vector<FeatureInfo>& GlcmFeatures::Features() {
  static const std::vector<FeatureInfo> kInfos = detail::InfosOf(Rows());
  return kInfos;
}

FeatureList GlcmFeatures::Compute(const std::vector<std::string>& names) const {
  return detail::Named(detail::ResolveNames(Features(), names, "glcm"), Values(names));
}

std::vector<double> GlcmFeatures::Values(const std::vector<std::string>& names) const {
  const auto wanted = detail::ResolveNames(Features(), names, "glcm");
  const auto angles = detail::GenerateAngles(roi_.geometry.size, settings_.distances, false, settings_.force2d,
                                             settings_.force2d_dimension);
  GlcmCounts counts;
  const std::vector<Range> matrices = CountPairs(roi_, settings_, angles, counts);
  const std::vector<Range> mats = Normalise(matrices, counts);
  // No pairs at all in the only matrix: it is NaN, and so is every feature.
  if (mats.empty() && matrices.size() == 1) return std::vector<double>(wanted.size(), kNaN);
  GlcmAngles stats;
  AngleStatistics(roi_, mats, counts, settings_.symmetrical_glcm, stats);
  return detail::Evaluate(Rows(), wanted, stats, "glcm");
}

}  // namespace lvsi::radiomics

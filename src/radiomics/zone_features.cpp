// GLSZM, GLDM and NGTDM: the matrices built from voxel neighbourhoods.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>

#include "detail/texture.h"
#include "lvsi/core/error.h"
#include "lvsi/radiomics/features.h"

namespace lvsi::radiomics {
namespace {

// Index steps of the offsets on a padded level map.
std::vector<long> Steps(const detail::PaddedLevels& padded, const std::vector<detail::Offset>& angles) {
  std::vector<long> steps;
  steps.reserve(angles.size());
  for (const auto& o : angles) steps.push_back(padded.Step(o));
  return steps;
}

// The largest distance of a neighbourhood (the padding it needs).
std::size_t Reach(const std::vector<int>& distances) {
  int r = 1;
  for (int d : distances) r = std::max(r, d);
  return static_cast<std::size_t>(r);
}

// Features of a (grey level x size) matrix shared by GLSZM and GLDM, with
// zone counts in P[i * jv.size() + j], i over present levels, j over
// present sizes.
struct ZoneMatrix {
  std::vector<double> iv, jv;        // grey levels, sizes
  std::vector<double> P;             // row-major, iv.size() x jv.size()
  std::vector<double> pg, ps;        // marginals: sum over j of P[i][j], over i of P[i][j]
  double nz = 0;                     // normaliser (zones or voxels)
  // The non-zero entries (level, size, count) row by row: sums over (i, j)
  // run over these only, in that order (a zero term would add +0 and change
  // no bit).
  struct Entry {
    double i, j, p;
  };
  std::vector<Entry> nonzero;

  detail::EmphasisSums Sums() const {
    return detail::SumEmphases(nonzero.begin(), nonzero.end(),
                               [](const Entry& e) { return std::array<double, 3>{e.i, e.j, e.p}; });
  }
  void Marginals() {
    pg.assign(iv.size(), 0.0);
    ps.assign(jv.size(), 0.0);
    nonzero.clear();
    nonzero.reserve(static_cast<std::size_t>(std::count_if(P.begin(), P.end(), [](double v) { return v != 0; })));
    const std::size_t cols = jv.size();
    for (std::size_t i = 0; i < iv.size(); ++i)
      for (std::size_t j = 0; j < cols; ++j) {
        const double v = P[i * cols + j];
        pg[i] += v;
        if (v != 0) nonzero.push_back({iv[i], jv[j], v});
      }
    for (std::size_t j = 0; j < cols; ++j)
      for (std::size_t i = 0; i < iv.size(); ++i) ps[j] += P[i * cols + j];
  }
  double Nonuniformity(bool gray, bool normalised) const {
    double s = 0;
    for (double v : gray ? pg : ps) s += v * v;
    return s / (normalised ? nz * nz : nz);
  }
  double Variance(bool gray) const {
    double mu = 0, v = 0;
    const std::vector<double>& p = gray ? pg : ps;
    const std::vector<double>& x = gray ? iv : jv;
    for (std::size_t k = 0; k < p.size(); ++k) mu += p[k] / nz * x[k];
    for (std::size_t k = 0; k < p.size(); ++k) {
      const double d = x[k] - mu;
      v += p[k] / nz * d * d;
    }
    return v;
  }
  double Entropy() const {
    double h = 0;
    for (const Entry& e : nonzero) {
      const double p = e.p / nz;
      if (p != 0) h -= p * std::log2(p + detail::kEps);  // zero terms add nothing
    }
    return h;
  }
};

// Builds a ZoneMatrix from one (level index, size) item per zone (size >=
// 1; for GLDM a voxel and its dependence + 1): the levels and sizes that
// occur, ascending, and the count of each pair.
ZoneMatrix MakeZoneMatrix(const Roi& roi, const std::vector<std::pair<std::size_t, std::size_t>>& items) {
  ZoneMatrix z;
  std::size_t largest = 0;
  for (const auto& item : items) largest = std::max(largest, item.second);
  std::vector<std::size_t> row(roi.gray_levels.size(), 0), col(largest + 1, 0);  // 1 + position, 0 = absent
  for (const auto& [level, size] : items) row[level] = col[size] = 1;
  z.iv.reserve(static_cast<std::size_t>(std::count(row.begin(), row.end(), 1)));
  z.jv.reserve(static_cast<std::size_t>(std::count(col.begin(), col.end(), 1)));
  for (std::size_t i = 0; i < row.size(); ++i)
    if (row[i]) {
      z.iv.push_back(roi.gray_levels[i]);
      row[i] = z.iv.size();
    }
  for (std::size_t j = 1; j < col.size(); ++j)
    if (col[j]) {
      z.jv.push_back(static_cast<double>(j));
      col[j] = z.jv.size();
    }
  const std::size_t cols = z.jv.size();
  z.P.assign(z.iv.size() * cols, 0.0);
  for (const auto& [level, size] : items) z.P[(row[level] - 1) * cols + col[size] - 1] += 1;
  z.Marginals();
  return z;
}

// What the features of GLSZM and GLDM read: the matrix (its marginals and
// non-zero entries), the emphases' sums (filled on first use) and the
// numbers for the percentages.
struct Zones {
  ZoneMatrix z;
  std::optional<detail::EmphasisSums> sums;
  double zones = 0, voxels = 0;  // N_z (zones, or voxels for GLDM) and N_p

  double Emphasis(double detail::EmphasisSums::*member) {
    if (!sums) sums = z.Sums();
    return (*sums).*member / z.nz;
  }
};

using ZoneRow = detail::FeatureRow<Zones>;
using E = detail::EmphasisSums;

const std::vector<ZoneRow>& GlszmRows() {
  static const std::vector<ZoneRow> kRows = {
      {{"SmallAreaEmphasis", false, "5QRC", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)/j^2.)", "", "unitless"},
       [](Zones& z) { return z.Emphasis(&E::small); }},
      {{"LargeAreaEmphasis", false, "48P8", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)\,j^2.)", "", "unitless"},
       [](Zones& z) { return z.Emphasis(&E::large); }},
      {{"GrayLevelNonUniformity", false, "JNSA", R"(\frac{1}{N_z}\sum_i(\sum_j P(i,j))^2.)", "", "unitless"},
       [](Zones& z) { return z.z.Nonuniformity(true, false); }},
      {{"GrayLevelNonUniformityNormalized", false, "Y1RO", R"(\frac{1}{N_z^2}\sum_i(\sum_j P(i,j))^2.)", "", "unitless"},
       [](Zones& z) { return z.z.Nonuniformity(true, true); }},
      {{"SizeZoneNonUniformity", false, "4JP3", R"(\frac{1}{N_z}\sum_j(\sum_i P(i,j))^2.)", "", "unitless"},
       [](Zones& z) { return z.z.Nonuniformity(false, false); }},
      {{"SizeZoneNonUniformityNormalized", false, "VB3A", R"(\frac{1}{N_z^2}\sum_j(\sum_i P(i,j))^2.)", "", "unitless"},
       [](Zones& z) { return z.z.Nonuniformity(false, true); }},
      {{"ZonePercentage", false, "P30P", R"(N_z/N_p.)", "", "unitless"},
       [](Zones& z) { return z.zones / z.voxels; }},
      {{"GrayLevelVariance", false, "BYLV", R"(\sum_{i,j} p(i,j)(i-\mu)^2.)", "", "unitless"},
       [](Zones& z) { return z.z.Variance(true); }},
      {{"ZoneVariance", false, "3NSA", R"(\sum_{i,j} p(i,j)(j-\mu)^2.)", "", "unitless"},
       [](Zones& z) { return z.z.Variance(false); }},
      {{"ZoneEntropy", false, "GU8N", R"(-\sum_{i,j} p(i,j)\log_2(p(i,j)+\epsilon).)", "", "bits"},
       [](Zones& z) { return z.z.Entropy(); }},
      {{"LowGrayLevelZoneEmphasis", false, "XMSY", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)/i^2.)", "", "unitless"},
       [](Zones& z) { return z.Emphasis(&E::low); }},
      {{"HighGrayLevelZoneEmphasis", false, "5GN9", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)\,i^2.)", "", "unitless"},
       [](Zones& z) { return z.Emphasis(&E::high); }},
      {{"SmallAreaLowGrayLevelEmphasis", false, "5RAI", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)/(i^2j^2).)", "", "unitless"},
       [](Zones& z) { return z.Emphasis(&E::small_low); }},
      {{"SmallAreaHighGrayLevelEmphasis", false, "HW1V", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)\,i^2/j^2.)", "", "unitless"},
       [](Zones& z) { return z.Emphasis(&E::small_high); }},
      {{"LargeAreaLowGrayLevelEmphasis", false, "YH51", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)\,j^2/i^2.)", "", "unitless"},
       [](Zones& z) { return z.Emphasis(&E::large_low); }},
      {{"LargeAreaHighGrayLevelEmphasis", false, "J17V", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)\,i^2j^2.)", "", "unitless"},
       [](Zones& z) { return z.Emphasis(&E::large_high); }},
  };
  return kRows;
}

const std::vector<ZoneRow>& GldmRows() {
  static const std::vector<ZoneRow> kRows = {
      {{"SmallDependenceEmphasis", false, "SODN", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)/j^2, N_z = N_p.)", "IBSI NGLDM with coarseness alpha = gldm_a.", "unitless"},
       [](Zones& z) { return z.Emphasis(&E::small); }},
      {{"LargeDependenceEmphasis", false, "IMOQ", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)\,j^2.)", "", "unitless"},
       [](Zones& z) { return z.Emphasis(&E::large); }},
      {{"GrayLevelNonUniformity", false, "FP8K", R"(\frac{1}{N_z}\sum_i(\sum_j P(i,j))^2.)", "", "unitless"},
       [](Zones& z) { return z.z.Nonuniformity(true, false); }},
      {{"GrayLevelNonUniformityNormalized", true, "5SPA", R"(\frac{1}{N_z^2}\sum_i(\sum_j P(i,j))^2 (= firstorder Uniformity).)", "Deprecated in pyradiomics (computes nothing); lvsi returns the value.", "unitless"},
       [](Zones& z) { return z.z.Nonuniformity(true, true); }},
      {{"DependenceNonUniformity", false, "Z87G", R"(\frac{1}{N_z}\sum_j(\sum_i P(i,j))^2.)", "", "unitless"},
       [](Zones& z) { return z.z.Nonuniformity(false, false); }},
      {{"DependenceNonUniformityNormalized", false, "OKJI", R"(\frac{1}{N_z^2}\sum_j(\sum_i P(i,j))^2.)", "", "unitless"},
       [](Zones& z) { return z.z.Nonuniformity(false, true); }},
      {{"GrayLevelVariance", false, "1PFV", R"(\sum_{i,j} p(i,j)(i-\mu)^2.)", "", "unitless"},
       [](Zones& z) { return z.z.Variance(true); }},
      {{"DependenceVariance", false, "DNX2", R"(\sum_{i,j} p(i,j)(j-\mu)^2.)", "", "unitless"},
       [](Zones& z) { return z.z.Variance(false); }},
      {{"DependenceEntropy", false, "FCBV", R"(-\sum_{i,j} p(i,j)\log_2(p(i,j)+\epsilon).)", "", "bits"},
       [](Zones& z) { return z.z.Entropy(); }},
      {{"DependencePercentage", true, "6XV8", R"(N_z/N_p (always 1).)", "Deprecated in pyradiomics (computes nothing); lvsi returns 1.", "unitless"},
       [](Zones&) { return 1.0; }},
      {{"LowGrayLevelEmphasis", false, "TL9H", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)/i^2.)", "", "unitless"},
       [](Zones& z) { return z.Emphasis(&E::low); }},
      {{"HighGrayLevelEmphasis", false, "OAE7", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)\,i^2.)", "", "unitless"},
       [](Zones& z) { return z.Emphasis(&E::high); }},
      {{"SmallDependenceLowGrayLevelEmphasis", false, "EQ3F", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)/(i^2j^2).)", "", "unitless"},
       [](Zones& z) { return z.Emphasis(&E::small_low); }},
      {{"SmallDependenceHighGrayLevelEmphasis", false, "JA6D", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)\,i^2/j^2.)", "", "unitless"},
       [](Zones& z) { return z.Emphasis(&E::small_high); }},
      {{"LargeDependenceLowGrayLevelEmphasis", false, "NBZI", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)\,j^2/i^2.)", "", "unitless"},
       [](Zones& z) { return z.Emphasis(&E::large_low); }},
      {{"LargeDependenceHighGrayLevelEmphasis", false, "9QMG", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)\,i^2j^2.)", "", "unitless"},
       [](Zones& z) { return z.Emphasis(&E::large_high); }},
  };
  return kRows;
}

}  // namespace

// ---------------------------------------------------------------- GLSZM

GlszmFeatures::GlszmFeatures(const Roi& roi, const TextureSettings& settings)
    : roi_(roi), settings_(settings) {
  std::string why;
  if (!settings_.IsValid(&why)) throw InvalidArgument(why);
}

const std::vector<FeatureInfo>& GlszmFeatures::Features() {
  static const std::vector<FeatureInfo> kInfos = detail::InfosOf(GlszmRows());
  return kInfos;
}

FeatureList GlszmFeatures::Compute(const std::vector<std::string>& names) const {
  return detail::Named(detail::ResolveNames(Features(), names, "glszm"), Values(names));
}

std::vector<double> GlszmFeatures::Values(const std::vector<std::string>& names) const {
  const auto wanted = detail::ResolveNames(Features(), names, "glszm");
  // Zones are the connected parts of equal level (26- or, with force2d,
  // 8-connected): a disjoint-set forest over the ROI voxels joins each
  // voxel with its equal neighbours along half of the offsets.
  const auto angles = detail::GenerateAngles(roi_.geometry.size, {1}, false, settings_.force2d,
                                             settings_.force2d_dimension);
  const detail::PaddedLevels padded(roi_, 1);
  const std::vector<long> steps = Steps(padded, angles);
  const std::vector<std::size_t>& voxels = padded.voxels;
  // ordinal: a voxel's place in `voxels`, read only at ROI voxels (a
  // neighbour of equal level is one), so the rest is never written.
  std::unique_ptr<std::size_t[]> ordinal(new std::size_t[padded.at.size()]);
  std::vector<std::size_t> parent(voxels.size());
  for (std::size_t k = 0; k < voxels.size(); ++k) {
    ordinal[voxels[k]] = k;
    parent[k] = k;
  }
  auto find = [&](std::size_t x) { return detail::FindRoot(parent, x); };
  for (std::size_t k = 0; k < voxels.size(); ++k) {
    const int level = padded.at[voxels[k]];
    for (const long step : steps)
      if (padded.Near(voxels[k], step) == level) {
        const std::size_t a = find(k), b = find(ordinal[static_cast<std::size_t>(static_cast<long>(voxels[k]) + step)]);
        if (a != b) parent[std::max(a, b)] = std::min(a, b);
      }
  }
  std::vector<std::size_t> size(voxels.size(), 0);
  for (std::size_t k = 0; k < voxels.size(); ++k) ++size[find(k)];
  std::vector<std::pair<std::size_t, std::size_t>> zone_list;
  zone_list.reserve(static_cast<std::size_t>(std::count_if(size.begin(), size.end(), [](std::size_t n) { return n != 0; })));
  for (std::size_t k = 0; k < voxels.size(); ++k)
    if (size[k] != 0)  // a zone's root
      zone_list.emplace_back(static_cast<std::size_t>(padded.at[voxels[k]]), size[k]);
  Zones zones;
  zones.z = MakeZoneMatrix(roi_, zone_list);
  for (double v : zones.z.P) zones.zones += v;
  zones.z.nz = zones.zones;
  zones.voxels = static_cast<double>(roi_.voxel_count);
  return detail::Evaluate(GlszmRows(), wanted, zones, "glszm");
}

// ---------------------------------------------------------------- GLDM

GldmFeatures::GldmFeatures(const Roi& roi, const TextureSettings& settings)
    : roi_(roi), settings_(settings) {
  std::string why;
  if (!settings_.IsValid(&why)) throw InvalidArgument(why);
}

const std::vector<FeatureInfo>& GldmFeatures::Features() {
  static const std::vector<FeatureInfo> kInfos = detail::InfosOf(GldmRows());
  return kInfos;
}

FeatureList GldmFeatures::Compute(const std::vector<std::string>& names) const {
  return detail::Named(detail::ResolveNames(Features(), names, "gldm"), Values(names));
}

std::vector<double> GldmFeatures::Values(const std::vector<std::string>& names) const {
  const auto wanted = detail::ResolveNames(Features(), names, "gldm");
  const auto angles = detail::GenerateAngles(roi_.geometry.size, settings_.distances, true,
                                             settings_.force2d, settings_.force2d_dimension);
  const detail::PaddedLevels padded(roi_, Reach(settings_.distances));
  const std::vector<long> steps = Steps(padded, angles);
  const std::vector<int>& gl = roi_.gray_levels;  // level of each index
  // The levels as doubles (exact); a voxel outside the ROI reads NaN, which
  // is within no alpha of any level.
  const detail::LevelTable<double> levels(gl, std::numeric_limits<double>::quiet_NaN());
  const double* level_of = levels.data();
  const double alpha = settings_.gldm_a;
  std::vector<std::pair<std::size_t, std::size_t>> dependence;  // (level index, dependence + 1)
  dependence.reserve(padded.voxels.size());
  for (const std::size_t n : padded.voxels) {
    const int i = padded.at[n];
    const double level = level_of[i];
    std::size_t dep = 0;
    for (const long step : steps) dep += std::abs(level - level_of[padded.Near(n, step)]) <= alpha;
    dependence.emplace_back(static_cast<std::size_t>(i), dep + 1);
  }
  Zones zones;
  zones.z = MakeZoneMatrix(roi_, dependence);
  zones.voxels = static_cast<double>(roi_.voxel_count);
  zones.zones = zones.z.nz = zones.voxels;
  return detail::Evaluate(GldmRows(), wanted, zones, "gldm");
}

// ---------------------------------------------------------------- NGTDM

NgtdmFeatures::NgtdmFeatures(const Roi& roi, const TextureSettings& settings)
    : roi_(roi), settings_(settings) {
  std::string why;
  if (!settings_.IsValid(&why)) throw InvalidArgument(why);
}

namespace {

// What the NGTDM features read: each level's probability p_i and sum of
// differences s_i, their totals, and the sums over pairs of levels.
struct Ngtdm {
  std::vector<double> p, s, iv;  // per present level
  double nvp = 0, ngp = 0;       // voxels with a neighbourhood, levels present
  double ps = 0, sum_s = 0;      // \sum p_i s_i, \sum s_i
  // The four sums over pairs of levels, in one pass (when one is wanted;
  // their additions overlap).  Every term is symmetric in (i, j), to the
  // bit, and zero for i = j: each sum is twice its sum over i < j (half the
  // work; it differs from the full double loop only in rounding).
  struct PairSums {
    double contrast = 0, busyness = 0, complexity = 0, strength = 0;
  };
  std::optional<PairSums> pair_sums;

  const PairSums& Pairs() {
    if (!pair_sums) {
      PairSums r;
      const std::size_t G = iv.size();
      for (std::size_t i = 0; i < G; ++i)
        for (std::size_t j = i + 1; j < G; ++j) {
          const double d = iv[i] - iv[j];
          r.contrast += p[i] * p[j] * d * d;
          r.busyness += std::abs(iv[i] * p[i] - iv[j] * p[j]);
          r.complexity += std::abs(d) * (p[i] * s[i] + p[j] * s[j]) / (p[i] + p[j]);
          r.strength += (p[i] + p[j]) * d * d;
        }
      r.contrast *= 2;
      r.busyness *= 2;
      r.complexity *= 2;
      r.strength *= 2;
      pair_sums = r;
    }
    return *pair_sums;
  }
};

using NgtdmRow = detail::FeatureRow<Ngtdm>;

const std::vector<NgtdmRow>& NgtdmRows() {
  static const std::vector<NgtdmRow> kRows = {
      {{"Coarseness", false, "QCDE", R"(1/\sum_i p_i s_i; 10^6 when the sum is 0.)", "", "unitless"},
       [](Ngtdm& n) { return n.ps == 0 ? 1e6 : 1 / n.ps; }},
      {{"Contrast", false, "65HE",
        R"(\frac{1}{N_{g,p}(N_{g,p}-1)}\sum_{i,j}p_ip_j(i-j)^2 \cdot \frac{1}{N_{v,p}}\sum_i s_i; 0 when N_{g,p} = 1.)", "",
        "unitless"},
       [](Ngtdm& n) { return n.ngp > 1 ? n.Pairs().contrast / (n.ngp * (n.ngp - 1)) * (n.sum_s / n.nvp) : 0.0; }},
      {{"Busyness", false, "NQ30", R"(\frac{\sum_i p_is_i}{\sum_{i,j}|ip_i - jp_j|}; 0 when the denominator is 0.)", "",
        "unitless"},
       [](Ngtdm& n) {
         const double d = n.Pairs().busyness;
         return d == 0 ? 0.0 : n.ps / d;
       }},
      {{"Complexity", false, "HDEZ", R"(\frac{1}{N_{v,p}}\sum_{i,j}|i-j|\frac{p_is_i+p_js_j}{p_i+p_j}.)", "", "unitless"},
       [](Ngtdm& n) { return n.Pairs().complexity / n.nvp; }},
      {{"Strength", false, "1X9X", R"(\frac{\sum_{i,j}(p_i+p_j)(i-j)^2}{\sum_i s_i}; 0 when \sum_i s_i = 0.)", "",
        "unitless"},
       [](Ngtdm& n) { return n.sum_s != 0 ? n.Pairs().strength / n.sum_s : 0.0; }},
  };
  return kRows;
}

}  // namespace

const std::vector<FeatureInfo>& NgtdmFeatures::Features() {
  static const std::vector<FeatureInfo> kInfos = detail::InfosOf(NgtdmRows());
  return kInfos;
}

FeatureList NgtdmFeatures::Compute(const std::vector<std::string>& names) const {
  return detail::Named(detail::ResolveNames(Features(), names, "ngtdm"), Values(names));
}

std::vector<double> NgtdmFeatures::Values(const std::vector<std::string>& names) const {
  const auto wanted = detail::ResolveNames(Features(), names, "ngtdm");
  const auto angles = detail::GenerateAngles(roi_.geometry.size, settings_.distances, true,
                                             settings_.force2d, settings_.force2d_dimension);
  const detail::PaddedLevels padded(roi_, Reach(settings_.distances));
  const std::vector<long> steps = Steps(padded, angles);
  const std::vector<int>& gl = roi_.gray_levels;  // level of each index
  const std::size_t G = gl.size();
  std::vector<double> cnt(G, 0), s(G, 0);
  // A neighbour outside the ROI adds level 0 to the sum and is not
  // counted.  Counts and sums are whole numbers, summed exactly as integers
  // (the same values as in floating point, without its latency).
  const detail::LevelTable<long> levels(gl, 0);
  const long* level_of = levels.data();
  for (const std::size_t n : padded.voxels) {
    const std::size_t gi = static_cast<std::size_t>(padded.at[n]);
    long neighbours = 0, level_sum = 0;
    for (const long step : steps) {
      const int other = padded.Near(n, step);
      neighbours += other >= 0;
      level_sum += level_of[other];
    }
    const double count = static_cast<double>(neighbours), sum = static_cast<double>(level_sum);
    const double diff = count == 0 ? 0.0 : std::abs(static_cast<double>(gl[gi]) - sum / count);
    cnt[gi] += 1;
    s[gi] += diff;
  }
  Ngtdm n;
  for (double c : cnt) n.nvp += c;
  n.p.resize(G);
  n.iv.resize(G);
  for (std::size_t i = 0; i < G; ++i) {
    n.p[i] = cnt[i] / n.nvp;
    n.iv[i] = roi_.gray_levels[i];
  }
  n.ngp = static_cast<double>(G);
  for (std::size_t i = 0; i < G; ++i) {
    n.ps += n.p[i] * s[i];
    n.sum_s += s[i];
  }
  n.s = std::move(s);
  return detail::Evaluate(NgtdmRows(), wanted, n, "ngtdm");
}

}  // namespace lvsi::radiomics

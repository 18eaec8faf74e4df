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
using namespace std::string_view_literals;  // name comparisons check the length first
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

template <typename Pick>
std::vector<double> ComputeZoneFeatures(const ZoneMatrix& z, const std::vector<std::string_view>& wanted,
                                        const char* family, Pick&& extra) {
  std::optional<detail::EmphasisSums> sums;
  auto emphasis = [&](double detail::EmphasisSums::*member) {
    if (!sums) sums = z.Sums();
    return (*sums).*member / z.nz;
  };
  std::vector<double> out;
  out.reserve(wanted.size());
  for (const auto& f : wanted) {
    double v;
    if (extra(f, &v)) {
    } else if (f == "SmallAreaEmphasis"sv || f == "SmallDependenceEmphasis"sv) {
      v = emphasis(&detail::EmphasisSums::small);
    } else if (f == "LargeAreaEmphasis"sv || f == "LargeDependenceEmphasis"sv) {
      v = emphasis(&detail::EmphasisSums::large);
    } else if (f == "GrayLevelNonUniformity"sv) {
      v = z.Nonuniformity(true, false);
    } else if (f == "GrayLevelNonUniformityNormalized"sv) {
      v = z.Nonuniformity(true, true);
    } else if (f == "SizeZoneNonUniformity"sv || f == "DependenceNonUniformity"sv) {
      v = z.Nonuniformity(false, false);
    } else if (f == "SizeZoneNonUniformityNormalized"sv || f == "DependenceNonUniformityNormalized"sv) {
      v = z.Nonuniformity(false, true);
    } else if (f == "GrayLevelVariance"sv) {
      v = z.Variance(true);
    } else if (f == "ZoneVariance"sv || f == "DependenceVariance"sv) {
      v = z.Variance(false);
    } else if (f == "ZoneEntropy"sv || f == "DependenceEntropy"sv) {
      v = z.Entropy();
    } else if (f == "LowGrayLevelZoneEmphasis"sv || f == "LowGrayLevelEmphasis"sv) {
      v = emphasis(&detail::EmphasisSums::low);
    } else if (f == "HighGrayLevelZoneEmphasis"sv || f == "HighGrayLevelEmphasis"sv) {
      v = emphasis(&detail::EmphasisSums::high);
    } else if (f == "SmallAreaLowGrayLevelEmphasis"sv || f == "SmallDependenceLowGrayLevelEmphasis"sv) {
      v = emphasis(&detail::EmphasisSums::small_low);
    } else if (f == "SmallAreaHighGrayLevelEmphasis"sv || f == "SmallDependenceHighGrayLevelEmphasis"sv) {
      v = emphasis(&detail::EmphasisSums::small_high);
    } else if (f == "LargeAreaLowGrayLevelEmphasis"sv || f == "LargeDependenceLowGrayLevelEmphasis"sv) {
      v = emphasis(&detail::EmphasisSums::large_low);
    } else if (f == "LargeAreaHighGrayLevelEmphasis"sv || f == "LargeDependenceHighGrayLevelEmphasis"sv) {
      v = emphasis(&detail::EmphasisSums::large_high);
    } else {
      throw InvalidArgument(std::string(family) + " feature '" + std::string(f) + "' is not implemented");
    }
    out.push_back(v);
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------- GLSZM

GlszmFeatures::GlszmFeatures(const Roi& roi, const TextureSettings& settings)
    : roi_(roi), settings_(settings) {
  std::string why;
  if (!settings_.IsValid(&why)) throw InvalidArgument(why);
}

const std::vector<FeatureInfo>& GlszmFeatures::Features() {
  static const std::vector<FeatureInfo> kInfos = detail::SortedInfos({
      {"SmallAreaEmphasis", false, "5QRC", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)/j^2.)", "", "unitless"},
      {"LargeAreaEmphasis", false, "48P8", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)\,j^2.)", "", "unitless"},
      {"GrayLevelNonUniformity", false, "JNSA", R"(\frac{1}{N_z}\sum_i(\sum_j P(i,j))^2.)", "", "unitless"},
      {"GrayLevelNonUniformityNormalized", false, "Y1RO", R"(\frac{1}{N_z^2}\sum_i(\sum_j P(i,j))^2.)", "", "unitless"},
      {"SizeZoneNonUniformity", false, "4JP3", R"(\frac{1}{N_z}\sum_j(\sum_i P(i,j))^2.)", "", "unitless"},
      {"SizeZoneNonUniformityNormalized", false, "VB3A", R"(\frac{1}{N_z^2}\sum_j(\sum_i P(i,j))^2.)", "", "unitless"},
      {"ZonePercentage", false, "P30P", R"(N_z/N_p.)", "", "unitless"},
      {"GrayLevelVariance", false, "BYLV", R"(\sum_{i,j} p(i,j)(i-\mu)^2.)", "", "unitless"},
      {"ZoneVariance", false, "3NSA", R"(\sum_{i,j} p(i,j)(j-\mu)^2.)", "", "unitless"},
      {"ZoneEntropy", false, "GU8N", R"(-\sum_{i,j} p(i,j)\log_2(p(i,j)+\epsilon).)", "", "bits"},
      {"LowGrayLevelZoneEmphasis", false, "XMSY", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)/i^2.)", "", "unitless"},
      {"HighGrayLevelZoneEmphasis", false, "5GN9", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)\,i^2.)", "", "unitless"},
      {"SmallAreaLowGrayLevelEmphasis", false, "5RAI", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)/(i^2j^2).)", "", "unitless"},
      {"SmallAreaHighGrayLevelEmphasis", false, "HW1V", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)\,i^2/j^2.)", "", "unitless"},
      {"LargeAreaLowGrayLevelEmphasis", false, "YH51", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)\,j^2/i^2.)", "", "unitless"},
      {"LargeAreaHighGrayLevelEmphasis", false, "J17V", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)\,i^2j^2.)", "", "unitless"},
  });
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
  ZoneMatrix z = MakeZoneMatrix(roi_, zone_list);
  double zones = 0;
  for (double v : z.P) zones += v;
  z.nz = zones;
  const double np = static_cast<double>(roi_.voxel_count);
  return ComputeZoneFeatures(z, wanted, "glszm", [&](std::string_view f, double* v) {
    if (f != "ZonePercentage") return false;
    *v = zones / np;
    return true;
  });
}

// ---------------------------------------------------------------- GLDM

GldmFeatures::GldmFeatures(const Roi& roi, const TextureSettings& settings)
    : roi_(roi), settings_(settings) {
  std::string why;
  if (!settings_.IsValid(&why)) throw InvalidArgument(why);
}

const std::vector<FeatureInfo>& GldmFeatures::Features() {
  static const std::vector<FeatureInfo> kInfos = detail::SortedInfos({
      {"SmallDependenceEmphasis", false, "SODN", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)/j^2, N_z = N_p.)", "IBSI NGLDM with coarseness alpha = gldm_a.", "unitless"},
      {"LargeDependenceEmphasis", false, "IMOQ", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)\,j^2.)", "", "unitless"},
      {"GrayLevelNonUniformity", false, "FP8K", R"(\frac{1}{N_z}\sum_i(\sum_j P(i,j))^2.)", "", "unitless"},
      {"GrayLevelNonUniformityNormalized", true, "5SPA", R"(\frac{1}{N_z^2}\sum_i(\sum_j P(i,j))^2 (= firstorder Uniformity).)", "Deprecated in pyradiomics (computes nothing); lvsi returns the value.", "unitless"},
      {"DependenceNonUniformity", false, "Z87G", R"(\frac{1}{N_z}\sum_j(\sum_i P(i,j))^2.)", "", "unitless"},
      {"DependenceNonUniformityNormalized", false, "OKJI", R"(\frac{1}{N_z^2}\sum_j(\sum_i P(i,j))^2.)", "", "unitless"},
      {"GrayLevelVariance", false, "1PFV", R"(\sum_{i,j} p(i,j)(i-\mu)^2.)", "", "unitless"},
      {"DependenceVariance", false, "DNX2", R"(\sum_{i,j} p(i,j)(j-\mu)^2.)", "", "unitless"},
      {"DependenceEntropy", false, "FCBV", R"(-\sum_{i,j} p(i,j)\log_2(p(i,j)+\epsilon).)", "", "bits"},
      {"DependencePercentage", true, "6XV8", R"(N_z/N_p (always 1).)", "Deprecated in pyradiomics (computes nothing); lvsi returns 1.", "unitless"},
      {"LowGrayLevelEmphasis", false, "TL9H", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)/i^2.)", "", "unitless"},
      {"HighGrayLevelEmphasis", false, "OAE7", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)\,i^2.)", "", "unitless"},
      {"SmallDependenceLowGrayLevelEmphasis", false, "EQ3F", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)/(i^2j^2).)", "", "unitless"},
      {"SmallDependenceHighGrayLevelEmphasis", false, "JA6D", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)\,i^2/j^2.)", "", "unitless"},
      {"LargeDependenceLowGrayLevelEmphasis", false, "NBZI", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)\,j^2/i^2.)", "", "unitless"},
      {"LargeDependenceHighGrayLevelEmphasis", false, "9QMG", R"(\frac{1}{N_z}\sum_{i,j} P(i,j)\,i^2j^2.)", "", "unitless"},
  });
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
  ZoneMatrix z = MakeZoneMatrix(roi_, dependence);
  z.nz = static_cast<double>(roi_.voxel_count);
  return ComputeZoneFeatures(z, wanted, "gldm", [&](std::string_view f, double* v) {
    if (f != "DependencePercentage") return false;
    *v = 1.0;
    return true;
  });
}

// ---------------------------------------------------------------- NGTDM

NgtdmFeatures::NgtdmFeatures(const Roi& roi, const TextureSettings& settings)
    : roi_(roi), settings_(settings) {
  std::string why;
  if (!settings_.IsValid(&why)) throw InvalidArgument(why);
}

const std::vector<FeatureInfo>& NgtdmFeatures::Features() {
  static const std::vector<FeatureInfo> kInfos = detail::SortedInfos({
      {"Coarseness", false, "QCDE", R"(1/\sum_i p_i s_i; 10^6 when the sum is 0.)", "", "unitless"},
      {"Contrast", false, "65HE", R"(\frac{1}{N_{g,p}(N_{g,p}-1)}\sum_{i,j}p_ip_j(i-j)^2 \cdot \frac{1}{N_{v,p}}\sum_i s_i; 0 when N_{g,p} = 1.)", "", "unitless"},
      {"Busyness", false, "NQ30", R"(\frac{\sum_i p_is_i}{\sum_{i,j}|ip_i - jp_j|}; 0 when the denominator is 0.)", "", "unitless"},
      {"Complexity", false, "HDEZ", R"(\frac{1}{N_{v,p}}\sum_{i,j}|i-j|\frac{p_is_i+p_js_j}{p_i+p_j}.)", "", "unitless"},
      {"Strength", false, "1X9X", R"(\frac{\sum_{i,j}(p_i+p_j)(i-j)^2}{\sum_i s_i}; 0 when \sum_i s_i = 0.)", "", "unitless"},
  });
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
  double nvp = 0;
  for (double c : cnt) nvp += c;
  std::vector<double> p(G), iv(G);
  for (std::size_t i = 0; i < G; ++i) {
    p[i] = cnt[i] / nvp;
    iv[i] = roi_.gray_levels[i];
  }
  const double ngp = static_cast<double>(G);
  double ps = 0, sum_s = 0;
  for (std::size_t i = 0; i < G; ++i) {
    ps += p[i] * s[i];
    sum_s += s[i];
  }
  // The four sums over pairs of levels, in one pass (when one is wanted;
  // their additions overlap).  Every term is symmetric in (i, j), to the
  // bit, and zero for i = j: each sum is twice its sum over i < j (half the
  // work; it differs from the full double loop only in rounding).
  struct PairSums {
    double contrast = 0, busyness = 0, complexity = 0, strength = 0;
  };
  std::optional<PairSums> pair_sums;
  auto pairs = [&]() -> const PairSums& {
    if (!pair_sums) {
      PairSums r;
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
  };
  std::vector<double> out;
  out.reserve(wanted.size());
  for (const auto& f : wanted) {
    double v = 0;
    if (f == "Coarseness"sv) {
      v = ps == 0 ? 1e6 : 1 / ps;
    } else if (f == "Contrast"sv) {
      if (ngp > 1) v = pairs().contrast / (ngp * (ngp - 1)) * (sum_s / nvp);
    } else if (f == "Busyness"sv) {
      const double d = pairs().busyness;
      v = d == 0 ? 0.0 : ps / d;
    } else if (f == "Complexity"sv) {
      v = pairs().complexity / nvp;
    } else if (f == "Strength"sv) {
      if (sum_s != 0) v = pairs().strength / sum_s;
    } else {
      throw InvalidArgument("ngtdm feature '" + std::string(f) + "' is not implemented");
    }
    out.push_back(v);
  }
  return out;
}

}  // namespace lvsi::radiomics

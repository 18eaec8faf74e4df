#include <algorithm>
#include <cmath>
#include <string_view>

#include "detail/texture.h"
#include "lvsi/core/error.h"
#include "lvsi/radiomics/features.h"

namespace lvsi::radiomics {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

GlrlmFeatures::GlrlmFeatures(const Roi& roi, const TextureSettings& settings)
    : roi_(roi), settings_(settings) {
  std::string why;
  if (!settings_.IsValid(&why)) throw InvalidArgument(why);
}

FeatureList GlrlmFeatures::Compute(const std::vector<std::string>& names) const {
  return detail::Named(detail::ResolveNames(Features(), names, "glrlm"), Values(names));
}

namespace {

// The run-length matrices of every angle (or one weighted matrix with
// settings.weighting_norm), their numbers of runs, and the run lengths
// any angle holds.
struct RunMatrices {
  std::vector<double> P;      // [angle][level][run length - 1]
  std::vector<double> total;  // runs per angle
  std::vector<char> present;  // run lengths (- 1) that occur
  std::size_t angles = 0;
};

RunMatrices CountRuns(const Roi& roi, const TextureSettings& settings, const std::vector<detail::Offset>& angles,
                      std::size_t G, std::size_t R) {
  const Geometry& g = roi.geometry;
  std::size_t Na = angles.size();
  const detail::PaddedLevels padded(roi, 1);
  const std::vector<int>& lev = padded.at;
  const std::vector<std::size_t>& voxels = padded.voxels;
  std::vector<double> P(Na * G * R, 0.0);  // [a][i][run-1]
  // Each angle's number of runs (its matrix's sum: whole counts, exact in
  // any order), and the run lengths any angle holds.
  std::vector<double> total(Na, 0.0);
  std::vector<char> present(R, 0), here(R, 0);
  for (std::size_t a = 0; a < Na; ++a) {
    const auto& o = angles[a];
    const long delta = padded.Step(o);
    bool multi = false;
    std::fill(here.begin(), here.end(), 0);
    // A run starts at an ROI voxel whose predecessor along the angle has
    // another level (or is outside the ROI); it is walked to its end.
    // (Local pointers and a local count: the stores into P and here could
    // otherwise alias them, to be loaded again after every run.)
    const int* level = lev.data();
    double* counts = P.data() + a * G * R;
    char* seen = here.data();
    std::size_t runs_found = 0;
    for (const std::size_t n : voxels) {
      const int l = level[n];
      if (level[static_cast<std::size_t>(static_cast<long>(n) - delta)] == l) continue;
      std::size_t run = 1;
      for (long m = static_cast<long>(n) + delta; level[static_cast<std::size_t>(m)] == l; m += delta) ++run;
      counts[static_cast<std::size_t>(l) * R + run - 1] += 1;
      ++runs_found;
      seen[run - 1] = 1;
      multi = multi || run > 1;
    }
    total[a] = static_cast<double>(runs_found);
    // Does any line hold two ROI voxels (apart)?  If not, the ROI is flat
    // along this angle, which pyradiomics removes (every run is 1 long).
    for (std::size_t k = 0; k < voxels.size() && !multi; ++k) {
      long m = static_cast<long>(voxels[k]) + delta;
      while (lev[static_cast<std::size_t>(m)] == -1) m += delta;
      multi = lev[static_cast<std::size_t>(m)] >= 0;
    }
    if (!multi) {
      for (std::size_t i = 0; i < G; ++i) P[(a * G + i) * R] = 0;
      total[a] = 0;
    } else {
      for (std::size_t r = 0; r < R; ++r) present[r] |= here[r];
    }
  }
  if (!settings.weighting_norm.empty()) {
    std::vector<double> W(G * R, 0.0);
    for (std::size_t a = 0; a < Na; ++a) {
      const double w = settings.weighting_norm == "no_weighting"
                           ? 1.0
                           : detail::AngleDistance(angles[a], g.spacing, settings.weighting_norm);
      for (std::size_t k = 0; k < G * R; ++k) W[k] += P[a * G * R + k] * w;
    }
    P = std::move(W);
    Na = 1;
    double sum = 0;  // weighted: summed in the matrix's order
    for (std::size_t k = 0; k < G * R; ++k) sum += P[k];
    total.assign(1, sum);
  }
  return {std::move(P), std::move(total), std::move(present), Na};
}

// Marginals p_g(a, i) (over run lengths) and p_r(a, r) (over levels) of the
// kept angles.
void Marginals(const RunMatrices& m, const std::vector<std::size_t>& keep, const std::vector<std::size_t>& runs,
               std::size_t G, std::size_t R, std::vector<double>* PG, std::vector<double>* PR) {
  const std::vector<double>& P = m.P;
  PG->assign(m.angles * G, 0.0);
  PR->assign(m.angles * R, 0.0);
  for (std::size_t a : keep) {
    for (std::size_t i = 0; i < G; ++i) {
      double s = 0;
      for (std::size_t r : runs) s += P[(a * G + i) * R + r];
      (*PG)[a * G + i] = s;
    }
    for (std::size_t r : runs) {
      double s = 0;
      for (std::size_t i = 0; i < G; ++i) s += P[(a * G + i) * R + r];
      (*PR)[a * R + r] = s;
    }
  }
}

}  // namespace

namespace {

// What the features read: the kept angles (empty ones are dropped when there
// are several) with their numbers of runs, the run lengths present, the
// marginals and each kept angle's non-zero entries.
struct Runs {
  std::size_t G = 0, R = 0;
  std::vector<std::size_t> keep;  // kept angles
  std::vector<double> nr;         // their numbers of runs (NaN for an empty only angle)
  std::vector<std::size_t> runs;  // run lengths (- 1) present in any kept angle
  std::vector<double> iv;         // grey levels
  std::vector<double> PG, PR;     // marginals [angle][level], [angle][run length - 1]
  // Each kept angle's non-zero entries (level, run length, count), level
  // by level, run length within a level: the sums over (i, r) run over
  // these only, in that order (a zero term would add +0 and change no bit).
  struct Entry {
    double i, r, p;
  };
  std::vector<Entry> nonzero;           // angle a's entries: [first[a], first[a + 1])
  std::vector<std::size_t> first;
  std::vector<detail::EmphasisSums> entry_sums;  // per angle, filled on first use

  double pg(std::size_t a, std::size_t i) const { return PG[a * G + i]; }
  double pr(std::size_t a, std::size_t r) const { return PR[a * R + r]; }
  std::pair<const Entry*, const Entry*> EntriesOf(std::size_t a) const {
    return {nonzero.data() + first[a], nonzero.data() + first[a + 1]};
  }
  // The mean over kept angles of fn(angle, runs of the angle), NaN skipped.
  template <class Fn>
  double PerAngle(Fn&& fn) const {
    std::vector<double> v(keep.size());
    for (std::size_t k = 0; k < keep.size(); ++k) v[k] = fn(keep[k], nr[k]);
    return detail::NanMean(v);
  }
  // An emphasis: its sum over each angle's entries / the angle's runs.
  double Emphasis(double detail::EmphasisSums::*member) {
    if (entry_sums.empty()) {
      entry_sums.resize(first.size() - 1);
      for (std::size_t b : keep) {
        const auto [first_entry, end] = EntriesOf(b);
        entry_sums[b] = detail::SumEmphases(first_entry, end,
                                            [](const Entry& e) { return std::array<double, 3>{e.i, e.r, e.p}; });
      }
    }
    return PerAngle([&](std::size_t a, double n) { return entry_sums[a].*member / n; });
  }
  double GrayLevelNonUniformity(bool normalised) const {
    return PerAngle([&](std::size_t a, double n) {
      double s = 0;
      for (std::size_t i = 0; i < G; ++i) s += pg(a, i) * pg(a, i);
      return s / (normalised ? n * n : n);
    });
  }
  double RunLengthNonUniformity(bool normalised) const {
    return PerAngle([&](std::size_t a, double n) {
      double s = 0;
      for (std::size_t r : runs) s += pr(a, r) * pr(a, r);
      return s / (normalised ? n * n : n);
    });
  }
};

using GlrlmRow = detail::FeatureRow<Runs>;

const std::vector<GlrlmRow>& Rows() {
  using E = detail::EmphasisSums;
  static const std::vector<GlrlmRow> kRows = {
      {{"ShortRunEmphasis", false, "22OV", R"(\frac{1}{N_r}\sum_{i,j} P(i,j)/j^2.)", "", "unitless"},
       [](Runs& m) { return m.Emphasis(&E::small); }},
      {{"LongRunEmphasis", false, "W4KF", R"(\frac{1}{N_r}\sum_{i,j} P(i,j)\,j^2.)", "", "unitless"},
       [](Runs& m) { return m.Emphasis(&E::large); }},
      {{"GrayLevelNonUniformity", false, "R5YN", R"(\frac{1}{N_r}\sum_i (\sum_j P(i,j))^2.)", "", "unitless"},
       [](Runs& m) { return m.GrayLevelNonUniformity(false); }},
      {{"GrayLevelNonUniformityNormalized", false, "OVBL", R"(\frac{1}{N_r^2}\sum_i (\sum_j P(i,j))^2.)", "",
        "unitless"},
       [](Runs& m) { return m.GrayLevelNonUniformity(true); }},
      {{"RunLengthNonUniformity", false, "W92Y", R"(\frac{1}{N_r}\sum_j (\sum_i P(i,j))^2.)", "", "unitless"},
       [](Runs& m) { return m.RunLengthNonUniformity(false); }},
      {{"RunLengthNonUniformityNormalized", false, "IC23", R"(\frac{1}{N_r^2}\sum_j (\sum_i P(i,j))^2.)", "",
        "unitless"},
       [](Runs& m) { return m.RunLengthNonUniformity(true); }},
      {{"RunPercentage", false, "9ZK5", R"(N_r / N_p.)", "With weighting, N_p counts each voxel once per merged angle.",
        "unitless"},
       [](Runs& m) {
         return m.PerAngle([&](std::size_t a, double n) {
           double np = 0;
           for (std::size_t r : m.runs) np += m.pr(a, r) * static_cast<double>(r + 1);
           return n / np;
         });
       }},
      {{"GrayLevelVariance", false, "8CE5", R"(\sum_{i,j} p(i,j)(i-\mu)^2.)", "", "unitless"},
       [](Runs& m) {
         return m.PerAngle([&](std::size_t a, double n) {
           double mu = 0, v = 0;
           for (std::size_t i = 0; i < m.G; ++i) mu += m.pg(a, i) / n * m.iv[i];
           for (std::size_t i = 0; i < m.G; ++i) v += m.pg(a, i) / n * (m.iv[i] - mu) * (m.iv[i] - mu);
           return v;
         });
       }},
      {{"RunVariance", false, "SXLW", R"(\sum_{i,j} p(i,j)(j-\mu)^2.)", "", "unitless"},
       [](Runs& m) {
         return m.PerAngle([&](std::size_t a, double n) {
           double mu = 0, v = 0;
           for (std::size_t r : m.runs) mu += m.pr(a, r) / n * static_cast<double>(r + 1);
           for (std::size_t r : m.runs) {
             const double d = static_cast<double>(r + 1) - mu;
             v += m.pr(a, r) / n * d * d;
           }
           return v;
         });
       }},
      {{"RunEntropy", false, "HJ9O", R"(-\sum_{i,j} p(i,j)\log_2(p(i,j)+\epsilon).)", "", "bits"},
       [](Runs& m) {
         return m.PerAngle([&](std::size_t a, double n) {
           double h = 0;
           for (auto [e, end] = m.EntriesOf(a); e != end; ++e) {
             const double p = e->p / n;
             if (p != 0) h -= p * std::log2(p + detail::kEps);  // zero terms add nothing
           }
           return h;
         });
       }},
      {{"LowGrayLevelRunEmphasis", false, "V3SW", R"(\frac{1}{N_r}\sum_{i,j} P(i,j)/i^2.)", "", "unitless"},
       [](Runs& m) { return m.Emphasis(&E::low); }},
      {{"HighGrayLevelRunEmphasis", false, "G3QZ", R"(\frac{1}{N_r}\sum_{i,j} P(i,j)\,i^2.)", "", "unitless"},
       [](Runs& m) { return m.Emphasis(&E::high); }},
      {{"ShortRunLowGrayLevelEmphasis", false, "HTZT", R"(\frac{1}{N_r}\sum_{i,j} P(i,j)/(i^2j^2).)", "", "unitless"},
       [](Runs& m) { return m.Emphasis(&E::small_low); }},
      {{"ShortRunHighGrayLevelEmphasis", false, "GD3A", R"(\frac{1}{N_r}\sum_{i,j} P(i,j)\,i^2/j^2.)", "",
        "unitless"},
       [](Runs& m) { return m.Emphasis(&E::small_high); }},
      {{"LongRunLowGrayLevelEmphasis", false, "IVPO", R"(\frac{1}{N_r}\sum_{i,j} P(i,j)\,j^2/i^2.)", "", "unitless"},
       [](Runs& m) { return m.Emphasis(&E::large_low); }},
      {{"LongRunHighGrayLevelEmphasis", false, "3KUM", R"(\frac{1}{N_r}\sum_{i,j} P(i,j)\,i^2j^2.)", "",
        "unitless"},
       [](Runs& m) { return m.Emphasis(&E::large_high); }},
  };
  return kRows;
}

}  // namespace

const std::vector<FeatureInfo>& GlrlmFeatures::Features() {
  static const std::vector<FeatureInfo> kInfos = detail::InfosOf(Rows());
  return kInfos;
}

std::vector<double> GlrlmFeatures::Values(const std::vector<std::string>& names) const {
  const auto wanted = detail::ResolveNames(Features(), names, "glrlm");
  const Geometry& g = roi_.geometry;
  Runs m;
  m.G = roi_.gray_levels.size();
  const std::size_t G = m.G;
  const auto angles = detail::GenerateAngles(g.size, {1}, false, settings_.force2d, settings_.force2d_dimension);
  m.R = std::max({g.size[0], g.size[1], g.size[2]});
  const std::size_t R = m.R;
  const RunMatrices matrices = CountRuns(roi_, settings_, angles, G, R);
  const std::vector<double>& P = matrices.P;
  const std::vector<double>& total = matrices.total;
  const std::size_t Na = matrices.angles;
  // Drop empty angles when there are several.
  m.keep.reserve(Na);
  m.nr.reserve(Na);
  for (std::size_t a = 0; a < Na; ++a) {
    if (total[a] == 0 && Na > 1) continue;
    m.keep.push_back(a);
    m.nr.push_back(total[a] == 0 ? kNaN : total[a]);
  }
  // Run lengths present in any kept angle (an empty angle holds none).
  for (std::size_t r = 0; r < R; ++r)
    if (matrices.present[r]) m.runs.push_back(r);
  m.iv.resize(G);
  for (std::size_t i = 0; i < G; ++i) m.iv[i] = roi_.gray_levels[i];
  m.first.assign(Na + 1, 0);
  double runs_kept = 0;  // (weighted) runs: at least one per entry when unweighted
  for (std::size_t a : m.keep) runs_kept += total[a];
  const double most = std::min(runs_kept, static_cast<double>(m.keep.size() * G * m.runs.size()));
  m.nonzero.reserve(most > 0 ? static_cast<std::size_t>(most) : 0);  // (a hint; also for NaN)
  for (std::size_t k = 0, a = 0; a < Na; ++a) {
    m.first[a] = m.nonzero.size();
    if (k < m.keep.size() && m.keep[k] == a) {
      ++k;
      for (std::size_t i = 0; i < G; ++i)
        for (std::size_t r : m.runs)
          if (const double p = P[(a * G + i) * R + r]; p != 0)
            m.nonzero.push_back({m.iv[i], static_cast<double>(r + 1), p});
    }
  }
  m.first[Na] = m.nonzero.size();
  Marginals(matrices, m.keep, m.runs, G, R, &m.PG, &m.PR);
  return detail::Evaluate(Rows(), wanted, m, "glrlm");
}

}  // namespace lvsi::radiomics

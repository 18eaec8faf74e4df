#include <algorithm>
#include <cmath>
#include <string_view>

#include "detail/texture.h"
#include "lvsi/core/error.h"
#include "lvsi/radiomics/features.h"

namespace lvsi::radiomics {
using namespace std::string_view_literals;  // name comparisons check the length first
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

GlrlmFeatures::GlrlmFeatures(const Roi& roi, const TextureSettings& settings)
    : roi_(roi), settings_(settings) {
  std::string why;
  if (!settings_.IsValid(&why)) throw InvalidArgument(why);
}

const std::vector<FeatureInfo>& GlrlmFeatures::Features() {
  static const std::vector<FeatureInfo> kInfos = detail::SortedInfos({
      {"ShortRunEmphasis", false, "22OV", R"(\frac{1}{N_r}\sum_{i,j} P(i,j)/j^2.)", "", "unitless"},
      {"LongRunEmphasis", false, "W4KF", R"(\frac{1}{N_r}\sum_{i,j} P(i,j)\,j^2.)", "", "unitless"},
      {"GrayLevelNonUniformity", false, "R5YN", R"(\frac{1}{N_r}\sum_i (\sum_j P(i,j))^2.)", "", "unitless"},
      {"GrayLevelNonUniformityNormalized", false, "OVBL", R"(\frac{1}{N_r^2}\sum_i (\sum_j P(i,j))^2.)", "", "unitless"},
      {"RunLengthNonUniformity", false, "W92Y", R"(\frac{1}{N_r}\sum_j (\sum_i P(i,j))^2.)", "", "unitless"},
      {"RunLengthNonUniformityNormalized", false, "IC23", R"(\frac{1}{N_r^2}\sum_j (\sum_i P(i,j))^2.)", "", "unitless"},
      {"RunPercentage", false, "9ZK5", R"(N_r / N_p.)", "With weighting, N_p counts each voxel once per merged angle.", "unitless"},
      {"GrayLevelVariance", false, "8CE5", R"(\sum_{i,j} p(i,j)(i-\mu)^2.)", "", "unitless"},
      {"RunVariance", false, "SXLW", R"(\sum_{i,j} p(i,j)(j-\mu)^2.)", "", "unitless"},
      {"RunEntropy", false, "HJ9O", R"(-\sum_{i,j} p(i,j)\log_2(p(i,j)+\epsilon).)", "", "bits"},
      {"LowGrayLevelRunEmphasis", false, "V3SW", R"(\frac{1}{N_r}\sum_{i,j} P(i,j)/i^2.)", "", "unitless"},
      {"HighGrayLevelRunEmphasis", false, "G3QZ", R"(\frac{1}{N_r}\sum_{i,j} P(i,j)\,i^2.)", "", "unitless"},
      {"ShortRunLowGrayLevelEmphasis", false, "HTZT", R"(\frac{1}{N_r}\sum_{i,j} P(i,j)/(i^2j^2).)", "", "unitless"},
      {"ShortRunHighGrayLevelEmphasis", false, "GD3A", R"(\frac{1}{N_r}\sum_{i,j} P(i,j)\,i^2/j^2.)", "", "unitless"},
      {"LongRunLowGrayLevelEmphasis", false, "IVPO", R"(\frac{1}{N_r}\sum_{i,j} P(i,j)\,j^2/i^2.)", "", "unitless"},
      {"LongRunHighGrayLevelEmphasis", false, "3KUM", R"(\frac{1}{N_r}\sum_{i,j} P(i,j)\,i^2j^2.)", "", "unitless"},
  });
  return kInfos;
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

std::vector<double> GlrlmFeatures::Values(const std::vector<std::string>& names) const {
  const auto wanted = detail::ResolveNames(Features(), names, "glrlm");
  const Geometry& g = roi_.geometry;
  const std::size_t G = roi_.gray_levels.size();
  const auto angles = detail::GenerateAngles(g.size, {1}, false, settings_.force2d,
                                             settings_.force2d_dimension);
  const std::size_t sx = g.size[0], sy = g.size[1], sz = g.size[2];
  const std::size_t R = std::max({sx, sy, sz});
  RunMatrices m = CountRuns(roi_, settings_, angles, G, R);
  const std::vector<double>& P = m.P;
  const std::vector<double>& total = m.total;
  const std::vector<char>& present = m.present;
  const std::size_t Na = m.angles;
  // Drop empty angles when there are several.
  std::vector<std::size_t> keep;
  std::vector<double> nr;
  keep.reserve(Na);
  nr.reserve(Na);
  for (std::size_t a = 0; a < Na; ++a) {
    if (total[a] == 0 && Na > 1) continue;
    keep.push_back(a);
    nr.push_back(total[a] == 0 ? kNaN : total[a]);
  }
  // Run lengths present in any kept angle (an empty angle holds none).
  std::vector<std::size_t> runs;
  for (std::size_t r = 0; r < R; ++r)
    if (present[r]) runs.push_back(r);
  std::vector<double> iv(G);
  for (std::size_t i = 0; i < G; ++i) iv[i] = roi_.gray_levels[i];

  auto per_angle = [&](auto&& fn) {
    std::vector<double> v(keep.size());
    for (std::size_t k = 0; k < keep.size(); ++k) v[k] = fn(keep[k], nr[k]);
    return detail::NanMean(v);
  };
  // Each kept angle's non-zero entries (level, run length, count), level
  // by level, run length within a level: the sums over (i, r) run over
  // these only, in that order (a zero term would add +0 and change no bit).
  struct Entry {
    double i, r, p;
  };
  std::vector<Entry> nonzero;  // angle a's entries: [first[a], first[a + 1])
  std::vector<std::size_t> first(Na + 1, 0);
  double runs_kept = 0;  // (weighted) runs: at least one per entry when unweighted
  for (std::size_t a : keep) runs_kept += total[a];
  const double most = std::min(runs_kept, static_cast<double>(keep.size() * G * runs.size()));
  nonzero.reserve(most > 0 ? static_cast<std::size_t>(most) : 0);  // (a hint; also for NaN)
  for (std::size_t k = 0, a = 0; a < Na; ++a) {
    first[a] = nonzero.size();
    if (k < keep.size() && keep[k] == a) {
      ++k;
      for (std::size_t i = 0; i < G; ++i)
        for (std::size_t r : runs)
          if (const double p = P[(a * G + i) * R + r]; p != 0) nonzero.push_back({iv[i], static_cast<double>(r + 1), p});
    }
  }
  first[Na] = nonzero.size();
  auto entries_of = [&](std::size_t a) {
    return std::make_pair(nonzero.data() + first[a], nonzero.data() + first[a + 1]);
  };
  // The eight emphases' sums over each kept angle's entries (computed
  // once, when one is wanted).
  std::vector<detail::EmphasisSums> entry_sums;
  auto emphasis = [&](std::size_t a, double detail::EmphasisSums::*member) {
    if (entry_sums.empty()) {
      entry_sums.resize(Na);
      for (std::size_t b : keep) {
        const auto [first_entry, end] = entries_of(b);
        entry_sums[b] = detail::SumEmphases(first_entry, end,
                                            [](const Entry& e) { return std::array<double, 3>{e.i, e.r, e.p}; });
      }
    }
    return entry_sums[a].*member;
  };
  auto emphasis_of = [&](double detail::EmphasisSums::*member) {
    return per_angle([&](std::size_t a, double n) { return emphasis(a, member) / n; });
  };
  std::vector<double> PG, PR;
  Marginals(m, keep, runs, G, R, &PG, &PR);
  auto pg = [&](std::size_t a, std::size_t i) { return PG[a * G + i]; };
  auto pr = [&](std::size_t a, std::size_t r) { return PR[a * R + r]; };
  auto value = [&](std::string_view f) -> double {
    if (f == "ShortRunEmphasis"sv) return emphasis_of(&detail::EmphasisSums::small);
    if (f == "LongRunEmphasis"sv) return emphasis_of(&detail::EmphasisSums::large);
    if (f == "GrayLevelNonUniformity"sv || f == "GrayLevelNonUniformityNormalized"sv) {
      const bool norm = f.back() == 'd';
      return per_angle([&](std::size_t a, double n) {
        double s = 0;
        for (std::size_t i = 0; i < G; ++i) s += pg(a, i) * pg(a, i);
        return s / (norm ? n * n : n);
      });
    }
    if (f == "RunLengthNonUniformity"sv || f == "RunLengthNonUniformityNormalized"sv) {
      const bool norm = f.back() == 'd';
      return per_angle([&](std::size_t a, double n) {
        double s = 0;
        for (std::size_t r : runs) s += pr(a, r) * pr(a, r);
        return s / (norm ? n * n : n);
      });
    }
    if (f == "RunPercentage"sv)
      return per_angle([&](std::size_t a, double n) {
        double np = 0;
        for (std::size_t r : runs) np += pr(a, r) * static_cast<double>(r + 1);
        return n / np;
      });
    if (f == "GrayLevelVariance"sv)
      return per_angle([&](std::size_t a, double n) {
        double mu = 0, v = 0;
        for (std::size_t i = 0; i < G; ++i) mu += pg(a, i) / n * iv[i];
        for (std::size_t i = 0; i < G; ++i) v += pg(a, i) / n * (iv[i] - mu) * (iv[i] - mu);
        return v;
      });
    if (f == "RunVariance"sv)
      return per_angle([&](std::size_t a, double n) {
        double mu = 0, v = 0;
        for (std::size_t r : runs) mu += pr(a, r) / n * static_cast<double>(r + 1);
        for (std::size_t r : runs) v += pr(a, r) / n * (static_cast<double>(r + 1) - mu) * (static_cast<double>(r + 1) - mu);
        return v;
      });
    if (f == "RunEntropy"sv)
      return per_angle([&](std::size_t a, double n) {
        double h = 0;
        for (auto [e, end] = entries_of(a); e != end; ++e) {
          const double p = e->p / n;
          if (p != 0) h -= p * std::log2(p + detail::kEps);  // zero terms add nothing
        }
        return h;
      });
    if (f == "LowGrayLevelRunEmphasis"sv) return emphasis_of(&detail::EmphasisSums::low);
    if (f == "HighGrayLevelRunEmphasis"sv) return emphasis_of(&detail::EmphasisSums::high);
    if (f == "ShortRunLowGrayLevelEmphasis"sv) return emphasis_of(&detail::EmphasisSums::small_low);
    if (f == "ShortRunHighGrayLevelEmphasis"sv) return emphasis_of(&detail::EmphasisSums::small_high);
    if (f == "LongRunLowGrayLevelEmphasis"sv) return emphasis_of(&detail::EmphasisSums::large_low);
    if (f == "LongRunHighGrayLevelEmphasis"sv) return emphasis_of(&detail::EmphasisSums::large_high);
    throw InvalidArgument("glrlm feature '" + std::string(f) + "' is not implemented");
  };
  std::vector<double> out;
  out.reserve(wanted.size());
  for (const auto f : wanted) out.push_back(value(f));
  return out;
}

}  // namespace lvsi::radiomics

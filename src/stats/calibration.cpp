#include "lvsi/stats/calibration.h"

#include <boost/math/distributions/chi_squared.hpp>

#include <algorithm>
#include <cmath>

#include "lvsi/core/error.h"

namespace lvsi::stats {
namespace {

void CheckProbabilities(const std::vector<double>& p, const std::vector<int>& y) {
  if (p.size() != y.size())
    throw InvalidArgument(std::to_string(p.size()) + " probabilities but " + std::to_string(y.size()) + " labels");
  if (p.empty()) throw InvalidArgument("no predictions");
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (!(p[i] >= 0 && p[i] <= 1)) throw InvalidArgument("probabilities must lie in [0, 1] (got " + std::to_string(p[i]) + ")");
    if (y[i] != 0 && y[i] != 1) throw InvalidArgument("labels must be 0 or 1");
  }
}

void CheckThreshold(double t) {
  if (!(t > 0 && t < 1)) throw InvalidArgument("decision-curve thresholds must lie in (0, 1), got " + std::to_string(t));
}

}  // namespace

HosmerLemeshowResult HosmerLemeshow(const std::vector<double>& p, const std::vector<int>& y, int groups) {
  CheckProbabilities(p, y);
  if (groups < 3) throw InvalidArgument("Hosmer-Lemeshow needs at least 3 groups");
  std::vector<double> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  // Quantile type 7 breaks at 0, 1/g, ..., 1.
  std::vector<double> breaks;
  for (int k = 0; k <= groups; ++k) {
    const double h = (static_cast<double>(sorted.size()) - 1) * k / groups;
    const std::size_t lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    breaks.push_back(sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]));
  }
  for (std::size_t k = 1; k < breaks.size(); ++k)
    if (!(breaks[k] > breaks[k - 1]))
      throw InvalidArgument("Hosmer-Lemeshow: the decile breaks of the predictions are not distinct (too many ties)");
  std::vector<double> obs1(static_cast<std::size_t>(groups), 0), exp1(obs1), count(obs1);
  for (std::size_t i = 0; i < p.size(); ++i) {
    // Intervals (b[k-1], b[k]], the first closed on the left.
    std::size_t g = static_cast<std::size_t>(std::lower_bound(breaks.begin() + 1, breaks.end(), p[i]) - breaks.begin() - 1);
    g = std::min(g, static_cast<std::size_t>(groups - 1));
    obs1[g] += y[i];
    exp1[g] += p[i];
    count[g] += 1;
  }
  HosmerLemeshowResult r;
  for (int g = 0; g < groups; ++g) {
    const double o0 = count[g] - obs1[g], e0 = count[g] - exp1[g];
    if (exp1[g] > 0) r.statistic += (obs1[g] - exp1[g]) * (obs1[g] - exp1[g]) / exp1[g];
    if (e0 > 0) r.statistic += (o0 - e0) * (o0 - e0) / e0;
  }
  r.df = groups - 2;
  r.p = boost::math::cdf(boost::math::complement(boost::math::chi_squared(r.df), r.statistic));
  return r;
}

std::vector<CalibrationBin> CalibrationCurve(const std::vector<double>& p, const std::vector<int>& y, int bins,
                                             bool quantile_bins) {
  CheckProbabilities(p, y);
  if (bins < 1) throw InvalidArgument("a calibration curve needs at least one bin");
  std::vector<double> edges;
  if (quantile_bins) {
    std::vector<double> sorted = p;
    std::sort(sorted.begin(), sorted.end());
    for (int k = 0; k <= bins; ++k) {
      const double h = (static_cast<double>(sorted.size()) - 1) * k / bins;
      const std::size_t lo = static_cast<std::size_t>(std::floor(h));
      const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
      edges.push_back(sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]));
    }
    edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  } else {
    for (int k = 0; k <= bins; ++k) edges.push_back(static_cast<double>(k) / bins);
  }
  const std::size_t nb = edges.size() > 1 ? edges.size() - 1 : 1;
  std::vector<CalibrationBin> out(nb);
  for (std::size_t i = 0; i < p.size(); ++i) {
    std::size_t b = edges.size() > 1
                        ? static_cast<std::size_t>(std::lower_bound(edges.begin() + 1, edges.end(), p[i]) - edges.begin() - 1)
                        : 0;
    b = std::min(b, nb - 1);
    out[b].mean_predicted += p[i];
    out[b].observed += y[i];
    out[b].count += 1;
  }
  std::vector<CalibrationBin> kept;
  for (auto& bin : out)
    if (bin.count) {
      bin.mean_predicted /= static_cast<double>(bin.count);
      bin.observed /= static_cast<double>(bin.count);
      kept.push_back(bin);
    }
  return kept;
}

CalibrationFit CalibrationInterceptSlope(const std::vector<double>& p, const std::vector<int>& y) {
  CheckProbabilities(p, y);
  std::vector<double> lp(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double q = std::min(1 - 1e-12, std::max(1e-12, p[i]));
    lp[i] = std::log(q / (1 - q));
  }
  CalibrationFit fit;
  // Slope: y ~ a + b lp (two-parameter Newton-Raphson).
  double a = 0, b = 1;
  bool ok = false;
  for (int it = 0; it < 100; ++it) {
    double g0 = 0, g1 = 0, h00 = 0, h01 = 0, h11 = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      const double mu = 1 / (1 + std::exp(-(a + b * lp[i])));
      const double w = mu * (1 - mu);
      g0 += y[i] - mu;
      g1 += (y[i] - mu) * lp[i];
      h00 += w;
      h01 += w * lp[i];
      h11 += w * lp[i] * lp[i];
    }
    const double det = h00 * h11 - h01 * h01;
    if (!(std::abs(det) > 1e-300)) break;
    const double da = (h11 * g0 - h01 * g1) / det, db = (h00 * g1 - h01 * g0) / det;
    a += da;
    b += db;
    if (std::abs(da) + std::abs(db) < 1e-12) {
      ok = true;
      break;
    }
  }
  fit.slope = b;
  // Intercept with logit(p) as offset.
  double c = 0;
  bool ok_c = false;
  for (int it = 0; it < 100; ++it) {
    double g = 0, h = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      const double mu = 1 / (1 + std::exp(-(c + lp[i])));
      g += y[i] - mu;
      h += mu * (1 - mu);
    }
    if (!(h > 0)) break;
    c += g / h;
    if (std::abs(g / h) < 1e-12) {
      ok_c = true;
      break;
    }
  }
  fit.intercept = c;
  fit.converged = ok && ok_c;
  return fit;
}

double BrierScore(const std::vector<double>& p, const std::vector<int>& y) {
  CheckProbabilities(p, y);
  double s = 0;
  for (std::size_t i = 0; i < p.size(); ++i) s += (p[i] - y[i]) * (p[i] - y[i]);
  return s / static_cast<double>(p.size());
}

double NetBenefit(const std::vector<double>& p, const std::vector<int>& y, double t) {
  CheckProbabilities(p, y);
  CheckThreshold(t);
  double tp = 0, fp = 0;
  for (std::size_t i = 0; i < p.size(); ++i)
    if (p[i] >= t) (y[i] ? tp : fp) += 1;
  const double n = static_cast<double>(p.size());
  return tp / n - fp / n * t / (1 - t);
}

double NetBenefitTreatAll(const std::vector<int>& y, double t) {
  CheckThreshold(t);
  if (y.empty()) throw InvalidArgument("no labels");
  double pos = 0;
  for (int v : y) {
    if (v != 0 && v != 1) throw InvalidArgument("labels must be 0 or 1");
    pos += v;
  }
  const double prevalence = pos / static_cast<double>(y.size());
  return prevalence - (1 - prevalence) * t / (1 - t);
}

}  // namespace lvsi::stats

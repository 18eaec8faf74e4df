#include "lvsi/stats/roc.h"

#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/beta.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "lvsi/core/error.h"
#include "lvsi/stats/statistics.h"

namespace lvsi::stats {
namespace {

void Check(const std::vector<double>& scores, const std::vector<int>& labels, bool need_distinct_scores = true) {
  if (scores.size() != labels.size())
    throw InvalidArgument("ROC: " + std::to_string(scores.size()) + " scores but " + std::to_string(labels.size()) +
                          " labels");
  CheckBinaryLabels(labels, "ROC");
  for (double s : scores)
    if (!std::isfinite(s)) throw InvalidArgument("ROC: scores must be finite (NaN or infinite found)");
  if (need_distinct_scores && std::all_of(scores.begin(), scores.end(), [&](double s) { return s == scores.front(); }))
    throw InvalidArgument("ROC: all " + std::to_string(scores.size()) +
                          " scores are equal; a constant score has no ROC curve or cut-off");
}

// DeLong placements: V10 for cases (positives), V01 for controls, from
// mid-ranks (Sun and Xu 2014).
void Placements(const std::vector<double>& scores, const std::vector<int>& labels, std::vector<double>* v10,
                std::vector<double>* v01, double* auc) {
  std::vector<double> x, y;
  for (std::size_t i = 0; i < scores.size(); ++i) (labels[i] ? x : y).push_back(scores[i]);
  const double m = static_cast<double>(x.size()), n = static_cast<double>(y.size());
  std::vector<double> z = x;
  z.insert(z.end(), y.begin(), y.end());
  const auto tz = MidRanks(z), tx = MidRanks(x), ty = MidRanks(y);
  v10->resize(x.size());
  v01->resize(y.size());
  double sum = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    (*v10)[i] = (tz[i] - tx[i]) / n;
    sum += tz[i];
  }
  for (std::size_t j = 0; j < y.size(); ++j) (*v01)[j] = 1 - (tz[x.size() + j] - ty[j]) / m;
  *auc = (sum - m * (m + 1) / 2) / (m * n);
}

double Covariance(const std::vector<double>& a, const std::vector<double>& b) {
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / static_cast<double>(a.size());
  const double mb = std::accumulate(b.begin(), b.end(), 0.0) / static_cast<double>(b.size());
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += (a[i] - ma) * (b[i] - mb);
  return s / static_cast<double>(a.size() - 1);
}

}  // namespace

std::vector<RocPoint> RocCurve(const std::vector<double>& scores, const std::vector<int>& labels) {
  Check(scores, labels);
  std::vector<double> u = scores;
  std::sort(u.begin(), u.end());
  u.erase(std::unique(u.begin(), u.end()), u.end());
  std::vector<double> thresholds{-std::numeric_limits<double>::infinity()};
  for (std::size_t i = 0; i + 1 < u.size(); ++i) thresholds.push_back((u[i] + u[i + 1]) / 2);
  thresholds.push_back(std::numeric_limits<double>::infinity());
  double pos = 0, neg = 0;
  for (int l : labels) (l ? pos : neg) += 1;
  // Sweep: sort by score, count how many of each class lie above each threshold.
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  std::vector<RocPoint> curve;
  std::size_t k = 0;
  double pos_below = 0, neg_below = 0;
  for (double t : thresholds) {
    while (k < order.size() && scores[order[k]] <= t) {
      (labels[order[k]] ? pos_below : neg_below) += 1;
      ++k;
    }
    curve.push_back({t, (pos - pos_below) / pos, neg_below / neg});
  }
  return curve;
}

double Auc(const std::vector<double>& scores, const std::vector<int>& labels) {
  Check(scores, labels, /*need_distinct_scores=*/false);
  const std::vector<double> ranks = MidRanks(scores);
  double rank_sum = 0, positives = 0;
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels[i]) {
      rank_sum += ranks[i];
      positives += 1;
    }
  const double negatives = static_cast<double>(labels.size()) - positives;
  return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

AucResult DeLongAuc(const std::vector<double>& scores, const std::vector<int>& labels, double level) {
  Check(scores, labels);
  if (!(level > 0 && level < 1)) throw InvalidArgument("confidence level must lie in (0, 1)");
  std::vector<double> v10, v01;
  AucResult r;
  Placements(scores, labels, &v10, &v01, &r.auc);
  const double m = static_cast<double>(v10.size()), n = static_cast<double>(v01.size());
  r.variance = (m > 1 ? Covariance(v10, v10) / m : 0) + (n > 1 ? Covariance(v01, v01) / n : 0);
  const double z = boost::math::quantile(boost::math::normal(), 1 - (1 - level) / 2);
  r.ci_low = std::max(0.0, r.auc - z * std::sqrt(r.variance));
  r.ci_high = std::min(1.0, r.auc + z * std::sqrt(r.variance));
  return r;
}

DeLongTest PairedDeLongTest(const std::vector<double>& a, const std::vector<double>& b, const std::vector<int>& labels) {
  Check(a, labels);
  Check(b, labels);
  std::vector<double> a10, a01, b10, b01;
  DeLongTest t;
  Placements(a, labels, &a10, &a01, &t.auc_a);
  Placements(b, labels, &b10, &b01, &t.auc_b);
  const double m = static_cast<double>(a10.size()), n = static_cast<double>(a01.size());
  const double var = (Covariance(a10, a10) + Covariance(b10, b10) - 2 * Covariance(a10, b10)) / m +
                     (Covariance(a01, a01) + Covariance(b01, b01) - 2 * Covariance(a01, b01)) / n;
  if (!(var > 0)) {
    // Placements that differ by a constant (e.g. identical rankings): no
    // variance.  Equal AUCs give no evidence of a difference (z = 0, p = 1);
    // a difference without variance is the limit z -> +-inf, p = 0.
    t.z = t.auc_a == t.auc_b ? 0.0 : std::copysign(std::numeric_limits<double>::infinity(), t.auc_a - t.auc_b);
    t.p = t.auc_a == t.auc_b ? 1.0 : 0.0;
    return t;
  }
  t.z = (t.auc_a - t.auc_b) / std::sqrt(var);
  t.p = 2 * boost::math::cdf(boost::math::complement(boost::math::normal(), std::abs(t.z)));
  return t;
}

DeLongTest UnpairedDeLongTest(const std::vector<double>& a, const std::vector<int>& labels_a,
                              const std::vector<double>& b, const std::vector<int>& labels_b) {
  const AucResult ra = DeLongAuc(a, labels_a), rb = DeLongAuc(b, labels_b);
  DeLongTest t;
  t.auc_a = ra.auc;
  t.auc_b = rb.auc;
  const double var = ra.variance + rb.variance;
  if (!(var > 0)) throw InvalidArgument("DeLong test: both AUCs have variance 0");
  t.z = (ra.auc - rb.auc) / std::sqrt(var);
  t.p = 2 * boost::math::cdf(boost::math::complement(boost::math::normal(), std::abs(t.z)));
  return t;
}

AucResult BootstrapAuc(const std::vector<double>& scores, const std::vector<int>& labels, int replicates,
                       unsigned seed, double level) {
  Check(scores, labels);
  if (replicates < 10) throw InvalidArgument("bootstrap needs at least 10 replicates");
  if (!(level > 0 && level < 1)) throw InvalidArgument("confidence level must lie in (0, 1)");
  std::vector<double> pos, neg;
  for (std::size_t i = 0; i < scores.size(); ++i) (labels[i] ? pos : neg).push_back(scores[i]);
  AucResult r;
  std::vector<double> v10, v01;
  Placements(scores, labels, &v10, &v01, &r.auc);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::size_t> pick_pos(0, pos.size() - 1), pick_neg(0, neg.size() - 1);
  std::vector<double> aucs;
  std::vector<double> s(scores.size());
  std::vector<int> l(scores.size());
  for (int b = 0; b < replicates; ++b) {
    std::size_t k = 0;
    for (std::size_t i = 0; i < pos.size(); ++i, ++k) {
      s[k] = pos[pick_pos(rng)];
      l[k] = 1;
    }
    for (std::size_t i = 0; i < neg.size(); ++i, ++k) {
      s[k] = neg[pick_neg(rng)];
      l[k] = 0;
    }
    double auc;
    Placements(s, l, &v10, &v01, &auc);
    aucs.push_back(auc);
  }
  std::sort(aucs.begin(), aucs.end());
  auto quantile = [&](double q) {  // type 7
    const double h = (static_cast<double>(aucs.size()) - 1) * q;
    const std::size_t lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, aucs.size() - 1);
    return aucs[lo] + (h - static_cast<double>(lo)) * (aucs[hi] - aucs[lo]);
  };
  r.ci_low = quantile((1 - level) / 2);
  r.ci_high = quantile(1 - (1 - level) / 2);
  double mean = 0;
  for (double a : aucs) mean += a;
  mean /= static_cast<double>(aucs.size());
  for (double a : aucs) r.variance += (a - mean) * (a - mean);
  r.variance /= static_cast<double>(aucs.size() - 1);
  return r;
}

void ClopperPearson(long k, long n, double level, double* low, double* high) {
  if (n <= 0) {
    *low = std::numeric_limits<double>::quiet_NaN();
    *high = std::numeric_limits<double>::quiet_NaN();
    return;
  }
  const double alpha = 1 - level;
  *low = k == 0 ? 0.0 : boost::math::ibeta_inv(static_cast<double>(k), static_cast<double>(n - k + 1), alpha / 2);
  *high = k == n ? 1.0 : boost::math::ibeta_inv(static_cast<double>(k + 1), static_cast<double>(n - k), 1 - alpha / 2);
}

ClassificationMetrics MetricsAt(const std::vector<double>& scores, const std::vector<int>& labels, double threshold) {
  Check(scores, labels, /*need_distinct_scores=*/false);  // a fixed cut-off applies to any scores
  ClassificationMetrics m;
  m.threshold = threshold;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const bool positive = scores[i] > threshold;
    if (labels[i]) (positive ? m.tp : m.fn) += 1;
    else (positive ? m.fp : m.tn) += 1;
  }
  auto ratio = [](long a, long b) { return b ? static_cast<double>(a) / static_cast<double>(b) : std::numeric_limits<double>::quiet_NaN(); };
  m.sensitivity = ratio(m.tp, m.tp + m.fn);
  m.specificity = ratio(m.tn, m.tn + m.fp);
  m.accuracy = ratio(m.tp + m.tn, m.tp + m.tn + m.fp + m.fn);
  m.ppv = ratio(m.tp, m.tp + m.fp);
  m.npv = ratio(m.tn, m.tn + m.fn);
  ClopperPearson(m.tp, m.tp + m.fn, 0.95, &m.sensitivity_low, &m.sensitivity_high);
  ClopperPearson(m.tn, m.tn + m.fp, 0.95, &m.specificity_low, &m.specificity_high);
  ClopperPearson(m.tp + m.tn, m.tp + m.tn + m.fp + m.fn, 0.95, &m.accuracy_low, &m.accuracy_high);
  ClopperPearson(m.tp, m.tp + m.fp, 0.95, &m.ppv_low, &m.ppv_high);
  ClopperPearson(m.tn, m.tn + m.fn, 0.95, &m.npv_low, &m.npv_high);
  return m;
}

ClassificationMetrics YoudenOptimal(const std::vector<double>& scores, const std::vector<int>& labels) {
  const auto curve = RocCurve(scores, labels);
  double best = -1, threshold = 0;
  for (const auto& p : curve) {
    if (!std::isfinite(p.threshold)) continue;
    const double j = p.sensitivity + p.specificity;
    if (j > best) {
      best = j;
      threshold = p.threshold;
    }
  }
  return MetricsAt(scores, labels, threshold);
}

}  // namespace lvsi::stats

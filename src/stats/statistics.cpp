#include "lvsi/stats/statistics.h"

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/fisher_f.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <random>

#include "lvsi/core/error.h"
#include "lvsi/core/logging.h"

namespace lvsi::stats {
namespace {

namespace bm = boost::math;

void RequireFinite(const std::vector<double>& v, const char* what) {
  for (double x : v)
    if (!std::isfinite(x)) throw InvalidArgument(std::string(what) + " contains NaN or infinite values");
}

double Mean(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()); }

double SampleVariance(const std::vector<double>& v, double mean) {
  double s = 0;
  for (double x : v) s += (x - mean) * (x - mean);
  return s / static_cast<double>(v.size() - 1);
}

double TwoSidedT(double t, double df) {
  bm::students_t dist(df);
  return 2 * bm::cdf(bm::complement(dist, std::abs(t)));
}

double UpperChiSquare(double x, double df) { return bm::cdf(bm::complement(bm::chi_squared(df), x)); }

// F quantile; NaN where the degrees of freedom are not finite and positive
// (e.g. raters in perfect agreement leave no error variance).
double Qf(double p, double d1, double d2) {
  if (!(std::isfinite(d1) && std::isfinite(d2) && d1 > 0 && d2 > 0)) return std::numeric_limits<double>::quiet_NaN();
  return bm::quantile(bm::fisher_f(d1, d2), p);
}

}  // namespace

void CheckBinaryLabels(const std::vector<int>& labels, const std::string& who) {
  std::size_t positives = 0;
  for (int v : labels) {
    if (v != 0 && v != 1) throw InvalidArgument(who + ": labels must be 0 or 1, got " + std::to_string(v));
    positives += static_cast<std::size_t>(v);
  }
  if (positives == 0 || positives == labels.size())
    throw InvalidArgument(who + ": both classes are needed (only one is present)");
}

void CheckTrainingData(const Eigen::MatrixXd& x, const std::vector<int>& labels, const std::string& who) {
  if (static_cast<std::size_t>(x.rows()) != labels.size())
    throw InvalidArgument(who + ": " + std::to_string(x.rows()) + " rows of features but " +
                          std::to_string(labels.size()) + " labels");
  CheckBinaryLabels(labels, who);
  if (!x.allFinite()) throw InvalidArgument(who + ": features contain NaN or infinite values");
}

std::vector<double> MidRanks(const std::vector<double>& values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    const double r = 0.5 * static_cast<double>(i + j) + 1.0;
    for (std::size_t k = i; k <= j; ++k) ranks[order[k]] = r;
    i = j + 1;
  }
  return ranks;
}

TestResult StudentTTest(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() < 2 || y.size() < 2) throw InvalidArgument("t-test needs at least 2 values per group");
  RequireFinite(x, "t-test sample");
  RequireFinite(y, "t-test sample");
  const double mx = Mean(x), my = Mean(y);
  const double n1 = static_cast<double>(x.size()), n2 = static_cast<double>(y.size());
  const double vp = ((n1 - 1) * SampleVariance(x, mx) + (n2 - 1) * SampleVariance(y, my)) / (n1 + n2 - 2);
  if (!(vp > 0)) throw InvalidArgument("t-test: both samples are constant");
  TestResult r;
  r.statistic = (mx - my) / std::sqrt(vp * (1 / n1 + 1 / n2));
  r.df = n1 + n2 - 2;
  r.p = TwoSidedT(r.statistic, r.df);
  return r;
}

TestResult WelchTTest(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() < 2 || y.size() < 2) throw InvalidArgument("t-test needs at least 2 values per group");
  RequireFinite(x, "t-test sample");
  RequireFinite(y, "t-test sample");
  const double mx = Mean(x), my = Mean(y);
  const double n1 = static_cast<double>(x.size()), n2 = static_cast<double>(y.size());
  const double a = SampleVariance(x, mx) / n1, b = SampleVariance(y, my) / n2;
  if (!(a + b > 0)) throw InvalidArgument("t-test: both samples are constant");
  TestResult r;
  r.statistic = (mx - my) / std::sqrt(a + b);
  r.df = (a + b) * (a + b) / (a * a / (n1 - 1) + b * b / (n2 - 1));
  r.p = TwoSidedT(r.statistic, r.df);
  return r;
}

bool MannWhitneySettings::IsValid(std::string*) const { return true; }  // every combination is a valid test

TestResult MannWhitneyU(const std::vector<double>& x, const std::vector<double>& y, const MannWhitneySettings& o) {
  if (x.empty() || y.empty()) throw InvalidArgument("Mann-Whitney test needs values in both groups");
  RequireFinite(x, "Mann-Whitney sample");
  RequireFinite(y, "Mann-Whitney sample");
  std::vector<double> all = x;
  all.insert(all.end(), y.begin(), y.end());
  const std::vector<double> r = MidRanks(all);
  const double nx = static_cast<double>(x.size()), ny = static_cast<double>(y.size()), n = nx + ny;
  double rank_sum = 0;
  for (std::size_t i = 0; i < x.size(); ++i) rank_sum += r[i];
  TestResult res;
  res.statistic = rank_sum - nx * (nx + 1) / 2;
  std::map<double, double> ties;
  for (double v : r) ties[v] += 1;
  bool has_ties = false;
  double tie_sum = 0;
  for (const auto& [v, t] : ties) {
    tie_sum += t * t * t - t;
    has_ties = has_ties || t > 1;
  }
  if (o.exact) {
    if (has_ties) throw InvalidArgument("the exact Mann-Whitney test needs samples without ties");
    // Number of ways each W arises: subsets of size nx of 1..n by rank sum.
    const std::size_t m = x.size(), total = all.size();
    const std::size_t wmax = static_cast<std::size_t>(nx * ny);
    std::vector<std::vector<double>> count(m + 1, std::vector<double>(wmax + 1, 0.0));
    count[0][0] = 1;
    // Classic recursion over the values 1..n: c(k, w) for subsets of size k.
    std::vector<std::vector<double>> next = count;
    for (std::size_t v = 1; v <= total; ++v) {
      next = count;
      for (std::size_t k = 1; k <= m && k <= v; ++k) {
        // choosing value v as the k-th smallest adds (v - k) to W
        const std::size_t add = v - k;
        for (std::size_t w = add; w <= wmax; ++w) next[k][w] += count[k - 1][w - add];
      }
      count.swap(next);
    }
    double all_ways = 0;
    for (double c : count[m]) all_ways += c;
    const auto w = static_cast<std::size_t>(std::llround(res.statistic));
    double lower = 0, upper = 0;
    for (std::size_t k = 0; k <= wmax; ++k) {
      if (k <= w) lower += count[m][k];
      if (k >= w) upper += count[m][k];
    }
    res.p = std::min(1.0, 2 * std::min(lower, upper) / all_ways);
    return res;
  }
  const double z0 = res.statistic - nx * ny / 2;
  const double sigma = std::sqrt((nx * ny / 12) * ((n + 1) - tie_sum / (n * (n - 1))));
  if (!(sigma > 0)) throw InvalidArgument("Mann-Whitney test: all values are equal");
  const double correction = o.continuity ? (z0 > 0 ? 0.5 : z0 < 0 ? -0.5 : 0.0) : 0.0;
  const double z = (z0 - correction) / sigma;
  bm::normal norm;
  res.p = std::min(1.0, 2 * std::min(bm::cdf(norm, z), bm::cdf(bm::complement(norm, z))));
  return res;
}

TestResult ChiSquareTest(const std::vector<std::vector<double>>& table, bool yates) {
  const std::size_t rows = table.size(), cols = rows ? table[0].size() : 0;
  if (rows < 2 || cols < 2) throw InvalidArgument("chi-square test needs at least a 2 x 2 table");
  std::vector<double> rs(rows, 0), cs(cols, 0);
  double n = 0;
  for (std::size_t i = 0; i < rows; ++i) {
    if (table[i].size() != cols) throw InvalidArgument("chi-square test: rows of different length");
    for (std::size_t j = 0; j < cols; ++j) {
      if (!(table[i][j] >= 0)) throw InvalidArgument("chi-square test: counts must be >= 0");
      rs[i] += table[i][j];
      cs[j] += table[i][j];
      n += table[i][j];
    }
  }
  for (double v : rs)
    if (v == 0) throw InvalidArgument("chi-square test: a row of the table is empty");
  for (double v : cs)
    if (v == 0) throw InvalidArgument("chi-square test: a column of the table is empty");
  double correction = 0;
  if (yates && rows == 2 && cols == 2) {
    correction = 0.5;
    for (std::size_t i = 0; i < 2; ++i)
      for (std::size_t j = 0; j < 2; ++j) correction = std::min(correction, std::abs(table[i][j] - rs[i] * cs[j] / n));
  }
  TestResult r;
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) {
      const double e = rs[i] * cs[j] / n;
      const double d = std::abs(table[i][j] - e) - correction;
      r.statistic += d * d / e;
    }
  r.df = static_cast<double>((rows - 1) * (cols - 1));
  r.p = UpperChiSquare(r.statistic, r.df);
  return r;
}

bool FisherSettings::IsValid(std::string* why) const {
  if (max_tables < 1) return Invalid(why, "Fisher's test: max_tables must be >= 1");
  if (replicates < 1) return Invalid(why, "Fisher's test: replicates must be >= 1");
  return true;
}

namespace {

// Thrown inside the enumeration when it passes the cost limit.
struct TooManyTables {};

}  // namespace

TestResult FisherExactTest(const std::vector<std::vector<long>>& table, const FisherSettings& settings) {
  CheckValid(settings, "Fisher's test");
  const std::size_t rows = table.size(), cols = rows ? table[0].size() : 0;
  if (rows < 2 || cols < 2) throw InvalidArgument("Fisher's test needs at least a 2 x 2 table");
  std::vector<long> rs(rows, 0), cs(cols, 0);
  long n = 0;
  for (std::size_t i = 0; i < rows; ++i) {
    if (table[i].size() != cols) throw InvalidArgument("Fisher's test: rows of different length");
    for (std::size_t j = 0; j < cols; ++j) {
      if (table[i][j] < 0) throw InvalidArgument("Fisher's test: counts must be >= 0");
      if (table[i][j] > 100'000'000 || n > 100'000'000)
        throw InvalidArgument("Fisher's test: more than 1e8 counts; use the chi-square test");
      rs[i] += table[i][j];
      cs[j] += table[i][j];
      n += table[i][j];
    }
  }
  // log k! for k = 0..n, once.
  std::vector<double> lf(static_cast<std::size_t>(n) + 1, 0.0);
  for (long k = 1; k <= n; ++k) lf[static_cast<std::size_t>(k)] = lf[static_cast<std::size_t>(k - 1)] + std::log(static_cast<double>(k));
  auto f = [&](long k) { return lf[static_cast<std::size_t>(k)]; };
  double constant = -f(n);
  for (long v : rs) constant += f(v);
  for (long v : cs) constant += f(v);
  auto log_p = [&](const std::vector<std::vector<long>>& t) {
    double s = constant;
    for (const auto& row : t)
      for (long v : row) s -= f(v);
    return s;
  };
  const double observed = log_p(table);
  const double cutoff = observed + std::log1p(1e-7);
  TestResult r;
  try {
    // Enumerate every table with these margins, column by column.
    std::vector<std::vector<long>> t(rows, std::vector<long>(cols, 0));
    std::vector<long> row_left = rs;
    double p_sum = 0;
    long long tables = 0;
    std::function<void(std::size_t, std::size_t, long)> fill = [&](std::size_t j, std::size_t i, long col_left) {
      if (j + 1 == cols) {  // last column is determined by the row remainders
        if (++tables > settings.max_tables) throw TooManyTables{};
        for (std::size_t q = 0; q < rows; ++q) t[q][j] = row_left[q];
        const double lp = log_p(t);
        if (lp <= cutoff) p_sum += std::exp(lp);
        return;
      }
      if (i + 1 == rows) {  // last row of this column takes the rest
        if (col_left > row_left[i]) return;
        t[i][j] = col_left;
        row_left[i] -= col_left;
        fill(j + 1, 0, cs[j + 1]);
        row_left[i] += col_left;
        return;
      }
      // Remaining rows after i must be able to absorb the rest of the column.
      long capacity_after = 0;
      for (std::size_t q = i + 1; q < rows; ++q) capacity_after += row_left[q];
      const long lo = std::max(0L, col_left - capacity_after), hi = std::min(col_left, row_left[i]);
      for (long v = lo; v <= hi; ++v) {
        t[i][j] = v;
        row_left[i] -= v;
        fill(j, i + 1, col_left - v);
        row_left[i] += v;
      }
    };
    fill(0, 0, cs[0]);
    r.p = std::min(1.0, p_sum);
    return r;
  } catch (const TooManyTables&) {
  }
  // Monte-Carlo: random tables with the observed margins are the pairings
  // of a random permutation of the column labels with the row labels.
  std::vector<std::size_t> row_of, col_of;
  for (std::size_t i = 0; i < rows; ++i) row_of.insert(row_of.end(), static_cast<std::size_t>(rs[i]), i);
  for (std::size_t j = 0; j < cols; ++j) col_of.insert(col_of.end(), static_cast<std::size_t>(cs[j]), j);
  std::mt19937_64 rng(settings.seed);
  std::vector<std::vector<long>> t(rows, std::vector<long>(cols, 0));
  long long as_extreme = 0;
  for (int b = 0; b < settings.replicates; ++b) {
    for (auto& row : t) std::fill(row.begin(), row.end(), 0);
    // Fisher-Yates shuffle of the column labels (a portable draw).
    for (std::size_t k = col_of.size(); k > 1; --k) std::swap(col_of[k - 1], col_of[rng() % k]);
    for (std::size_t k = 0; k < row_of.size(); ++k) ++t[row_of[k]][col_of[k]];
    as_extreme += log_p(t) <= cutoff;
  }
  r.p = static_cast<double>(1 + as_extreme) / static_cast<double>(settings.replicates + 1);
  r.note = "Monte-Carlo p-value from " + std::to_string(settings.replicates) +
           " random tables (the exact enumeration passes " + std::to_string(settings.max_tables) + " tables)";
  Log(LogLevel::kWarning, "Fisher's test on a " + std::to_string(rows) + " x " + std::to_string(cols) + " table of " +
                              std::to_string(n) + " counts: " + r.note);
  return r;
}

std::vector<double> BonferroniAdjust(const std::vector<double>& p) {
  std::vector<double> out(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) out[i] = std::min(1.0, p[i] * static_cast<double>(p.size()));
  return out;
}

std::vector<double> HolmAdjust(const std::vector<double>& p) {
  const std::size_t m = p.size();
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
  std::vector<double> out(m);
  double running = 0;
  for (std::size_t k = 0; k < m; ++k) {
    running = std::max(running, std::min(1.0, static_cast<double>(m - k) * p[order[k]]));
    out[order[k]] = running;
  }
  return out;
}

IccResult IntraclassCorrelation(const std::vector<std::vector<double>>& x) {
  const std::size_t n = x.size(), k = n ? x[0].size() : 0;
  if (n < 2 || k < 2) throw InvalidArgument("ICC needs at least 2 subjects and 2 raters");
  double gm = 0;
  std::vector<double> rm(n, 0), cm(k, 0);
  for (std::size_t i = 0; i < n; ++i) {
    if (x[i].size() != k) throw InvalidArgument("ICC: every subject needs a rating from every rater");
    RequireFinite(x[i], "ICC ratings");
    for (std::size_t j = 0; j < k; ++j) {
      rm[i] += x[i][j];
      cm[j] += x[i][j];
      gm += x[i][j];
    }
  }
  const double N = static_cast<double>(n), K = static_cast<double>(k);
  gm /= N * K;
  for (auto& v : rm) v /= K;
  for (auto& v : cm) v /= N;
  double ssr = 0, ssc = 0, sst = 0;
  for (std::size_t i = 0; i < n; ++i) ssr += K * (rm[i] - gm) * (rm[i] - gm);
  for (std::size_t j = 0; j < k; ++j) ssc += N * (cm[j] - gm) * (cm[j] - gm);
  for (const auto& row : x)
    for (double v : row) sst += (v - gm) * (v - gm);
  const double sse = sst - ssr - ssc, ssw = sst - ssr;
  const double msr = ssr / (N - 1), msc = ssc / (K - 1), mse = sse / ((N - 1) * (K - 1)), msw = ssw / (N * (K - 1));
  IccResult r;
  r.icc1 = (msr - msw) / (msr + (K - 1) * msw);
  r.icc2 = (msr - mse) / (msr + (K - 1) * mse + K * (msc - mse) / N);
  r.icc3 = (msr - mse) / (msr + (K - 1) * mse);
  r.icc1k = (msr - msw) / msr;
  r.icc2k = (msr - mse) / (msr + (msc - mse) / N);
  r.icc3k = (msr - mse) / msr;
  const double q = 0.975;
  const double f11 = msr / msw;
  const double f11l = f11 / Qf(q, N - 1, N * (K - 1)), f11u = f11 * Qf(q, N * (K - 1), N - 1);
  r.icc1_low = (f11l - 1) / (f11l + (K - 1));
  r.icc1_high = (f11u - 1) / (f11u + (K - 1));
  const double f31 = msr / mse;
  const double f31l = f31 / Qf(q, N - 1, (N - 1) * (K - 1)), f31u = f31 * Qf(q, (N - 1) * (K - 1), N - 1);
  r.icc3_low = (f31l - 1) / (f31l + (K - 1));
  r.icc3_high = (f31u - 1) / (f31u + (K - 1));
  const double fj = msc / mse;
  const double vn = (K - 1) * (N - 1) * std::pow(K * r.icc2 * fj + N * (1 + (K - 1) * r.icc2) - K * r.icc2, 2);
  const double vd = (N - 1) * K * K * r.icc2 * r.icc2 * fj * fj + std::pow(N * (1 + (K - 1) * r.icc2) - K * r.icc2, 2);
  const double v = vn / vd;
  const double f3u = Qf(q, N - 1, v), f3l = Qf(q, v, N - 1);
  r.icc2_low = N * (msr - f3u * mse) / (f3u * (K * msc + (K * N - K - N) * mse) + N * msr);
  r.icc2_high = N * (f3l * msr - mse) / (K * msc + (K * N - K - N) * mse + N * f3l * msr);
  return r;
}

}  // namespace lvsi::stats

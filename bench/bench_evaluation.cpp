// Benchmark of the evaluation statistics on a large synthetic cohort.
//
//   bench_evaluation [N]     (default N = 100000)
//
// Draws two correlated scores for N cases (about 30 % positives), then times
// each statistic of the study's Table 2 / Figure 4 separately and in total.
// Prints one line per step: name, wall seconds (best of 3 runs).
#include <lvsi/evaluation.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace ev = lvsi::evaluation;

namespace {

double BestOf3(const std::function<void()>& f) {
  double best = 1e30;
  for (int i = 0; i < 3; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    const auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
  }
  return best;
}

double Logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 100000;
  if (n < 20) {
    std::fprintf(stderr, "bench_evaluation: N must be at least 20\n");
    return 2;
  }
  std::mt19937_64 rng(20261127);
  std::bernoulli_distribution outcome(0.3);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::vector<int> labels(n);
  std::vector<double> a(n), b(n);
  for (long i = 0; i < n; ++i) {
    labels[i] = outcome(rng) ? 1 : 0;
    const double shared = noise(rng);
    a[i] = Logistic(-0.8 + 1.2 * labels[i] + shared + 0.5 * noise(rng));
    b[i] = Logistic(-0.8 + 0.9 * labels[i] + shared + 0.8 * noise(rng));
  }
  std::vector<double> grid;
  for (int k = 1; k < 100; ++k) grid.push_back(k / 100.0);

  volatile double sink = 0;  // keeps the optimiser from dropping results
  struct Step {
    const char* name;
    std::function<void()> run;
  };
  const std::vector<Step> steps = {
      {"roc_curve", [&] { sink = ev::RocCurve(a, labels).size(); }},
      {"delong_auc_ci", [&] { sink = ev::DeLongAuc(a, labels).ci_low; }},
      {"paired_delong_test", [&] { sink = ev::PairedDeLongTest(a, b, labels).p; }},
      {"youden_metrics", [&] { sink = ev::YoudenOptimal(a, labels).accuracy; }},
      {"hosmer_lemeshow", [&] { sink = ev::HosmerLemeshow(a, labels).p; }},
      {"calibration_curve", [&] { sink = ev::CalibrationCurve(a, labels).size(); }},
      {"calibration_fit", [&] { sink = ev::CalibrationInterceptSlope(a, labels).slope; }},
      {"brier", [&] { sink = ev::BrierScore(a, labels); }},
      {"decision_curve_99", [&] {
         double s = 0;
         for (double t : grid) s += ev::NetBenefit(a, labels, t) + ev::NetBenefitTreatAll(labels, t);
         sink = s;
       }},
      {"mann_whitney", [&] {
         std::vector<double> pos, neg;
         for (long i = 0; i < n; ++i) (labels[i] ? pos : neg).push_back(a[i]);
         sink = ev::MannWhitneyU(pos, neg).p;
       }},
  };
  std::printf("cases %ld, positives %ld\n", n, static_cast<long>(std::count(labels.begin(), labels.end(), 1)));
  double total = 0;
  for (const auto& s : steps) {
    const double t = BestOf3(s.run);
    total += t;
    std::printf("%-20s %.4f s\n", s.name, t);
  }
  std::printf("%-20s %.4f s\n", "total", total);
  return 0;
}

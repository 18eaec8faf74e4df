#include "lvsi/selection/lasso.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/core/logging.h"
#include "lvsi/core/parallel.h"
#include "lvsi/stats/roc.h"
#include "lvsi/stats/statistics.h"

namespace lvsi::selection {
namespace {

constexpr double kFdev = 1e-5;     // glmnet.control()$fdev
constexpr double kDevMax = 0.999;  // glmnet.control()$devmax
constexpr int kMinLambdas = 5;     // glmnet.control()$mnlam
constexpr double kPmin = 1e-9;     // glmnet's bound on fitted probabilities during fitting

void CheckData(const Eigen::MatrixXd& x, const std::vector<int>& y) {
  stats::CheckTrainingData(x, y, "LASSO");
  if (x.cols() == 0) throw InvalidArgument("LASSO: no features");
}

double SoftThreshold(double g, double lambda) {
  if (g > lambda) return g - lambda;
  if (g < -lambda) return g + lambda;
  return 0.0;
}

double Logistic(double eta) { return 1.0 / (1.0 + std::exp(-eta)); }

// Binomial deviance of 0/1 labels at linear predictor eta.
double Deviance(const Eigen::VectorXd& y, const Eigen::VectorXd& eta) {
  double dev = 0;
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    const double p = std::clamp(Logistic(eta[i]), 1e-300, 1.0 - 1e-16);
    dev -= 2.0 * (y[i] > 0.5 ? std::log(p) : std::log1p(-p));
  }
  return dev;
}

// The standardised problem solved at one lambda after another, warm-started.
class PathSolver {
 public:
  PathSolver(const Eigen::MatrixXd& x, const std::vector<int>& y, bool standardize, double tolerance, int max_passes)
      : n_(x.rows()), p_(x.cols()), tolerance_(tolerance), max_passes_(max_passes) {
    y_.resize(n_);
    for (Eigen::Index i = 0; i < n_; ++i) y_[i] = y[static_cast<std::size_t>(i)];
    mean_ = x.colwise().mean().transpose();
    xs_ = x.rowwise() - mean_.transpose();
    scale_ = Eigen::VectorXd::Ones(p_);
    usable_.assign(static_cast<std::size_t>(p_), true);
    for (Eigen::Index j = 0; j < p_; ++j) {
      const double sd = std::sqrt(xs_.col(j).squaredNorm() / static_cast<double>(n_));
      if (!(sd > 0) || sd < 1e-12 * (1.0 + std::abs(mean_[j]))) {
        usable_[static_cast<std::size_t>(j)] = false;
        xs_.col(j).setZero();
        continue;
      }
      if (standardize) {
        scale_[j] = sd;
        xs_.col(j) /= sd;
      }
    }
    const double ybar = y_.mean();
    b0_ = std::log(ybar / (1.0 - ybar));
    b_ = Eigen::VectorXd::Zero(p_);
    eta_ = Eigen::VectorXd::Constant(n_, b0_);
    null_deviance_ = Deviance(y_, eta_);
    ever_active_.assign(static_cast<std::size_t>(p_), false);
  }

  // Smallest lambda giving an all-zero solution.
  double LambdaMax() const {
    const Eigen::VectorXd r = (y_.array() - y_.mean()).matrix() / static_cast<double>(n_);
    double best = 0;
    for (Eigen::Index j = 0; j < p_; ++j)
      if (usable_[static_cast<std::size_t>(j)]) best = std::max(best, std::abs(xs_.col(j).dot(r)));
    return best;
  }

  // Solves at `lambda` (strong-rule screening from `previous`, then KKT
  // checks).  Returns false, with the state left at the last iterate, when
  // coordinate descent or IRLS did not converge (`*why` says which).
  bool Solve(double lambda, double previous, std::string* why) {
    // The gradient at the previous solution is the one its KKT check computed.
    Eigen::VectorXd gradient = gradient_.size() == p_ ? gradient_ : Gradient();
    std::vector<char> in_set(static_cast<std::size_t>(p_), 0);
    const double cut = 2.0 * lambda - previous;
    for (Eigen::Index j = 0; j < p_; ++j) {
      const auto uj = static_cast<std::size_t>(j);
      if (usable_[uj] && (ever_active_[uj] || std::abs(gradient[j]) > cut)) in_set[uj] = 1;
    }
    for (;;) {
      if (!SolveOn(lambda, in_set, why)) return false;
      gradient = Gradient();
      bool violation = false;
      for (Eigen::Index j = 0; j < p_; ++j) {
        const auto uj = static_cast<std::size_t>(j);
        if (usable_[uj] && !in_set[uj] && std::abs(gradient[j]) > lambda * (1.0 + 1e-12)) {
          in_set[uj] = 1;
          violation = true;
        }
      }
      if (!violation) break;
    }
    gradient_ = std::move(gradient);
    for (Eigen::Index j = 0; j < p_; ++j)
      if (b_[j] != 0.0) ever_active_[static_cast<std::size_t>(j)] = true;
    return true;
  }

  double DevianceNow() const { return Deviance(y_, eta_); }
  double null_deviance() const { return null_deviance_; }

  // Coefficients on the original scale.
  void Coefficients(double* intercept, Eigen::Ref<Eigen::VectorXd> beta) const {
    beta = b_.cwiseQuotient(scale_);
    *intercept = b0_ - mean_.dot(beta);
  }

 private:
  Eigen::VectorXd Gradient() const {
    Eigen::VectorXd r(n_);
    for (Eigen::Index i = 0; i < n_; ++i) r[i] = (y_[i] - Logistic(eta_[i])) / static_cast<double>(n_);
    Eigen::VectorXd g(p_);
    for (Eigen::Index j = 0; j < p_; ++j) g[j] = xs_.col(j).dot(r);
    return g;
  }

  // IRLS outer loop, coordinate descent inner loop, over the columns in
  // `in_set`; false (and `*why`) when either does not converge.
  bool SolveOn(double lambda, const std::vector<char>& in_set, std::string* why) {
    std::vector<Eigen::Index> columns;
    for (Eigen::Index j = 0; j < p_; ++j)
      if (in_set[static_cast<std::size_t>(j)]) columns.push_back(j);
    Eigen::VectorXd w(n_), r(n_), xv(p_);
    for (int outer = 0; outer < max_passes_; ++outer) {
      for (Eigen::Index i = 0; i < n_; ++i) {
        const double p = std::clamp(Logistic(eta_[i]), kPmin, 1.0 - kPmin);
        w[i] = p * (1.0 - p) / static_cast<double>(n_);
        r[i] = (y_[i] - p) / static_cast<double>(n_);
      }
      const double sum_w = w.sum();
      const Eigen::VectorXd wz = w.cwiseProduct(eta_) + r;  // weights times working response
      for (Eigen::Index j : columns) xv[j] = w.dot(xs_.col(j).cwiseAbs2());
      const double b0_start = b0_;
      const Eigen::VectorXd b_start = b_;
      // Coordinate descent on the weighted least-squares approximation:
      // full passes until converged, with passes over the non-zero
      // coefficients in between (glmnet's active-set iteration).
      // After each full pass an active-set step (normal equations) jumps
      // toward the solution; convergence is always judged by a full
      // coordinate pass.
      int passes = 0;
      for (;;) {
        double change = Pass(lambda, columns, w, sum_w, xv, r, /*active_only=*/false);
        if (change < tolerance_ || ++passes > max_passes_) break;
        SolveActiveSet(lambda, columns, w, wz, r);
        for (;;) {
          change = Pass(lambda, columns, w, sum_w, xv, r, /*active_only=*/true);
          if (change < tolerance_ || ++passes > max_passes_) break;
        }
      }
      if (passes > max_passes_) {
        *why = "coordinate descent did not converge in " + std::to_string(max_passes_) + " passes at lambda " +
               FormatDouble(lambda);
        return false;
      }
      eta_ = Predictor();
      double change = sum_w * (b0_ - b0_start) * (b0_ - b0_start);
      for (Eigen::Index j : columns) change = std::max(change, xv[j] * (b_[j] - b_start[j]) * (b_[j] - b_start[j]));
      if (change < tolerance_) return true;
    }
    *why = "IRLS did not converge in " + std::to_string(max_passes_) + " iterations at lambda " + FormatDouble(lambda);
    return false;
  }

  // b0 + xs b over the non-zero coefficients only (most are zero).
  Eigen::VectorXd Predictor() const {
    Eigen::VectorXd eta = Eigen::VectorXd::Constant(n_, b0_);
    for (Eigen::Index j = 0; j < p_; ++j)
      if (b_[j] != 0.0) eta.noalias() += b_[j] * xs_.col(j);
    return eta;
  }

  // Active-set step on the weighted least-squares approximation: with the
  // signs s of the non-zero coefficients fixed, the minimiser of the
  // quadratic plus lambda * s'b solves the normal equations.  Moving toward
  // it lowers the objective; where a coefficient would change sign the move
  // stops at zero, that coefficient leaves the set, and the solve repeats.
  // Columns whose optimality condition fails are left to the next
  // coordinate pass.  Returns whether anything moved.
  bool SolveActiveSet(double lambda, const std::vector<Eigen::Index>& columns, const Eigen::VectorXd& w,
                      const Eigen::VectorXd& wz, Eigen::VectorXd& r) {
    std::vector<Eigen::Index> active;
    for (Eigen::Index j : columns)
      if (b_[j] != 0.0) active.push_back(j);
    const auto a0 = static_cast<Eigen::Index>(active.size());
    if (a0 + 1 > n_) return false;
    // Weighted Gram matrix and right-hand side of the intercept and the
    // initial active columns, computed once; later rounds use sub-blocks.
    Eigen::MatrixXd xa(n_, a0 + 1);
    xa.col(0).setOnes();
    for (Eigen::Index k = 0; k < a0; ++k) xa.col(k + 1) = xs_.col(active[static_cast<std::size_t>(k)]);
    const Eigen::MatrixXd gram = xa.transpose() * (w.asDiagonal() * xa);
    const Eigen::VectorXd xwz = xa.transpose() * wz;
    std::vector<Eigen::Index> slots(static_cast<std::size_t>(a0) + 1);  // rows of gram in use
    for (Eigen::Index k = 0; k <= a0; ++k) slots[static_cast<std::size_t>(k)] = k;
    bool moved = false;
    for (Eigen::Index round = 0; round <= a0 + 1; ++round) {
      const auto m = static_cast<Eigen::Index>(slots.size());
      Eigen::MatrixXd sub(m, m);
      Eigen::VectorXd rhs(m), current(m);
      for (Eigen::Index u = 0; u < m; ++u) {
        const Eigen::Index su = slots[static_cast<std::size_t>(u)];
        for (Eigen::Index v = 0; v < m; ++v) sub(u, v) = gram(su, slots[static_cast<std::size_t>(v)]);
        rhs[u] = xwz[su];
        current[u] = su == 0 ? b0_ : b_[active[static_cast<std::size_t>(su - 1)]];
        if (su > 0) rhs[u] -= lambda * (current[u] > 0 ? 1.0 : -1.0);
      }
      const Eigen::LDLT<Eigen::MatrixXd> ldlt(sub);
      if (ldlt.info() != Eigen::Success) break;
      const Eigen::VectorXd sol = ldlt.solve(rhs);
      if (!sol.allFinite()) break;
      // Largest step in (0, 1] that keeps every sign.
      double step = 1.0;
      for (Eigen::Index u = 1; u < m; ++u)
        if (sol[u] * current[u] <= 0) step = std::min(step, current[u] / (current[u] - sol[u]));
      const Eigen::VectorXd next = current + step * (sol - current);
      std::vector<Eigen::Index> still{0};
      b0_ = next[0];
      for (Eigen::Index u = 1; u < m; ++u) {
        const Eigen::Index su = slots[static_cast<std::size_t>(u)];
        const bool hits_zero = step < 1.0 && sol[u] * current[u] <= 0 &&
                               std::abs(current[u] / (current[u] - sol[u]) - step) <= 1e-12 * step;
        double& coef = b_[active[static_cast<std::size_t>(su - 1)]];
        coef = hits_zero ? 0.0 : next[u];
        if (coef != 0.0) still.push_back(su);
      }
      moved = true;
      if (step >= 1.0) break;
      slots.swap(still);
    }
    if (moved) r = wz - w.cwiseProduct(Predictor());
    return moved;
  }

  double Pass(double lambda, const std::vector<Eigen::Index>& columns, const Eigen::VectorXd& w, double sum_w,
              const Eigen::VectorXd& xv, Eigen::VectorXd& r, bool active_only) {
    double change = 0;
    for (Eigen::Index j : columns) {
      const double old = b_[j];
      if (active_only && old == 0.0) continue;
      const double g = xs_.col(j).dot(r) + xv[j] * old;
      const double updated = SoftThreshold(g, lambda) / xv[j];
      if (updated == old) continue;
      const double d = updated - old;
      b_[j] = updated;
      r.noalias() -= d * w.cwiseProduct(xs_.col(j));
      change = std::max(change, xv[j] * d * d);
    }
    const double d0 = r.sum() / sum_w;
    b0_ += d0;
    r.noalias() -= d0 * w;
    return std::max(change, sum_w * d0 * d0);
  }

  Eigen::Index n_, p_;
  double tolerance_;
  int max_passes_;
  Eigen::VectorXd y_, mean_, scale_, b_, eta_, gradient_;
  Eigen::MatrixXd xs_;
  std::vector<bool> usable_, ever_active_;
  double b0_ = 0, null_deviance_ = 0;
};

// Linear predictor at `s` from the coefficients of `path` interpolated
// linearly in lambda (glmnet's lambda.interp; `s` clamped to the path).
Eigen::VectorXd InterpolatedPredictor(const LassoPath& path, const Eigen::MatrixXd& x, double s) {
  const std::size_t k = path.lambda.size();
  if (k == 1) return path.LinearPredictor(x, 0);
  const double first = path.lambda.front(), span = first - path.lambda.back();
  std::vector<double> grid(k);  // 0 ... 1, increasing
  for (std::size_t i = 0; i < k; ++i) grid[i] = (first - path.lambda[i]) / span;
  const double at = std::clamp((first - s) / span, grid.front(), grid.back());
  std::size_t i = static_cast<std::size_t>(std::upper_bound(grid.begin(), grid.end(), at) - grid.begin());
  i = i == 0 ? 0 : i - 1;  // grid[i] <= at
  if (i + 1 >= k || grid[i] == at) return path.LinearPredictor(x, i);
  const double frac = (at - grid[i + 1]) / (grid[i] - grid[i + 1]);  // weight of the left (larger) lambda
  return frac * path.LinearPredictor(x, i) + (1.0 - frac) * path.LinearPredictor(x, i + 1);
}

}  // namespace

Eigen::VectorXd LassoPath::LinearPredictor(const Eigen::MatrixXd& x, std::size_t k) const {
  if (k >= lambda.size()) throw InvalidArgument("LASSO: lambda index out of range");
  if (x.cols() != beta.rows())
    throw InvalidArgument("LASSO: " + std::to_string(x.cols()) + " features given, the model has " +
                          std::to_string(beta.rows()));
  return (x * beta.col(static_cast<Eigen::Index>(k))).array() + intercept[k];
}

std::vector<std::size_t> LassoPath::NonZero(std::size_t k) const {
  if (k >= lambda.size()) throw InvalidArgument("LASSO: lambda index out of range");
  std::vector<std::size_t> out;
  for (Eigen::Index j = 0; j < beta.rows(); ++j)
    if (beta(j, static_cast<Eigen::Index>(k)) != 0.0) out.push_back(static_cast<std::size_t>(j));
  return out;
}

bool LassoSettings::IsValid(std::string* why) const {
  if (!(tolerance > 0)) return Invalid(why, "tolerance must be positive");
  if (max_passes < 1) return Invalid(why, "max_passes must be at least 1");
  for (double l : lambda)
    if (!(l >= 0) || !std::isfinite(l)) return Invalid(why, "lambdas must be finite and non-negative");
  if (lambda.empty() && nlambda < 1) return Invalid(why, "nlambda must be at least 1");
  if (lambda.empty() && lambda_min_ratio >= 0 && !(lambda_min_ratio > 0 && lambda_min_ratio < 1))
    return Invalid(why, "lambda_min_ratio must lie in (0, 1)");
  return true;
}

bool LassoCvSettings::IsValid(std::string* why) const {
  std::string lasso_why;
  if (!lasso.IsValid(&lasso_why)) return Invalid(why, lasso_why);
  if (fold_ids.empty() && folds < 2) return Invalid(why, "cross-validation needs at least 2 folds");
  for (int f : fold_ids)
    if (f < 1) return Invalid(why, "fold ids must be 1, 2, ..., K");
  if (threads < 0) return Invalid(why, "threads must not be negative");
  return true;
}

LassoPath FitLassoLogistic(const Eigen::MatrixXd& x, const std::vector<int>& y, const LassoSettings& options) {
  CheckData(x, y);
  CheckValid(options, "LASSO");
  PathSolver solver(x, y, options.standardize, options.tolerance, options.max_passes);
  std::vector<double> lambdas = options.lambda;
  const bool given = !lambdas.empty();
  const double lambda_max = solver.LambdaMax();
  if (given) {
    std::sort(lambdas.begin(), lambdas.end(), std::greater<>());
  } else {
    double ratio = options.lambda_min_ratio;
    if (ratio < 0) ratio = x.rows() > x.cols() ? 1e-4 : 1e-2;
    if (!(ratio > 0 && ratio < 1)) throw InvalidArgument("LASSO: lambda_min_ratio must lie in (0, 1)");
    for (int k = 0; k < options.nlambda; ++k)
      lambdas.push_back(options.nlambda == 1 ? lambda_max
                                             : lambda_max * std::pow(ratio, static_cast<double>(k) / (options.nlambda - 1)));
  }
  LassoPath path;
  path.null_deviance = solver.null_deviance();
  path.beta.resize(x.cols(), static_cast<Eigen::Index>(lambdas.size()));
  double previous = std::max(lambda_max, lambdas.front());
  for (std::size_t k = 0; k < lambdas.size(); ++k) {
    // As glmnet: a lambda whose fit does not converge ends the path there,
    // with the solutions of the larger lambdas returned and a warning.
    if (std::string why; !solver.Solve(lambdas[k], previous, &why)) {
      path.converged = false;
      path.note = why + "; the path stops at the " + std::to_string(k) + " lambda(s) before it";
      Log(LogLevel::kWarning, "LASSO: " + path.note);
      break;
    }
    previous = lambdas[k];
    double b0 = 0;
    solver.Coefficients(&b0, path.beta.col(static_cast<Eigen::Index>(k)));
    path.lambda.push_back(lambdas[k]);
    path.intercept.push_back(b0);
    path.deviance_ratio.push_back(1.0 - solver.DevianceNow() / path.null_deviance);
    const int m = static_cast<int>(k) + 1;
    if (!given && m >= std::min(kMinLambdas, static_cast<int>(lambdas.size())) && k > 0) {
      const double dr = path.deviance_ratio[k];
      if (dr - path.deviance_ratio[k - 1] < kFdev || dr > kDevMax) break;
    }
  }
  path.beta.conservativeResize(Eigen::NoChange, static_cast<Eigen::Index>(path.lambda.size()));
  return path;
}

LassoCvResult CrossValidateLassoLogistic(const Eigen::MatrixXd& x, const std::vector<int>& y,
                                         const LassoCvSettings& options) {
  CheckData(x, y);
  CheckValid(options, "cross-validation");
  LassoCvResult result;
  result.fold_ids = options.fold_ids.empty() ? StratifiedFolds(y, options.folds, options.seed) : options.fold_ids;
  if (result.fold_ids.size() != y.size())
    throw InvalidArgument("cross-validation: " + std::to_string(result.fold_ids.size()) + " fold ids for " +
                          std::to_string(y.size()) + " cases");
  const int k_folds = *std::max_element(result.fold_ids.begin(), result.fold_ids.end());
  if (k_folds < 2) throw InvalidArgument("cross-validation needs at least 2 folds");

  result.path = FitLassoLogistic(x, y, options.lasso);
  const std::size_t n_lambda = result.path.lambda.size();

  std::vector<std::vector<double>> per_fold(static_cast<std::size_t>(k_folds));  // [fold][lambda]
  std::vector<double> fold_weight(static_cast<std::size_t>(k_folds));
  std::vector<std::string> fold_notes(static_cast<std::size_t>(k_folds));
  // Folds are independent: each writes only its own slot, so the result
  // does not depend on the thread count.
  ParallelFor(1, static_cast<std::size_t>(k_folds) + 1, [&](std::size_t fold) {
    const int f = static_cast<int>(fold);
    const FoldData d = SplitFold(x, y, result.fold_ids, f);
    const std::vector<int>& y_test = d.y_test;
    // As cv.glmnet: each fold fits its own path (the caller's lambdas when
    // given), and its coefficients are interpolated linearly in lambda at
    // the lambdas of the whole-data path.
    LassoPath fit;
    try {
      fit = FitLassoLogistic(d.x_train, d.y_train, options.lasso);
    } catch (const InvalidArgument& e) {
      throw InvalidArgument("cross-validation: training without fold " + std::to_string(f) + ": " + e.what());
    }
    if (!fit.converged) fold_notes[fold - 1] = "fold " + std::to_string(f) + ": " + fit.note;
    std::vector<double> values(n_lambda);
    for (std::size_t k = 0; k < n_lambda; ++k) {
      const Eigen::VectorXd eta = InterpolatedPredictor(fit, d.x_test, result.path.lambda[k]);
      if (options.measure == CvMeasure::kAuc) {
        try {
          values[k] = stats::Auc(std::vector<double>(eta.data(), eta.data() + eta.size()), y_test);
        } catch (const InvalidArgument& e) {
          throw InvalidArgument("cross-validation by AUC: fold " + std::to_string(f) + ": " + e.what());
        }
      } else {
        double sum = 0;
        for (std::size_t i = 0; i < y_test.size(); ++i) {
          const double p = std::clamp(Logistic(eta[static_cast<Eigen::Index>(i)]), 1e-5, 1.0 - 1e-5);
          if (options.measure == CvMeasure::kDeviance)
            sum += -2.0 * (y_test[i] ? std::log(p) : std::log(1.0 - p));
          else
            sum += ((p > 0.5 ? 1 : 0) != y_test[i]) ? 1.0 : 0.0;
        }
        values[k] = sum / static_cast<double>(y_test.size());
      }
    }
    per_fold[fold - 1] = std::move(values);
    fold_weight[fold - 1] = static_cast<double>(y_test.size());
  }, options.threads);
  if (!result.path.converged) result.notes.push_back("whole data: " + result.path.note);
  for (const auto& note : fold_notes)
    if (!note.empty()) result.notes.push_back(note);
  result.converged = result.notes.empty();
  const double total_weight = std::accumulate(fold_weight.begin(), fold_weight.end(), 0.0);
  result.cvm.assign(n_lambda, 0.0);
  result.cvsd.assign(n_lambda, 0.0);
  for (std::size_t k = 0; k < n_lambda; ++k) {
    double m = 0;
    for (std::size_t f = 0; f < per_fold.size(); ++f) m += fold_weight[f] * per_fold[f][k];
    m /= total_weight;
    double v = 0;
    for (std::size_t f = 0; f < per_fold.size(); ++f) v += fold_weight[f] * (per_fold[f][k] - m) * (per_fold[f][k] - m);
    v /= total_weight;
    result.cvm[k] = m;
    result.cvsd[k] = std::sqrt(v / static_cast<double>(per_fold.size() - 1));
  }
  // Losses: lower is better; AUC is negated as cv.glmnet does.
  const double sign = options.measure == CvMeasure::kAuc ? -1.0 : 1.0;
  double best = sign * result.cvm[0];
  for (std::size_t k = 1; k < n_lambda; ++k) best = std::min(best, sign * result.cvm[k]);
  // Lambdas decrease along the path: the first index reaching the minimum is the largest lambda.
  for (std::size_t k = 0; k < n_lambda; ++k)
    if (sign * result.cvm[k] <= best) {
      result.index_min = k;
      break;
    }
  const double bound = sign * result.cvm[result.index_min] + result.cvsd[result.index_min];
  for (std::size_t k = 0; k < n_lambda; ++k)
    if (sign * result.cvm[k] <= bound) {
      result.index_1se = k;
      break;
    }
  return result;
}

}  // namespace lvsi::selection

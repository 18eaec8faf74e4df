#include "lvsi/models/logistic.h"

#include <Eigen/Dense>

#include <cmath>
#include <nlohmann/json.hpp>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/core/logging.h"
#include "lvsi/stats/statistics.h"
#include "detail/model_file.h"

namespace lvsi::models {
namespace {

constexpr const char* kFormat = "lvsi-logistic";
constexpr int kFormatVersion = 1;


// -2 log-likelihood plus the ridge term (on the deviance scale).
double Objective(const Eigen::VectorXd& eta, const Eigen::VectorXd& y, const Eigen::VectorXd& beta, double l2) {
  double dev = 0;
  for (Eigen::Index i = 0; i < eta.size(); ++i) {
    // log(1 + exp(eta)) - y * eta, stably.
    const double e = eta[i];
    const double softplus = e > 0 ? e + std::log1p(std::exp(-e)) : std::log1p(std::exp(e));
    dev += 2.0 * (softplus - y[i] * e);
  }
  return dev + l2 * beta.tail(beta.size() - 1).squaredNorm();
}

}  // namespace

bool LogisticSettings::IsValid(std::string* why) const {
  if (!(l2 >= 0) || !std::isfinite(l2)) return Invalid(why, "l2 must be >= 0");
  if (max_iterations < 1) return Invalid(why, "max_iterations must be at least 1");
  if (!(tolerance > 0)) return Invalid(why, "tolerance must be positive");
  return true;
}

LogisticRegression::LogisticRegression(LogisticSettings options) : options_(options) {}

void LogisticRegression::Train(const Eigen::MatrixXd& x, const std::vector<int>& y) {
  stats::CheckTrainingData(x, y, "logistic regression");
  CheckValid(options_, "logistic regression");
  const Eigen::Index n = x.rows(), p = x.cols();
  Eigen::MatrixXd design(n, p + 1);
  design.col(0).setOnes();
  design.rightCols(p) = x;
  Eigen::VectorXd yv(n);
  for (Eigen::Index i = 0; i < n; ++i) yv[i] = y[static_cast<std::size_t>(i)];
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(p + 1);
  const double ybar = yv.mean();
  beta[0] = std::log(ybar / (1 - ybar));
  Eigen::VectorXd penalty = Eigen::VectorXd::Constant(p + 1, options_.l2);
  penalty[0] = 0;
  Eigen::VectorXd eta = design * beta;
  double objective = Objective(eta, yv, beta, options_.l2);
  bool converged = false;
  int it = 0;
  for (; it < options_.max_iterations && !converged; ++it) {
    Eigen::VectorXd prob(n), w(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      prob[i] = 1.0 / (1.0 + std::exp(-eta[i]));
      w[i] = prob[i] * (1 - prob[i]);
    }
    const Eigen::VectorXd gradient = design.transpose() * (yv - prob) - penalty.cwiseProduct(beta);
    Eigen::MatrixXd hessian = design.transpose() * w.asDiagonal() * design;
    hessian.diagonal() += penalty;
    const Eigen::LDLT<Eigen::MatrixXd> ldlt(hessian);
    if (ldlt.info() != Eigen::Success) break;
    const Eigen::VectorXd step = ldlt.solve(gradient);
    if (!step.allFinite()) break;
    // Step halving until the objective does not increase.
    double t = 1.0;
    for (int halving = 0; halving < 30; ++halving, t *= 0.5) {
      const Eigen::VectorXd trial = beta + t * step;
      const Eigen::VectorXd trial_eta = design * trial;
      const double trial_objective = Objective(trial_eta, yv, trial, options_.l2);
      if (trial_objective <= objective * (1 + 1e-15)) {
        converged = std::abs(objective - trial_objective) <= options_.tolerance * (std::abs(trial_objective) + 0.1);
        beta = trial;
        eta = trial_eta;
        objective = trial_objective;
        break;
      }
    }
  }
  if (!beta.allFinite())
    throw ModelError("logistic regression: the fit diverged to non-finite coefficients after " + std::to_string(it) +
                     " iterations; use an L2 penalty");
  convergence_note_.clear();
  if (!converged || beta.cwiseAbs().maxCoeff() > 1e6)
    convergence_note_ = "did not converge in " + std::to_string(it) +
                        " iterations (complete or quasi-complete separation?); use an L2 penalty";
  if (convergence_note_.empty() && options_.l2 == 0) {
    // As glm's "fitted probabilities numerically 0 or 1" (here with a wider
    // margin): the likelihood has no finite maximum.
    for (Eigen::Index i = 0; i < n; ++i)
      if (std::abs(eta[i]) > 23.0) {  // p within 1e-10 of 0 or 1
        convergence_note_ = "fitted probabilities numerically 0 or 1 (complete or quasi-complete separation); "
                            "use an L2 penalty";
        break;
      }
  }
  converged_ = convergence_note_.empty();
  if (!converged_) Log(LogLevel::kWarning, "logistic regression: " + convergence_note_);
  intercept_ = beta[0];
  beta_ = beta.tail(p);
  deviance_ = objective - options_.l2 * beta_.squaredNorm();
  iterations_ = it;
  trained_ = true;
}

std::vector<double> LogisticRegression::DecisionValues(const Eigen::MatrixXd& x) const {
  if (!trained_) throw ModelError("logistic regression: the model is not trained");
  if (x.cols() != beta_.size())
    throw InvalidArgument("logistic regression: " + std::to_string(x.cols()) + " features given, the model has " +
                          std::to_string(beta_.size()));
  if (!x.allFinite()) throw InvalidArgument("logistic regression: features contain NaN or infinite values");
  const Eigen::VectorXd eta = (x * beta_).array() + intercept_;
  return std::vector<double>(eta.data(), eta.data() + eta.size());
}

std::vector<double> LogisticRegression::PredictProbability(const Eigen::MatrixXd& x) const {
  std::vector<double> out = DecisionValues(x);
  for (double& v : out) v = 1.0 / (1.0 + std::exp(-v));
  return out;
}

std::vector<int> LogisticRegression::Predict(const Eigen::MatrixXd& x) const {
  const std::vector<double> p = PredictProbability(x);
  std::vector<int> out(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) out[i] = p[i] >= 0.5 ? 1 : 0;
  return out;
}

std::string LogisticRegression::ToJson() const {
  if (!trained_) throw ModelError("logistic regression: the model is not trained");
  nlohmann::json j = detail::NewModelJson(kFormat, kFormatVersion);
  j["l2"] = options_.l2;
  j["intercept"] = intercept_;
  j["coefficients"] = std::vector<double>(beta_.data(), beta_.data() + beta_.size());
  j["deviance"] = deviance_;
  j["converged"] = converged_;
  if (!converged_) j["convergence_note"] = convergence_note_;
  return j.dump();
}

LogisticRegression LogisticRegression::FromJson(const std::string& text, const std::string& source) {
  const nlohmann::json j = detail::ParseModelJson(text, source, kFormat, kFormatVersion, kFormatVersion, "logistic model");
  try {
    LogisticSettings o;
    o.l2 = j.at("l2").get<double>();
    LogisticRegression m(o);
    m.intercept_ = j.at("intercept").get<double>();
    const auto c = j.at("coefficients").get<std::vector<double>>();
    m.beta_ = Eigen::Map<const Eigen::VectorXd>(c.data(), static_cast<Eigen::Index>(c.size()));
    m.deviance_ = j.at("deviance").get<double>();
    const std::string what = "logistic model";
    detail::CheckField(std::isfinite(o.l2) && o.l2 >= 0, source, what, "l2", "must be a number >= 0");
    detail::CheckField(std::isfinite(m.intercept_), source, what, "intercept", "must be a finite number");
    detail::CheckField(!c.empty(), source, what, "coefficients", "must not be empty");
    detail::CheckFinite(c, source, what, "coefficients");
    m.converged_ = j.value("converged", true);  // files of lvsi 0.1 held converged fits only
    m.convergence_note_ = j.value("convergence_note", std::string());
    m.trained_ = true;
    return m;
  } catch (const nlohmann::json::exception& e) {
    throw ModelError(source + ": malformed logistic model (" + e.what() + ")");
  }
}

void LogisticRegression::Save(const std::string& path) const { WriteFileAtomically(path, ToJson() + "\n"); }

LogisticRegression LogisticRegression::Load(const std::string& path) { return FromJson(ReadTextFile(path), path); }

}  // namespace lvsi::models

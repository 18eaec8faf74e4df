#pragma once
/// \file
/// Logistic regression, plain or with an L2 (ridge) penalty, for clinical
/// models: Newton-Raphson (IRLS) with step halving.
#include <Eigen/Core>
#include <string>
#include <vector>

#include "lvsi/models/export.h"

namespace lvsi::models {

/// Settings of LogisticRegression.
struct LVSI_MODELS_EXPORT LogisticSettings {
  /// Ridge penalty: minimises -log-likelihood + l2 / 2 * |beta|^2 (the
  /// intercept is not penalised).  0 gives R's glm(family = binomial).
  double l2 = 0;
  int max_iterations = 100;
  double tolerance = 1e-12;  ///< Relative change of the deviance that ends the iterations.
  /// False, with the reason in `why` (when not null), when a setting is out of range.
  bool IsValid(std::string* why = nullptr) const;
};

/// The name of lvsi 0.1, kept for one minor release.
using LogisticOptions [[deprecated("use LogisticSettings")]] = LogisticSettings;

/// Binary logistic regression on 0/1 labels; probabilities are of class 1.
class LVSI_MODELS_EXPORT LogisticRegression {
 public:
  explicit LogisticRegression(LogisticSettings options = {});

  /// Fits the model.  When the fit does not converge (as with complete or
  /// quasi-complete separation of an unpenalised fit: use l2 > 0) the model
  /// keeps the last iterate, converged() is false, convergence_note() says
  /// why and a warning is logged, as R's glm warns.  Throws InvalidArgument
  /// for bad data (as SvmClassifier) or settings, and ModelError only when
  /// the iterate is not finite (no model to keep).
  void Train(const Eigen::MatrixXd& x, const std::vector<int>& y);
  /// The linear predictor (log-odds of class 1): intercept + x beta.
  std::vector<double> DecisionValues(const Eigen::MatrixXd& x) const;
  /// Probability of class 1: the logistic function of DecisionValues().
  std::vector<double> PredictProbability(const Eigen::MatrixXd& x) const;
  /// Class 1 when the probability is >= 0.5.
  std::vector<int> Predict(const Eigen::MatrixXd& x) const;

  double intercept() const { return intercept_; }
  const Eigen::VectorXd& coefficients() const { return beta_; }
  double deviance() const { return deviance_; }
  int iterations() const { return iterations_; }
  bool trained() const { return trained_; }
  /// False when the last Train did not converge (see Train).
  bool converged() const { return converged_; }
  /// Why it did not converge; empty when it did.
  const std::string& convergence_note() const { return convergence_note_; }

  /// Versioned model file, written atomically; Load throws ModelError for a
  /// file of another kind or version.
  void Save(const std::string& path) const;
  static LogisticRegression Load(const std::string& path);

  /// The model as JSON text (what Save writes) and back.
  std::string ToJson() const;
  static LogisticRegression FromJson(const std::string& text, const std::string& source);

 private:
  LogisticSettings options_;
  double intercept_ = 0;
  Eigen::VectorXd beta_;
  double deviance_ = 0;
  int iterations_ = 0;
  bool trained_ = false;
  bool converged_ = false;
  std::string convergence_note_;
};

}  // namespace lvsi::models

#pragma once
/// \file
/// L1-penalised (LASSO) logistic regression by cyclic coordinate descent,
/// following glmnet's binomial model (`family = "binomial"`, `alpha = 1`):
/// features standardised internally (mean 0, population SD 1), the penalty
/// on the standardised coefficients, coefficients returned on the original
/// scale, glmnet's lambda sequence and early stop of the path, and
/// cross-validation as `cv.glmnet` computes it.
#include <Eigen/Core>
#include <string>
#include <vector>

#include "lvsi/selection/export.h"
#include "lvsi/stats/folds.h"

namespace lvsi::selection {

/// Settings of FitLassoLogistic (glmnet's argument names in brackets).
struct LVSI_SELECTION_EXPORT LassoSettings {
  int nlambda = 100;               ///< Length of the automatic sequence [nlambda].
  double lambda_min_ratio = -1;    ///< Smallest / largest lambda; < 0: 1e-4 if n > p else 1e-2 [lambda.min.ratio].
  std::vector<double> lambda;      ///< Given lambdas (any order; fitted from largest to smallest) [lambda].
  bool standardize = true;         ///< Penalise standardised coefficients [standardize].
  double tolerance = 1e-14;        ///< Convergence: largest weighted squared coefficient change (glmnet thresh: 1e-7, looser).
  int max_passes = 100000;         ///< Limit of coordinate passes per lambda [maxit].
  /// False, with the reason in `why` (when not null), when a setting is out of range.
  bool IsValid(std::string* why = nullptr) const;
};

/// The name of lvsi 0.1, kept for one minor release.
using LassoOptions [[deprecated("use LassoSettings")]] = LassoSettings;

/// A fitted path: one column of `beta` per lambda, on the original scale.
struct LVSI_SELECTION_EXPORT LassoPath {
  std::vector<double> lambda;          ///< Decreasing.
  std::vector<double> intercept;       ///< One per lambda.
  Eigen::MatrixXd beta;                ///< features x lambdas.
  std::vector<double> deviance_ratio;  ///< Fraction of the null deviance explained [dev.ratio].
  double null_deviance = 0;            ///< Deviance of the intercept-only model [nulldev].
  /// False when a lambda's fit did not converge (LassoSettings::max_passes):
  /// the path then ends before it, as glmnet's does, and `note` says where.
  bool converged = true;
  std::string note;  ///< Why the path stopped early; empty when it converged.

  /// Linear predictor of every row of `x` at lambda index `k`.
  Eigen::VectorXd LinearPredictor(const Eigen::MatrixXd& x, std::size_t k) const;
  /// Indices of the non-zero coefficients at lambda index `k`.
  std::vector<std::size_t> NonZero(std::size_t k) const;
};

/// Fits the LASSO logistic path of 0/1 `y` on `x` (rows = cases).  With no
/// given lambdas the sequence runs from the smallest lambda that keeps every
/// coefficient at zero down to lambda_min_ratio times it, log-spaced, and
/// stops early as glmnet does (after at least 5 lambdas, when the deviance
/// ratio grows by less than 1e-5 or exceeds 0.999).  Constant features keep
/// a zero coefficient.  Non-convergence at a lambda is reported in the
/// result (LassoPath::converged, logged), not thrown.  Throws InvalidArgument
/// for mismatched sizes, labels other than 0/1, a single class, non-finite
/// values, or invalid settings.
LVSI_SELECTION_EXPORT LassoPath FitLassoLogistic(const Eigen::MatrixXd& x, const std::vector<int>& y,
                                                 const LassoSettings& options = {});

/// Loss used to compare lambdas in cross-validation [type.measure].
enum class CvMeasure { kDeviance, kAuc, kMisclassification };

/// Settings of CrossValidateLassoLogistic.
struct LVSI_SELECTION_EXPORT LassoCvSettings {
  LassoSettings lasso;               ///< Options of every fit.
  int folds = 10;                   ///< Number of folds [nfolds].
  unsigned seed = 1;                ///< Seed of the stratified fold assignment.
  std::vector<int> fold_ids;        ///< Folds given by the caller (1..K per case) [foldid]; overrides folds/seed.
  CvMeasure measure = CvMeasure::kDeviance;
  int threads = 0;                  ///< Folds fitted in parallel (0: lvsi::DefaultThreadCount()); results do not depend on it.
  /// False, with the reason in `why` (when not null), when a setting is out of range.
  bool IsValid(std::string* why = nullptr) const;
};

/// The name of lvsi 0.1, kept for one minor release.
using LassoCvOptions [[deprecated("use LassoCvSettings")]] = LassoCvSettings;

/// Result of cross-validation: the path on all cases, the mean and standard
/// error of the measure per lambda, and the two customary choices.
struct LVSI_SELECTION_EXPORT LassoCvResult {
  LassoPath path;
  std::vector<double> cvm;     ///< Mean of the measure per lambda (for AUC: higher is better).
  std::vector<double> cvsd;    ///< Its standard error.
  std::vector<int> fold_ids;   ///< Fold of each case (1-based).
  std::size_t index_min = 0;   ///< Lambda with the best mean (largest such lambda among ties).
  std::size_t index_1se = 0;   ///< Largest lambda whose mean is within one SE of the best.
  /// False when the whole-data path or a fold's path did not converge at
  /// some lambda (each stops there, as glmnet's); `notes` says which.
  bool converged = true;
  std::vector<std::string> notes;
  double lambda_min() const { return path.lambda[index_min]; }
  double lambda_1se() const { return path.lambda[index_1se]; }
};

/// K-fold cross-validation as cv.glmnet (grouped): the path is fitted on
/// all cases, each fold is refitted on the other folds with the same
/// lambdas, and the measure is averaged per fold (deviance of probabilities
/// clipped to [1e-5, 1 - 1e-5]; AUC; misclassification at 0.5); cvsd is the
/// fold-size-weighted SD of the per-fold values over sqrt(K - 1).  Throws
/// InvalidArgument when a fold would leave a class out of training, when
/// there are fewer cases than folds, or for bad fold ids.
LVSI_SELECTION_EXPORT LassoCvResult CrossValidateLassoLogistic(const Eigen::MatrixXd& x, const std::vector<int>& y,
                                                               const LassoCvSettings& options = {});

// Moved to lvsi::stats (lvsi/stats/folds.h) in 0.2; the old names remain.
using stats::FoldData;
using stats::SplitFold;
using stats::StratifiedFolds;

}  // namespace lvsi::selection

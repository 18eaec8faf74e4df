#pragma once
/// \file
/// Support-vector classification on libsvm (C-SVC), with Platt-scaled
/// probabilities that always increase with the decision value, class
/// weights, a grid search over C (and gamma) scored by cross-validated AUC,
/// and a versioned model file.
#include <Eigen/Core>
#include <memory>
#include <string>
#include <vector>

#include "lvsi/models/export.h"

namespace lvsi::models {

/// Kernel of the SVM.
enum class SvmKernel { kRbf, kLinear };

/// Settings of SvmClassifier (libsvm's names in brackets).
struct LVSI_MODELS_EXPORT SvmSettings {
  SvmKernel kernel = SvmKernel::kRbf;
  double c = 1.0;                 ///< Cost [-c].
  double gamma = -1;              ///< RBF width; <= 0: scikit-learn's "scale", 1 / (p * Var(X)) over all values [-g].
  double weight_positive = 1.0;   ///< Multiplies C for label 1 [-w1].
  double weight_negative = 1.0;   ///< Multiplies C for label 0 [-w0].
  bool probability = true;        ///< Calibrate probabilities (Platt scaling, see SvmCalibration) [-b].
  double tolerance = 1e-3;        ///< Stopping tolerance [-e].
  double cache_mb = 200;          ///< Kernel cache [-m].
  unsigned seed = 1;              ///< Seed of libsvm's random generator (Platt's internal folds).
  /// False, with the reason in `why` (when not null), when a setting is out of range.
  bool IsValid(std::string* why = nullptr) const;
};

/// The name of lvsi 0.1, kept for one minor release.
using SvmOptions [[deprecated("use SvmSettings")]] = SvmSettings;

/// How an SvmClassifier's probabilities were calibrated.  Every method gives
/// P(class 1 | f) = 1 / (1 + exp(a f + b)) of the class-1 decision value f
/// with a < 0, so probabilities rank cases as the decision values do
/// (docs/models.md, "Probabilities").
enum class SvmCalibration {
  kNone,           ///< Trained without probabilities.
  kPlattCv,        ///< Platt's sigmoid on libsvm's 5-fold cross-validated decision values: the usual case.
  kPlattTraining,  ///< libsvm's sigmoid decreased with the decision value; Platt's sigmoid fitted on the
                   ///< training decision values instead (logged as a warning).
  kFixedSlope,     ///< Neither fit increased (the training decision values do not rank the classes): slope
                   ///< -1 / SD(f), intercept by maximum likelihood (logged as a warning).
  kReversed,       ///< Loaded from a file of lvsi 0.1 whose sigmoid decreased with the decision value: the
                   ///< slope's sign reversed on load (logged as a warning).
};

/// "none", "platt-cv", "platt-training", "fixed-slope" or "reversed" (the
/// names model files use).
LVSI_MODELS_EXPORT const char* CalibrationName(SvmCalibration calibration);

/// C-SVC on libsvm.  libsvm's global random generator and print function
/// are used under a process-wide lock, seeded per training, so results are
/// reproducible and training from several threads is safe.  Label 1 is
/// the positive class: decision values and probabilities are for it.
class LVSI_MODELS_EXPORT SvmClassifier {
 public:
  explicit SvmClassifier(SvmSettings options = {});
  ~SvmClassifier();
  SvmClassifier(SvmClassifier&&) noexcept;
  SvmClassifier& operator=(SvmClassifier&&) noexcept;

  /// Trains on rows of `x` with 0/1 labels.  Throws InvalidArgument for
  /// mismatched sizes, labels other than 0/1, a single class, non-finite
  /// values, or options libsvm rejects.
  void Train(const Eigen::MatrixXd& x, const std::vector<int>& y);
  /// Class (0/1) of each row: decision value > 0.
  std::vector<int> Predict(const Eigen::MatrixXd& x) const;
  /// Signed distance to the boundary, positive for class 1.
  std::vector<double> DecisionValues(const Eigen::MatrixXd& x) const;
  /// Probability of class 1 (needs options().probability): the calibrated
  /// sigmoid of DecisionValues(), non-decreasing in it (SvmCalibration).
  std::vector<double> PredictProbability(const Eigen::MatrixXd& x) const;

  /// How the probabilities were calibrated (kNone without probabilities).
  SvmCalibration calibration() const;
  /// The sigmoid's slope a (< 0) and intercept b: P = 1 / (1 + exp(a f + b)).
  double sigmoid_slope() const;
  double sigmoid_intercept() const;
  /// Support vectors whose coefficient is strictly inside (0, C): none means
  /// the model is degenerate (every support vector at its bound, as when C
  /// is tiny), its offset and calibration poorly determined.
  std::size_t free_support_vectors() const;

  /// Writes a versioned model file (atomically); Load reads it back and
  /// gives identical predictions.  Load throws ModelError for a file of
  /// another kind or an incompatible version, IoError if unreadable.
  void Save(const std::string& path) const;
  static SvmClassifier Load(const std::string& path);
  /// The model as JSON text (what Save writes) and back; `source` names the
  /// origin in error messages.
  std::string ToJson() const;
  static SvmClassifier FromJson(const std::string& text, const std::string& source);

  bool trained() const;
  const SvmSettings& options() const { return options_; }
  /// The gamma used (after resolving "scale").
  double gamma() const { return gamma_used_; }
  std::size_t features() const { return features_; }
  std::size_t support_vectors() const;

 private:
  struct Impl;
  // Throws unless trained and `x` has the model's number of finite features.
  void CheckInput(const Eigen::MatrixXd& x) const;
  // Sets the class-1 sigmoid after training (SvmCalibration).
  void Calibrate(const Eigen::MatrixXd& x, const std::vector<int>& y);
  SvmSettings options_;
  double gamma_used_ = 0;
  std::size_t features_ = 0;
  std::unique_ptr<Impl> impl_;
};

/// Settings of GridSearchSvm.
struct LVSI_MODELS_EXPORT GridSearchSettings {
  SvmSettings base;                          ///< Kernel, weights, seed, ...
  std::vector<double> c_values = {1e-3, 1e-2, 1e-1, 1, 1e1, 1e2, 1e3};
  std::vector<double> gamma_values;         ///< Empty: only "scale".
  int folds = 5;                            ///< Stratified folds of the search.
  unsigned seed = 1;                        ///< Seed of the folds.
  int threads = 0;                          ///< Grid points in parallel (0: default); results do not depend on it.
  /// False, with the reason in `why` (when not null), when a setting is out of range.
  bool IsValid(std::string* why = nullptr) const;
};

/// The name of lvsi 0.1, kept for one minor release.
using GridSearchOptions [[deprecated("use GridSearchSettings")]] = GridSearchSettings;

/// One grid point: its parameters and cross-validated AUC.
struct GridPoint {
  double c = 0, gamma = 0;
  double mean_auc = 0, sd_auc = 0;
  double mean_accuracy = 0;  ///< Of the sign of the decision values; breaks AUC ties.
  int degenerate_folds = 0;  ///< Folds whose model has no free support vector (SvmClassifier::free_support_vectors).
};

/// Result of GridSearchSvm: every grid point, the best, and the best
/// refitted on all training data.
struct LVSI_MODELS_EXPORT GridSearchResult {
  std::vector<GridPoint> grid;
  std::size_t best = 0;  ///< Highest mean AUC; ties (within 1e-12) to the higher accuracy, then the smaller C and gamma.
  SvmClassifier model;
};

/// Grid search over C (and gamma) with stratified K-fold CV scored by the
/// AUC of the decision values (mean over folds), then a refit of the best
/// parameters on all of `x`.  Throws InvalidArgument for bad data, an
/// empty grid, or fewer cases of a class than folds.
LVSI_MODELS_EXPORT GridSearchResult GridSearchSvm(const Eigen::MatrixXd& x, const std::vector<int>& y,
                                                  const GridSearchSettings& options = {});

}  // namespace lvsi::models

#pragma once
/// \file
/// The study's recipe for one prediction model as one call: feature
/// selection fitted on the training cohort (ICC between readers, zero
/// variance, z-score, Mann-Whitney, LASSO-CV with a rule list), an RBF-SVM
/// with grid search over C, probabilities checked for their orientation, and
/// the training Youden cut-off; the trained pipeline and a typed summary of
/// what the fit chose.
#include <map>
#include <string>
#include <vector>

#include "lvsi/core/feature_table.h"
#include "lvsi/models/export.h"
#include "lvsi/models/pipeline.h"
#include "lvsi/models/svm.h"
#include "lvsi/selection/pipeline.h"

namespace lvsi::models {

/// Settings of FitPipeline, the study's defaults in-class.
struct LVSI_MODELS_EXPORT PipelineSettings {
  double icc_threshold = 0.75;  ///< ICC(2,1) between readers kept at or above [unitless].
  bool icc_pass_unrated = false;  ///< Columns the second reader lacks pass the ICC filter (deep features of a fused model).
  double mann_whitney_p = 0.05;   ///< Two-sided Mann-Whitney p-value below which a feature is kept.
  int lasso_folds = 10;           ///< Folds of LASSO's cross-validation (>= 3).
  /// Tried in order; the first whose lambda keeps a feature is used.
  std::vector<selection::LambdaRule> lambda_rules{selection::LambdaRule::kOneStandardError,
                                                  selection::LambdaRule::kMin,
                                                  selection::LambdaRule::kFirstNonEmpty};
  std::vector<double> svm_c{1e-3, 1e-2, 1e-1, 1, 1e1, 1e2, 1e3};  ///< C values of the grid search.
  int svm_folds = 5;  ///< Folds of the grid search (>= 2).
  unsigned seed = 1;  ///< Seed of LASSO's folds, the grid search's folds and libsvm.
  int threads = 0;    ///< Threads of the cross-validations (0: lvsi's default).

  /// False with the reason when a setting is out of range.
  bool IsValid(std::string* why = nullptr) const;
};

/// What FitPipeline chose and how the model did on its training cohort.
struct LVSI_MODELS_EXPORT FitSummary {
  std::string name;                                   ///< The pipeline's name.
  std::size_t candidate_features = 0;                 ///< Columns offered to the selection.
  std::map<std::string, std::size_t> removed_by_step;  ///< Step name -> features it removed.
  std::vector<std::string> selected_features;        ///< In the model's order.
  selection::LambdaRule lambda_rule = selection::LambdaRule::kOneStandardError;  ///< The rule that was used.
  double lambda = 0;                                  ///< LASSO's lambda at that rule.
  GridPoint svm;                                      ///< The grid search's best point (C, gamma, CV AUC).
  SvmCalibration calibration = SvmCalibration::kNone;  ///< How the probabilities were calibrated.
  double train_auc = 0;           ///< AUC of the probabilities on the training cohort.
  double train_decision_auc = 0;  ///< AUC of the decision values there (equal when the orientation is sound).
  double threshold = 0;           ///< The training Youden cut-off of the probabilities.
  std::vector<std::string> warnings;  ///< Backwards or fallback calibrations, training AUC below 0.5 (also logged).

  /// One line: "Rad: 5 of 4227 features (lambda 1se), C = 0.1, CV AUC 0.900".
  std::string BriefReport() const;
  /// Every field as a JSON object (text).
  std::string ToJson() const;
};

/// The trained pipeline and its summary.
struct FittedPipeline {
  TrainedPipeline pipeline;
  FitSummary summary;
};

/// Fits `name`'s model on the training cohort `train` (rows = cases) with
/// 0/1 `labels`.  `second_reader` (same rows; may be null or empty) holds the
/// radiomics features on the second reader's masks: with it the ICC filter
/// runs.  Throws InvalidArgument for bad settings or data, and
/// selection::EmptySelectionError when no lambda rule keeps a feature (what()
/// names the model and the step).
LVSI_MODELS_EXPORT FittedPipeline FitPipeline(const std::string& name, const FeatureTable& train,
                                              const std::vector<int>& labels, const FeatureTable* second_reader,
                                              const PipelineSettings& settings = {});

}  // namespace lvsi::models

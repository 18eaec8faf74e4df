#include "lvsi/models/fit.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/core/logging.h"
#include "lvsi/stats/roc.h"

namespace lvsi::models {
namespace {

std::string Fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

// The selection steps of the study, in order.
selection::SelectionPipeline SelectionOf(const PipelineSettings& s, bool with_icc) {
  namespace sel = selection;
  sel::SelectionPipeline pipeline;
  if (with_icc) pipeline.Emplace<sel::IccFilter>(s.icc_threshold, sel::IccForm::kIcc2, s.icc_pass_unrated);
  pipeline.Emplace<sel::VarianceFilter>();
  pipeline.Emplace<sel::StandardScaler>();
  pipeline.Emplace<sel::MannWhitneyFilter>(s.mann_whitney_p);
  sel::LassoCvSettings cv;
  cv.folds = s.lasso_folds;
  cv.seed = s.seed;
  cv.threads = s.threads;
  pipeline.Emplace<sel::LassoSelector>(cv, s.lambda_rules);
  return pipeline;
}

}  // namespace

bool PipelineSettings::IsValid(std::string* why) const {
  if (!(icc_threshold >= -1 && icc_threshold <= 1)) return Invalid(why, "icc_threshold must lie in [-1, 1]");
  if (!(mann_whitney_p > 0 && mann_whitney_p <= 1)) return Invalid(why, "mann_whitney_p must lie in (0, 1]");
  if (lasso_folds < 3) return Invalid(why, "lasso_folds must be at least 3");
  if (lambda_rules.empty()) return Invalid(why, "lambda_rules must not be empty");
  if (svm_c.empty()) return Invalid(why, "svm_c must not be empty");
  for (double c : svm_c)
    if (!(c > 0) || !std::isfinite(c)) return Invalid(why, "every svm_c value must be positive and finite");
  if (svm_folds < 2) return Invalid(why, "svm_folds must be at least 2");
  if (threads < 0) return Invalid(why, "threads must not be negative");
  return true;
}

std::string FitSummary::BriefReport() const {
  return name + ": " + std::to_string(selected_features.size()) + " of " + std::to_string(candidate_features) +
         " features (lambda " + selection::LambdaRuleName(lambda_rule) + "), C = " + FormatDouble(svm.c) +
         ", CV AUC " + Fixed(svm.mean_auc) + ", training AUC " + Fixed(train_auc) + ", cut-off " + Fixed(threshold) +
         (warnings.empty() ? "" : " (" + std::to_string(warnings.size()) + " warning(s))");
}

std::string FitSummary::ToJson() const {
  nlohmann::json j;
  j["name"] = name;
  j["candidate_features"] = candidate_features;
  j["removed_by_step"] = removed_by_step;
  j["selected_features"] = selected_features;
  j["lambda_rule"] = selection::LambdaRuleName(lambda_rule);
  j["lambda"] = lambda;
  j["svm"] = {{"c", svm.c},
              {"gamma", svm.gamma},
              {"cv_auc", svm.mean_auc},
              {"cv_auc_sd", svm.sd_auc},
              {"degenerate_folds", svm.degenerate_folds},
              {"calibration", CalibrationName(calibration)}};
  j["train_auc"] = train_auc;
  j["train_decision_auc"] = train_decision_auc;
  j["threshold"] = threshold;
  j["warnings"] = warnings;
  return j.dump();
}

FittedPipeline FitPipeline(const std::string& name, const FeatureTable& train, const std::vector<int>& labels,
                           const FeatureTable* second_reader, const PipelineSettings& settings) {
  if (std::string why; !settings.IsValid(&why)) throw InvalidArgument("pipeline '" + name + "': " + why);
  FitSummary s;
  s.name = name;
  s.candidate_features = train.cols();
  const bool with_icc = second_reader != nullptr && second_reader->rows() > 0;
  selection::SelectionPipeline selection = SelectionOf(settings, with_icc);
  try {
    selection.Fit({train, labels, with_icc ? second_reader : nullptr});
  } catch (const selection::EmptySelectionError& e) {
    throw selection::EmptySelectionError(name + " model: " + e.what() +
                                         "; no feature separates the classes in the training cohort");
  }
  const auto& lasso = dynamic_cast<const selection::LassoSelector&>(selection.step(selection.size() - 1));
  s.lambda_rule = lasso.rule();
  s.lambda = lasso.lambda();
  for (const auto& r : selection.removals()) ++s.removed_by_step[r.step];
  selection::CompiledSelection compiled = selection.Compile();
  s.selected_features = compiled.selected_features;
  const FeatureTable x = compiled.Apply(train);

  GridSearchSettings grid;
  grid.c_values = settings.svm_c;
  grid.folds = settings.svm_folds;
  grid.seed = settings.seed;
  grid.threads = settings.threads;
  grid.base.seed = settings.seed;
  GridSearchResult search = GridSearchSvm(x.values(), labels, grid);
  s.svm = search.grid[search.best];
  s.calibration = search.model.calibration();
  if (s.calibration != SvmCalibration::kPlattCv)  // (SvmClassifier logged it already)
    s.warnings.push_back(name + ": libsvm's Platt sigmoid decreased with the decision value (C = " +
                         FormatDouble(s.svm.c) + ", " + std::to_string(search.model.free_support_vectors()) + " of " +
                         std::to_string(search.model.support_vectors()) +
                         " support vectors free); probabilities calibrated by '" + CalibrationName(s.calibration) +
                         "' instead");
  TrainedPipeline pipeline(name, std::move(compiled), std::move(search.model));
  const std::size_t logged = s.warnings.size();

  // The score every later step uses (cut-off, ROC, DeLong) is checked for its
  // orientation on the training cohort.
  const std::vector<double> p = pipeline.PredictProbability(train);
  s.train_auc = stats::Auc(p, labels);
  s.train_decision_auc = stats::Auc(pipeline.DecisionValues(train), labels);
  if (s.train_auc != s.train_decision_auc)
    s.warnings.push_back(name + ": its probabilities rank the training cohort differently from its decision values (AUC " +
                         Fixed(s.train_auc) + " vs " + Fixed(s.train_decision_auc) + ")");
  if (s.train_auc < 0.5)
    s.warnings.push_back(name + ": training AUC " + Fixed(s.train_auc) +
                         " is below 0.5: the model ranks its own training patients backwards");
  for (std::size_t k = logged; k < s.warnings.size(); ++k) Log(LogLevel::kWarning, s.warnings[k]);
  s.threshold = stats::YoudenOptimal(p, labels).threshold;
  pipeline.set_threshold(s.threshold);
  return {std::move(pipeline), std::move(s)};
}

}  // namespace lvsi::models

#pragma once
/// \file
/// The study's whole evaluation of a set of predictions: per model and
/// cohort the AUC (DeLong CI, optional bootstrap CI), the metrics at the
/// first cohort's Youden cut-off, Hosmer-Lemeshow, Brier score,
/// calibration intercept/slope and net benefit; paired DeLong tests of
/// every pair of models per cohort with Bonferroni and Holm; Table 1 and
/// Table 2; ROC, calibration and decision-curve figures.

#include <map>
#include <string>
#include <vector>

#include "lvsi/evaluation/export.h"
#include "lvsi/evaluation/report.h"
#include "lvsi/stats/calibration.h"
#include "lvsi/stats/roc.h"

namespace lvsi::evaluation {

/// Predicted probabilities of several models for the same patients.
struct PredictionSet {
  std::vector<std::string> models;                     ///< Model names in report order, e.g. Rad, DL, RDL.
  std::vector<int> labels;                             ///< 0/1, one per patient.
  std::vector<std::string> cohorts;                    ///< Cohort of each patient (e.g. train, validation); empty: "all".
  std::map<std::string, std::vector<double>> scores;   ///< Model -> one probability per patient.
  std::map<std::string, std::size_t> feature_counts;   ///< Model -> selected features (Table 2; optional).
  std::vector<ClinicalVariable> clinical;              ///< Table 1 variables (optional), one value per patient.
};

/// What EvaluatePredictions computes and writes.
struct LVSI_EVALUATION_EXPORT EvaluationSettings {
  int bootstrap = 2000;     ///< Bootstrap replicates for a second AUC interval (0: none).
  unsigned seed = 1;        ///< Bootstrap seed.
  std::vector<std::string> figure_formats{".png", ".svg", ".pdf"};  ///< Empty: no figures.
  std::vector<std::string> table_formats{".csv", ".md", ".html"};   ///< Empty: no table files.
  /// False, with the reason in `why` (when not null), when a setting is out of range.
  bool IsValid(std::string* why = nullptr) const;
};

/// The name of lvsi 0.1, kept for one minor release.
using EvaluationOptions [[deprecated("use EvaluationSettings")]] = EvaluationSettings;

/// One model on one cohort.
struct ModelEvaluation {
  std::size_t n = 0, positives = 0;  ///< Patients and LVSI-positive patients.
  stats::AucResult auc;              ///< AUC with its DeLong 95% interval.
  bool has_bootstrap = false;        ///< EvaluationSettings::bootstrap > 0.
  stats::AucResult auc_bootstrap;    ///< Stratified bootstrap interval (when has_bootstrap).
  std::string cutoff_source;         ///< The cohort whose Youden cut-off `metrics` applies.
  stats::ClassificationMetrics metrics;  ///< At that cut-off, with exact CIs.
  bool has_hosmer_lemeshow = false;      ///< False when the deciles are not distinct (see hl_note).
  stats::HosmerLemeshowResult hosmer_lemeshow;
  std::string hl_note;                ///< Why Hosmer-Lemeshow was not computed.
  double brier = 0;                   ///< Brier score.
  stats::CalibrationFit calibration;  ///< Calibration intercept and slope.
  /// Net benefit of the model and of treating all at thresholds 0.01, ..., 0.99.
  std::vector<double> net_benefit, net_benefit_treat_all;
};

/// A paired DeLong test of two models on one cohort, with the Bonferroni
/// and Holm adjustments over the cohort's comparisons.
struct PairedComparison {
  std::string a, b;  ///< "RDL" and "DL" in "RDL_vs_DL".
  stats::DeLongTest test;
  double p_bonferroni = 1, p_holm = 1;
};

/// What EvaluatePredictions computed.
struct LVSI_EVALUATION_EXPORT EvaluationResult {
  std::vector<std::string> cohorts;  ///< The cut-off cohort ("train") first.
  std::vector<std::string> models;   ///< In report order.
  std::map<std::string, std::map<std::string, ModelEvaluation>> per_model;  ///< model -> cohort -> result.
  std::map<std::string, std::vector<PairedComparison>> delong;              ///< cohort -> comparisons, last-vs-earlier.
  /// A model whose AUC in the cut-off cohort is below 0.5 ranks it
  /// backwards: one warning each (also logged).
  std::vector<std::string> warnings;

  /// The result of `model` on `cohort`; InvalidArgument when absent.
  const ModelEvaluation& At(const std::string& model, const std::string& cohort) const;
  /// One line per model and cohort: "RDL validation: AUC 0.812 (0.702-0.921)".
  std::string BriefReport() const;
  /// As JSON text: `{"cohorts": [...], "models": {model: {cohort: {n,
  /// positives, auc, auc_ci, auc_variance, [auc_ci_bootstrap], cutoff_source,
  /// threshold, tp, fp, tn, fn, accuracy, sensitivity, specificity, ppv, npv
  /// (each with _ci), hl_statistic, hl_df, hl_p [hl_note], brier,
  /// calibration_intercept, calibration_slope, net_benefit,
  /// net_benefit_treat_all}}}, "delong": {cohort: {"<a>_vs_<b>": {auc_a,
  /// auc_b, z, p, p_bonferroni, p_holm}}}, ["warnings": [...]]}`.
  std::string ToJson() const;
};

/// Evaluates `predictions` and writes into `out_dir` (created):
/// `table2.*`, `table1.*` (with clinical variables; one table per cohort
/// when there are several, `table1_<cohort>.*`), `roc[_<cohort>].*`,
/// `calibration[_<cohort>].*`, `decision[_<cohort>].*`.  Cohorts keep
/// their order of first appearance except that "train"/"training" comes
/// first; its Youden cut-off is applied to every cohort.  Comparisons are
/// every pair in the order last-vs-earlier (RDL_vs_DL, RDL_vs_Rad,
/// DL_vs_Rad).  Throws InvalidArgument for inconsistent lengths, labels
/// other than 0/1 or scores outside [0, 1]; IoError when a file cannot be
/// written.
LVSI_EVALUATION_EXPORT EvaluationResult EvaluatePredictions(const PredictionSet& predictions,
                                                            const EvaluationSettings& options,
                                                            const std::string& out_dir);

}  // namespace lvsi::evaluation

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
struct EvaluationOptions {
  int bootstrap = 2000;     ///< Bootstrap replicates for a second AUC interval (0: none).
  unsigned seed = 1;        ///< Bootstrap seed.
  std::vector<std::string> figure_formats{".png", ".svg", ".pdf"};  ///< Empty: no figures.
  std::vector<std::string> table_formats{".csv", ".md", ".html"};   ///< Empty: no table files.
};

/// Evaluates `predictions` and writes into `out_dir` (created):
/// `table2.*`, `table1.*` (with clinical variables; one table per cohort
/// when there are several, `table1_<cohort>.*`), `roc[_<cohort>].*`,
/// `calibration[_<cohort>].*`, `decision[_<cohort>].*`.  Cohorts keep
/// their order of first appearance except that "train"/"training" comes
/// first; its Youden cut-off is applied to every cohort.  Returns the
/// results as JSON text: `{"cohorts": [...], "models": {model: {cohort:
/// {n, positives, auc, auc_ci, threshold, accuracy, sensitivity,
/// specificity, ppv, npv (each with _ci), hl_p, brier, ...}}}, "delong":
/// {cohort: {"<a>_vs_<b>": {auc_a, auc_b, z, p, p_bonferroni, p_holm}}},
/// "warnings": [...]}`, pairs in the order last-vs-earlier (RDL_vs_DL,
/// RDL_vs_Rad, DL_vs_Rad).  A model whose AUC in the first (cut-off) cohort
/// is below 0.5 ranks that cohort backwards: "warnings" (present only then)
/// says so, and the warning is logged.
/// Throws InvalidArgument for inconsistent lengths, labels other than 0/1
/// or scores outside [0, 1]; IoError when a file cannot be written.
LVSI_EVALUATION_EXPORT std::string EvaluatePredictions(const PredictionSet& predictions,
                                                       const EvaluationOptions& options, const std::string& out_dir);

}  // namespace lvsi::evaluation

#include "lvsi/evaluation/study_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/core/logging.h"
#include "lvsi/evaluation/calibration.h"
#include "lvsi/evaluation/figures.h"
#include "lvsi/evaluation/roc.h"
#include "lvsi/evaluation/statistics.h"

namespace lvsi::evaluation {
namespace {

using json = nlohmann::ordered_json;

json Number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json MetricsJson(const ClassificationMetrics& m) {
  return {{"threshold", Number(m.threshold)},
          {"tp", m.tp}, {"fp", m.fp}, {"tn", m.tn}, {"fn", m.fn},
          {"accuracy", Number(m.accuracy)}, {"accuracy_ci", {Number(m.accuracy_low), Number(m.accuracy_high)}},
          {"sensitivity", Number(m.sensitivity)}, {"sensitivity_ci", {Number(m.sensitivity_low), Number(m.sensitivity_high)}},
          {"specificity", Number(m.specificity)}, {"specificity_ci", {Number(m.specificity_low), Number(m.specificity_high)}},
          {"ppv", Number(m.ppv)}, {"ppv_ci", {Number(m.ppv_low), Number(m.ppv_high)}},
          {"npv", Number(m.npv)}, {"npv_ci", {Number(m.npv_low), Number(m.npv_high)}}};
}

bool IsTraining(const std::string& c) { return c == "train" || c == "training"; }

void Check(const PredictionSet& p) {
  const std::size_t n = p.labels.size();
  if (p.models.empty()) throw InvalidArgument("EvaluatePredictions: no models");
  CheckBinaryLabels(p.labels, "EvaluatePredictions");
  if (!p.cohorts.empty() && p.cohorts.size() != n)
    throw InvalidArgument("EvaluatePredictions: " + std::to_string(p.cohorts.size()) + " cohort entries for " +
                          std::to_string(n) + " patients");
  for (const auto& m : p.models) {
    const auto it = p.scores.find(m);
    if (it == p.scores.end()) throw InvalidArgument("EvaluatePredictions: no scores for model " + m);
    if (it->second.size() != n)
      throw InvalidArgument("EvaluatePredictions: model " + m + " has " + std::to_string(it->second.size()) +
                            " scores for " + std::to_string(n) + " patients");
    for (std::size_t i = 0; i < n; ++i)
      if (!(it->second[i] >= 0 && it->second[i] <= 1))
        throw InvalidArgument("EvaluatePredictions: model " + m + ", patient " + std::to_string(i + 1) +
                              ": score " + std::to_string(it->second[i]) + " is not a probability");
  }
  for (const auto& v : p.clinical)
    if (v.values.size() != n)
      throw InvalidArgument("EvaluatePredictions: clinical variable " + v.name + " has " +
                            std::to_string(v.values.size()) + " values for " + std::to_string(n) + " patients");
}

}  // namespace

std::string EvaluatePredictions(const PredictionSet& p, const EvaluationOptions& options, const std::string& out) {
  Check(p);
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) throw IoError(out, "cannot create the folder: " + ec.message());
  const std::size_t n = p.labels.size();
  std::vector<std::string> cohort_of = p.cohorts.empty() ? std::vector<std::string>(n, "all") : p.cohorts;
  std::vector<std::string> cohorts;
  for (const auto& c : cohort_of)
    if (std::find(cohorts.begin(), cohorts.end(), c) == cohorts.end()) cohorts.push_back(c);
  std::stable_sort(cohorts.begin(), cohorts.end(),
                   [](const std::string& a, const std::string& b) { return IsTraining(a) && !IsTraining(b); });
  json report;
  report["cohorts"] = cohorts;
  std::map<std::string, double> cutoffs;  // model -> first cohort's Youden cut-off
  std::vector<ModelPerformance> table2;
  for (const auto& cohort : cohorts) {
    std::vector<int> y;
    std::map<std::string, std::vector<double>> s;
    for (std::size_t i = 0; i < n; ++i) {
      if (cohort_of[i] != cohort) continue;
      y.push_back(p.labels[i]);
      for (const auto& m : p.models) s[m].push_back(p.scores.at(m)[i]);
    }
    std::vector<ModelScores> series;
    for (const auto& m : p.models) {
      const auto& sc = s[m];
      const AucResult auc = DeLongAuc(sc, y);
      if (!cutoffs.count(m)) {
        // The cut-off cohort (training) checks the score's orientation: below
        // 0.5 there the score ranks negative patients above positive ones.
        if (auc.auc < 0.5) {
          const std::string warning =
              m + ": AUC " + FormatDouble(auc.auc) + " in the " + cohort +
              " cohort is below 0.5: its scores rank negative cases above positive ones there, so its cut-off, "
              "metrics and tests describe a model that works backwards";
          Log(LogLevel::kWarning, warning);
          report["warnings"].push_back(warning);
        }
        cutoffs[m] = YoudenOptimal(sc, y).threshold;
      }
      const auto metrics = MetricsAt(sc, y, cutoffs[m]);
      json j;
      j["n"] = y.size();
      j["positives"] = std::count(y.begin(), y.end(), 1);
      j["auc"] = auc.auc;
      j["auc_ci"] = {auc.ci_low, auc.ci_high};
      j["auc_variance"] = auc.variance;
      if (options.bootstrap > 0) {
        const auto boot = BootstrapAuc(sc, y, options.bootstrap, options.seed);
        j["auc_ci_bootstrap"] = {boot.ci_low, boot.ci_high};
      }
      j["cutoff_source"] = cohorts.front();
      const json mj = MetricsJson(metrics);
      for (auto it = mj.begin(); it != mj.end(); ++it) j[it.key()] = it.value();
      try {
        const auto hl = HosmerLemeshow(sc, y);
        j["hl_statistic"] = hl.statistic;
        j["hl_df"] = hl.df;
        j["hl_p"] = hl.p;
      } catch (const InvalidArgument& e) {
        j["hl_p"] = nullptr;
        j["hl_note"] = e.what();
      }
      j["brier"] = BrierScore(sc, y);
      const auto fit = CalibrationInterceptSlope(sc, y);
      j["calibration_intercept"] = Number(fit.intercept);
      j["calibration_slope"] = Number(fit.slope);
      json nb = json::object(), all = json::object();
      for (int k = 1; k < 100; ++k) {
        const double t = k / 100.0;
        char key[8];
        std::snprintf(key, sizeof key, "%.2f", t);
        nb[key] = NetBenefit(sc, y, t);
        all[key] = NetBenefitTreatAll(y, t);
      }
      j["net_benefit"] = nb;
      j["net_benefit_treat_all"] = all;
      report["models"][m][cohort] = j;
      const auto fc = p.feature_counts.find(m);
      table2.push_back({m, cohort, fc == p.feature_counts.end() ? 0 : fc->second, auc, metrics});
      series.push_back({m, sc});
    }
    // Every pair of models, paired DeLong, Bonferroni and Holm.
    std::vector<std::string> keys;
    std::vector<double> ps;
    json tests = json::object();
    for (std::size_t a = p.models.size(); a-- > 0;)
      for (std::size_t b = a; b-- > 0;) {
        const auto t = PairedDeLongTest(s[p.models[a]], s[p.models[b]], y);
        const std::string key = p.models[a] + "_vs_" + p.models[b];
        tests[key] = {{"auc_a", t.auc_a}, {"auc_b", t.auc_b}, {"z", Number(t.z)}, {"p", t.p}};
        keys.push_back(key);
        ps.push_back(t.p);
      }
    const auto bonf = BonferroniAdjust(ps), holm = HolmAdjust(ps);
    for (std::size_t k = 0; k < keys.size(); ++k) {
      tests[keys[k]]["p_bonferroni"] = bonf[k];
      tests[keys[k]]["p_holm"] = holm[k];
    }
    report["delong"][cohort] = tests;
    const std::string suffix = cohorts.size() > 1 || cohort != "all" ? "_" + cohort : "";
    for (const auto& ext : options.figure_formats) {
      PlotRocCurves(series, y, "ROC curves, " + cohort, out + "/roc" + suffix + ext);
      PlotCalibrationCurves(series, y, "Calibration, " + cohort, out + "/calibration" + suffix + ext);
      PlotDecisionCurves(series, y, "Decision curves, " + cohort, out + "/decision" + suffix + ext);
    }
    if (!p.clinical.empty() && cohorts.size() > 1) {
      std::vector<ClinicalVariable> vars;
      for (const auto& v : p.clinical) {
        ClinicalVariable part{v.name, {}};
        for (std::size_t i = 0; i < n; ++i)
          if (cohort_of[i] == cohort) part.values.push_back(v.values[i]);
        vars.push_back(part);
      }
      auto t1 = BuildTable1(vars, y);
      t1.title += " (" + cohort + ")";
      for (const auto& ext : options.table_formats) t1.Write(out + "/table1_" + cohort + ext);
    }
  }
  const auto t2 = BuildTable2(table2);
  for (const auto& ext : options.table_formats) t2.Write(out + "/table2" + ext);
  if (!p.clinical.empty() && cohorts.size() == 1) {
    const auto t1 = BuildTable1(p.clinical, p.labels);
    for (const auto& ext : options.table_formats) t1.Write(out + "/table1" + ext);
  }
  return report.dump(2);
}

}  // namespace lvsi::evaluation

#include "lvsi/evaluation/study_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/core/logging.h"
#include "lvsi/evaluation/figures.h"
#include "lvsi/stats/calibration.h"
#include "lvsi/stats/roc.h"
#include "lvsi/stats/statistics.h"

namespace lvsi::evaluation {

using namespace ::lvsi::stats;  // the statistics this layer reports
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

// The per-model figures of one cohort (scores s, labels y) at the cut-off
// `cutoff` taken from `cutoff_source`.
ModelEvaluation EvaluateModel(const std::vector<double>& s, const std::vector<int>& y, const stats::AucResult& auc,
                              double cutoff, const std::string& cutoff_source, const EvaluationSettings& options) {
  ModelEvaluation e;
  e.n = y.size();
  e.positives = static_cast<std::size_t>(std::count(y.begin(), y.end(), 1));
  e.auc = auc;
  if (options.bootstrap > 0) {
    e.has_bootstrap = true;
    e.auc_bootstrap = BootstrapAuc(s, y, options.bootstrap, options.seed);
  }
  e.cutoff_source = cutoff_source;
  e.metrics = MetricsAt(s, y, cutoff);
  try {
    e.hosmer_lemeshow = HosmerLemeshow(s, y);
    e.has_hosmer_lemeshow = true;
  } catch (const InvalidArgument& error) {
    e.hl_note = error.what();
  }
  e.brier = BrierScore(s, y);
  e.calibration = CalibrationInterceptSlope(s, y);
  for (int k = 1; k < 100; ++k) {
    e.net_benefit.push_back(NetBenefit(s, y, k / 100.0));
    e.net_benefit_treat_all.push_back(NetBenefitTreatAll(y, k / 100.0));
  }
  return e;
}

json EvaluationJson(const ModelEvaluation& e) {
  json j;
  j["n"] = e.n;
  j["positives"] = e.positives;
  j["auc"] = e.auc.auc;
  j["auc_ci"] = {e.auc.ci_low, e.auc.ci_high};
  j["auc_variance"] = e.auc.variance;
  if (e.has_bootstrap) j["auc_ci_bootstrap"] = {e.auc_bootstrap.ci_low, e.auc_bootstrap.ci_high};
  j["cutoff_source"] = e.cutoff_source;
  const json mj = MetricsJson(e.metrics);
  for (auto it = mj.begin(); it != mj.end(); ++it) j[it.key()] = it.value();
  if (e.has_hosmer_lemeshow) {
    j["hl_statistic"] = e.hosmer_lemeshow.statistic;
    j["hl_df"] = e.hosmer_lemeshow.df;
    j["hl_p"] = e.hosmer_lemeshow.p;
  } else {
    j["hl_p"] = nullptr;
    j["hl_note"] = e.hl_note;
  }
  j["brier"] = e.brier;
  j["calibration_intercept"] = Number(e.calibration.intercept);
  j["calibration_slope"] = Number(e.calibration.slope);
  json nb = json::object(), all = json::object();
  for (std::size_t k = 0; k < e.net_benefit.size(); ++k) {
    char key[8];
    std::snprintf(key, sizeof key, "%.2f", static_cast<double>(k + 1) / 100.0);
    nb[key] = e.net_benefit[k];
    all[key] = e.net_benefit_treat_all[k];
  }
  j["net_benefit"] = nb;
  j["net_benefit_treat_all"] = all;
  return j;
}

}  // namespace

const ModelEvaluation& EvaluationResult::At(const std::string& model, const std::string& cohort) const {
  const auto m = per_model.find(model);
  if (m != per_model.end()) {
    const auto c = m->second.find(cohort);
    if (c != m->second.end()) return c->second;
  }
  throw InvalidArgument("evaluation: no result for model '" + model + "' in cohort '" + cohort + "'");
}

std::string EvaluationResult::BriefReport() const {
  std::string out;
  for (const auto& cohort : cohorts)
    for (const auto& m : models) {
      const ModelEvaluation& e = At(m, cohort);
      char line[160];
      std::snprintf(line, sizeof line, "%s %s: AUC %.3f (%.3f-%.3f), n = %zu\n", m.c_str(), cohort.c_str(),
                    e.auc.auc, e.auc.ci_low, e.auc.ci_high, e.n);
      out += line;
    }
  for (const auto& w : warnings) out += "warning: " + w + "\n";
  return out;
}

std::string EvaluationResult::ToJson() const {
  json report;
  report["cohorts"] = cohorts;
  for (const auto& cohort : cohorts)
    for (const auto& m : models) report["models"][m][cohort] = EvaluationJson(At(m, cohort));
  for (const auto& cohort : cohorts) {
    json tests = json::object();
    const auto it = delong.find(cohort);
    if (it != delong.end())
      for (const PairedComparison& c : it->second)
        tests[c.a + "_vs_" + c.b] = {{"auc_a", c.test.auc_a}, {"auc_b", c.test.auc_b}, {"z", Number(c.test.z)},
                                     {"p", c.test.p},         {"p_bonferroni", c.p_bonferroni},
                                     {"p_holm", c.p_holm}};
    report["delong"][cohort] = tests;
  }
  if (!warnings.empty()) report["warnings"] = warnings;
  return report.dump(2);
}

bool EvaluationSettings::IsValid(std::string* why) const {
  if (bootstrap < 0) return Invalid(why, "bootstrap must not be negative");
  for (const auto& f : figure_formats)
    if (f != ".png" && f != ".svg" && f != ".pdf") return Invalid(why, "figure format '" + f + "' (.png, .svg or .pdf)");
  for (const auto& f : table_formats)
    if (f != ".csv" && f != ".md" && f != ".html") return Invalid(why, "table format '" + f + "' (.csv, .md or .html)");
  return true;
}

EvaluationResult EvaluatePredictions(const PredictionSet& p, const EvaluationSettings& options, const std::string& out) {
  CheckValid(options, "EvaluatePredictions");
  Check(p);
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) throw OutputError(out, "cannot create the folder: " + ec.message());
  const std::size_t n = p.labels.size();
  std::vector<std::string> cohort_of = p.cohorts.empty() ? std::vector<std::string>(n, "all") : p.cohorts;
  EvaluationResult result;
  result.models = p.models;
  for (const auto& c : cohort_of)
    if (std::find(result.cohorts.begin(), result.cohorts.end(), c) == result.cohorts.end()) result.cohorts.push_back(c);
  std::stable_sort(result.cohorts.begin(), result.cohorts.end(),
                   [](const std::string& a, const std::string& b) { return IsTraining(a) && !IsTraining(b); });
  const std::string& cutoff_source = result.cohorts.front();
  std::map<std::string, double> cutoffs;  // model -> the first cohort's Youden cut-off
  std::vector<ModelPerformance> table2;
  for (const auto& cohort : result.cohorts) {
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
          result.warnings.push_back(
              m + ": AUC " + FormatDouble(auc.auc) + " in the " + cohort +
              " cohort is below 0.5: its scores rank negative cases above positive ones there, so its cut-off, "
              "metrics and tests describe a model that works backwards");
          Log(LogLevel::kWarning, result.warnings.back());
        }
        cutoffs[m] = YoudenOptimal(sc, y).threshold;
      }
      const ModelEvaluation& e = result.per_model[m][cohort] =
          EvaluateModel(sc, y, auc, cutoffs[m], cutoff_source, options);
      const auto fc = p.feature_counts.find(m);
      table2.push_back({m, cohort, fc == p.feature_counts.end() ? 0 : fc->second, auc, e.metrics});
      series.push_back({m, sc});
    }
    // Every pair of models, paired DeLong, Bonferroni and Holm.
    std::vector<PairedComparison>& pairs = result.delong[cohort];
    std::vector<double> ps;
    for (std::size_t a = p.models.size(); a-- > 0;)
      for (std::size_t b = a; b-- > 0;) {
        pairs.push_back({p.models[a], p.models[b], PairedDeLongTest(s[p.models[a]], s[p.models[b]], y)});
        ps.push_back(pairs.back().test.p);
      }
    const auto bonf = BonferroniAdjust(ps), holm = HolmAdjust(ps);
    for (std::size_t k = 0; k < pairs.size(); ++k) {
      pairs[k].p_bonferroni = bonf[k];
      pairs[k].p_holm = holm[k];
    }
    const std::string suffix = result.cohorts.size() > 1 || cohort != "all" ? "_" + cohort : "";
    for (const auto& ext : options.figure_formats) {
      PlotRocCurves(series, y, "ROC curves, " + cohort, out + "/roc" + suffix + ext);
      PlotCalibrationCurves(series, y, "Calibration, " + cohort, out + "/calibration" + suffix + ext);
      PlotDecisionCurves(series, y, "Decision curves, " + cohort, out + "/decision" + suffix + ext);
    }
    if (!p.clinical.empty() && result.cohorts.size() > 1) {
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
  if (!p.clinical.empty() && result.cohorts.size() == 1) {
    const auto t1 = BuildTable1(p.clinical, p.labels);
    for (const auto& ext : options.table_formats) t1.Write(out + "/table1" + ext);
  }
  return result;
}

}  // namespace lvsi::evaluation

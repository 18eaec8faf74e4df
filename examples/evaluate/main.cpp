// lvsi_evaluate: the study's evaluation (Table 1, Table 2, DeLong tests,
// calibration, decision curves, figures) from a table of predictions.
#include <CLI/CLI.hpp>
#include <lvsi/lvsi.h>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

json Number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json MetricsJson(const lvsi::evaluation::ClassificationMetrics& m) {
  return {{"threshold", Number(m.threshold)},
          {"tp", m.tp}, {"fp", m.fp}, {"tn", m.tn}, {"fn", m.fn},
          {"accuracy", Number(m.accuracy)}, {"accuracy_ci", {Number(m.accuracy_low), Number(m.accuracy_high)}},
          {"sensitivity", Number(m.sensitivity)}, {"sensitivity_ci", {Number(m.sensitivity_low), Number(m.sensitivity_high)}},
          {"specificity", Number(m.specificity)}, {"specificity_ci", {Number(m.specificity_low), Number(m.specificity_high)}},
          {"ppv", Number(m.ppv)}, {"ppv_ci", {Number(m.ppv_low), Number(m.ppv_high)}},
          {"npv", Number(m.npv)}, {"npv_ci", {Number(m.npv_low), Number(m.npv_high)}}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lvsi_evaluate " + lvsi::Version() + ": ROC/DeLong, Youden metrics, calibration, decision curves, tables and figures"};
  std::string input, label = "label", scores_arg, cohort_column, clinical_arg, features_arg, out;
  int bootstrap = 2000;
  unsigned seed = 1;
  app.add_option("predictions", input, "CSV with one row per patient")->required()->check(CLI::ExistingFile);
  app.add_option("--label", label, "outcome column (0/1)");
  app.add_option("--scores", scores_arg, "comma-separated model columns (predicted probabilities)")->required();
  app.add_option("--cohort-column", cohort_column, "column naming each patient's cohort (e.g. split)");
  app.add_option("--clinical", clinical_arg, "comma-separated clinical columns for Table 1");
  app.add_option("--features", features_arg, "model=count pairs for Table 2 (e.g. rad=12,dl=8)");
  app.add_option("--bootstrap", bootstrap, "bootstrap replicates for the AUC (0: none)")->check(CLI::NonNegativeNumber);
  app.add_option("--seed", seed, "bootstrap seed");
  app.add_option("-o,--out", out, "output folder")->required();
  CLI11_PARSE(app, argc, argv);
  try {
    namespace ev = lvsi::evaluation;
    const lvsi::CsvDocument doc = lvsi::ReadCsv(input);
    auto col = [&](const std::string& name) {
      const long c = doc.ColumnIndex(name);
      if (c < 0) throw lvsi::FormatError(input, "no column '" + name + "'");
      return static_cast<std::size_t>(c);
    };
    const std::size_t label_col = col(label);
    const auto models = Split(scores_arg);
    if (models.empty()) throw lvsi::InvalidArgument("--scores names no column");
    std::map<std::string, std::size_t> feature_counts;
    for (const auto& kv : Split(features_arg)) {
      const auto eq = kv.find('=');
      if (eq == std::string::npos) throw lvsi::InvalidArgument("--features takes model=count, got '" + kv + "'");
      feature_counts[kv.substr(0, eq)] = static_cast<std::size_t>(std::stoul(kv.substr(eq + 1)));
    }
    // Cohorts in order of first appearance; training first.
    std::vector<std::string> cohorts;
    std::vector<std::string> cohort_of(doc.rows.size(), "all");
    if (!cohort_column.empty()) {
      const std::size_t cc = col(cohort_column);
      for (std::size_t r = 0; r < doc.rows.size(); ++r) cohort_of[r] = doc.rows[r][cc];
    }
    for (const auto& c : cohort_of)
      if (std::find(cohorts.begin(), cohorts.end(), c) == cohorts.end()) cohorts.push_back(c);
    std::stable_sort(cohorts.begin(), cohorts.end(), [](const std::string& a, const std::string& b) {
      return (a == "train" || a == "training") && !(b == "train" || b == "training");
    });
    std::vector<std::string> problems;
    for (std::size_t r = 0; r < doc.rows.size(); ++r) {
      const std::string& l = doc.rows[r][label_col];
      if (l != "0" && l != "1")
        problems.push_back("line " + std::to_string(doc.line_numbers[r]) + ": label must be 0 or 1, got '" + l + "'");
      for (const auto& m : models) {
        double v;
        if (!lvsi::ParseDouble(doc.rows[r][col(m)], &v) || !std::isfinite(v))
          problems.push_back("line " + std::to_string(doc.line_numbers[r]) + ": " + m + " is not a finite number");
        else if (v < 0 || v > 1)
          problems.push_back("line " + std::to_string(doc.line_numbers[r]) + ": " + m + " = " + doc.rows[r][col(m)] +
                             " is not a probability in [0, 1]");
      }
    }
    if (!problems.empty()) throw lvsi::ManifestError(input, problems);
    fs::create_directories(out);
    json report;
    report["lvsi_version"] = lvsi::Version();
    report["input"] = input;
    report["cohorts"] = cohorts;
    std::map<std::string, double> cutoffs;  // model -> training Youden cut-off
    std::vector<ev::ModelPerformance> table2;
    for (const auto& cohort : cohorts) {
      std::vector<int> y;
      std::map<std::string, std::vector<double>> s;
      for (std::size_t r = 0; r < doc.rows.size(); ++r) {
        if (cohort_of[r] != cohort) continue;
        y.push_back(doc.rows[r][label_col] == "1");
        for (const auto& m : models) {
          double v = 0;
          lvsi::ParseDouble(doc.rows[r][col(m)], &v);
          s[m].push_back(v);
        }
      }
      std::vector<ev::ModelScores> series;
      for (const auto& m : models) {
        const auto& sc = s[m];
        const ev::AucResult auc = ev::DeLongAuc(sc, y);
        if (!cutoffs.count(m)) cutoffs[m] = ev::YoudenOptimal(sc, y).threshold;
        const auto metrics = ev::MetricsAt(sc, y, cutoffs[m]);
        json j;
        j["n"] = y.size();
        j["positives"] = std::count(y.begin(), y.end(), 1);
        j["auc"] = auc.auc;
        j["auc_ci"] = {auc.ci_low, auc.ci_high};
        j["auc_variance"] = auc.variance;
        if (bootstrap > 0) {
          const auto boot = ev::BootstrapAuc(sc, y, bootstrap, seed);
          j["auc_ci_bootstrap"] = {boot.ci_low, boot.ci_high};
        }
        j["cutoff_source"] = cohorts.front();
        const json mj = MetricsJson(metrics);
        for (auto it = mj.begin(); it != mj.end(); ++it) j[it.key()] = it.value();
        try {
          const auto hl = ev::HosmerLemeshow(sc, y);
          j["hl_statistic"] = hl.statistic;
          j["hl_df"] = hl.df;
          j["hl_p"] = hl.p;
        } catch (const lvsi::InvalidArgument& e) {
          j["hl_p"] = nullptr;
          j["hl_note"] = e.what();
        }
        j["brier"] = ev::BrierScore(sc, y);
        const auto fit = ev::CalibrationInterceptSlope(sc, y);
        j["calibration_intercept"] = Number(fit.intercept);
        j["calibration_slope"] = Number(fit.slope);
        json nb = json::object(), all = json::object();
        for (int k = 1; k < 100; ++k) {
          const double t = k / 100.0;
          char key[8];
          std::snprintf(key, sizeof key, "%.2f", t);
          nb[key] = ev::NetBenefit(sc, y, t);
          all[key] = ev::NetBenefitTreatAll(y, t);
        }
        j["net_benefit"] = nb;
        j["net_benefit_treat_all"] = all;
        report["models"][m][cohort] = j;
        table2.push_back({m, cohort, feature_counts.count(m) ? feature_counts[m] : 0, auc, metrics});
        series.push_back({m, sc});
      }
      // Every pair of models, paired DeLong, Bonferroni and Holm.
      std::vector<std::pair<std::string, std::string>> pairs;
      std::vector<double> ps;
      json tests = json::object();
      for (std::size_t a = models.size(); a-- > 0;)
        for (std::size_t b = a; b-- > 0;) {
          const auto t = ev::PairedDeLongTest(s[models[a]], s[models[b]], y);
          const std::string key = models[a] + "_vs_" + models[b];
          tests[key] = {{"auc_a", t.auc_a}, {"auc_b", t.auc_b}, {"z", t.z}, {"p", t.p}};
          pairs.emplace_back(key, "");
          ps.push_back(t.p);
        }
      const auto bonf = ev::BonferroniAdjust(ps), holm = ev::HolmAdjust(ps);
      for (std::size_t k = 0; k < pairs.size(); ++k) {
        tests[pairs[k].first]["p_bonferroni"] = bonf[k];
        tests[pairs[k].first]["p_holm"] = holm[k];
      }
      report["delong"][cohort] = tests;
      const std::string suffix = cohorts.size() > 1 || cohort != "all" ? "_" + cohort : "";
      for (const char* ext : {".png", ".svg", ".pdf"}) {
        ev::PlotRocCurves(series, y, "ROC curves, " + cohort, out + "/roc" + suffix + ext);
        ev::PlotCalibrationCurves(series, y, "Calibration, " + cohort, out + "/calibration" + suffix + ext);
        ev::PlotDecisionCurves(series, y, "Decision curves, " + cohort, out + "/decision" + suffix + ext);
      }
    }
    const auto t2 = ev::BuildTable2(table2);
    for (const char* ext : {".csv", ".md", ".html"}) t2.Write(out + "/table2" + ext);
    if (!clinical_arg.empty()) {
      std::vector<ev::ClinicalVariable> vars;
      for (const auto& name : Split(clinical_arg)) {
        ev::ClinicalVariable v{name, {}};
        const std::size_t c = col(name);
        for (const auto& r : doc.rows) v.values.push_back(r[c]);
        vars.push_back(v);
      }
      std::vector<int> y;
      for (const auto& r : doc.rows) y.push_back(r[label_col] == "1");
      const auto t1 = ev::BuildTable1(vars, y);
      for (const char* ext : {".csv", ".md", ".html"}) t1.Write(out + "/table1" + ext);
    }
    lvsi::WriteFileAtomically(out + "/report.json", report.dump(2) + "\n");
    std::cerr << "lvsi_evaluate: " << models.size() << " models x " << cohorts.size() << " cohorts -> " << out << "\n";
    return 0;
  } catch (const lvsi::Error& e) {
    std::cerr << "lvsi_evaluate: " << e.what() << "\n";
    return 1;
  }
}

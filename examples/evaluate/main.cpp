// lvsi_evaluate: the study's evaluation (Table 1, Table 2, DeLong tests,
// calibration, decision curves, figures) from a table of predictions.
#include <CLI/CLI.hpp>
#include <lvsi/lvsi.h>

#include <algorithm>
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lvsi_evaluate " + lvsi::Version() + ": ROC/DeLong, Youden metrics, calibration, decision curves, tables and figures"};
  app.set_version_flag("--version", "lvsi_evaluate " + lvsi::Version());
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : static_cast<int>(lvsi::ExitStatus::kUsage);
  }
  return lvsi::RunProgram("lvsi_evaluate", [&] {
    namespace ev = lvsi::evaluation;
    lvsi::CheckOutputIsNotInput(out + "/report.json", {input});
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
      long long count = -1;
      if (eq == std::string::npos || !lvsi::ParseInteger(kv.substr(eq + 1), &count) || count < 0)
        throw lvsi::InvalidArgument("--features takes model=count with a whole count >= 0 (e.g. rad=12), got '" + kv +
                                    "'");
      feature_counts[kv.substr(0, eq)] = static_cast<std::size_t>(count);
    }
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
    if (doc.rows.empty()) problems.push_back("no patients (a header without rows)");
    const auto positives = std::count_if(doc.rows.begin(), doc.rows.end(), [&](const auto& r) { return r[label_col] == "1"; });
    if (problems.empty() && (positives == 0 || positives == static_cast<long>(doc.rows.size())))
      problems.push_back("column '" + label + "' has one class only (" + std::to_string(positives) + " of " +
                         std::to_string(doc.rows.size()) + " patients are 1); ROC analysis needs both classes");
    if (!problems.empty()) throw lvsi::ManifestError(input, problems);
    ev::PredictionSet set;
    set.models = models;
    set.feature_counts = feature_counts;
    for (const auto& row : doc.rows) {
      set.labels.push_back(row[label_col] == "1");
      if (!cohort_column.empty()) set.cohorts.push_back(row[col(cohort_column)]);
      for (const auto& m : models) {
        double v = 0;
        lvsi::ParseDouble(row[col(m)], &v);
        set.scores[m].push_back(v);
      }
    }
    for (const auto& name : Split(clinical_arg)) {
      ev::ClinicalVariable v{name, {}};
      const std::size_t c = col(name);
      for (const auto& r : doc.rows) v.values.push_back(r[c]);
      set.clinical.push_back(v);
    }
    ev::EvaluationSettings options;
    options.bootstrap = bootstrap;
    options.seed = seed;
    json report;
    report["lvsi_version"] = lvsi::Version();
    report["input"] = input;
    const ev::EvaluationResult evaluation = ev::EvaluatePredictions(set, options, out);
    const json results = json::parse(evaluation.ToJson());
    for (auto it = results.begin(); it != results.end(); ++it) report[it.key()] = it.value();
    lvsi::WriteFileAtomically(out + "/report.json", report.dump(2) + "\n");
    std::cerr << "lvsi_evaluate: " << models.size() << " models x " << results["cohorts"].size() << " cohorts -> "
              << out << "\n";
    return 0;
  });
}

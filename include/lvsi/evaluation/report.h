#pragma once
/// \file
/// Report tables: the study's Table 1 (clinical variables by outcome) and
/// Table 2 (model performance), written as CSV, Markdown or HTML.

#include <string>
#include <vector>

#include "lvsi/evaluation/export.h"
#include "lvsi/evaluation/roc.h"

namespace lvsi::evaluation {

/// A table of text cells with a title.
struct LVSI_EVALUATION_EXPORT ReportTable {
  std::string title;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::string ToCsv() const;
  std::string ToMarkdown() const;
  /// A standalone HTML fragment (a <table> with a <caption>), text escaped.
  std::string ToHtml() const;
  /// Writes by extension (.csv, .md, .html); throws IoError.
  void Write(const std::string& path) const;
};

/// Text safe inside HTML elements and attribute values (& < > " escaped).
LVSI_EVALUATION_EXPORT std::string HtmlEscape(const std::string& text);

/// p-value as reported in tables: "<0.001" or three decimals.
LVSI_EVALUATION_EXPORT std::string FormatP(double p);

/// One clinical variable: its name and the raw value of every patient
/// (empty text = missing).
struct ClinicalVariable {
  std::string name;
  std::vector<std::string> values;
};

/// How Table 1 tests the variables.
struct LVSI_EVALUATION_EXPORT Table1Settings {
  std::string negative_name = "LVSI-";  ///< Column title of label 0.
  std::string positive_name = "LVSI+";  ///< Column title of label 1.
  bool nonparametric = false;  ///< Numeric variables: Mann-Whitney instead of Welch's t-test.
  /// False, with the reason in `why` (when not null), when a setting is out of range.
  bool IsValid(std::string* why = nullptr) const;
};

/// The name of lvsi 0.1, kept for one minor release.
using Table1Options [[deprecated("use Table1Settings")]] = Table1Settings;

/// Table 1: numeric variables (every non-missing value a number) as mean +-
/// SD per group with Welch's t-test (or Mann-Whitney); categorical ones as
/// n (%) per level with the chi-square test (Yates for 2 x 2), or Fisher's
/// exact test when an expected count is below 5.  Throws InvalidArgument
/// for mismatched lengths or labels other than 0/1.
LVSI_EVALUATION_EXPORT ReportTable BuildTable1(const std::vector<ClinicalVariable>& variables,
                                               const std::vector<int>& labels, const Table1Settings& options = {});

/// One row of Table 2.
struct ModelPerformance {
  std::string model;                ///< e.g. "RDL".
  std::string cohort;               ///< e.g. "train", "validation".
  std::size_t features = 0;         ///< Selected features (0: not reported).
  AucResult auc;                    ///< AUC with its interval.
  ClassificationMetrics metrics;    ///< At the cut-off applied.
};

/// Table 2: model, cohort, features, AUC (95% CI), ACC, SEN, SPE, NPV, PPV.
LVSI_EVALUATION_EXPORT ReportTable BuildTable2(const std::vector<ModelPerformance>& rows);

}  // namespace lvsi::evaluation

#include "lvsi/evaluation/report.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/evaluation/statistics.h"

namespace lvsi::evaluation {
namespace {

std::string Fixed(double v, int digits) {
  if (!std::isfinite(v)) return "NA";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

std::string HtmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

std::string FormatP(double p) {
  if (!std::isfinite(p)) return "NA";
  return p < 0.001 ? "<0.001" : Fixed(p, 3);
}

std::string ReportTable::ToCsv() const {
  std::string out;
  for (std::size_t c = 0; c < header.size(); ++c) out += (c ? "," : "") + CsvEscape(header[c]);
  out += "\n";
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < r.size(); ++c) out += (c ? "," : "") + CsvEscape(r[c]);
    out += "\n";
  }
  return out;
}

std::string ReportTable::ToMarkdown() const {
  auto cell = [](std::string s) {
    std::string out;
    for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
  };
  std::string out = title.empty() ? "" : "**" + title + "**\n\n";
  out += "|";
  for (const auto& h : header) out += " " + cell(h) + " |";
  out += "\n|";
  for (std::size_t c = 0; c < header.size(); ++c) out += c ? "---:|" : "---|";
  out += "\n";
  for (const auto& r : rows) {
    out += "|";
    for (const auto& v : r) out += " " + cell(v) + " |";
    out += "\n";
  }
  return out;
}

std::string ReportTable::ToHtml() const {
  std::string out = "<table class=\"lvsi\">\n";
  if (!title.empty()) out += "<caption>" + HtmlEscape(title) + "</caption>\n";
  out += "<thead><tr>";
  for (const auto& h : header) out += "<th>" + HtmlEscape(h) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& r : rows) {
    out += "<tr>";
    for (const auto& v : r) out += "<td>" + HtmlEscape(v) + "</td>";
    out += "</tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

void ReportTable::Write(const std::string& path) const {
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".csv") return WriteFileAtomically(path, ToCsv());
  if (ext == ".md") return WriteFileAtomically(path, ToMarkdown());
  if (ext == ".html") return WriteFileAtomically(path, ToHtml());
  throw FormatError(path, "unsupported table format (expected .csv, .md or .html)");
}

bool Table1Settings::IsValid(std::string* why) const {
  if (negative_name.empty() || positive_name.empty() || negative_name == positive_name)
    return Invalid(why, "the two groups need distinct, non-empty names");
  return true;
}

ReportTable BuildTable1(const std::vector<ClinicalVariable>& variables, const std::vector<int>& labels,
                        const Table1Settings& o) {
  CheckValid(o, "Table 1");
  for (int l : labels)
    if (l != 0 && l != 1) throw InvalidArgument("Table 1: labels must be 0 or 1");
  std::size_t n_pos = 0;
  for (int l : labels) n_pos += static_cast<std::size_t>(l);
  const std::size_t n_neg = labels.size() - n_pos;
  ReportTable t;
  t.title = "Table 1. Clinical characteristics by outcome";
  t.header = {"Variable", o.negative_name + " (n=" + std::to_string(n_neg) + ")",
              o.positive_name + " (n=" + std::to_string(n_pos) + ")", "p", "Test"};
  for (const auto& v : variables) {
    if (v.values.size() != labels.size())
      throw InvalidArgument("Table 1: variable " + v.name + " has " + std::to_string(v.values.size()) +
                            " values for " + std::to_string(labels.size()) + " patients");
    bool numeric = true, any = false;
    std::vector<double> g[2];
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (v.values[i].empty()) continue;
      double x;
      if (!ParseDouble(v.values[i], &x)) {
        numeric = false;
        break;
      }
      any = true;
      g[labels[i]].push_back(x);
    }
    if (numeric && any) {
      auto summary = [](const std::vector<double>& x) {
        if (x.empty()) return std::string("NA");
        double m = 0, s = 0;
        for (double a : x) m += a;
        m /= static_cast<double>(x.size());
        for (double a : x) s += (a - m) * (a - m);
        s = x.size() > 1 ? std::sqrt(s / static_cast<double>(x.size() - 1)) : 0;
        return Fixed(m, 1) + " ± " + Fixed(s, 1);
      };
      double p = std::nan("");
      std::string test = o.nonparametric ? "Mann-Whitney U" : "Welch t-test";
      try {
        p = o.nonparametric ? MannWhitneyU(g[0], g[1]).p : WelchTTest(g[0], g[1]).p;
      } catch (const InvalidArgument&) {
        test += " (not computable)";
      }
      t.rows.push_back({v.name + ", mean ± SD", summary(g[0]), summary(g[1]), FormatP(p), test});
      continue;
    }
    std::map<std::string, std::array<long, 2>> counts;
    for (std::size_t i = 0; i < labels.size(); ++i)
      if (!v.values[i].empty()) counts[v.values[i]][static_cast<std::size_t>(labels[i])] += 1;
    std::vector<std::vector<long>> table;
    for (const auto& [level, c] : counts) table.push_back({c[0], c[1]});
    double p = std::nan("");
    std::string test = "-";
    if (table.size() >= 2) {
      long total = 0, col[2] = {0, 0};
      for (const auto& r : table) {
        col[0] += r[0];
        col[1] += r[1];
        total += r[0] + r[1];
      }
      bool small = false;
      for (const auto& r : table)
        for (int c = 0; c < 2; ++c)
          small = small || static_cast<double>(r[0] + r[1]) * static_cast<double>(col[c]) / static_cast<double>(total) < 5;
      try {
        if (small) {
          const TestResult fisher = FisherExactTest(table);
          p = fisher.p;
          test = fisher.note.empty() ? "Fisher's exact test" : "Fisher's test (Monte-Carlo p, 1e5 tables)";
        } else {
          std::vector<std::vector<double>> d;
          for (const auto& r : table) d.push_back({static_cast<double>(r[0]), static_cast<double>(r[1])});
          p = ChiSquareTest(d, true).p;
          test = table.size() == 2 ? "chi-square (Yates)" : "chi-square";
        }
      } catch (const InvalidArgument&) {
        test = "not computable";
      }
    }
    t.rows.push_back({v.name + ", n (%)", "", "", FormatP(p), test});
    for (const auto& [level, c] : counts) {
      auto pct = [](long k, std::size_t n) { return std::to_string(k) + " (" + Fixed(n ? 100.0 * k / n : 0, 1) + "%)"; };
      t.rows.push_back({"  " + level, pct(c[0], n_neg), pct(c[1], n_pos), "", ""});
    }
  }
  return t;
}

ReportTable BuildTable2(const std::vector<ModelPerformance>& rows) {
  ReportTable t;
  t.title = "Table 2. Performance of the models";
  t.header = {"Model", "Cohort", "Features", "AUC (95% CI)", "ACC", "SEN", "SPE", "NPV", "PPV", "Cut-off"};
  for (const auto& r : rows) {
    t.rows.push_back({r.model, r.cohort, r.features ? std::to_string(r.features) : "-",
                      Fixed(r.auc.auc, 3) + " (" + Fixed(r.auc.ci_low, 3) + "-" + Fixed(r.auc.ci_high, 3) + ")",
                      Fixed(r.metrics.accuracy, 3), Fixed(r.metrics.sensitivity, 3), Fixed(r.metrics.specificity, 3),
                      Fixed(r.metrics.npv, 3), Fixed(r.metrics.ppv, 3), Fixed(r.metrics.threshold, 3)});
  }
  return t;
}

}  // namespace lvsi::evaluation

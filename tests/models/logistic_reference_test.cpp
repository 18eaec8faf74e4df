// Plain logistic regression against R's glm: the data and R's estimates
// (glm.* in expected.csv) both come from the stats reference folder.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "lvsi/core/csv.h"
#include "lvsi/models.h"
#include "test_util.h"

namespace lvsi::models {
namespace {

TEST(LogisticReference, MatchesGlm) {
  const std::string dir = testing::ReferenceDir("LVSI_STATS_REFERENCE", "stats");
  const std::string data = dir + "/lasso_data.csv";
  LVSI_SKIP_UNLESS_EXISTS(data);
  LVSI_SKIP_UNLESS_EXISTS(dir + "/expected.csv");
  std::map<std::string, double> expected;
  for (const auto& row : ReadCsv(dir + "/expected.csv").rows)
    if (row[0].rfind("glm.", 0) == 0) expected[row[0].substr(4)] = std::stod(row[1]);
  const CsvDocument doc = ReadCsv(data);
  const std::vector<std::string> terms = {"x01", "x02", "x03", "x04", "x05"};
  Eigen::MatrixXd x(static_cast<Eigen::Index>(doc.rows.size()), 5);
  std::vector<int> y;
  for (std::size_t i = 0; i < doc.rows.size(); ++i) {
    y.push_back(std::stoi(doc.rows[i][static_cast<std::size_t>(doc.ColumnIndex("label"))]));
    for (std::size_t j = 0; j < terms.size(); ++j)
      x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
          std::stod(doc.rows[i][static_cast<std::size_t>(doc.ColumnIndex(terms[j]))]);
  }
  LogisticRegression model;
  model.Train(x, y);
  EXPECT_NEAR(model.intercept(), expected.at("intercept"), 1e-8 * std::abs(expected.at("intercept")));
  for (std::size_t j = 0; j < terms.size(); ++j)
    EXPECT_NEAR(model.coefficients()[static_cast<Eigen::Index>(j)], expected.at(terms[j]),
                1e-8 * std::abs(expected.at(terms[j])))
        << terms[j];
  EXPECT_NEAR(model.deviance(), expected.at("deviance"), 1e-10 * expected.at("deviance"));
}

}  // namespace
}  // namespace lvsi::models

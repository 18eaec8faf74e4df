// The regression case of issue #26 (../shared/reference/models/svm_small_c.csv):
// an RBF SVM with C = 0.001 and gamma = 0.2 whose decision values have
// training AUC 0.949 while libsvm's Platt probabilities had 0.051.
#include <gtest/gtest.h>

#include <cstdio>

#include "lvsi/core/csv.h"
#include "lvsi/core/logging.h"
#include "lvsi/evaluation/roc.h"
#include "lvsi/models.h"
#include "test_util.h"

namespace lvsi::models {
namespace {

TEST(SvmSmallCReference, ProbabilitiesRankAsTheDecisionValues) {
  const std::string path = testing::SharedDir() + "/reference/models/svm_small_c.csv";
  LVSI_SKIP_UNLESS_EXISTS(path);
  const CsvDocument doc = ReadCsv(path);
  const std::vector<std::string> columns = {"z1", "z2", "z3", "z4", "z5"};
  Eigen::MatrixXd x(static_cast<Eigen::Index>(doc.rows.size()), 5);
  std::vector<int> y;
  for (std::size_t i = 0; i < doc.rows.size(); ++i) {
    y.push_back(std::stoi(doc.rows[i][static_cast<std::size_t>(doc.ColumnIndex("label"))]));
    for (std::size_t j = 0; j < columns.size(); ++j)
      x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
          std::stod(doc.rows[i][static_cast<std::size_t>(doc.ColumnIndex(columns[j]))]);
  }
  ASSERT_EQ(y.size(), 28u);
  SvmSettings o;
  o.c = 0.001;
  o.gamma = 0.2;
  SvmClassifier model(o);
  std::vector<std::string> warnings;
  SetLogSink([&](LogLevel level, const std::string& m) {
    if (level >= LogLevel::kWarning) warnings.push_back(m);
  });
  model.Train(x, y);
  SetLogSink({});
  const double decision_auc = evaluation::Auc(model.DecisionValues(x), y);
  const double probability_auc = evaluation::Auc(model.PredictProbability(x), y);
  std::printf("decision AUC %.3f, probability AUC %.3f, calibration %s, %zu of %zu support vectors free\n",
              decision_auc, probability_auc, CalibrationName(model.calibration()), model.free_support_vectors(),
              model.support_vectors());
  EXPECT_NEAR(decision_auc, 0.949, 0.0005);  // the reference's figure
  EXPECT_EQ(probability_auc, decision_auc);
  // libsvm's cross-validated sigmoid inverts here; the fallback says so.
  EXPECT_EQ(model.calibration(), SvmCalibration::kPlattTraining);
  EXPECT_EQ(model.free_support_vectors(), 0u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("decreases with the decision value"), std::string::npos) << warnings[0];
}

}  // namespace
}  // namespace lvsi::models

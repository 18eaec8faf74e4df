// Logistic regression properties and the trained pipeline: selection +
// classifier + cut-off saved to one file and applied to new patients.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>

#include "lvsi/core/csv.h"
#include "lvsi/models.h"
#include "lvsi/selection.h"
#include "test_util.h"

namespace lvsi::models {
namespace {

FeatureTable Cohort(int n, int p, unsigned seed, std::vector<int>* y, const std::string& prefix = "P") {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::MatrixXd x(n, p);
  std::vector<std::string> ids, names;
  y->clear();
  for (int i = 0; i < n; ++i) {
    y->push_back(i % 3 == 0 ? 1 : 0);
    ids.push_back(prefix + std::to_string(i));
    for (int j = 0; j < p; ++j) x(i, j) = 10.0 * j + normal(rng) + (j < 3 ? 1.2 * y->back() : 0.0);
  }
  for (int j = 0; j < p; ++j) names.push_back("feature_" + std::to_string(j));
  return FeatureTable(ids, names, x);
}

TEST(Logistic, RidgeSatisfiesItsStationaryCondition) {
  std::vector<int> y;
  const FeatureTable t = Cohort(80, 4, 1, &y);
  LogisticSettings o;
  o.l2 = 3.0;
  LogisticRegression model(o);
  model.Train(t.values(), y);
  const std::vector<double> p = model.PredictProbability(t.values());
  Eigen::VectorXd residual(80);
  for (int i = 0; i < 80; ++i) residual[i] = y[static_cast<std::size_t>(i)] - p[static_cast<std::size_t>(i)];
  EXPECT_NEAR(residual.sum(), 0.0, 1e-8);  // unpenalised intercept
  const Eigen::VectorXd g = t.values().transpose() * residual;
  for (Eigen::Index j = 0; j < 4; ++j) EXPECT_NEAR(g[j], o.l2 * model.coefficients()[j], 1e-6);
}

TEST(Logistic, SeparationAndBadFiles) {
  Eigen::MatrixXd x(6, 1);
  x << 1, 2, 3, 4, 5, 6;
  const std::vector<int> y = {0, 0, 0, 1, 1, 1};
  LogisticRegression plain;
  plain.Train(x, y);  // complete separation: reported in the result, as R's glm warns
  EXPECT_FALSE(plain.converged());
  EXPECT_NE(plain.convergence_note().find("separation"), std::string::npos) << plain.convergence_note();
  EXPECT_FALSE(LogisticRegression::FromJson(plain.ToJson(), "memory").converged());
  LogisticSettings o;
  o.l2 = 1.0;
  LogisticRegression ridge(o);
  ridge.Train(x, y);
  EXPECT_GT(ridge.coefficients()[0], 0.0);
  const std::string path = testing::ScratchDir("logistic_files") + "/ridge.json";
  ridge.Save(path);
  EXPECT_EQ(LogisticRegression::Load(path).PredictProbability(x), ridge.PredictProbability(x));
  EXPECT_THROW(LogisticRegression::FromJson(R"({"format": "lvsi-svm", "version": 1})", "x"), ModelError);
}

TEST(TrainedPipeline, FromTrainingToNewPatients) {
  std::vector<int> y_train, y_new;
  const FeatureTable train = Cohort(90, 12, 2, &y_train);
  const FeatureTable fresh = Cohort(30, 12, 3, &y_new, "N");
  selection::SelectionPipeline sel;
  sel.Emplace<selection::VarianceFilter>();
  sel.Emplace<selection::StandardScaler>();
  sel.Emplace<selection::MannWhitneyFilter>(0.05);
  sel.Emplace<selection::MinMaxScaler>();
  const FeatureTable x = sel.Fit({train, y_train});
  ASSERT_GE(x.cols(), 1u);
  // The compiled selection is the fitted one.
  const selection::CompiledSelection compiled = sel.Compile();
  EXPECT_TRUE(compiled.Apply(fresh).values().isApprox(sel.Transform(fresh).values(), 1e-12));
  GridSearchResult grid = GridSearchSvm(x.values(), y_train);
  TrainedPipeline pipeline("rad", compiled, std::move(grid.model), 0.4);
  pipeline.metadata()["cohort"] = "synthetic";
  const std::vector<double> p = pipeline.PredictProbability(fresh);
  ASSERT_EQ(p.size(), 30u);
  // Saved and loaded: identical probabilities, classes by the stored cut-off.
  const std::string dir = testing::ScratchDir("trained_pipeline");
  pipeline.Save(dir + "/rad.lvsi");
  const TrainedPipeline loaded = TrainedPipeline::Load(dir + "/rad.lvsi");
  EXPECT_EQ(loaded.PredictProbability(fresh), p);
  EXPECT_EQ(loaded.threshold(), 0.4);
  EXPECT_EQ(loaded.metadata().at("cohort"), "synthetic");
  const std::vector<int> cls = loaded.Predict(fresh);
  for (std::size_t i = 0; i < p.size(); ++i) EXPECT_EQ(cls[i], p[i] > 0.4 ? 1 : 0);
  // Columns in another order are fine; missing or extra ones are refused by name.
  std::vector<std::string> reversed(fresh.column_names().rbegin(), fresh.column_names().rend());
  EXPECT_EQ(loaded.PredictProbability(fresh.SelectColumns(reversed)), p);
  std::vector<std::string> fewer = fresh.column_names();
  fewer.erase(fewer.begin());
  try {
    loaded.PredictProbability(fresh.SelectColumns(fewer));
    FAIL() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("missing: feature_0"), std::string::npos) << e.what();
  }
  Eigen::MatrixXd extra_values(30, 1);
  extra_values.setZero();
  const FeatureTable extra = fresh.JoinColumns(FeatureTable(fresh.row_ids(), {"unexpected"}, extra_values));
  EXPECT_THROW(loaded.PredictProbability(extra), InvalidArgument);
  // A file from another version is refused with both versions named.
  std::string text = ReadTextFile(dir + "/rad.lvsi");
  const auto at = text.find("\"version\":1");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 11, "\"version\":7");
  WriteFileAtomically(dir + "/future.lvsi", text);
  try {
    TrainedPipeline::Load(dir + "/future.lvsi");
    FAIL() << "no error";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("version 7"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lvsi::models

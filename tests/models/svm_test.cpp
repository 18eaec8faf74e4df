// SVM classifier, grid search, split and model files: properties on
// synthetic data with known structure.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "lvsi/core/error.h"
#include "lvsi/evaluation/roc.h"
#include "lvsi/models.h"
#include "test_util.h"

namespace lvsi::models {
namespace {

// Class 1 inside a ring of class 0: separable by an RBF kernel, not by a line.
void Ring(int n, unsigned seed, Eigen::MatrixXd* x, std::vector<int>* y) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> angle(0.0, 2 * M_PI);
  std::normal_distribution<double> noise(0.0, 0.15), nuisance(0.0, 1.0);
  x->resize(n, 3);
  y->assign(static_cast<std::size_t>(n), 0);
  for (int i = 0; i < n; ++i) {
    const int label = i % 3 == 0 ? 1 : 0;
    const double radius = (label ? 0.5 : 2.0) + noise(rng), a = angle(rng);
    (*x)(i, 0) = radius * std::cos(a);
    (*x)(i, 1) = radius * std::sin(a);
    (*x)(i, 2) = nuisance(rng);
    (*y)[static_cast<std::size_t>(i)] = label;
  }
}

double Auc(const std::vector<double>& s, const std::vector<int>& y) { return evaluation::DeLongAuc(s, y).auc; }

TEST(Svm, RbfGridSearchSeparatesARingALineCannot) {
  Eigen::MatrixXd x, xv;
  std::vector<int> y, yv;
  Ring(150, 1, &x, &y);
  Ring(90, 2, &xv, &yv);
  GridSearchSettings o;
  const GridSearchResult rbf = GridSearchSvm(x, y, o);
  ASSERT_EQ(rbf.grid.size(), 7u);
  const GridPoint& best = rbf.grid[rbf.best];
  EXPECT_GT(best.mean_auc, 0.97);
  EXPECT_GE(best.c, 1e-1);  // the smallest C underfits
  for (const auto& p : rbf.grid) EXPECT_LE(p.mean_auc, best.mean_auc + 1e-12);
  EXPECT_GT(Auc(rbf.model.PredictProbability(xv), yv), 0.97);
  const std::vector<int> predicted = rbf.model.Predict(xv);
  int correct = 0;
  for (std::size_t i = 0; i < yv.size(); ++i) correct += predicted[i] == yv[i];
  EXPECT_GT(correct, 80);
  o.base.kernel = SvmKernel::kLinear;
  o.c_values = {1e-2, 1e-1, 1};  // large C on non-separable data only makes libsvm iterate long
  const GridSearchResult linear = GridSearchSvm(x, y, o);
  EXPECT_LT(Auc(linear.model.DecisionValues(xv), yv), 0.8);
}

TEST(Svm, ScaleGammaAndProbabilitiesAreSensible) {
  Eigen::MatrixXd x;
  std::vector<int> y;
  Ring(120, 3, &x, &y);
  SvmClassifier model;
  model.Train(x, y);
  const double var = (x.array() - x.mean()).square().mean();
  EXPECT_NEAR(model.gamma(), 1.0 / (3 * var), 1e-12);  // scikit-learn's "scale"
  for (double p : model.PredictProbability(x)) {
    EXPECT_GE(p, 0.0);
    EXPECT_LE(p, 1.0);
  }
  EXPECT_GT(model.support_vectors(), 0u);
}

TEST(Svm, SaveLoadGivesIdenticalPredictions) {
  Eigen::MatrixXd x, xv;
  std::vector<int> y, yv;
  Ring(100, 4, &x, &y);
  Ring(40, 5, &xv, &yv);
  SvmSettings o;
  o.c = 10;
  o.weight_positive = 2.0;
  SvmClassifier model(o);
  model.Train(x, y);
  const std::string path = testing::ScratchDir("svm_roundtrip") + "/model.json";
  model.Save(path);
  const SvmClassifier loaded = SvmClassifier::Load(path);
  EXPECT_EQ(loaded.PredictProbability(xv), model.PredictProbability(xv));
  EXPECT_EQ(loaded.DecisionValues(xv), model.DecisionValues(xv));
  EXPECT_EQ(loaded.support_vectors(), model.support_vectors());
  EXPECT_THROW(loaded.Predict(Eigen::MatrixXd::Zero(2, 5)), InvalidArgument);  // wrong feature count
}

TEST(Svm, SameSeedSameResultsWithOneAndTwoThreads) {
  Eigen::MatrixXd x;
  std::vector<int> y;
  Ring(120, 6, &x, &y);
  GridSearchSettings o;
  o.gamma_values = {0.1, 1.0};
  o.threads = 1;
  const GridSearchResult one = GridSearchSvm(x, y, o);
  o.threads = 2;
  const GridSearchResult two = GridSearchSvm(x, y, o);
  ASSERT_EQ(one.grid.size(), 14u);
  for (std::size_t k = 0; k < one.grid.size(); ++k) EXPECT_EQ(one.grid[k].mean_auc, two.grid[k].mean_auc);
  EXPECT_EQ(one.best, two.best);
  EXPECT_EQ(one.model.PredictProbability(x), two.model.PredictProbability(x));
  // Two models trained at once on two threads match one trained alone.
  SvmClassifier alone;
  alone.Train(x, y);
  SvmClassifier a, b;
  std::thread ta([&] { a.Train(x, y); }), tb([&] { b.Train(x, y); });
  ta.join();
  tb.join();
  EXPECT_EQ(a.PredictProbability(x), alone.PredictProbability(x));
  EXPECT_EQ(b.PredictProbability(x), alone.PredictProbability(x));
}

TEST(Svm, BadInputAndBadFiles) {
  Eigen::MatrixXd x;
  std::vector<int> y;
  Ring(30, 7, &x, &y);
  SvmClassifier model;
  EXPECT_THROW(model.Train(x, std::vector<int>(30, 0)), InvalidArgument);
  EXPECT_THROW(model.Train(x, std::vector<int>(29, 0)), InvalidArgument);
  std::vector<int> bad = y;
  bad[1] = -1;
  EXPECT_THROW(model.Train(x, bad), InvalidArgument);
  Eigen::MatrixXd nan = x;
  nan(0, 0) = std::nan("");
  EXPECT_THROW(model.Train(nan, y), InvalidArgument);
  EXPECT_THROW(model.Predict(x), ModelError);  // not trained
  SvmSettings o;
  o.c = 0;
  EXPECT_THROW(SvmClassifier(o).Train(x, y), InvalidArgument);
  GridSearchSettings g;
  g.folds = 20;  // 10 positives only
  EXPECT_THROW(GridSearchSvm(x, y, g), InvalidArgument);
  const std::string dir = testing::ScratchDir("svm_bad_files");
  std::ofstream(dir + "/garbage.json") << "not json";
  EXPECT_THROW(SvmClassifier::Load(dir + "/garbage.json"), ModelError);
  std::ofstream(dir + "/future.json") << R"({"format": "lvsi-svm", "version": 99, "lvsi_version": "9.0.0"})";
  try {
    SvmClassifier::Load(dir + "/future.json");
    FAIL() << "no error";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("version 99"), std::string::npos) << e.what();
  }
  EXPECT_THROW(SvmClassifier::Load(dir + "/absent.json"), IoError);
}

TEST(Split, StratifiedSevenToThree) {
  std::vector<int> y;
  for (int i = 0; i < 109; ++i) y.push_back(i < 38 ? 1 : 0);
  std::vector<std::size_t> train, valid;
  StratifiedSplit(y, 0.7, 3, &train, &valid);
  EXPECT_EQ(train.size() + valid.size(), y.size());
  std::set<std::size_t> all(train.begin(), train.end());
  for (std::size_t v : valid) EXPECT_TRUE(all.insert(v).second);
  int pos_train = 0;
  for (std::size_t i : train) pos_train += y[i];
  EXPECT_EQ(pos_train, 27);                        // round(0.7 * 38)
  EXPECT_EQ(static_cast<int>(train.size()), 27 + 50);  // + round(0.7 * 71)
  std::vector<std::size_t> again, again_v;
  StratifiedSplit(y, 0.7, 3, &again, &again_v);
  EXPECT_EQ(again, train);
  StratifiedSplit(y, 0.7, 4, &again, &again_v);
  EXPECT_NE(again, train);
  EXPECT_THROW(StratifiedSplit(y, 1.0, 1, &again, &again_v), InvalidArgument);
  const auto repeated = RepeatedStratifiedFolds(y, 5, 3, 9);
  ASSERT_EQ(repeated.size(), 3u);
  EXPECT_NE(repeated[0], repeated[1]);
  for (const auto& folds : repeated) EXPECT_EQ(*std::max_element(folds.begin(), folds.end()), 5);
}

}  // namespace
}  // namespace lvsi::models

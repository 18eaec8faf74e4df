// FitPipeline: the study's recipe for one model as one call equals the same
// steps composed by hand, reports what it chose, and refuses what it cannot
// fit with errors that name the model.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "lvsi/core/error.h"
#include "lvsi/models.h"
#include "lvsi/stats/roc.h"

namespace lvsi::models {
namespace {

// n cases, p features, the first `informative` shifted for class 1; a second
// reader's re-measurement with small noise on even and large noise on odd
// features.
struct Cohort {
  FeatureTable reader1, reader2;
  std::vector<int> labels;
};

Cohort MakeCohort(int n, int p, int informative, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> z(0.0, 1.0), small(0.0, 0.05), large(0.0, 3.0);
  Eigen::MatrixXd x(n, p), x2(n, p);
  std::vector<std::string> ids, names;
  Cohort c;
  for (int i = 0; i < n; ++i) {
    c.labels.push_back(i % 3 == 0 ? 1 : 0);
    ids.push_back("case" + std::to_string(i));
    for (int j = 0; j < p; ++j) {
      x(i, j) = z(rng) + (j < informative ? 1.5 * c.labels.back() : 0.0);
      x2(i, j) = x(i, j) + (j % 2 ? large(rng) : small(rng));
    }
  }
  for (int j = 0; j < p; ++j) names.push_back("f" + std::to_string(j));
  c.reader1 = FeatureTable(ids, names, x);
  c.reader2 = FeatureTable(ids, names, x2);
  return c;
}

TEST(FitPipeline, EqualsTheStepsComposedByHand) {
  const Cohort c = MakeCohort(90, 20, 4, 3);
  PipelineSettings settings;
  settings.seed = 7;
  const FittedPipeline fit = FitPipeline("Rad", c.reader1, c.labels, &c.reader2, settings);

  namespace sel = selection;
  sel::SelectionPipeline by_hand;
  by_hand.Emplace<sel::IccFilter>(0.75);
  by_hand.Emplace<sel::VarianceFilter>();
  by_hand.Emplace<sel::StandardScaler>();
  by_hand.Emplace<sel::MannWhitneyFilter>(0.05);
  sel::LassoCvSettings cv;
  cv.folds = 10;
  cv.seed = 7;
  auto& lasso = by_hand.Emplace<sel::LassoSelector>(cv, sel::LambdaRule::kOneStandardError);
  by_hand.Fit({c.reader1, c.labels, &c.reader2});
  const sel::CompiledSelection compiled = by_hand.Compile();
  GridSearchSettings grid;
  grid.seed = 7;
  grid.base.seed = 7;
  GridSearchResult search = GridSearchSvm(compiled.Apply(c.reader1).values(), c.labels, grid);
  const GridPoint best = search.grid[search.best];
  TrainedPipeline expected("Rad", compiled, std::move(search.model));
  const std::vector<double> p = expected.PredictProbability(c.reader1);

  const FitSummary& s = fit.summary;
  EXPECT_EQ(s.selected_features, compiled.selected_features);
  EXPECT_EQ(s.lambda_rule, sel::LambdaRule::kOneStandardError);
  EXPECT_EQ(s.lambda, lasso.lambda());
  EXPECT_EQ(s.svm.c, best.c);
  EXPECT_EQ(s.svm.mean_auc, best.mean_auc);
  EXPECT_EQ(fit.pipeline.PredictProbability(c.reader1), p);
  EXPECT_EQ(s.threshold, stats::YoudenOptimal(p, c.labels).threshold);
  EXPECT_EQ(fit.pipeline.threshold(), s.threshold);
  EXPECT_EQ(s.train_auc, stats::Auc(p, c.labels));
  EXPECT_EQ(s.train_auc, s.train_decision_auc);
  EXPECT_EQ(s.candidate_features, 20u);
  std::size_t removed = 0;
  for (const auto& [step, n] : s.removed_by_step) removed += n;
  EXPECT_EQ(removed + s.selected_features.size(), 20u);
  EXPECT_GT(s.removed_by_step.at("icc"), 0u);  // the odd features are unreliable
  // The summary's text forms carry the same figures.
  EXPECT_NE(s.BriefReport().find("Rad: " + std::to_string(s.selected_features.size()) + " of 20 features"),
            std::string::npos)
      << s.BriefReport();
  const nlohmann::json j = nlohmann::json::parse(s.ToJson());
  EXPECT_EQ(j["selected_features"].size(), s.selected_features.size());
  EXPECT_EQ(j["lambda_rule"], "1se");
  EXPECT_EQ(j["svm"]["c"].get<double>(), s.svm.c);
  EXPECT_EQ(j["svm"]["calibration"], CalibrationName(s.calibration));
}

TEST(FitPipeline, WithoutASecondReaderTheIccFilterIsSkipped) {
  const Cohort c = MakeCohort(60, 10, 3, 5);
  const FittedPipeline fit = FitPipeline("DL", c.reader1, c.labels, nullptr);
  EXPECT_EQ(fit.summary.removed_by_step.count("icc"), 0u);
  EXPECT_FALSE(fit.summary.selected_features.empty());
}

TEST(FitPipeline, BadSettingsAndUnfittableDataNameTheModel) {
  const Cohort c = MakeCohort(60, 6, 0, 9);
  PipelineSettings bad;
  bad.lasso_folds = 2;
  std::string why;
  EXPECT_FALSE(bad.IsValid(&why));
  EXPECT_NE(why.find("lasso_folds"), std::string::npos);
  EXPECT_THROW(FitPipeline("Rad", c.reader1, c.labels, nullptr, bad), InvalidArgument);
  PipelineSettings strict;
  strict.mann_whitney_p = 1e-9;  // nothing passes on noise
  try {
    FitPipeline("Rad", c.reader1, c.labels, nullptr, strict);
    FAIL() << "a model was fitted on nothing";
  } catch (const selection::EmptySelectionError& e) {
    EXPECT_NE(std::string(e.what()).find("Rad model"), std::string::npos) << e.what();
  }
}


// Every settings struct of the module says what is wrong with it, and the
// function that takes it refuses it with that reason.
TEST(Settings, IsValidNamesTheProblemAndTrainingRefusesIt) {
  const Cohort c = MakeCohort(40, 4, 2, 1);
  std::string why;
  SvmSettings svm;
  svm.c = 0;
  EXPECT_FALSE(svm.IsValid(&why));
  EXPECT_NE(why.find("C must be positive"), std::string::npos);
  EXPECT_THROW(SvmClassifier(svm).Train(c.reader1.values(), c.labels), InvalidArgument);
  GridSearchSettings grid;
  grid.folds = 1;
  EXPECT_FALSE(grid.IsValid(&why));
  EXPECT_THROW(GridSearchSvm(c.reader1.values(), c.labels, grid), InvalidArgument);
  grid = {};
  grid.gamma_values = {-1};
  EXPECT_FALSE(grid.IsValid(&why));
  LogisticSettings logistic;
  logistic.l2 = -1;
  EXPECT_FALSE(logistic.IsValid(&why));
  EXPECT_THROW(LogisticRegression(logistic).Train(c.reader1.values(), c.labels), InvalidArgument);
  EXPECT_TRUE(SvmSettings().IsValid() && GridSearchSettings().IsValid() && LogisticSettings().IsValid() &&
              PipelineSettings().IsValid());
}

}  // namespace
}  // namespace lvsi::models

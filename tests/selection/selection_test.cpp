// Properties of the selection steps, the LASSO solver and the pipeline.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

#include "lvsi/selection.h"

namespace lvsi::selection {
namespace {

// n cases, p features; the first `informative` features shift with the label.
struct Synthetic {
  FeatureTable table;
  std::vector<int> labels;
};

Synthetic MakeData(int n, int p, int informative, unsigned seed, double effect = 1.5) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  Synthetic s;
  Eigen::MatrixXd x(n, p);
  std::vector<std::string> ids, names;
  for (int i = 0; i < n; ++i) {
    s.labels.push_back(i % 3 == 0 ? 1 : 0);
    ids.push_back("case" + std::to_string(i));
    for (int j = 0; j < p; ++j) x(i, j) = normal(rng) + (j < informative ? effect * s.labels.back() : 0.0);
  }
  for (int j = 0; j < p; ++j) names.push_back("f" + std::to_string(j));
  s.table = FeatureTable(ids, names, x);
  return s;
}

TEST(Lasso, SolutionSatisfiesKktConditions) {
  const Synthetic d = MakeData(80, 12, 3, 7);
  const Eigen::MatrixXd& x = d.table.values();
  const LassoPath path = FitLassoLogistic(x, d.labels);
  ASSERT_GT(path.lambda.size(), 10u);
  EXPECT_EQ(path.NonZero(0).size(), 0u);  // the first lambda keeps every coefficient at zero
  // Standardised scale: gradient of the mean log-likelihood.
  const Eigen::RowVectorXd mean = x.colwise().mean();
  Eigen::MatrixXd xs = x.rowwise() - mean;
  Eigen::VectorXd sd(x.cols());
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    sd[j] = std::sqrt(xs.col(j).squaredNorm() / static_cast<double>(x.rows()));
    xs.col(j) /= sd[j];
  }
  for (std::size_t k : {std::size_t{5}, std::size_t{20}, path.lambda.size() - 1}) {
    const Eigen::VectorXd eta = path.LinearPredictor(x, k);
    Eigen::VectorXd r(x.rows());
    for (Eigen::Index i = 0; i < x.rows(); ++i) r[i] = (d.labels[static_cast<std::size_t>(i)] - 1.0 / (1.0 + std::exp(-eta[i]))) / x.rows();
    EXPECT_NEAR(r.sum(), 0.0, 1e-9);  // intercept unpenalised
    const Eigen::VectorXd g = xs.transpose() * r;
    const double lambda = path.lambda[k];
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      const double b = path.beta(j, static_cast<Eigen::Index>(k));
      if (b == 0.0) EXPECT_LE(std::abs(g[j]), lambda * (1 + 1e-6) + 1e-7) << "k " << k << " j " << j;
      else EXPECT_NEAR(g[j], lambda * (b > 0 ? 1 : -1), 1e-6 * lambda + 1e-7) << "k " << k << " j " << j;
    }
  }
}

TEST(Lasso, StandardisationMakesUnitsIrrelevant) {
  const Synthetic d = MakeData(60, 6, 2, 3);
  Eigen::MatrixXd scaled = d.table.values();
  scaled.col(1) *= 1000.0;
  LassoSettings o;
  o.lambda = {0.05};
  const LassoPath a = FitLassoLogistic(d.table.values(), d.labels, o);
  const LassoPath b = FitLassoLogistic(scaled, d.labels, o);
  EXPECT_NEAR(b.beta(1, 0) * 1000.0, a.beta(1, 0), 1e-8);
  EXPECT_NEAR(b.intercept[0], a.intercept[0], 1e-8);
}

TEST(Lasso, CrossValidationFindsTheInformativeFeatures) {
  const Synthetic d = MakeData(150, 40, 3, 11);
  LassoCvSettings o;
  o.seed = 5;
  const LassoCvResult cv = CrossValidateLassoLogistic(d.table.values(), d.labels, o);
  EXPECT_GE(cv.lambda_1se(), cv.lambda_min());
  EXPECT_LE(cv.cvm[cv.index_1se], cv.cvm[cv.index_min] + cv.cvsd[cv.index_min]);
  std::set<std::size_t> chosen;
  for (std::size_t j : cv.path.NonZero(cv.index_1se)) chosen.insert(j);
  EXPECT_TRUE(chosen.count(0) && chosen.count(1) && chosen.count(2));
  EXPECT_LE(chosen.size(), 8u);
  // Same seed, same folds and result.
  const LassoCvResult again = CrossValidateLassoLogistic(d.table.values(), d.labels, o);
  EXPECT_EQ(again.fold_ids, cv.fold_ids);
  EXPECT_EQ(again.cvm, cv.cvm);
  // Folds run in parallel; the thread count does not change a bit.
  o.threads = 1;
  const LassoCvResult one = CrossValidateLassoLogistic(d.table.values(), d.labels, o);
  o.threads = 2;
  const LassoCvResult two = CrossValidateLassoLogistic(d.table.values(), d.labels, o);
  EXPECT_EQ(one.cvm, two.cvm);
  EXPECT_EQ(one.cvsd, two.cvsd);
  // AUC as the measure: higher is better.
  o.measure = CvMeasure::kAuc;
  const LassoCvResult by_auc = CrossValidateLassoLogistic(d.table.values(), d.labels, o);
  for (double m : by_auc.cvm) EXPECT_LE(m, by_auc.cvm[by_auc.index_min]);
}

TEST(Lasso, StratifiedFoldsBalanceTheClasses) {
  std::vector<int> y;
  for (int i = 0; i < 103; ++i) y.push_back(i < 31 ? 1 : 0);
  const std::vector<int> folds = StratifiedFolds(y, 10, 42);
  std::vector<int> pos(11, 0), all(11, 0);
  for (std::size_t i = 0; i < y.size(); ++i) {
    ASSERT_GE(folds[i], 1);
    ASSERT_LE(folds[i], 10);
    ++all[static_cast<std::size_t>(folds[i])];
    pos[static_cast<std::size_t>(folds[i])] += y[i];
  }
  for (int f = 1; f <= 10; ++f) {
    EXPECT_GE(pos[static_cast<std::size_t>(f)], 3);
    EXPECT_LE(pos[static_cast<std::size_t>(f)], 4);
    EXPECT_GE(all[static_cast<std::size_t>(f)], 10);
    EXPECT_LE(all[static_cast<std::size_t>(f)], 11);
  }
  EXPECT_EQ(StratifiedFolds(y, 10, 42), folds);
  EXPECT_NE(StratifiedFolds(y, 10, 43), folds);
}

TEST(Lasso, BadInputIsRejected) {
  const Synthetic d = MakeData(30, 4, 1, 1);
  Eigen::MatrixXd x = d.table.values();
  std::vector<int> y = d.labels;
  EXPECT_THROW(FitLassoLogistic(x, std::vector<int>(30, 1)), InvalidArgument);       // one class
  EXPECT_THROW(FitLassoLogistic(x, std::vector<int>(29, 0)), InvalidArgument);       // lengths
  std::vector<int> bad = y;
  bad[0] = 2;
  EXPECT_THROW(FitLassoLogistic(x, bad), InvalidArgument);
  Eigen::MatrixXd nan = x;
  nan(3, 2) = std::nan("");
  EXPECT_THROW(FitLassoLogistic(nan, y), InvalidArgument);
  LassoCvSettings o;
  o.folds = 40;
  EXPECT_THROW(CrossValidateLassoLogistic(x, y, o), InvalidArgument);  // fewer cases than folds
  o.folds = 10;
  o.fold_ids = std::vector<int>(30, 0);
  EXPECT_THROW(CrossValidateLassoLogistic(x, y, o), InvalidArgument);  // fold ids must start at 1
}

TEST(Scalers, FitOnTrainingApplyUnchanged) {
  const Synthetic d = MakeData(50, 3, 1, 2);
  Eigen::MatrixXd v = d.table.values();
  v.col(2).setConstant(4.0);
  const FeatureTable train(d.table.row_ids(), d.table.column_names(), v);
  StandardScaler z;
  const FeatureTable zt = z.Fit({train, d.labels}, nullptr);
  EXPECT_NEAR(zt.values().col(0).mean(), 0.0, 1e-12);
  EXPECT_NEAR(std::sqrt(zt.values().col(0).squaredNorm() / 50.0), 1.0, 1e-12);
  EXPECT_TRUE((zt.values().col(2).array() == 0.0).all());  // constant: centred, not divided by 0
  MinMaxScaler mm;
  const FeatureTable mt = mm.Fit({train, d.labels}, nullptr);
  EXPECT_DOUBLE_EQ(mt.values().col(1).minCoeff(), 0.0);
  EXPECT_DOUBLE_EQ(mt.values().col(1).maxCoeff(), 1.0);
  // New data: training parameters, not its own.
  Eigen::MatrixXd other = v.topRows(5).array() + 100.0;
  const FeatureTable test(std::vector<std::string>(train.row_ids().begin(), train.row_ids().begin() + 5),
                          train.column_names(), other);
  const FeatureTable zn = z.Transform(test);
  EXPECT_NEAR(zn.values()(0, 0), (other(0, 0) - z.mean()[0]) / z.scale()[0], 1e-12);
  EXPECT_GT(mm.Transform(test).values().col(0).minCoeff(), 1.0);
}

TEST(Filters, VarianceCorrelationAndReasons) {
  const Synthetic d = MakeData(60, 4, 2, 4);
  Eigen::MatrixXd v(60, 6);
  v.leftCols(4) = d.table.values();
  v.col(4).setConstant(1.5);
  v.col(5) = 2.0 * v.col(0).array() + 1.0;  // redundant copy of f0, equally relevant
  v(7, 3) = std::nan("");
  std::vector<std::string> names = d.table.column_names();
  names.push_back("constant");
  names.push_back("copy_of_f0");
  const FeatureTable t(d.table.row_ids(), names, v);
  std::vector<Removal> removed;
  VarianceFilter var;
  const FeatureTable after = var.Fit({t, d.labels}, &removed);
  EXPECT_EQ(after.column_names(), (std::vector<std::string>{"f0", "f1", "f2", "copy_of_f0"}));
  ASSERT_EQ(removed.size(), 2u);
  EXPECT_EQ(removed[0].feature, "f3");
  EXPECT_EQ(removed[1].reason, "constant");
  CorrelationFilter corr(0.9);
  const FeatureTable decorrelated = corr.Fit({after, d.labels}, &removed);
  EXPECT_EQ(decorrelated.cols(), 3u);
  EXPECT_EQ(removed.back().step, "correlation");
  EXPECT_TRUE(removed.back().feature == "copy_of_f0" || removed.back().feature == "f0");
}

TEST(Pipeline, FitTransformAndRecords) {
  const Synthetic d = MakeData(120, 30, 3, 9);
  Eigen::MatrixXd noisy = d.table.values();
  std::mt19937 rng(1);
  std::normal_distribution<double> small(0.0, 0.05), large(0.0, 3.0);
  for (Eigen::Index i = 0; i < noisy.rows(); ++i)
    for (Eigen::Index j = 0; j < noisy.cols(); ++j) noisy(i, j) += j % 2 ? large(rng) : small(rng);
  const FeatureTable reader2(d.table.row_ids(), d.table.column_names(), noisy);
  SelectionPipeline pipeline;
  auto& icc = pipeline.Emplace<IccFilter>(0.75);
  pipeline.Emplace<VarianceFilter>();
  pipeline.Emplace<StandardScaler>();
  auto& mw = pipeline.Emplace<MannWhitneyFilter>(0.05);
  pipeline.Emplace<LassoSelector>();
  const FeatureTable selected = pipeline.Fit({d.table, d.labels, &reader2});
  EXPECT_EQ(icc.icc().size(), 30u);
  EXPECT_FALSE(mw.p_values().empty());
  // Every input feature is either selected or removed with a reason.
  EXPECT_EQ(selected.cols() + pipeline.removals().size(), 30u);
  for (const auto& r : pipeline.removals()) EXPECT_FALSE(r.reason.empty());
  for (const auto& name : pipeline.selected_features()) {
    const int j = std::stoi(name.substr(1));
    EXPECT_EQ(j % 2, 0) << name << " has a poor ICC";
  }
  // Transform of the training table reproduces the fitted output.
  const FeatureTable again = pipeline.Transform(d.table);
  EXPECT_TRUE(again.values().isApprox(selected.values()));
  // Missing and extra features are refused with their names.
  std::vector<std::string> names = d.table.column_names();
  names[4] = "unexpected";
  const FeatureTable renamed(d.table.row_ids(), names, d.table.values());
  try {
    pipeline.Transform(renamed);
    FAIL() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("missing: f4"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("extra: unexpected"), std::string::npos) << e.what();
  }
}

// Fused models: features without a second reader (deep features) pass the
// ICC filter only when asked to, in their input order.
TEST(Pipeline, IccFilterPassesUnratedFeaturesOnRequest) {
  const Synthetic d = MakeData(80, 6, 2, 21);
  Eigen::MatrixXd noisy = d.table.values();
  std::mt19937 rng(3);
  std::normal_distribution<double> large(0.0, 5.0);
  for (Eigen::Index i = 0; i < noisy.rows(); ++i) noisy(i, 1) += large(rng);  // f1 unreliable
  const FeatureTable reader2 = FeatureTable(d.table.row_ids(), d.table.column_names(), noisy).SelectColumns({"f0", "f1", "f2"});
  std::vector<Removal> removed;
  IccFilter strict(0.75);
  EXPECT_THROW(strict.Fit({d.table, d.labels, &reader2}, &removed), InvalidArgument);
  IccFilter fused(0.75, IccForm::kIcc2, /*pass_unrated=*/true);
  const FeatureTable kept = fused.Fit({d.table, d.labels, &reader2}, &removed);
  EXPECT_EQ(kept.column_names(), (std::vector<std::string>{"f0", "f2", "f3", "f4", "f5"}));
  EXPECT_EQ(fused.icc().size(), 3u);
  EXPECT_EQ(fused.Transform(d.table).column_names(), kept.column_names());
}

// Without signal the cross-validated rules may keep nothing; the sparsest
// non-empty model of the path keeps the first feature to enter it.
TEST(Pipeline, FirstNonEmptyLambdaKeepsTheFirstFeatureToEnter) {
  const Synthetic d = MakeData(60, 8, 0, 17);
  LassoSelector first({}, LambdaRule::kFirstNonEmpty);
  std::vector<Removal> removed;
  const FeatureTable kept = first.Fit({d.table, d.labels}, &removed);
  ASSERT_GE(kept.cols(), 1u);
  const auto& path = first.cv().path;
  std::size_t k = 0;
  while (path.NonZero(k).empty()) ++k;
  EXPECT_EQ(first.lambda(), path.lambda[k]);
  EXPECT_EQ(kept.cols(), path.NonZero(k).size());
  EXPECT_LE(first.lambda(), path.lambda.front());
  EXPECT_NE(removed.front().reason.find("first non-empty"), std::string::npos);
}

// A rule list uses the first rule whose lambda keeps a feature: the same
// selection as that rule alone, and every earlier rule keeps nothing.
TEST(Pipeline, LambdaRuleListUsesTheFirstRuleThatKeepsAFeature) {
  const std::vector<LambdaRule> study{LambdaRule::kOneStandardError, LambdaRule::kMin, LambdaRule::kFirstNonEmpty};
  int fell_back = 0;
  for (unsigned seed : {17u, 18u, 19u, 20u, 5u}) {
    const Synthetic d = MakeData(60, 8, seed == 5u ? 3 : 0, seed);
    LassoSelector list({}, study);
    std::vector<Removal> removed;
    const FeatureTable kept = list.Fit({d.table, d.labels}, &removed);
    ASSERT_GE(kept.cols(), 1u);
    LassoSelector alone({}, list.rule());
    EXPECT_EQ(alone.Fit({d.table, d.labels}, &removed).column_names(), kept.column_names());
    EXPECT_EQ(alone.lambda(), list.lambda());
    for (LambdaRule earlier : study) {
      if (earlier == list.rule()) break;
      LassoSelector before({}, earlier);
      EXPECT_EQ(before.Fit({d.table, d.labels}, &removed).cols(), 0u) << LambdaRuleName(earlier);
    }
    fell_back += list.rule() != LambdaRule::kOneStandardError;
  }
  EXPECT_GT(fell_back, 0) << "no data set needed the fallback";
  EXPECT_THROW(LassoSelector({}, std::vector<LambdaRule>{}), InvalidArgument);
  EXPECT_EQ(ParseLambdaRule("first_nonempty"), LambdaRule::kFirstNonEmpty);
  EXPECT_THROW(ParseLambdaRule("2se"), InvalidArgument);
}

TEST(Pipeline, EmptySelectionIsReported) {
  const Synthetic d = MakeData(60, 5, 0, 13);  // nothing informative
  SelectionPipeline pipeline;
  pipeline.Emplace<MannWhitneyFilter>(1e-6);
  EXPECT_THROW(pipeline.Fit({d.table, d.labels}), EmptySelectionError);
  SelectionPipeline needs_reader;
  needs_reader.Emplace<IccFilter>();
  EXPECT_THROW(needs_reader.Fit({d.table, d.labels}), InvalidArgument);
  EXPECT_THROW(needs_reader.Fit({d.table, std::vector<int>(60, 0)}), InvalidArgument);
}


TEST(Settings, LassoSettingsSayWhatIsWrong) {
  const Synthetic d = MakeData(40, 5, 2, 3);
  std::string why;
  LassoSettings lasso;
  lasso.lambda = {0.1, -1};
  EXPECT_FALSE(lasso.IsValid(&why));
  EXPECT_NE(why.find("non-negative"), std::string::npos);
  EXPECT_THROW(FitLassoLogistic(d.table.values(), d.labels, lasso), InvalidArgument);
  LassoCvSettings cv;
  cv.folds = 1;
  EXPECT_FALSE(cv.IsValid(&why));
  EXPECT_THROW(CrossValidateLassoLogistic(d.table.values(), d.labels, cv), InvalidArgument);
  cv = {};
  cv.lasso.max_passes = 0;
  EXPECT_FALSE(cv.IsValid(&why));
  EXPECT_NE(why.find("max_passes"), std::string::npos);
  EXPECT_TRUE(LassoSettings().IsValid() && LassoCvSettings().IsValid());
}


// A lambda whose fit does not converge ends the path there (as glmnet's):
// reported in the result, not thrown.
TEST(Lasso, NonConvergenceIsReportedInTheResult) {
  const Synthetic d = MakeData(60, 10, 3, 9);
  LassoSettings strict;
  strict.max_passes = 1;
  strict.tolerance = 1e-30;
  const LassoPath path = FitLassoLogistic(d.table.values(), d.labels, strict);
  EXPECT_FALSE(path.converged);
  EXPECT_NE(path.note.find("did not converge"), std::string::npos) << path.note;
  EXPECT_LT(path.lambda.size(), 100u);
  EXPECT_EQ(static_cast<std::size_t>(path.beta.cols()), path.lambda.size());
  LassoCvSettings cv;
  cv.lasso = strict;
  const LassoCvResult r = CrossValidateLassoLogistic(d.table.values(), d.labels, cv);
  EXPECT_FALSE(r.converged);
  EXPECT_FALSE(r.notes.empty());
  EXPECT_TRUE(FitLassoLogistic(d.table.values(), d.labels).converged);
}

}  // namespace
}  // namespace lvsi::selection

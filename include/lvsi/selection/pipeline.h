#pragma once
/// \file
/// Feature-selection steps and the pipeline that chains them.  Every step
/// is fitted on the training cohort only and then applied unchanged to any
/// table with the same features (the validation cohort, new patients).
/// The pipeline records, for every feature it drops, the step and reason.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lvsi/core/error.h"
#include "lvsi/core/feature_table.h"
#include "lvsi/stats/statistics.h"
#include "lvsi/selection/export.h"
#include "lvsi/selection/lasso.h"

namespace lvsi::selection {

/// Thrown when fitting leaves no feature; what() names the step.  The
/// caller decides what to do (e.g. report the model as not estimable).
class LVSI_SELECTION_EXPORT EmptySelectionError : public Error {
 public:
  explicit EmptySelectionError(const std::string& what);
  ~EmptySelectionError() override;
};

/// A feature dropped during fitting, with the step and the reason
/// (e.g. "ICC(2,1) 0.612 < 0.75").
struct Removal {
  std::string feature;
  std::string step;
  std::string reason;
};

/// Training data seen by a step: the features (rows = cases), the 0/1
/// labels, and optionally the same features measured on the second
/// reader's masks (same row ids and column names) for the ICC filter.
struct TrainingData {
  const FeatureTable& features;
  const std::vector<int>& labels;
  const FeatureTable* second_reader = nullptr;
};

/// One step of a selection pipeline.
class LVSI_SELECTION_EXPORT Step {
 public:
  virtual ~Step();
  /// Short name used in removal records ("icc", "variance", ...).
  virtual std::string name() const = 0;
  /// Learns the step from `data`, appends a Removal for every feature it
  /// drops, and returns the transformed training table.
  virtual FeatureTable Fit(const TrainingData& data, std::vector<Removal>* removed) = 0;
  /// Applies the fitted step; the table must hold the features the step
  /// was fitted on (InvalidArgument lists any that are missing).
  virtual FeatureTable Transform(const FeatureTable& table) const = 0;
  /// For steps that map each feature by x -> (x - shift) / scale (the
  /// scalers): the map of `feature`.  Other steps return false.
  virtual bool AffineMap(const std::string& feature, double* shift, double* scale) const;
};

/// The ICC form used by IccFilter.
enum class IccForm { kIcc1, kIcc2, kIcc3, kIcc1k, kIcc2k, kIcc3k };

/// Keeps features whose inter-reader ICC is at least `threshold` (default
/// 0.75 with ICC(2,1): two-way random effects, absolute agreement, single
/// rater, the form recommended for inter-reader reliability by Koo and Li
/// 2016).  Needs TrainingData::second_reader.  A feature whose ICC is
/// undefined (both readers constant) is dropped.  Features the second
/// reader's table does not have (e.g. deep features next to radiomics in a
/// fused model) are an error unless `pass_unrated`, which keeps them.
class LVSI_SELECTION_EXPORT IccFilter : public Step {
 public:
  explicit IccFilter(double threshold = 0.75, IccForm form = IccForm::kIcc2, bool pass_unrated = false);
  std::string name() const override { return "icc"; }
  FeatureTable Fit(const TrainingData& data, std::vector<Removal>* removed) override;
  FeatureTable Transform(const FeatureTable& table) const override;
  /// ICC of every feature seen during Fit.
  const std::map<std::string, double>& icc() const { return icc_; }

 private:
  double threshold_;
  IccForm form_;
  bool pass_unrated_;
  std::vector<std::string> kept_;
  std::map<std::string, double> icc_;
};

/// Drops features whose variance (n - 1 denominator) over the training
/// cases is at most `threshold` (0: only constant features), and features
/// with missing (NaN) values.
class LVSI_SELECTION_EXPORT VarianceFilter : public Step {
 public:
  explicit VarianceFilter(double threshold = 0.0);
  std::string name() const override { return "variance"; }
  FeatureTable Fit(const TrainingData& data, std::vector<Removal>* removed) override;
  FeatureTable Transform(const FeatureTable& table) const override;

 private:
  double threshold_;
  std::vector<std::string> kept_;
};

/// z-score standardisation with the training mean and population SD (as
/// scikit-learn's StandardScaler); a constant feature is only centred.
class LVSI_SELECTION_EXPORT StandardScaler : public Step {
 public:
  std::string name() const override { return "zscore"; }
  FeatureTable Fit(const TrainingData& data, std::vector<Removal>* removed) override;
  FeatureTable Transform(const FeatureTable& table) const override;
  bool AffineMap(const std::string& feature, double* shift, double* scale) const override;
  const std::vector<double>& mean() const { return shift_; }
  const std::vector<double>& scale() const { return scale_; }

 private:
  std::vector<std::string> features_;
  std::vector<double> shift_, scale_;
};

/// Min-max scaling to [0, 1] with the training minimum and range (as
/// scikit-learn's MinMaxScaler; new data may fall outside [0, 1]); a
/// constant feature maps to 0.
class LVSI_SELECTION_EXPORT MinMaxScaler : public Step {
 public:
  std::string name() const override { return "minmax"; }
  FeatureTable Fit(const TrainingData& data, std::vector<Removal>* removed) override;
  FeatureTable Transform(const FeatureTable& table) const override;
  bool AffineMap(const std::string& feature, double* shift, double* scale) const override;

 private:
  std::vector<std::string> features_;
  std::vector<double> shift_, scale_;
};

/// Keeps features whose two-sided Mann-Whitney U test between the classes
/// gives p < `alpha` (wilcox.test semantics; see stats::MannWhitneyU).
class LVSI_SELECTION_EXPORT MannWhitneyFilter : public Step {
 public:
  explicit MannWhitneyFilter(double alpha = 0.05, stats::MannWhitneySettings options = {});
  std::string name() const override { return "mann_whitney"; }
  FeatureTable Fit(const TrainingData& data, std::vector<Removal>* removed) override;
  FeatureTable Transform(const FeatureTable& table) const override;
  /// p-value of every feature seen during Fit.
  const std::map<std::string, double>& p_values() const { return p_; }

 private:
  double alpha_;
  stats::MannWhitneySettings options_;
  std::vector<std::string> kept_;
  std::map<std::string, double> p_;
};

/// Redundancy filter: of two features with |Pearson r| above `threshold`,
/// keeps the more relevant one (larger |AUC - 0.5| against the labels);
/// greedy from the most relevant feature down.
class LVSI_SELECTION_EXPORT CorrelationFilter : public Step {
 public:
  explicit CorrelationFilter(double threshold = 0.9);
  std::string name() const override { return "correlation"; }
  FeatureTable Fit(const TrainingData& data, std::vector<Removal>* removed) override;
  FeatureTable Transform(const FeatureTable& table) const override;

 private:
  double threshold_;
  std::vector<std::string> kept_;
};

/// Which lambda LassoSelector uses.
enum class LambdaRule {
  kMin,               ///< lambda_min: the best cross-validated measure.
  kOneStandardError,  ///< lambda_1se: the largest lambda within one SE of the best.
  /// The largest lambda of the path with at least one non-zero coefficient
  /// (the sparsest non-empty model): a last resort when the
  /// cross-validated rules keep no feature.
  kFirstNonEmpty
};

/// "min", "1se" or "first_nonempty".
LVSI_SELECTION_EXPORT const char* LambdaRuleName(LambdaRule rule);
/// The rule of a name LambdaRuleName gives; throws InvalidArgument otherwise.
LVSI_SELECTION_EXPORT LambdaRule ParseLambdaRule(const std::string& name);

/// Keeps the features with non-zero LASSO coefficients at the lambda chosen
/// by cross-validation (default: the one-standard-error rule).  With a list
/// of rules, the first whose lambda keeps at least one feature is used (the
/// study's fallback: lambda_1se, then lambda_min, then the sparsest non-empty
/// model); rule() says which.  When none keeps a feature, Fit returns an
/// empty table (SelectionPipeline then throws EmptySelectionError).
class LVSI_SELECTION_EXPORT LassoSelector : public Step {
 public:
  explicit LassoSelector(LassoCvSettings options = {}, LambdaRule rule = LambdaRule::kOneStandardError);
  /// Throws InvalidArgument for an empty list.
  LassoSelector(LassoCvSettings options, std::vector<LambdaRule> rules);
  std::string name() const override { return "lasso"; }
  FeatureTable Fit(const TrainingData& data, std::vector<Removal>* removed) override;
  FeatureTable Transform(const FeatureTable& table) const override;
  /// Cross-validation result of the last Fit.
  const LassoCvResult& cv() const { return cv_; }
  /// Coefficients (original scale) of the kept features at the chosen lambda.
  const std::map<std::string, double>& coefficients() const { return coefficients_; }
  double lambda() const { return lambda_; }
  /// The rule that chose lambda() in the last Fit (the first of the list
  /// before any Fit).
  LambdaRule rule() const { return rule_; }

 private:
  LassoCvSettings options_;
  std::vector<LambdaRule> rules_;
  LambdaRule rule_;
  LassoCvResult cv_;
  double lambda_ = 0;
  std::vector<std::string> kept_;
  std::map<std::string, double> coefficients_;
};

/// A fitted pipeline reduced to what applying it needs: the input feature
/// names, the selected ones, and per selected feature the composed affine
/// map of the scalers, x -> (x - shift) / scale.  Equivalent to
/// SelectionPipeline::Transform (filters only drop columns), and what a
/// saved model keeps.
struct LVSI_SELECTION_EXPORT CompiledSelection {
  std::vector<std::string> input_features;
  std::vector<std::string> selected_features;
  std::vector<double> shift, scale;
  /// The selected, scaled features of `table`, which must have exactly the
  /// input features (in any order; InvalidArgument lists the missing and
  /// extra names).
  FeatureTable Apply(const FeatureTable& table) const;
};

/// Steps applied in order: Fit each on the previous step's output, then
/// Transform any table the same way.
class LVSI_SELECTION_EXPORT SelectionPipeline {
 public:
  SelectionPipeline();
  ~SelectionPipeline();
  SelectionPipeline(SelectionPipeline&&) noexcept;
  SelectionPipeline& operator=(SelectionPipeline&&) noexcept;

  /// Appends a step; returns it for further inspection after Fit.
  template <class S, class... Args>
  S& Emplace(Args&&... args) {
    auto step = std::make_unique<S>(std::forward<Args>(args)...);
    S& ref = *step;
    Add(std::move(step));
    return ref;
  }
  void Add(std::unique_ptr<Step> step);

  /// Fits every step on the training data and returns the selected table.
  /// Throws InvalidArgument for labels that are not 0/1 (or one class
  /// only), a label count different from the rows, NaN or infinite values
  /// in a feature that reaches a statistical step, and
  /// EmptySelectionError when a step leaves no feature.
  FeatureTable Fit(const TrainingData& data);
  /// Applies the fitted steps.  The table must have exactly the features
  /// the pipeline was fitted on (in any order); otherwise InvalidArgument
  /// lists the missing and the extra ones.
  FeatureTable Transform(const FeatureTable& table) const;

  /// The fitted pipeline as a CompiledSelection (throws InvalidArgument
  /// before Fit).
  CompiledSelection Compile() const;

  const std::vector<Removal>& removals() const { return removals_; }
  const std::vector<std::string>& input_features() const { return input_; }
  const std::vector<std::string>& selected_features() const { return selected_; }
  std::size_t size() const { return steps_.size(); }
  const Step& step(std::size_t i) const { return *steps_.at(i); }

 private:
  std::vector<std::unique_ptr<Step>> steps_;
  std::vector<Removal> removals_;
  std::vector<std::string> input_, selected_;
  bool fitted_ = false;
};

}  // namespace lvsi::selection

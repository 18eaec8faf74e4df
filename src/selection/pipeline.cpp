#include "lvsi/selection/pipeline.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <limits>
#include <set>

#include "lvsi/core/logging.h"
#include "lvsi/stats/roc.h"

namespace lvsi::selection {
namespace {

std::string Fixed(double v, int digits = 3) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string Sci(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

void CheckLabels(const TrainingData& data) {
  if (data.labels.size() != data.features.rows())
    throw InvalidArgument("selection: " + std::to_string(data.features.rows()) + " rows of features but " +
                          std::to_string(data.labels.size()) + " labels");
  stats::CheckBinaryLabels(data.labels, "selection");
}

void RequireFinite(const FeatureTable& table, const std::string& step) {
  const Eigen::MatrixXd& v = table.values();
  for (Eigen::Index j = 0; j < v.cols(); ++j)
    if (!v.col(j).allFinite())
      throw InvalidArgument("selection (" + step + "): feature '" + table.column_names()[static_cast<std::size_t>(j)] +
                            "' has NaN or infinite values; drop or impute it first (VarianceFilter drops such features)");
}

// Splits a column by class.
void ByClass(const Eigen::VectorXd& column, const std::vector<int>& labels, std::vector<double>* pos,
             std::vector<double>* neg) {
  pos->clear();
  neg->clear();
  for (Eigen::Index i = 0; i < column.size(); ++i) (labels[static_cast<std::size_t>(i)] ? pos : neg)->push_back(column[i]);
}

// Fits a per-column affine map x -> (x - shift) / scale and applies it.
FeatureTable ApplyAffine(const FeatureTable& table, const std::vector<std::string>& features,
                         const std::vector<double>& shift, const std::vector<double>& scale) {
  FeatureTable out = table.SelectColumns(features);
  Eigen::MatrixXd& v = out.mutable_values();
  for (Eigen::Index j = 0; j < v.cols(); ++j) {
    const auto uj = static_cast<std::size_t>(j);
    v.col(j) = (v.col(j).array() - shift[uj]) / scale[uj];
  }
  return out;
}

double IccOf(const stats::IccResult& r, IccForm form) {
  switch (form) {
    case IccForm::kIcc1: return r.icc1;
    case IccForm::kIcc2: return r.icc2;
    case IccForm::kIcc3: return r.icc3;
    case IccForm::kIcc1k: return r.icc1k;
    case IccForm::kIcc2k: return r.icc2k;
    case IccForm::kIcc3k: return r.icc3k;
  }
  return r.icc2;
}

const char* IccName(IccForm form) {
  switch (form) {
    case IccForm::kIcc1: return "ICC(1,1)";
    case IccForm::kIcc2: return "ICC(2,1)";
    case IccForm::kIcc3: return "ICC(3,1)";
    case IccForm::kIcc1k: return "ICC(1,k)";
    case IccForm::kIcc2k: return "ICC(2,k)";
    case IccForm::kIcc3k: return "ICC(3,k)";
  }
  return "ICC";
}

// Throws InvalidArgument unless `table` has exactly the features `expected`.
void RequireSameFeatures(const std::vector<std::string>& expected_names, const FeatureTable& table,
                         const std::string& who) {
  const std::set<std::string> expected(expected_names.begin(), expected_names.end());
  const std::set<std::string> given(table.column_names().begin(), table.column_names().end());
  std::vector<std::string> missing, extra;
  for (const auto& n : expected_names)
    if (!given.count(n)) missing.push_back(n);
  for (const auto& n : table.column_names())
    if (!expected.count(n)) extra.push_back(n);
  if (missing.empty() && extra.empty()) return;
  auto list = [](const std::vector<std::string>& v) {
    std::string s;
    for (std::size_t i = 0; i < v.size() && i < 20; ++i) s += (i ? ", " : "") + v[i];
    if (v.size() > 20) s += ", ... (" + std::to_string(v.size()) + " in all)";
    return s;
  };
  std::string msg = who + ": the table does not have the fitted features;";
  if (!missing.empty()) msg += " missing: " + list(missing) + ";";
  if (!extra.empty()) msg += " extra: " + list(extra) + ";";
  throw InvalidArgument(msg);
}

}  // namespace

EmptySelectionError::EmptySelectionError(const std::string& what) : Error(what) {}
EmptySelectionError::~EmptySelectionError() = default;
Step::~Step() = default;
bool Step::AffineMap(const std::string&, double*, double*) const { return false; }

namespace {
bool FindAffine(const std::vector<std::string>& features, const std::vector<double>& shift,
                const std::vector<double>& scale, const std::string& feature, double* s, double* k) {
  const auto it = std::find(features.begin(), features.end(), feature);
  if (it == features.end()) return false;
  const auto j = static_cast<std::size_t>(it - features.begin());
  *s = shift[j];
  *k = scale[j];
  return true;
}
}  // namespace

bool StandardScaler::AffineMap(const std::string& feature, double* shift, double* scale) const {
  return FindAffine(features_, shift_, scale_, feature, shift, scale);
}

bool MinMaxScaler::AffineMap(const std::string& feature, double* shift, double* scale) const {
  return FindAffine(features_, shift_, scale_, feature, shift, scale);
}

// ---- IccFilter ----------------------------------------------------------

IccFilter::IccFilter(double threshold, IccForm form, bool pass_unrated)
    : threshold_(threshold), form_(form), pass_unrated_(pass_unrated) {
  if (!(threshold >= -1 && threshold <= 1)) throw InvalidArgument("IccFilter: threshold must lie in [-1, 1]");
}

FeatureTable IccFilter::Fit(const TrainingData& data, std::vector<Removal>* removed) {
  if (data.second_reader == nullptr)
    throw InvalidArgument("IccFilter: the second reader's features are needed (TrainingData::second_reader)");
  // Features the second reader has are rated; the others pass or fail.
  std::vector<std::string> rated, unrated;
  for (const auto& name : data.features.column_names())
    (data.second_reader->FindColumn(name) ? rated : unrated).push_back(name);
  if (!unrated.empty() && !pass_unrated_)
    throw InvalidArgument("IccFilter: " + std::to_string(unrated.size()) +
                          " feature(s) missing from the second reader's table, e.g. " + unrated.front());
  const FeatureTable a = data.features.SelectColumns(rated);
  // Second reader: same cases (by id) and features (by name).
  std::vector<std::size_t> rows;
  std::vector<std::string> missing_rows;
  for (const auto& id : a.row_ids()) {
    const auto r = data.second_reader->FindRow(id);
    if (r) rows.push_back(*r);
    else missing_rows.push_back(id);
  }
  if (!missing_rows.empty()) {
    std::string list;
    for (std::size_t i = 0; i < missing_rows.size() && i < 10; ++i) list += (i ? ", " : "") + missing_rows[i];
    throw InvalidArgument("IccFilter: " + std::to_string(missing_rows.size()) +
                          " case(s) have no second-reader features: " + list);
  }
  const FeatureTable b = data.second_reader->SelectRows(rows).SelectColumns(a.column_names());
  RequireFinite(a, "icc");
  RequireFinite(b, "icc");
  kept_.clear();
  icc_.clear();
  std::vector<std::vector<double>> ratings(a.rows(), std::vector<double>(2));
  for (std::size_t j = 0; j < a.cols(); ++j) {
    const auto cj = static_cast<Eigen::Index>(j);
    for (std::size_t i = 0; i < a.rows(); ++i) {
      ratings[i][0] = a.values()(static_cast<Eigen::Index>(i), cj);
      ratings[i][1] = b.values()(static_cast<Eigen::Index>(i), cj);
    }
    double icc = std::numeric_limits<double>::quiet_NaN();
    try {
      icc = IccOf(stats::IntraclassCorrelation(ratings), form_);
    } catch (const InvalidArgument&) {
      // Fewer than two cases: left NaN, reported below.
    }
    const std::string& name = a.column_names()[j];
    icc_[name] = icc;
    if (std::isfinite(icc) && icc >= threshold_) {
      kept_.push_back(name);
    } else if (removed) {
      removed->push_back({name, this->name(),
                          std::isfinite(icc) ? std::string(IccName(form_)) + " " + Fixed(icc) + " < " + Fixed(threshold_, 2)
                                             : std::string(IccName(form_)) + " undefined (no variation)"});
    }
  }
  if (!unrated.empty()) {  // kept in the input's column order
    const std::set<std::string> keep(kept_.begin(), kept_.end()), pass(unrated.begin(), unrated.end());
    kept_.clear();
    for (const auto& name : data.features.column_names())
      if (keep.count(name) || pass.count(name)) kept_.push_back(name);
  }
  return data.features.SelectColumns(kept_);
}

FeatureTable IccFilter::Transform(const FeatureTable& table) const { return table.SelectColumns(kept_); }

// ---- VarianceFilter -----------------------------------------------------

VarianceFilter::VarianceFilter(double threshold) : threshold_(threshold) {
  if (!(threshold >= 0)) throw InvalidArgument("VarianceFilter: threshold must be >= 0");
}

FeatureTable VarianceFilter::Fit(const TrainingData& data, std::vector<Removal>* removed) {
  const FeatureTable& t = data.features;
  kept_.clear();
  const double n = static_cast<double>(t.rows());
  for (std::size_t j = 0; j < t.cols(); ++j) {
    const Eigen::VectorXd c = t.values().col(static_cast<Eigen::Index>(j));
    const std::string& name = t.column_names()[j];
    if (!c.allFinite()) {
      if (removed) removed->push_back({name, this->name(), "missing or infinite values"});
      continue;
    }
    const double var = n > 1 ? (c.array() - c.mean()).square().sum() / (n - 1) : 0.0;
    // Relative guard: a column of one repeated value can show rounding-level variance.
    const bool constant = (c.array() == c[0]).all();
    if (!constant && var > threshold_) {
      kept_.push_back(name);
    } else if (removed) {
      removed->push_back({name, this->name(), constant ? "constant" : "variance " + Sci(var) + " <= " + Sci(threshold_)});
    }
  }
  return t.SelectColumns(kept_);
}

FeatureTable VarianceFilter::Transform(const FeatureTable& table) const { return table.SelectColumns(kept_); }

// ---- Scalers ------------------------------------------------------------

namespace {
// Fits x -> (x - shift) / scale per column with `fit(column, &shift, &scale)`
// (a zero scale becomes 1, so constant features are only shifted) and
// returns the scaled table.
template <class Fit>
FeatureTable FitAffine(const FeatureTable& t, const std::string& step, Fit fit, std::vector<std::string>* features,
                       std::vector<double>* shift, std::vector<double>* scale) {
  RequireFinite(t, step);
  *features = t.column_names();
  shift->assign(t.cols(), 0.0);
  scale->assign(t.cols(), 1.0);
  for (std::size_t j = 0; j < t.cols(); ++j) {
    fit(t.values().col(static_cast<Eigen::Index>(j)), &(*shift)[j], &(*scale)[j]);
    if (!((*scale)[j] > 0)) (*scale)[j] = 1.0;
  }
  return ApplyAffine(t, *features, *shift, *scale);
}
}  // namespace

FeatureTable StandardScaler::Fit(const TrainingData& data, std::vector<Removal>*) {
  auto mean_sd = [](const Eigen::VectorXd& c, double* shift, double* scale) {
    *shift = c.mean();
    *scale = std::sqrt((c.array() - *shift).square().mean());
  };
  return FitAffine(data.features, name(), mean_sd, &features_, &shift_, &scale_);
}

FeatureTable StandardScaler::Transform(const FeatureTable& table) const {
  return ApplyAffine(table, features_, shift_, scale_);
}

FeatureTable MinMaxScaler::Fit(const TrainingData& data, std::vector<Removal>*) {
  auto min_range = [](const Eigen::VectorXd& c, double* shift, double* scale) {
    *shift = c.minCoeff();
    *scale = c.maxCoeff() - *shift;
  };
  return FitAffine(data.features, name(), min_range, &features_, &shift_, &scale_);
}

FeatureTable MinMaxScaler::Transform(const FeatureTable& table) const {
  return ApplyAffine(table, features_, shift_, scale_);
}

// ---- MannWhitneyFilter --------------------------------------------------

MannWhitneyFilter::MannWhitneyFilter(double alpha, stats::MannWhitneySettings options)
    : alpha_(alpha), options_(options) {
  if (!(alpha > 0 && alpha <= 1)) throw InvalidArgument("MannWhitneyFilter: alpha must lie in (0, 1]");
}

FeatureTable MannWhitneyFilter::Fit(const TrainingData& data, std::vector<Removal>* removed) {
  const FeatureTable& t = data.features;
  RequireFinite(t, name());
  kept_.clear();
  p_.clear();
  std::vector<double> pos, neg;
  for (std::size_t j = 0; j < t.cols(); ++j) {
    ByClass(t.values().col(static_cast<Eigen::Index>(j)), data.labels, &pos, &neg);
    double p = 1.0;
    const bool constant = std::all_of(pos.begin(), pos.end(), [&](double v) { return v == pos[0]; }) &&
                          std::all_of(neg.begin(), neg.end(), [&](double v) { return v == pos[0]; });
    if (!constant) p = stats::MannWhitneyU(pos, neg, options_).p;
    const std::string& name = t.column_names()[j];
    p_[name] = p;
    if (p < alpha_) kept_.push_back(name);
    else if (removed) removed->push_back({name, this->name(), "p " + Sci(p) + " >= " + Sci(alpha_)});
  }
  return t.SelectColumns(kept_);
}

FeatureTable MannWhitneyFilter::Transform(const FeatureTable& table) const { return table.SelectColumns(kept_); }

// ---- CorrelationFilter --------------------------------------------------

CorrelationFilter::CorrelationFilter(double threshold) : threshold_(threshold) {
  if (!(threshold > 0 && threshold <= 1)) throw InvalidArgument("CorrelationFilter: threshold must lie in (0, 1]");
}

FeatureTable CorrelationFilter::Fit(const TrainingData& data, std::vector<Removal>* removed) {
  const FeatureTable& t = data.features;
  RequireFinite(t, name());
  const Eigen::Index p = static_cast<Eigen::Index>(t.cols());
  // Centred, unit-norm columns: correlations are dot products.
  Eigen::MatrixXd z = t.values().rowwise() - t.values().colwise().mean();
  std::vector<double> relevance(t.cols());
  for (Eigen::Index j = 0; j < p; ++j) {
    const double norm = z.col(j).norm();
    if (norm > 0) z.col(j) /= norm;
    const Eigen::VectorXd c = t.values().col(j);
    relevance[static_cast<std::size_t>(j)] =
        std::abs(stats::Auc(std::vector<double>(c.data(), c.data() + c.size()), data.labels) - 0.5);
  }
  std::vector<std::size_t> order(t.cols());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return relevance[a] > relevance[b]; });
  std::vector<std::size_t> kept_idx;
  for (std::size_t j : order) {
    const auto cj = static_cast<Eigen::Index>(j);
    bool redundant = false;
    for (std::size_t k : kept_idx) {
      const double r = z.col(cj).dot(z.col(static_cast<Eigen::Index>(k)));
      if (std::abs(r) > threshold_) {
        redundant = true;
        if (removed)
          removed->push_back({t.column_names()[j], name(),
                              "|r| " + Fixed(std::abs(r)) + " > " + Fixed(threshold_, 2) + " with " + t.column_names()[k]});
        break;
      }
    }
    if (!redundant) kept_idx.push_back(j);
  }
  std::sort(kept_idx.begin(), kept_idx.end());  // keep the input order
  kept_.clear();
  for (std::size_t j : kept_idx) kept_.push_back(t.column_names()[j]);
  return t.SelectColumns(kept_);
}

FeatureTable CorrelationFilter::Transform(const FeatureTable& table) const { return table.SelectColumns(kept_); }

// ---- LassoSelector ------------------------------------------------------

const char* LambdaRuleName(LambdaRule rule) {
  switch (rule) {
    case LambdaRule::kMin: return "min";
    case LambdaRule::kOneStandardError: return "1se";
    case LambdaRule::kFirstNonEmpty: return "first_nonempty";
  }
  return "1se";
}

LambdaRule ParseLambdaRule(const std::string& name) {
  for (LambdaRule r : {LambdaRule::kMin, LambdaRule::kOneStandardError, LambdaRule::kFirstNonEmpty})
    if (name == LambdaRuleName(r)) return r;
  throw InvalidArgument("unknown lambda rule '" + name + "' (min, 1se or first_nonempty)");
}

LassoSelector::LassoSelector(LassoCvSettings options, LambdaRule rule)
    : LassoSelector(std::move(options), std::vector<LambdaRule>{rule}) {}

LassoSelector::LassoSelector(LassoCvSettings options, std::vector<LambdaRule> rules)
    : options_(std::move(options)), rules_(std::move(rules)) {
  if (rules_.empty()) throw InvalidArgument("LassoSelector: no lambda rule");
  rule_ = rules_.front();
}

FeatureTable LassoSelector::Fit(const TrainingData& data, std::vector<Removal>* removed) {
  const FeatureTable& t = data.features;
  RequireFinite(t, name());
  cv_ = CrossValidateLassoLogistic(t.values(), data.labels, options_);
  // The path index each rule chooses; the first rule that keeps a feature wins.
  auto index_of = [&](LambdaRule rule) {
    if (rule == LambdaRule::kMin) return cv_.index_min;
    if (rule == LambdaRule::kOneStandardError) return cv_.index_1se;
    for (std::size_t i = 0; i < cv_.path.lambda.size(); ++i)
      if (!cv_.path.NonZero(i).empty()) return i;
    return cv_.path.lambda.size() - 1;
  };
  rule_ = rules_.back();
  std::size_t k = index_of(rule_);
  for (LambdaRule rule : rules_)
    if (!cv_.path.NonZero(index_of(rule)).empty()) {
      rule_ = rule;
      k = index_of(rule);
      break;
    }
  if (rule_ != rules_.front())
    Log(LogLevel::kInfo, std::string("selection: lasso with lambda ") + LambdaRuleName(rules_.front()) +
                             " keeps no feature; lambda " + LambdaRuleName(rule_) + " used");
  lambda_ = cv_.path.lambda[k];
  kept_.clear();
  coefficients_.clear();
  const std::vector<std::size_t> nonzero = cv_.path.NonZero(k);
  std::set<std::size_t> chosen(nonzero.begin(), nonzero.end());
  for (std::size_t j = 0; j < t.cols(); ++j) {
    const std::string& name = t.column_names()[j];
    if (chosen.count(j)) {
      kept_.push_back(name);
      coefficients_[name] = cv_.path.beta(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(k));
    } else if (removed) {
      removed->push_back({name, this->name(),
                          std::string("zero coefficient at lambda ") + Sci(lambda_) +
                              (rule_ == LambdaRule::kMin                 ? " (lambda_min)"
                               : rule_ == LambdaRule::kOneStandardError ? " (lambda_1se)"
                                                                         : " (first non-empty lambda)")});
    }
  }
  return t.SelectColumns(kept_);
}

FeatureTable LassoSelector::Transform(const FeatureTable& table) const { return table.SelectColumns(kept_); }

// ---- SelectionPipeline --------------------------------------------------

SelectionPipeline::SelectionPipeline() = default;
SelectionPipeline::~SelectionPipeline() = default;
SelectionPipeline::SelectionPipeline(SelectionPipeline&&) noexcept = default;
SelectionPipeline& SelectionPipeline::operator=(SelectionPipeline&&) noexcept = default;

void SelectionPipeline::Add(std::unique_ptr<Step> step) {
  if (!step) throw InvalidArgument("SelectionPipeline: null step");
  steps_.push_back(std::move(step));
  fitted_ = false;
}

FeatureTable SelectionPipeline::Fit(const TrainingData& data) {
  CheckLabels(data);
  removals_.clear();
  input_ = data.features.column_names();
  FeatureTable current = data.features;
  // The second reader's table follows the columns the first one keeps.
  for (const auto& step : steps_) {
    TrainingData stage{current, data.labels, data.second_reader};
    current = step->Fit(stage, &removals_);
    Log(LogLevel::kInfo, "selection: " + step->name() + " kept " + std::to_string(current.cols()) + " feature(s)");
    if (current.cols() == 0)
      throw EmptySelectionError("selection: step '" + step->name() + "' removed every remaining feature (" +
                                std::to_string(removals_.size()) + " removed in all)");
  }
  selected_ = current.column_names();
  fitted_ = true;
  return current;
}

FeatureTable SelectionPipeline::Transform(const FeatureTable& table) const {
  if (!fitted_) throw InvalidArgument("SelectionPipeline: Transform before Fit");
  RequireSameFeatures(input_, table, "SelectionPipeline");
  FeatureTable current = table.SelectColumns(input_);
  for (const auto& step : steps_) current = step->Transform(current);
  return current;
}

CompiledSelection SelectionPipeline::Compile() const {
  if (!fitted_) throw InvalidArgument("SelectionPipeline: Compile before Fit");
  CompiledSelection c;
  c.input_features = input_;
  c.selected_features = selected_;
  for (const auto& feature : selected_) {
    // (((x - a1) / b1) - a2) / b2 = (x - (a1 + a2 b1)) / (b1 b2)
    double shift = 0, scale = 1;
    for (const auto& step : steps_) {
      double a = 0, b = 1;
      if (step->AffineMap(feature, &a, &b)) {
        shift += a * scale;
        scale *= b;
      }
    }
    c.shift.push_back(shift);
    c.scale.push_back(scale);
  }
  return c;
}

FeatureTable CompiledSelection::Apply(const FeatureTable& table) const {
  RequireSameFeatures(input_features, table, "model");
  return ApplyAffine(table, selected_features, shift, scale);
}

}  // namespace lvsi::selection

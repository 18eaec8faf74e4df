#include "lvsi/models/svm.h"

#include <svm.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <numeric>
#include <tuple>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/core/logging.h"
#include "lvsi/core/parallel.h"
#include "lvsi/stats/roc.h"
#include "lvsi/stats/statistics.h"
#include "lvsi/selection/lasso.h"
#include "lvsi/version.h"
#include "detail/model_file.h"

namespace lvsi::models {
namespace {

constexpr const char* kFormat = "lvsi-svm";
// Version 2 stores the calibration oriented to class 1 ("calibration");
// version 1 (lvsi 0.1) stored libsvm's probA/probB ("platt").
constexpr int kFormatVersion = 2;
constexpr int kOldestFormatVersion = 1;

// libsvm keeps its random generator (rand) and print function global.
std::mutex& LibsvmMutex() {
  static std::mutex m;
  return m;
}

void Quiet(const char*) {}

void CheckData(const Eigen::MatrixXd& x, const std::vector<int>& y) {
  stats::CheckTrainingData(x, y, "SVM");
  if (x.cols() == 0) throw InvalidArgument("SVM: no features");
}

// P(class 1 | f) = 1 / (1 + exp(a f + b)), without overflow.
double Sigmoid(double f, double a, double b) {
  const double z = a * f + b;
  if (z >= 0) {
    const double e = std::exp(-z);
    return e / (1.0 + e);
  }
  return 1.0 / (1.0 + std::exp(z));
}

// Platt's targets: 0/1 labels smoothed towards the class frequencies
// ((N+ + 1) / (N+ + 2) for positives, 1 / (N- + 2) for negatives).
std::vector<double> PlattTargets(const std::vector<int>& y) {
  const double pos = static_cast<double>(std::count(y.begin(), y.end(), 1));
  const double neg = static_cast<double>(y.size()) - pos;
  std::vector<double> t(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) t[i] = y[i] == 1 ? (pos + 1) / (pos + 2) : 1 / (neg + 2);
  return t;
}

// Cross-entropy of the sigmoid (a, b) against targets t, written so that it
// neither overflows nor loses the small terms: sum log(1 + e^z) - (1 - t) z.
double PlattLoss(const std::vector<double>& f, const std::vector<double>& t, double a, double b) {
  double loss = 0;
  for (std::size_t i = 0; i < f.size(); ++i) {
    const double z = a * f[i] + b;
    loss += (z >= 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z))) - (1 - t[i]) * z;
  }
  return loss;
}

// Platt's sigmoid fitted by maximum likelihood on decision values: Newton's
// method with a backtracking line search and a tiny ridge on the Hessian (the
// algorithm of Lin, Lin & Weng 2007, "A note on Platt's probabilistic outputs
// for support vector machines"), on the values standardised to mean 0 and
// SD 1, so that decision values bunched far from 0 (as a degenerate model
// gives) start the search near the optimum.  Returns (a, b) for the original
// values.  `standard_slope`: the slope on the standardised values is fixed
// there and only b is fitted.
std::pair<double, double> FitSigmoid(const std::vector<double>& decision, const std::vector<int>& y,
                                     const double* standard_slope = nullptr) {
  double mean = 0, var = 0;
  for (double v : decision) mean += v / static_cast<double>(decision.size());
  for (double v : decision) var += (v - mean) * (v - mean) / static_cast<double>(decision.size());
  const double sd = var > 0 ? std::sqrt(var) : 1.0;
  std::vector<double> f(decision.size());
  for (std::size_t i = 0; i < f.size(); ++i) f[i] = (decision[i] - mean) / sd;
  const std::vector<double> t = PlattTargets(y);
  const double pos = static_cast<double>(std::count(y.begin(), y.end(), 1));
  const double neg = static_cast<double>(y.size()) - pos;
  const bool fixed = standard_slope != nullptr;
  double a = fixed ? *standard_slope : 0.0;
  double b = std::log((neg + 1) / (pos + 1));
  double loss = PlattLoss(f, t, a, b);
  constexpr double kRidge = 1e-12, kMinStep = 1e-10, kGradientTolerance = 1e-5;
  for (int iteration = 0; iteration < 100; ++iteration) {
    // Gradient and Hessian of the loss; p = P(class 1), d(loss)/dz = t - p.
    double haa = kRidge, hbb = kRidge, hab = 0, ga = 0, gb = 0;
    for (std::size_t i = 0; i < f.size(); ++i) {
      const double p = Sigmoid(f[i], a, b);
      const double w = p * (1 - p);
      haa += f[i] * f[i] * w;
      hbb += w;
      hab += f[i] * w;
      ga += f[i] * (t[i] - p);
      gb += t[i] - p;
    }
    if (fixed) ga = 0, haa = 1, hab = 0;
    if (std::abs(ga) < kGradientTolerance && std::abs(gb) < kGradientTolerance) break;
    const double det = haa * hbb - hab * hab;
    const double da = -(hbb * ga - hab * gb) / det;
    const double db = -(-hab * ga + haa * gb) / det;
    const double slope = ga * da + gb * db;  // directional derivative (negative)
    double step = 1;
    while (step >= kMinStep) {
      const double next = PlattLoss(f, t, a + step * da, b + step * db);
      if (next < loss + 1e-4 * step * slope) {
        a += step * da;
        b += step * db;
        loss = next;
        break;
      }
      step /= 2;
    }
    if (step < kMinStep) break;  // no descent possible: at the optimum within rounding
  }
  return {a / sd, b - a * mean / sd};
}

// Dense row as libsvm nodes (1-based indices, terminated by -1).
void RowNodes(const Eigen::MatrixXd& x, Eigen::Index i, std::vector<svm_node>* nodes) {
  nodes->resize(static_cast<std::size_t>(x.cols()) + 1);
  for (Eigen::Index j = 0; j < x.cols(); ++j) (*nodes)[static_cast<std::size_t>(j)] = {static_cast<int>(j + 1), x(i, j)};
  nodes->back() = {-1, 0.0};
}

}  // namespace

// The trained model in lvsi's own storage (exact doubles, so a saved and
// reloaded model predicts bit for bit the same), with an svm_model view
// for libsvm's prediction functions.
struct SvmClassifier::Impl {
  int kernel_type = RBF;
  double gamma = 0;
  std::size_t dims = 0;
  std::vector<double> sv;      // l x dims, row-major
  std::vector<double> coef;    // l
  double rho = 0;
  bool has_probability = false;
  // libsvm's Platt parameters (probA, probB), kept for the model file and
  // the calibration's choice; lvsi's probabilities come from the class-1
  // sigmoid (sig_a, sig_b), so the libsvm view below carries none.
  double prob_a = 0, prob_b = 0;
  SvmCalibration calibration = SvmCalibration::kNone;
  double sig_a = 0, sig_b = 0;
  double bound_positive = 0, bound_negative = 0;  // C times the class weights
  int label[2] = {0, 1};
  int n_sv[2] = {0, 0};

  // libsvm view
  std::vector<svm_node> nodes;
  std::vector<svm_node*> rows;
  double* coef_rows[1] = {nullptr};
  svm_model view{};

  void BuildView() {
    const std::size_t l = coef.size();
    nodes.assign(l * (dims + 1), svm_node{-1, 0.0});
    rows.assign(l, nullptr);
    for (std::size_t k = 0; k < l; ++k) {
      for (std::size_t j = 0; j < dims; ++j) nodes[k * (dims + 1) + j] = {static_cast<int>(j + 1), sv[k * dims + j]};
      rows[k] = &nodes[k * (dims + 1)];
    }
    coef_rows[0] = coef.data();
    view = svm_model{};
    view.param.svm_type = C_SVC;
    view.param.kernel_type = kernel_type;
    view.param.gamma = gamma;
    view.param.degree = 3;
    view.param.coef0 = 0;
    view.nr_class = 2;
    view.l = static_cast<int>(l);
    view.SV = rows.data();
    view.sv_coef = coef_rows;
    view.rho = &rho;
    view.probA = nullptr;  // only svm_predict_values reads the view
    view.probB = nullptr;
    view.sv_indices = nullptr;
    view.label = label;
    view.nSV = n_sv;
    view.free_sv = 0;
  }

  // Score of class 1 for one row.
  double Decision(const std::vector<svm_node>& row) const {
    double dec = 0;
    svm_predict_values(&view, row.data(), &dec);
    return label[0] == 1 ? dec : -dec;
  }

  // libsvm's sigmoid gives P(label[0]) of the label[0]-oriented decision
  // value; as P(class 1) of the class-1 decision value f its slope is probA
  // either way and its intercept changes sign when label[0] is 0.
  void SigmoidFromLibsvm() {
    sig_a = prob_a;
    sig_b = label[0] == 1 ? prob_b : -prob_b;
  }

  // Coefficients strictly inside (0, bound): the first n_sv[0] support
  // vectors belong to label[0].
  std::size_t FreeSupportVectors() const {
    std::size_t free = 0;
    for (std::size_t k = 0; k < coef.size(); ++k) {
      const int cls = k < static_cast<std::size_t>(n_sv[0]) ? label[0] : label[1];
      const double bound = cls == 1 ? bound_positive : bound_negative;
      if (std::abs(coef[k]) < bound * (1 - 1e-12)) ++free;
    }
    return free;
  }
};

const char* CalibrationName(SvmCalibration calibration) {
  switch (calibration) {
    case SvmCalibration::kNone: return "none";
    case SvmCalibration::kPlattCv: return "platt-cv";
    case SvmCalibration::kPlattTraining: return "platt-training";
    case SvmCalibration::kFixedSlope: return "fixed-slope";
    case SvmCalibration::kReversed: return "reversed";
  }
  return "none";
}

SvmClassifier::SvmClassifier(SvmSettings options) : options_(options) {}
SvmClassifier::~SvmClassifier() = default;
SvmClassifier::SvmClassifier(SvmClassifier&&) noexcept = default;
SvmClassifier& SvmClassifier::operator=(SvmClassifier&&) noexcept = default;

bool SvmClassifier::trained() const { return impl_ != nullptr; }
std::size_t SvmClassifier::support_vectors() const { return impl_ ? impl_->coef.size() : 0; }
std::size_t SvmClassifier::free_support_vectors() const { return impl_ ? impl_->FreeSupportVectors() : 0; }
SvmCalibration SvmClassifier::calibration() const { return impl_ ? impl_->calibration : SvmCalibration::kNone; }
double SvmClassifier::sigmoid_slope() const { return impl_ ? impl_->sig_a : 0.0; }
double SvmClassifier::sigmoid_intercept() const { return impl_ ? impl_->sig_b : 0.0; }

bool SvmSettings::IsValid(std::string* why) const {
  if (!(c > 0) || !std::isfinite(c)) return Invalid(why, "C must be positive");
  if (!std::isfinite(gamma)) return Invalid(why, "gamma must be finite (<= 0: \"scale\")");
  if (!(weight_positive > 0 && weight_negative > 0) || !std::isfinite(weight_positive) ||
      !std::isfinite(weight_negative))
    return Invalid(why, "class weights must be positive");
  if (!(tolerance > 0)) return Invalid(why, "tolerance must be positive");
  if (!(cache_mb > 0)) return Invalid(why, "cache_mb must be positive");
  return true;
}

bool GridSearchSettings::IsValid(std::string* why) const {
  std::string base_why;
  if (!base.IsValid(&base_why)) return Invalid(why, base_why);
  if (c_values.empty()) return Invalid(why, "no C values");
  for (double c : c_values)
    if (!(c > 0) || !std::isfinite(c)) return Invalid(why, "every C value must be positive and finite");
  for (double g : gamma_values)
    if (!(g > 0) || !std::isfinite(g)) return Invalid(why, "every gamma value must be positive and finite");
  if (folds < 2) return Invalid(why, "folds must be at least 2");
  if (threads < 0) return Invalid(why, "threads must not be negative");
  return true;
}

void SvmClassifier::Train(const Eigen::MatrixXd& x, const std::vector<int>& y) {
  CheckData(x, y);
  CheckValid(options_, "SVM");
  double gamma = options_.gamma;
  if (!(gamma > 0)) {
    const double mean = x.mean();
    const double var = (x.array() - mean).square().mean();
    gamma = var > 0 ? 1.0 / (static_cast<double>(x.cols()) * var) : 1.0;
  }
  // Problem in libsvm's layout.
  const auto n = static_cast<std::size_t>(x.rows()), p = static_cast<std::size_t>(x.cols());
  std::vector<svm_node> storage(n * (p + 1));
  std::vector<svm_node*> rows(n);
  std::vector<double> labels(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < p; ++j)
      storage[i * (p + 1) + j] = {static_cast<int>(j + 1), x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j))};
    storage[i * (p + 1) + p] = {-1, 0.0};
    rows[i] = &storage[i * (p + 1)];
    labels[i] = y[i];
  }
  svm_problem problem{static_cast<int>(n), labels.data(), rows.data()};
  int weight_label[2] = {1, 0};
  double weight[2] = {options_.weight_positive, options_.weight_negative};
  svm_parameter param{};
  param.svm_type = C_SVC;
  param.kernel_type = options_.kernel == SvmKernel::kRbf ? RBF : LINEAR;
  param.degree = 3;
  param.gamma = gamma;
  param.coef0 = 0;
  param.cache_size = options_.cache_mb;
  param.eps = options_.tolerance;
  param.C = options_.c;
  param.nr_weight = 2;
  param.weight_label = weight_label;
  param.weight = weight;
  param.shrinking = 1;
  param.probability = options_.probability ? 1 : 0;
  if (const char* err = svm_check_parameter(&problem, &param)) throw InvalidArgument(std::string("SVM: ") + err);

  auto impl = std::make_unique<Impl>();
  {
    std::lock_guard<std::mutex> lock(LibsvmMutex());
    svm_set_print_string_function(&Quiet);
    std::srand(options_.seed);
    svm_model* model = svm_train(&problem, &param);
    if (model == nullptr) throw ModelError("SVM: libsvm training failed");
    impl->kernel_type = param.kernel_type;
    impl->gamma = gamma;
    impl->dims = p;
    impl->label[0] = model->label[0];
    impl->label[1] = model->label[1];
    impl->n_sv[0] = model->nSV[0];
    impl->n_sv[1] = model->nSV[1];
    impl->rho = model->rho[0];
    impl->has_probability = model->probA != nullptr && model->probB != nullptr;
    if (impl->has_probability) {
      impl->prob_a = model->probA[0];
      impl->prob_b = model->probB[0];
    }
    impl->bound_positive = options_.c * options_.weight_positive;
    impl->bound_negative = options_.c * options_.weight_negative;
    const auto l = static_cast<std::size_t>(model->l);
    impl->coef.assign(model->sv_coef[0], model->sv_coef[0] + l);
    impl->sv.assign(l * p, 0.0);
    for (std::size_t k = 0; k < l; ++k)
      for (const svm_node* node = model->SV[k]; node->index != -1; ++node)
        impl->sv[k * p + static_cast<std::size_t>(node->index - 1)] = node->value;
    svm_free_and_destroy_model(&model);
  }
  impl->BuildView();
  impl_ = std::move(impl);
  gamma_used_ = gamma;
  features_ = p;
  if (impl_->has_probability) Calibrate(x, y);
}

// Probabilities must rank cases as the decision values do.  libsvm's Platt
// sigmoid is fitted on decision values of its internal 5-fold
// cross-validation; when C is so small that every case is a bound support
// vector, leaving a case out lowers its own class's score, those values run
// against the labels and the sigmoid comes out decreasing.  Then Platt's fit
// is made on the training decision values, which rank the classes as the
// model does; if even they do not (training AUC <= 0.5), the slope is fixed
// at -1 / SD and only the intercept fitted.
void SvmClassifier::Calibrate(const Eigen::MatrixXd& x, const std::vector<int>& y) {
  Impl& m = *impl_;
  m.SigmoidFromLibsvm();
  if (m.sig_a < 0) {
    m.calibration = SvmCalibration::kPlattCv;
    return;
  }
  const std::string what =
      (m.kernel_type == RBF ? "RBF SVM (C = " + FormatDouble(options_.c) + ", gamma = " + FormatDouble(m.gamma)
                            : "linear SVM (C = " + FormatDouble(options_.c)) +
      ", " + std::to_string(m.FreeSupportVectors()) + " of " + std::to_string(m.coef.size()) +
      " support vectors free)";
  const double libsvm_slope = m.sig_a;
  const std::vector<double> f = DecisionValues(x);
  const auto [a, b] = FitSigmoid(f, y);
  if (a < 0) {
    m.calibration = SvmCalibration::kPlattTraining;
    m.sig_a = a, m.sig_b = b;
    Log(LogLevel::kWarning, what + ": libsvm's cross-validated Platt sigmoid decreases with the decision value (slope " +
                                FormatDouble(libsvm_slope) +
                                "); probabilities calibrated on the training decision values instead");
    return;
  }
  const double unit = -1;
  m.calibration = SvmCalibration::kFixedSlope;
  std::tie(m.sig_a, m.sig_b) = FitSigmoid(f, y, &unit);
  Log(LogLevel::kWarning, what + ": neither libsvm's Platt sigmoid nor one fitted on the training decision values "
                                 "increases with the decision value (the training decision values do not rank the "
                                 "classes); probabilities use the slope -1/SD of the decision values");
}

void SvmClassifier::CheckInput(const Eigen::MatrixXd& x) const {
  if (!impl_) throw ModelError("SVM: the model is not trained");
  if (static_cast<std::size_t>(x.cols()) != features_)
    throw InvalidArgument("SVM: " + std::to_string(x.cols()) + " features given, the model has " +
                          std::to_string(features_));
  if (!x.allFinite()) throw InvalidArgument("SVM: features contain NaN or infinite values");
}

std::vector<double> SvmClassifier::DecisionValues(const Eigen::MatrixXd& x) const {
  CheckInput(x);
  std::vector<double> out(static_cast<std::size_t>(x.rows()));
  std::vector<svm_node> row;
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    RowNodes(x, i, &row);
    out[static_cast<std::size_t>(i)] = impl_->Decision(row);
  }
  return out;
}

std::vector<int> SvmClassifier::Predict(const Eigen::MatrixXd& x) const {
  const std::vector<double> d = DecisionValues(x);
  std::vector<int> out(d.size());
  for (std::size_t i = 0; i < d.size(); ++i) out[i] = d[i] > 0 ? 1 : 0;
  return out;
}

std::vector<double> SvmClassifier::PredictProbability(const Eigen::MatrixXd& x) const {
  CheckInput(x);
  if (!impl_->has_probability) throw ModelError("SVM: trained without probability estimates (SvmSettings::probability)");
  std::vector<double> out(static_cast<std::size_t>(x.rows()));
  std::vector<svm_node> row;
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    RowNodes(x, i, &row);
    out[static_cast<std::size_t>(i)] = Sigmoid(impl_->Decision(row), impl_->sig_a, impl_->sig_b);
  }
  return out;
}

void SvmClassifier::Save(const std::string& path) const { WriteFileAtomically(path, ToJson() + "\n"); }

SvmClassifier SvmClassifier::Load(const std::string& path) { return FromJson(ReadTextFile(path), path); }

std::string SvmClassifier::ToJson() const {
  if (!impl_) throw ModelError("SVM: the model is not trained");
  nlohmann::json j = detail::NewModelJson(kFormat, kFormatVersion);
  j["kernel"] = impl_->kernel_type == RBF ? "rbf" : "linear";
  j["c"] = options_.c;
  j["gamma"] = impl_->gamma;
  j["weight_positive"] = options_.weight_positive;
  j["weight_negative"] = options_.weight_negative;
  j["tolerance"] = options_.tolerance;
  j["seed"] = options_.seed;
  j["features"] = impl_->dims;
  j["labels"] = {impl_->label[0], impl_->label[1]};
  j["n_sv"] = {impl_->n_sv[0], impl_->n_sv[1]};
  j["rho"] = impl_->rho;
  j["probability"] = impl_->has_probability;
  if (impl_->has_probability) {
    // P(class 1) = 1 / (1 + exp(a f + b)) of the class-1 decision value f.
    j["calibration"] = {{"method", CalibrationName(impl_->calibration)}, {"a", impl_->sig_a}, {"b", impl_->sig_b}};
    j["platt"] = {impl_->prob_a, impl_->prob_b};  // libsvm's own fit, for the record
  }
  j["coef"] = impl_->coef;
  j["support_vectors"] = impl_->sv;
  return j.dump();
}

SvmClassifier SvmClassifier::FromJson(const std::string& text, const std::string& path) {
  const nlohmann::json j =
      detail::ParseModelJson(text, path, kFormat, kOldestFormatVersion, kFormatVersion, "SVM model");
  try {
    SvmSettings o;
    const std::string kernel = j.at("kernel").get<std::string>();
    if (kernel != "rbf" && kernel != "linear")
      throw ModelError(path + ": SVM model file with kernel '" + kernel + "' (lvsi writes 'rbf' or 'linear')");
    o.kernel = kernel == "rbf" ? SvmKernel::kRbf : SvmKernel::kLinear;
    o.c = j.at("c").get<double>();
    o.gamma = j.at("gamma").get<double>();
    o.weight_positive = j.at("weight_positive").get<double>();
    o.weight_negative = j.at("weight_negative").get<double>();
    o.tolerance = j.at("tolerance").get<double>();
    o.seed = j.at("seed").get<unsigned>();
    o.probability = j.at("probability").get<bool>();
    SvmClassifier model(o);
    auto impl = std::make_unique<Impl>();
    impl->kernel_type = o.kernel == SvmKernel::kRbf ? RBF : LINEAR;
    impl->gamma = o.gamma;
    impl->dims = j.at("features").get<std::size_t>();
    impl->label[0] = j.at("labels").at(0).get<int>();
    impl->label[1] = j.at("labels").at(1).get<int>();
    impl->n_sv[0] = j.at("n_sv").at(0).get<int>();
    impl->n_sv[1] = j.at("n_sv").at(1).get<int>();
    impl->rho = j.at("rho").get<double>();
    impl->has_probability = o.probability;
    impl->bound_positive = o.c * o.weight_positive;
    impl->bound_negative = o.c * o.weight_negative;
    if (o.probability) {
      impl->prob_a = j.at("platt").at(0).get<double>();
      impl->prob_b = j.at("platt").at(1).get<double>();
      if (j.at("version").get<int>() >= 2) {
        const nlohmann::json& cal = j.at("calibration");
        const std::string method = cal.at("method").get<std::string>();
        impl->sig_a = cal.at("a").get<double>();
        impl->sig_b = cal.at("b").get<double>();
        impl->calibration = SvmCalibration::kNone;
        for (SvmCalibration c : {SvmCalibration::kPlattCv, SvmCalibration::kPlattTraining, SvmCalibration::kFixedSlope,
                                 SvmCalibration::kReversed})
          if (method == CalibrationName(c)) impl->calibration = c;
        if (impl->calibration == SvmCalibration::kNone || !(impl->sig_a < 0) || !std::isfinite(impl->sig_b))
          throw ModelError(path + ": SVM model file with an invalid calibration (method '" + method + "', slope " +
                           FormatDouble(impl->sig_a) + "; the slope must be negative)");
      } else {
        // lvsi 0.1 applied libsvm's sigmoid as fitted, also when it
        // decreased with the decision value: reverse its slope.
        impl->SigmoidFromLibsvm();
        impl->calibration = SvmCalibration::kPlattCv;
        if (!(impl->sig_a < 0)) {
          impl->sig_a = -impl->sig_a;
          impl->calibration = SvmCalibration::kReversed;
          if (impl->sig_a == 0) impl->sig_a = -1;
          Log(LogLevel::kWarning,
              path + ": this SVM model (written by lvsi " + j.value("lvsi_version", std::string("0.1")) +
                  ") has probabilities that decrease with its decision value (Platt slope " +
                  FormatDouble(impl->prob_a) +
                  "): they ranked patients against the model. Its probabilities now use the reversed slope; "
                  "retrain the model with lvsi " + Version() + " for a calibration fitted to the data");
        }
      }
    }
    impl->coef = j.at("coef").get<std::vector<double>>();
    impl->sv = j.at("support_vectors").get<std::vector<double>>();
    // Every value checked, so that a damaged file is refused rather than
    // predicting nonsense.
    const std::string what = "SVM model";
    auto check = [&](bool valid, const char* field, const char* rule) { detail::CheckField(valid, path, what, field, rule); };
    check(std::isfinite(o.c) && o.c > 0, "c", "must be a positive number");
    check(o.kernel == SvmKernel::kLinear || (std::isfinite(o.gamma) && o.gamma > 0), "gamma", "must be a positive number");
    check(std::isfinite(o.weight_positive) && o.weight_positive > 0, "weight_positive", "must be a positive number");
    check(std::isfinite(o.weight_negative) && o.weight_negative > 0, "weight_negative", "must be a positive number");
    check(std::isfinite(o.tolerance) && o.tolerance > 0, "tolerance", "must be a positive number");
    check(impl->dims >= 1 && impl->dims <= 100000000, "features", "must be a count between 1 and 1e8");
    check(impl->label[0] != impl->label[1] && (impl->label[0] == 0 || impl->label[0] == 1) &&
              (impl->label[1] == 0 || impl->label[1] == 1),
          "labels", "must be [0, 1] or [1, 0]");
    check(impl->n_sv[0] >= 0 && impl->n_sv[1] >= 0 && impl->n_sv[0] + impl->n_sv[1] >= 1, "n_sv",
          "must be two counts >= 0, not both 0");
    check(std::isfinite(impl->rho), "rho", "must be a finite number");
    if (o.probability) {
      check(std::isfinite(impl->prob_a) && std::isfinite(impl->prob_b), "platt", "must be two finite numbers");
    }
    detail::CheckFinite(impl->coef, path, what, "coef");
    detail::CheckFinite(impl->sv, path, what, "support_vectors");
    if (impl->sv.size() != impl->coef.size() * impl->dims ||
        static_cast<std::size_t>(impl->n_sv[0] + impl->n_sv[1]) != impl->coef.size())
      throw ModelError(path + ": inconsistent SVM model (support vector counts)");
    impl->BuildView();
    model.impl_ = std::move(impl);
    model.gamma_used_ = o.gamma;
    model.features_ = model.impl_->dims;
    return model;
  } catch (const nlohmann::json::exception& e) {
    throw ModelError(path + ": malformed SVM model file (" + e.what() + ")");
  }
}

GridSearchResult GridSearchSvm(const Eigen::MatrixXd& x, const std::vector<int>& y, const GridSearchSettings& options) {
  CheckData(x, y);
  CheckValid(options, "SVM grid search");
  const std::size_t positives = static_cast<std::size_t>(std::count(y.begin(), y.end(), 1));
  if (positives < static_cast<std::size_t>(options.folds) || y.size() - positives < static_cast<std::size_t>(options.folds))
    throw InvalidArgument("SVM grid search: each class needs at least " + std::to_string(options.folds) +
                          " cases for " + std::to_string(options.folds) + " folds");
  std::vector<double> gammas = options.gamma_values;
  if (gammas.empty()) gammas.push_back(-1.0);  // "scale"
  const std::vector<int> folds = stats::StratifiedFolds(y, options.folds, options.seed);
  // The folds' data, split once for every grid point.
  std::vector<stats::FoldData> fold_data;
  for (int f = 1; f <= options.folds; ++f) fold_data.push_back(stats::SplitFold(x, y, folds, f));
  GridSearchResult result;
  for (double g : gammas)
    for (double c : options.c_values) result.grid.push_back({c, g});
  ParallelFor(0, result.grid.size(), [&](std::size_t k) {
    GridPoint& point = result.grid[k];
    std::vector<double> aucs;
    double accuracy = 0;
    for (const stats::FoldData& d : fold_data) {
      const std::vector<int>& yv = d.y_test;
      SvmSettings o = options.base;
      o.c = point.c;
      o.gamma = point.gamma;
      o.probability = false;  // scored by decision values
      SvmClassifier model(o);
      model.Train(d.x_train, d.y_train);
      if (model.free_support_vectors() == 0) ++point.degenerate_folds;
      const std::vector<double> dv = model.DecisionValues(d.x_test);
      aucs.push_back(stats::Auc(dv, yv));
      double correct = 0;
      for (std::size_t i = 0; i < dv.size(); ++i) correct += (dv[i] > 0 ? 1 : 0) == yv[i] ? 1.0 : 0.0;
      accuracy += correct / static_cast<double>(dv.size()) / options.folds;
    }
    const double mean = std::accumulate(aucs.begin(), aucs.end(), 0.0) / static_cast<double>(aucs.size());
    double var = 0;
    for (double a : aucs) var += (a - mean) * (a - mean);
    point.mean_auc = mean;
    point.mean_accuracy = accuracy;
    point.sd_auc = aucs.size() > 1 ? std::sqrt(var / static_cast<double>(aucs.size() - 1)) : 0.0;
  }, options.threads);
  // Best: highest mean AUC; among ties (a ranking score often ties: at 1 on
  // separable data, and for every C small enough that all cases are bound
  // support vectors, where the ranking no longer depends on C) the higher
  // accuracy, then the smaller C and gamma.  Preferring models that are not
  // degenerate among ties was measured and gains nothing on held-out data
  // (bench_svm_calibration, docs/models.md).
  auto better = [](const GridPoint& a, const GridPoint& b) {
    if (std::abs(a.mean_auc - b.mean_auc) > 1e-12) return a.mean_auc > b.mean_auc;
    if (a.mean_accuracy != b.mean_accuracy) return a.mean_accuracy > b.mean_accuracy;
    if (a.c != b.c) return a.c < b.c;
    return a.gamma < b.gamma;
  };
  for (std::size_t k = 1; k < result.grid.size(); ++k)
    if (better(result.grid[k], result.grid[result.best])) result.best = k;
  SvmSettings best = options.base;
  best.c = result.grid[result.best].c;
  best.gamma = result.grid[result.best].gamma;
  result.model = SvmClassifier(best);
  result.model.Train(x, y);
  // Report the resolved gamma of "scale" points.
  for (GridPoint& point : result.grid)
    if (!(point.gamma > 0)) point.gamma = result.model.gamma();
  return result;
}

}  // namespace lvsi::models

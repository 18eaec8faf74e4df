#include "lvsi/models/pipeline.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "detail/model_file.h"

namespace lvsi::models {
namespace {

constexpr const char* kFormat = "lvsi-pipeline";
constexpr int kFormatVersion = 1;

}  // namespace

TrainedPipeline::TrainedPipeline(std::string name, selection::CompiledSelection selection, Model model,
                                 double threshold)
    : name_(std::move(name)), selection_(std::move(selection)), model_(std::move(model)), threshold_(threshold) {
  if (selection_.selected_features.empty()) throw InvalidArgument("pipeline '" + name_ + "': no selected features");
  if (selection_.shift.size() != selection_.selected_features.size() ||
      selection_.scale.size() != selection_.selected_features.size())
    throw InvalidArgument("pipeline '" + name_ + "': scaling does not match the selected features");
  const std::size_t n_model = std::visit(
      [](const auto& m) -> std::size_t {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, SvmClassifier>) return m.features();
        else return static_cast<std::size_t>(m.coefficients().size());
      },
      model_);
  if (n_model != selection_.selected_features.size())
    throw InvalidArgument("pipeline '" + name_ + "': the model takes " + std::to_string(n_model) + " features, " +
                          std::to_string(selection_.selected_features.size()) + " are selected");
  set_threshold(threshold);
}

void TrainedPipeline::set_threshold(double t) {
  if (!std::isfinite(t)) throw InvalidArgument("pipeline '" + name_ + "': the threshold must be finite");
  threshold_ = t;
}

std::vector<double> TrainedPipeline::PredictProbability(const FeatureTable& features) const {
  const FeatureTable x = selection_.Apply(features);
  return std::visit([&](const auto& m) { return m.PredictProbability(x.values()); }, model_);
}

std::vector<double> TrainedPipeline::DecisionValues(const FeatureTable& features) const {
  const FeatureTable x = selection_.Apply(features);
  return std::visit([&](const auto& m) { return m.DecisionValues(x.values()); }, model_);
}

std::vector<int> TrainedPipeline::Predict(const FeatureTable& features) const {
  const std::vector<double> p = PredictProbability(features);
  std::vector<int> out(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) out[i] = p[i] > threshold_ ? 1 : 0;
  return out;
}

void TrainedPipeline::Save(const std::string& path) const {
  nlohmann::json j = detail::NewModelJson(kFormat, kFormatVersion);
  j["name"] = name_;
  j["threshold"] = threshold_;
  j["metadata"] = metadata_;
  j["input_features"] = selection_.input_features;
  j["selected_features"] = selection_.selected_features;
  j["shift"] = selection_.shift;
  j["scale"] = selection_.scale;
  std::visit(
      [&](const auto& m) {
        using M = std::decay_t<decltype(m)>;
        j["model_kind"] = std::is_same_v<M, SvmClassifier> ? "svm" : "logistic";
        j["model"] = nlohmann::json::parse(m.ToJson());
      },
      model_);
  WriteFileAtomically(path, j.dump() + "\n");
}

TrainedPipeline TrainedPipeline::Load(const std::string& path) {
  const nlohmann::json j = detail::ParseModelJson(ReadTextFile(path), path, kFormat, kFormatVersion, kFormatVersion, "pipeline");
  try {
    selection::CompiledSelection sel;
    sel.input_features = j.at("input_features").get<std::vector<std::string>>();
    sel.selected_features = j.at("selected_features").get<std::vector<std::string>>();
    sel.shift = j.at("shift").get<std::vector<double>>();
    sel.scale = j.at("scale").get<std::vector<double>>();
    const std::string what = "pipeline";
    auto check = [&](bool valid, const char* field, const std::string& rule) {
      detail::CheckField(valid, path, what, field, rule);
    };
    const std::size_t selected = sel.selected_features.size();
    check(selected >= 1, "selected_features", "must name at least one feature");
    check(sel.shift.size() == selected, "shift", "must have one value per selected feature");
    check(sel.scale.size() == selected, "scale", "must have one value per selected feature");
    detail::CheckFinite(sel.shift, path, what, "shift");
    detail::CheckFinite(sel.scale, path, what, "scale");
    for (double s : sel.scale) check(s != 0, "scale", "must hold non-zero numbers");
    for (const auto& name : sel.selected_features)
      check(std::find(sel.input_features.begin(), sel.input_features.end(), name) != sel.input_features.end(),
            "selected_features", "must be among input_features ('" + name + "' is not)");
    const double threshold = j.at("threshold").get<double>();
    check(std::isfinite(threshold) && threshold >= 0 && threshold <= 1, "threshold", "must be a probability in [0, 1]");
    const std::string kind = j.at("model_kind").get<std::string>();
    const std::string model_text = j.at("model").dump();
    Model model = kind == "svm" ? Model(SvmClassifier::FromJson(model_text, path))
                  : kind == "logistic"
                      ? Model(LogisticRegression::FromJson(model_text, path))
                      : throw ModelError(path + ": unknown model kind '" + kind + "'");
    TrainedPipeline pipeline(j.at("name").get<std::string>(), std::move(sel), std::move(model),
                             j.at("threshold").get<double>());
    pipeline.metadata_ = j.at("metadata").get<std::map<std::string, std::string>>();
    return pipeline;
  } catch (const nlohmann::json::exception& e) {
    throw ModelError(path + ": malformed pipeline file (" + e.what() + ")");
  } catch (const InvalidArgument& e) {
    throw ModelError(path + ": inconsistent pipeline file (" + e.what() + ")");
  }
}

}  // namespace lvsi::models

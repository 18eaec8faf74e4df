#pragma once
/// \file
/// A trained prediction pipeline: the selection fitted on the training
/// cohort (compiled), the classifier, and the cut-off, saved to one
/// versioned file and applied later to new patients' features.
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "lvsi/core/feature_table.h"
#include "lvsi/models/export.h"
#include "lvsi/models/logistic.h"
#include "lvsi/models/svm.h"
#include "lvsi/selection/pipeline.h"

namespace lvsi::models {

class LVSI_MODELS_EXPORT TrainedPipeline {
 public:
  using Model = std::variant<SvmClassifier, LogisticRegression>;

  /// `threshold`: a case is called positive when its probability is above
  /// it (e.g. the training Youden cut-off; 0.5 by default).
  TrainedPipeline(std::string name, selection::CompiledSelection selection, Model model, double threshold = 0.5);

  /// Probability of class 1 for each row.  The table must have exactly the
  /// features the pipeline was trained on (any order): otherwise
  /// InvalidArgument lists the missing and the extra names.
  std::vector<double> PredictProbability(const FeatureTable& features) const;
  /// The model's decision values (SVM: signed distance; logistic: log-odds),
  /// positive towards class 1; PredictProbability() never decreases in them.
  std::vector<double> DecisionValues(const FeatureTable& features) const;
  /// 1 where the probability is above threshold().
  std::vector<int> Predict(const FeatureTable& features) const;

  const std::string& name() const { return name_; }
  double threshold() const { return threshold_; }
  void set_threshold(double t);
  const selection::CompiledSelection& selection() const { return selection_; }
  const Model& model() const { return model_; }
  /// Free-form provenance saved with the model (cohort, date, settings).
  std::map<std::string, std::string>& metadata() { return metadata_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

  /// One file (JSON, written atomically) with a format name and version;
  /// Load throws ModelError for another kind of file or an incompatible
  /// version (naming both), IoError when it cannot be read.
  void Save(const std::string& path) const;
  static TrainedPipeline Load(const std::string& path);

 private:
  std::string name_;
  selection::CompiledSelection selection_;
  Model model_;
  double threshold_;
  std::map<std::string, std::string> metadata_;
};

}  // namespace lvsi::models

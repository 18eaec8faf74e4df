// The parts lvsi_study and lvsi_predict share: the study's settings and
// the computation of a cohort's features (radiomics and deep), so that a
// saved model applied to patients gets its features exactly as in the study.
#pragma once
#include <lvsi/lvsi.h>

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace study {

// Every setting of the study; study.yaml overrides any of them.
struct Config {
  // study
  unsigned seed = 1;
  double train_fraction = 0.7;
  // radiomics
  std::string params_dir;       // <sequence>.yaml files (default: the shipped study files)
  double icc_threshold = 0.75;
  // selection
  double mann_whitney_p = 0.05;
  int lasso_folds = 10;
  std::string lambda_rule = "1se";  // 1se | min
  // svm
  int svm_folds = 5;
  std::vector<double> svm_c = {1e-3, 1e-2, 1e-1, 1, 1e1, 1e2, 1e3};
  // deep
  bool deep = true;
  int slice_size = 224;
  int slice_margin = 10;
  double low_percentile = 0.5, high_percentile = 99.5;
  int epochs = 10;
  int batch_size = 16;
  std::string optimizer = "sgd";     // sgd | adam
  double learning_rate = 1e-3;
  double momentum = 0.9;
  double weight_decay = 1e-4;
  std::string schedule = "cosine";   // constant | step | cosine
  int frozen_layers = 3;
  bool adapt_batch_norm = true;
  bool balanced_class_weights = true;
  double validation_fraction = 0.2;
  int patience = 3;
  bool augment = true;
  int gradcam_cases = 4;
  // evaluation
  int bootstrap = 1000;

  // Reads study.yaml; unknown keys and wrong types are errors naming the key.
  static Config Read(const std::string& path, Config defaults);
  // The settings as YAML (saved with every run).
  std::string ToYaml() const;
  // Text that changes whenever a setting of the deep stage changes.
  std::string DeepKey() const;
  lvsi::preprocessing::SliceOptions SliceOptions() const;
};

// The demo's settings: small slices, a few epochs, every layer trained
// (the demo has no ImageNet weights), so that the whole study on 155
// synthetic patients takes minutes on two cores.
Config DemoConfig();

// The study's parameter files: installed (<prefix>/share/lvsi/params) or
// the source tree's examples/params.
std::string DefaultParamsDir(const char* argv0);

// Radiomics of every case of `manifest` into `dir` (resumable), both
// readers.  Returns reader 1 and reader 2 (empty when absent) and the
// failed cases.
struct RadiomicsResult {
  lvsi::FeatureTable reader1, reader2;
  std::vector<std::pair<std::string, std::string>> errors;
  std::size_t reused = 0;
};
RadiomicsResult ExtractRadiomics(const lvsi::io::CohortManifest& manifest, const std::string& params_dir,
                                 const std::string& dir, int jobs, bool second_reader);

// The 2048 deep features of every image of `slices` (one image per
// forward pass, so a patient's values do not depend on the others).
lvsi::FeatureTable SequenceFeatures(const lvsi::deepfeatures::ResNet50& net,
                                    const lvsi::deepfeatures::SliceSet& slices);

// A network for the study's deep stage: 2 classes, one LibTorch thread,
// one image per forward pass.  Sequences run in parallel instead, so the
// values do not depend on --jobs.
lvsi::deepfeatures::ResNetOptions NetOptions(unsigned seed);

// Runs `body(i)` for i in [0, n) on up to `jobs` threads, each with one
// LibTorch thread; rethrows the first exception.
void ForEachSequence(std::size_t n, int jobs, const std::function<void(std::size_t)>& body);

// The sequences a model needs, from its input feature names
// (`<seq>_dl_NNNN` deep, other `<seq>_...` radiomics).
void NeededSequences(const std::vector<std::string>& features, const std::vector<std::string>& sequences,
                     std::vector<std::string>* radiomics, std::vector<std::string>* deep);

}  // namespace study

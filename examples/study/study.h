// The parts lvsi_study and lvsi_predict share: the study's settings and
// the computation of a cohort's features (radiomics and deep), so that a
// saved model applied to patients gets its features exactly as in the study.
#pragma once
#include <lvsi/lvsi.h>

#include <chrono>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace study {

using json = nlohmann::ordered_json;

// Prints a line on the terminal and logs it (thread-safe).
void Say(const std::string& line);
// Prints lvsi's warnings on the terminal (all messages go to the log file).
void WarningsToTerminal();
// `v` with `digits` decimals.
std::string Fixed(double v, int digits = 3);

class Stopwatch {
 public:
  double Seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count(); }

 private:
  std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
};

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
  lvsi::preprocessing::SliceSettings SliceSettings() const;
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
/// The SHA-1 of `bytes` (40 hex digits): the study's cache keys (slices,
/// starting weights).
std::string ContentDigest(std::string_view bytes);

lvsi::deepfeatures::ResNetSettings NetSettings(unsigned seed);


// The synthetic demo cohort in `dir` (reused while its patients and seed
// are unchanged, unless `fresh`); returns its manifest path.
std::string DemoCohort(const std::string& dir, int patients, unsigned seed, int jobs, bool fresh);

// The cohort of each patient ("train" or "validation"): the manifest's split
// when it has one, else a stratified split of `train_fraction`.
std::vector<std::string> Cohorts(const std::vector<const lvsi::io::ManifestCase*>& cases, bool from_manifest,
                                 const std::vector<int>& labels, const Config& cfg);
// Stops the study (InvalidArgument) when the patients cannot support it: one
// class, too few of a class for the cross-validations, no validation patients.
void CheckCohort(const std::vector<int>& labels, const std::vector<std::string>& cohort, const Config& cfg);
// CheckCohort for every patient of the manifest, before the long stages.
void CheckManifest(const lvsi::io::CohortManifest& manifest, const Config& cfg);

// Radiomics of the whole manifest into `dir`: finished cases are reused while
// the parameter files and readers are unchanged (and not `fresh`).
RadiomicsResult RadiomicsStage(const lvsi::io::CohortManifest& manifest, const Config& cfg, const std::string& dir,
                               int jobs, bool second_reader, bool fresh);

// One share of the radiomics stage, for a cluster's job array: the cases at
// positions shard-1, shard-1+shards, ... of the manifest into `dir`, no
// tables merged (RadiomicsStage later reuses them).  Throws InvalidArgument
// when `dir` holds features of other parameter files or readers.  Returns
// the failed cases with their reasons.
std::vector<std::pair<std::string, std::string>> RadiomicsShard(const lvsi::io::CohortManifest& manifest,
                                                                const Config& cfg, const std::string& dir, int jobs,
                                                                bool second_reader, int shard, int shards);

// The deep stage of one sequence's slices (only the study's patients):
// fine-tune on `train_ids`, extract 2048 features for everyone, Grad-CAM of
// a few validation patients (figure and .npy).  Reuses the network and
// features in `out`/deep while `key` is unchanged (and not `fresh`).
struct DeepPart {
  lvsi::FeatureTable features;
  json report;
  json speed;  // the fine-tuning's timings per epoch (null when the network was reused)
};
DeepPart DeepSequence(const lvsi::deepfeatures::SliceSet& slices, const std::vector<std::string>& ids,
                      const std::set<std::string>& train_ids, const Config& cfg, const std::string& weights,
                      const std::string& key, const std::string& out, bool fresh);

// Copies what lvsi_predict needs beside the models (the parameter files, the
// fine-tuned networks) into `out`/models and returns the metadata saved
// with every model (settings of the slices, file names, provenance).
std::map<std::string, std::string> SaveModelInputs(const Config& cfg, const lvsi::io::CohortManifest& manifest,
                                                   const std::string& manifest_path, const std::string& weights,
                                                   const std::string& out);

// predictions.csv: case, label, split and each model's probability.
void WritePredictionsCsv(const std::string& path, const std::vector<std::string>& ids, const std::vector<int>& labels,
                         const std::vector<std::string>& cohort,
                         const std::vector<std::pair<std::string, std::vector<double>>>& scores);

// report.html from report.json's content and the evaluation's files in `out`.
void WriteReportHtml(const std::string& out, const json& report, const std::vector<std::string>& sequences);

// The sequences a model needs, from its input feature names
// (`<seq>_dl_NNNN` deep, other `<seq>_...` radiomics).
void NeededSequences(const std::vector<std::string>& features, const std::vector<std::string>& sequences,
                     std::vector<std::string>* radiomics, std::vector<std::string>* deep);

}  // namespace study

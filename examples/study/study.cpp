#include "study.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace study {
namespace {

namespace df = lvsi::deepfeatures;
namespace ev = lvsi::evaluation;

std::mutex g_print;

// One section of study.yaml: reads the keys it is asked for (with the
// section and key named in any type error) and rejects the others.
// A mapping key as a name; a key that is a list or a mapping (YAML's
// "? " form) is an error naming where it is.
std::string KeyName(const YAML::Node& key, const std::string& path, const std::string& where) {
  if (!key.IsScalar()) throw lvsi::InvalidArgument(path + ": a key in " + where + " is not a name");
  return key.Scalar();
}

class Section {
 public:
  Section(const YAML::Node& root, std::string name, std::string path)
      : node_(root[name] ? root[name] : YAML::Node(YAML::NodeType::Map)), name_(std::move(name)), path_(std::move(path)) {}
  template <class T>
  Section& operator()(const std::string& key, T* value) {
    seen_.insert(key);
    if (!node_[key]) return *this;
    try {
      *value = node_[key].as<T>();
    } catch (const YAML::Exception&) {
      throw lvsi::InvalidArgument(path_ + ": '" + name_ + "." + key + "' has the wrong type");
    }
    return *this;
  }
  void RejectOthers() const {
    for (const auto& kv : node_) {
      const std::string key = KeyName(kv.first, path_, "section '" + name_ + "'");
      if (!seen_.count(key)) throw lvsi::InvalidArgument(path_ + ": unknown key '" + name_ + "." + key + "'");
    }
  }

 private:
  YAML::Node node_;
  std::string name_, path_;
  std::set<std::string> seen_;
};

}  // namespace

void Say(const std::string& line) {
  std::lock_guard<std::mutex> lock(g_print);
  std::fprintf(stderr, "%s\n", line.c_str());
  lvsi::Log(lvsi::LogLevel::kInfo, line);
}

void WarningsToTerminal() {
  lvsi::SetLogSink([](lvsi::LogLevel level, const std::string& message) {
    if (level >= lvsi::LogLevel::kWarning) {
      std::lock_guard<std::mutex> lock(g_print);
      std::fprintf(stderr, "%s\n", message.c_str());
    }
  });
}

std::string Fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

Config Config::Read(const std::string& path, Config c) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw lvsi::IoError(path, "cannot read the study configuration");
  } catch (const YAML::Exception& e) {
    throw lvsi::FormatError(path, std::string("not YAML: ") + e.what());
  }
  if (root.IsNull()) return c;
  if (!root.IsMap()) throw lvsi::FormatError(path, "the study configuration must be a mapping of sections");
  const std::set<std::string> sections = {"study", "radiomics", "selection", "svm", "deep", "evaluation"};
  for (const auto& kv : root) {
    const std::string name = KeyName(kv.first, path, "the top level");
    if (!sections.count(name)) throw lvsi::InvalidArgument(path + ": unknown section '" + name + "'");
    if (!kv.second.IsMap()) throw lvsi::InvalidArgument(path + ": section '" + name + "' must be a mapping");
  }
  Section(root, "study", path)("seed", &c.seed)("train_fraction", &c.train_fraction).RejectOthers();
  Section(root, "radiomics", path)("params_dir", &c.params_dir)("icc_threshold", &c.icc_threshold).RejectOthers();
  Section(root, "selection", path)("mann_whitney_p", &c.mann_whitney_p)("lasso_folds", &c.lasso_folds)(
      "lambda_rule", &c.lambda_rule).RejectOthers();
  Section(root, "svm", path)("folds", &c.svm_folds)("c_values", &c.svm_c).RejectOthers();
  Section(root, "deep", path)("enabled", &c.deep)("slice_size", &c.slice_size)("slice_margin", &c.slice_margin)(
      "low_percentile", &c.low_percentile)("high_percentile", &c.high_percentile)("epochs", &c.epochs)(
      "batch_size", &c.batch_size)("optimizer", &c.optimizer)("learning_rate", &c.learning_rate)(
      "momentum", &c.momentum)("weight_decay", &c.weight_decay)("schedule", &c.schedule)(
      "frozen_layers", &c.frozen_layers)("adapt_batch_norm", &c.adapt_batch_norm)(
      "balanced_class_weights", &c.balanced_class_weights)("validation_fraction", &c.validation_fraction)(
      "patience", &c.patience)("augment", &c.augment)("gradcam_cases", &c.gradcam_cases)
      .RejectOthers();
  Section(root, "evaluation", path)("bootstrap", &c.bootstrap).RejectOthers();
  auto bad = [&](bool condition, const std::string& what) {
    if (condition) throw lvsi::InvalidArgument(path + ": " + what);
  };
  auto finite = [](double v) { return std::isfinite(v); };
  bad(!(c.train_fraction > 0 && c.train_fraction < 1), "'study.train_fraction' must lie in (0, 1)");
  bad(c.lambda_rule != "1se" && c.lambda_rule != "min", "'selection.lambda_rule' must be 1se or min");
  bad(c.optimizer != "sgd" && c.optimizer != "adam", "'deep.optimizer' must be sgd or adam");
  bad(c.schedule != "constant" && c.schedule != "step" && c.schedule != "cosine",
      "'deep.schedule' must be constant, step or cosine");
  bad(c.lasso_folds < 3 || c.svm_folds < 2, "'selection.lasso_folds' must be >= 3 and 'svm.folds' >= 2");
  bad(c.svm_c.empty(), "'svm.c_values' must not be empty");
  for (double v : c.svm_c) bad(!(v > 0) || !finite(v), "'svm.c_values' must be positive numbers");
  bad(!(c.icc_threshold >= 0 && c.icc_threshold <= 1), "'radiomics.icc_threshold' must lie in [0, 1]");
  bad(!(c.mann_whitney_p > 0 && c.mann_whitney_p <= 1), "'selection.mann_whitney_p' must lie in (0, 1]");
  bad(c.lasso_folds > 1000 || c.svm_folds > 1000, "'selection.lasso_folds' and 'svm.folds' must be at most 1000");
  bad(c.slice_size < 32 || c.slice_size > 1024, "'deep.slice_size' must be 32..1024 pixels");
  bad(c.slice_margin < 0 || c.slice_margin > 1024, "'deep.slice_margin' must be 0..1024 pixels");
  bad(!(c.low_percentile >= 0 && c.low_percentile < c.high_percentile && c.high_percentile <= 100),
      "'deep.low_percentile' and 'deep.high_percentile' must satisfy 0 <= low < high <= 100");
  bad(c.epochs < 1 || c.epochs > 100000, "'deep.epochs' must be 1..100000");
  bad(c.batch_size < 1 || c.batch_size > 4096, "'deep.batch_size' must be 1..4096");
  bad(!(c.learning_rate > 0) || !finite(c.learning_rate), "'deep.learning_rate' must be a positive number");
  bad(!(c.momentum >= 0 && c.momentum < 1), "'deep.momentum' must lie in [0, 1)");
  bad(!(c.weight_decay >= 0) || !finite(c.weight_decay), "'deep.weight_decay' must be a number >= 0");
  bad(c.frozen_layers < 0 || c.frozen_layers > 4, "'deep.frozen_layers' must be 0..4");
  bad(!(c.validation_fraction >= 0 && c.validation_fraction < 1), "'deep.validation_fraction' must lie in [0, 1)");
  bad(c.patience < 0, "'deep.patience' must be >= 0");
  bad(c.gradcam_cases < 0, "'deep.gradcam_cases' must be >= 0");
  bad(c.bootstrap < 0 || c.bootstrap > 1000000, "'evaluation.bootstrap' must be 0..1000000");
  return c;
}

std::string Config::ToYaml() const {
  YAML::Emitter y;
  y << YAML::BeginMap;
  y << YAML::Key << "study" << YAML::Value << YAML::BeginMap << YAML::Key << "seed" << YAML::Value << seed
    << YAML::Key << "train_fraction" << YAML::Value << train_fraction << YAML::EndMap;
  y << YAML::Key << "radiomics" << YAML::Value << YAML::BeginMap << YAML::Key << "params_dir" << YAML::Value
    << params_dir << YAML::Key << "icc_threshold" << YAML::Value << icc_threshold << YAML::EndMap;
  y << YAML::Key << "selection" << YAML::Value << YAML::BeginMap << YAML::Key << "mann_whitney_p" << YAML::Value
    << mann_whitney_p << YAML::Key << "lasso_folds" << YAML::Value << lasso_folds << YAML::Key << "lambda_rule"
    << YAML::Value << lambda_rule << YAML::EndMap;
  y << YAML::Key << "svm" << YAML::Value << YAML::BeginMap << YAML::Key << "folds" << YAML::Value << svm_folds
    << YAML::Key << "c_values" << YAML::Value << YAML::Flow << svm_c << YAML::EndMap;
  y << YAML::Key << "deep" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "enabled" << YAML::Value << deep << YAML::Key << "slice_size" << YAML::Value << slice_size
    << YAML::Key << "slice_margin" << YAML::Value << slice_margin << YAML::Key << "low_percentile" << YAML::Value
    << low_percentile << YAML::Key << "high_percentile" << YAML::Value << high_percentile << YAML::Key << "epochs"
    << YAML::Value << epochs << YAML::Key << "batch_size" << YAML::Value << batch_size << YAML::Key << "optimizer"
    << YAML::Value << optimizer << YAML::Key << "learning_rate" << YAML::Value << learning_rate << YAML::Key
    << "momentum" << YAML::Value << momentum << YAML::Key << "weight_decay" << YAML::Value << weight_decay
    << YAML::Key << "schedule" << YAML::Value << schedule << YAML::Key << "frozen_layers" << YAML::Value
    << frozen_layers << YAML::Key << "adapt_batch_norm" << YAML::Value << adapt_batch_norm << YAML::Key
    << "balanced_class_weights" << YAML::Value << balanced_class_weights << YAML::Key << "validation_fraction"
    << YAML::Value << validation_fraction << YAML::Key << "patience" << YAML::Value << patience << YAML::Key
    << "augment" << YAML::Value << augment << YAML::Key << "gradcam_cases" << YAML::Value << gradcam_cases;
  y << YAML::EndMap;
  y << YAML::Key << "evaluation" << YAML::Value << YAML::BeginMap << YAML::Key << "bootstrap" << YAML::Value
    << bootstrap << YAML::EndMap;
  y << YAML::EndMap;
  return std::string(y.c_str()) + "\n";
}

std::string Config::DeepKey() const {
  std::ostringstream k;
  k.precision(17);
  k << seed << ' ' << slice_size << ' ' << slice_margin << ' ' << low_percentile << ' ' << high_percentile << ' '
    << epochs << ' ' << batch_size << ' ' << optimizer << ' ' << learning_rate << ' ' << momentum << ' '
    << weight_decay << ' ' << schedule << ' ' << frozen_layers << ' ' << adapt_batch_norm << ' '
    << balanced_class_weights << ' ' << validation_fraction << ' ' << patience << ' ' << augment;
  return k.str();
}

lvsi::preprocessing::SliceSettings Config::SliceSettings() const {
  lvsi::preprocessing::SliceSettings o;
  o.size = slice_size;
  o.margin = slice_margin;
  o.low_percentile = low_percentile;
  o.high_percentile = high_percentile;
  return o;
}

Config DemoConfig() {
  Config c;
  // No ImageNet weights come with the demo: a random trunk is worth
  // training whole (frozen random layers only add noise), on small slices
  // so that it takes minutes.
  c.slice_size = 64;
  c.epochs = 8;
  c.frozen_layers = 0;
  c.optimizer = "adam";
  c.learning_rate = 1e-3;
  c.patience = 4;
  c.bootstrap = 500;
  return c;
}

std::string DefaultParamsDir(const char* argv0) {
  std::error_code ec;
  const fs::path installed = fs::canonical(fs::path(argv0), ec).parent_path().parent_path() / "share/lvsi/params";
  if (!ec && fs::exists(installed)) return installed.string();
  return LVSI_STUDY_PARAMS_DIR;
}

namespace {

// The cohort extraction of `manifest` (its share `shard` of `shards`) into
// `dir` with `params_dir`/<sequence>.yaml, without merging the tables.
lvsi::radiomics::CohortExtractionReport RunCohort(const lvsi::io::CohortManifest& manifest,
                                                  const std::string& params_dir, const std::string& dir, int jobs,
                                                  bool second_reader, int shard = 1, int shards = 1) {
  std::map<std::string, lvsi::radiomics::ExtractionParameters> parameters;
  for (const auto& seq : manifest.sequences) {
    const fs::path file = fs::path(params_dir) / (seq + ".yaml");
    if (!fs::exists(file))
      throw lvsi::IoError(file.string(), "no parameter file for sequence '" + seq + "' in " + params_dir);
    parameters[seq] = lvsi::radiomics::ReadParameterFile(file.string());
  }
  lvsi::radiomics::CohortExtractionSettings settings;
  settings.output_dir = dir;
  settings.threads = jobs;
  settings.second_reader = second_reader;
  settings.shard_index = shard;
  settings.shard_count = shards;
  settings.progress = lvsi::TerminalProgress();
  return lvsi::radiomics::CohortExtractor(parameters, settings).Run(manifest);
}

}  // namespace

RadiomicsResult ExtractRadiomics(const lvsi::io::CohortManifest& manifest, const std::string& params_dir,
                                 const std::string& dir, int jobs, bool second_reader) {
  const auto run = RunCohort(manifest, params_dir, dir, jobs, second_reader);
  RadiomicsResult r;
  r.errors = run.errors;
  r.reused = run.reused;
  r.reader1 = lvsi::radiomics::CohortExtractor::Merge(manifest, dir);
  const std::string r2 = dir + "/features_reader2.csv";
  if (second_reader && fs::exists(r2)) r.reader2 = lvsi::FeatureTable::ReadCsv(r2);
  return r;
}

std::string ContentDigest(std::string_view bytes) { return lvsi::Sha1Hex(bytes); }

lvsi::deepfeatures::ResNetSettings NetSettings(unsigned seed) {
  lvsi::deepfeatures::ResNetSettings o;
  o.num_classes = 2;
  o.seed = seed;
  o.threads = 1;
  o.inference_batch = 1;
  return o;
}

lvsi::FeatureTable SequenceFeatures(const lvsi::deepfeatures::ResNet50& net,
                                    const lvsi::deepfeatures::SliceSet& slices) {
  return lvsi::deepfeatures::DeepFeatureTable(net.Features(slices.values, slices.count(), slices.size),
                                              slices.case_ids, slices.sequence);
}

std::string DemoCohort(const std::string& dir, int patients, unsigned seed, int jobs, bool fresh) {
  const std::string key = "patients " + std::to_string(patients) + " seed " + std::to_string(seed) + "\n";
  if (fresh || !fs::exists(dir + "/cohort.csv") || !fs::exists(dir + "/demo.key") ||
      lvsi::ReadTextFile(dir + "/demo.key") != key) {
    fs::remove_all(dir);
    fs::remove_all(fs::path(dir).parent_path() / "radiomics");
    Say("[1/6] generating " + std::to_string(patients) + " synthetic patients");
    lvsi::io::SyntheticCohortSettings o;
    o.patients = patients;
    o.seed = seed;
    o.threads = jobs;
    lvsi::io::GenerateSyntheticCohort(dir, o);
    lvsi::WriteFileAtomically(dir + "/demo.key", key);
  } else {
    Say("[1/6] reusing the synthetic cohort in " + dir);
  }
  return dir + "/cohort.csv";
}

std::vector<std::string> Cohorts(const std::vector<const lvsi::io::ManifestCase*>& cases, bool from_manifest,
                                 const std::vector<int>& labels, const Config& cfg) {
  std::vector<std::string> cohort(cases.size(), "validation");
  if (from_manifest) {
    for (std::size_t i = 0; i < cases.size(); ++i) cohort[i] = cases[i]->split == "train" ? "train" : "validation";
    return cohort;
  }
  std::vector<std::size_t> tr, va;
  lvsi::stats::StratifiedSplit(labels, cfg.train_fraction, cfg.seed, &tr, &va);
  for (auto i : tr) cohort[i] = "train";
  return cohort;
}

void CheckCohort(const std::vector<int>& labels, const std::vector<std::string>& cohort, const Config& cfg) {
  const auto positives = std::count(labels.begin(), labels.end(), 1);
  if (positives == 0 || positives == static_cast<long>(labels.size()))
    throw lvsi::InvalidArgument("all " + std::to_string(labels.size()) + " usable patients have label " +
                                std::to_string(labels.empty() ? 0 : labels[0]) +
                                ": the study needs LVSI-positive and -negative patients");
  long train_pos = 0, train_neg = 0, validation = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (cohort[i] != "train") ++validation;
    else (labels[i] ? train_pos : train_neg)++;
  }
  if (std::min(train_pos, train_neg) < std::max(cfg.lasso_folds, cfg.svm_folds))
    throw lvsi::InvalidArgument("too few patients for " + std::to_string(cfg.lasso_folds) +
                                "-fold cross-validation: the training cohort has " + std::to_string(train_pos) +
                                " LVSI-positive and " + std::to_string(train_neg) +
                                " negative patients (each class needs at least one per fold)");
  if (validation == 0) throw lvsi::InvalidArgument("the validation cohort is empty");
}

void CheckManifest(const lvsi::io::CohortManifest& manifest, const Config& cfg) {
  std::vector<const lvsi::io::ManifestCase*> all;
  std::vector<int> labels;
  for (const auto& c : manifest.cases) {
    all.push_back(&c);
    labels.push_back(c.label);
  }
  CheckCohort(labels, Cohorts(all, manifest.has_split, labels, cfg), cfg);
}

namespace {

// What the radiomics folder's features depend on besides the cases (whose
// own keys cover their images, masks and parameters).
std::string RadiomicsKey(const lvsi::io::CohortManifest& manifest, const Config& cfg, bool second_reader) {
  std::string key = second_reader ? "readers 2\n" : "readers 1\n";
  for (const auto& q : manifest.sequences) key += q + "\n" + lvsi::ReadTextFile(cfg.params_dir + "/" + q + ".yaml");
  return key;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> RadiomicsShard(const lvsi::io::CohortManifest& manifest,
                                                                const Config& cfg, const std::string& dir, int jobs,
                                                                bool second_reader, int shard, int shards) {
  // Shards run at once: none may clear the folder; one of other settings is
  // an error, not a reason to delete what other tasks write.
  const std::string key = RadiomicsKey(manifest, cfg, second_reader);
  const std::string stamp = dir + "/study.key";
  if (fs::exists(stamp) && lvsi::ReadTextFile(stamp) != key)
    throw lvsi::InvalidArgument(dir + " holds radiomics of other parameter files or readers; remove it, or run the "
                                "whole study once without --stage");
  fs::create_directories(dir);
  lvsi::WriteFileAtomically(stamp, key);
  const auto run = RunCohort(manifest, cfg.params_dir, dir, jobs, second_reader, shard, shards);
  Say("[2/6] radiomics, share " + std::to_string(shard) + "/" + std::to_string(shards) + ": " +
      std::to_string(run.cases) + " patients (" + std::to_string(run.reused) + " reused, " +
      std::to_string(run.errors.size()) + " failed)");
  return run.errors;
}

RadiomicsResult RadiomicsStage(const lvsi::io::CohortManifest& manifest, const Config& cfg, const std::string& dir,
                               int jobs, bool second_reader, bool fresh) {
  const std::string key = RadiomicsKey(manifest, cfg, second_reader);
  const std::string stamp = dir + "/study.key";
  if (fresh || !fs::exists(stamp) || lvsi::ReadTextFile(stamp) != key) fs::remove_all(dir);
  fs::create_directories(dir);
  lvsi::WriteFileAtomically(stamp, key);
  Say("[2/6] radiomics: " + std::to_string(manifest.sequences.size()) + " sequences x " +
      std::to_string(manifest.cases.size()) + " patients" + (second_reader ? ", both readers" : ", reader 1 only"));
  RadiomicsResult rad = ExtractRadiomics(manifest, cfg.params_dir, dir, jobs, second_reader);
  Say("      " + std::to_string(rad.reader1.rows()) + " patients x " + std::to_string(rad.reader1.cols()) +
      " features (" + std::to_string(rad.reused) + " reused)");
  return rad;
}

namespace {

df::FineTuneSettings FineTuneOf(const Config& cfg) {
  df::FineTuneSettings ft;
  ft.epochs = cfg.epochs;
  ft.batch_size = cfg.batch_size;
  ft.optimizer = cfg.optimizer == "adam" ? df::Optimizer::kAdam : df::Optimizer::kSgd;
  ft.learning_rate = cfg.learning_rate;
  ft.momentum = cfg.momentum;
  ft.weight_decay = cfg.weight_decay;
  ft.schedule = cfg.schedule == "constant" ? df::LearningRateSchedule::kConstant
                : cfg.schedule == "step"    ? df::LearningRateSchedule::kStep
                                            : df::LearningRateSchedule::kCosine;
  ft.frozen_layers = cfg.frozen_layers;
  ft.adapt_batch_norm = cfg.adapt_batch_norm;
  ft.balanced_class_weights = cfg.balanced_class_weights;
  ft.validation_fraction = cfg.validation_fraction;
  ft.patience = cfg.patience;
  ft.augment = cfg.augment;
  ft.seed = cfg.seed;
  return ft;
}

json HistoryJson(const df::FineTuneResult& result) {
  json history = json::array();
  for (const auto& e : result.history)
    history.push_back({{"epoch", e.epoch}, {"learning_rate", e.learning_rate}, {"train_loss", e.train_loss},
                       {"validation_loss", std::isfinite(e.validation_loss) ? json(e.validation_loss) : json()},
                       {"validation_auc", std::isfinite(e.validation_auc) ? json(e.validation_auc) : json()}});
  return history;
}

// How fast the fine-tuning ran: per epoch and over all epochs (timings, so
// not part of the deterministic report).
json SpeedJson(const df::FineTuneResult& result) {
  json epochs = json::array();
  double images = 0, seconds = 0, gflop = 0;
  for (const auto& e : result.history) {
    epochs.push_back({{"epoch", e.epoch}, {"seconds", e.seconds}, {"train_seconds", e.train_seconds},
                      {"train_images", e.train_images}, {"images_per_second", e.images_per_second},
                      {"gflop_per_second", e.gflop_per_second}});
    images += e.train_images;
    seconds += e.train_seconds;
    gflop += e.gflop_per_second * e.train_seconds;
  }
  return {{"path", result.path},
          {"seconds", result.seconds},
          {"train_images", images},
          {"train_seconds", seconds},
          {"images_per_second", seconds > 0 ? images / seconds : 0.0},
          {"gflop_per_second", seconds > 0 ? gflop / seconds : 0.0},
          {"epochs", epochs}};
}

// Grad-CAM of LVSI+ for every patient of `set`: the figure of panels and the
// raw maps (.npy).
void WriteGradCam(const df::ResNet50& net, const df::SliceSet& set, const std::string& out) {
  const auto maps = net.GradCam(set.values, set.count(), 1, set.size);
  std::vector<ev::HeatmapPanel> panels;
  std::vector<float> raw;
  for (std::size_t k = 0; k < maps.size(); ++k) {
    const Eigen::MatrixXf norm = df::NormaliseMap(maps[k]);
    std::vector<double> cells;
    for (Eigen::Index a = 0; a < norm.rows(); ++a)
      for (Eigen::Index b = 0; b < norm.cols(); ++b) {
        cells.push_back(norm(a, b));
        raw.push_back(maps[k](a, b));
      }
    ev::HeatmapPanel p;
    p.caption = set.case_ids[k] + (set.labels[k] ? " (LVSI+)" : " (LVSI-)");
    p.width = p.height = set.size;
    p.image = set.Plane(k);
    p.heat = lvsi::preprocessing::ResizeBilinear(cells, static_cast<int>(norm.cols()), static_cast<int>(norm.rows()),
                                                 set.size, set.size);
    panels.push_back(std::move(p));
  }
  ev::PlotHeatmapPanels(panels, "Grad-CAM (LVSI+), " + set.sequence + ", validation",
                        out + "/figures/gradcam_" + set.sequence + ".png");
  df::WriteNpyFloat32(out + "/deep/gradcam_" + set.sequence + ".npy", raw,
                      {static_cast<long>(maps.size()), maps[0].rows(), maps[0].cols()});
}

}  // namespace

DeepPart DeepSequence(const df::SliceSet& slices, const std::vector<std::string>& ids,
                      const std::set<std::string>& train_ids, const Config& cfg, const std::string& weights,
                      const std::string& key, const std::string& out, bool fresh) {
  const std::string& q = slices.sequence;
  const std::string stem = out + "/deep/" + q;
  std::vector<std::size_t> use, train_idx, valid_idx;
  for (std::size_t i = 0; i < slices.case_ids.size(); ++i) {
    if (std::find(ids.begin(), ids.end(), slices.case_ids[i]) == ids.end()) continue;
    (train_ids.count(slices.case_ids[i]) ? train_idx : valid_idx).push_back(use.size());
    use.push_back(i);
  }
  const df::SliceSet set = slices.Subset(use);
  df::ResNet50 net(NetSettings(cfg.seed));
  DeepPart part;
  part.report["pretrained"] = !weights.empty();
  std::string ids_text;
  for (const auto& id : set.case_ids) ids_text += id + ";";
  const std::string full_key =
      key + " slices=" +
      ContentDigest(std::string_view(reinterpret_cast<const char*>(set.values.data()), set.values.size() * sizeof(float))) +
      " labels=" +
      ContentDigest(std::string_view(reinterpret_cast<const char*>(set.labels.data()), set.labels.size() * sizeof(set.labels[0]))) +
      " ids=" + ContentDigest(ids_text) + "\n";
  const bool cached = !fresh && fs::exists(stem + ".key") && lvsi::ReadTextFile(stem + ".key") == full_key &&
                      fs::exists(stem + ".pt") && fs::exists(stem + "_features.csv");
  if (cached) {
    net.LoadWeights(stem + ".pt");
    part.features = lvsi::FeatureTable::ReadCsv(stem + "_features.csv");
    Say("      " + q + ": reusing the fine-tuned network and features");
    part.report["cached"] = true;
  } else {
    if (!weights.empty()) net.LoadTorchvisionWeights(weights);
    df::FineTuneSettings ft = FineTuneOf(cfg);
    ft.on_epoch = [&](const df::EpochLog& e) {
      Say("      " + q + " epoch " + std::to_string(e.epoch) + "/" + std::to_string(cfg.epochs) + ": loss " +
          Fixed(e.train_loss) + ", inner validation loss " + Fixed(e.validation_loss) + ", AUC " +
          Fixed(e.validation_auc) + " (" + Fixed(e.seconds, 1) + " s; training " + Fixed(e.images_per_second, 1) +
          " images/s, " + Fixed(e.gflop_per_second, 1) + " GFLOP/s)");
    };
    const df::SliceSet train_set = set.Subset(train_idx);
    const auto result = net.FineTune(train_set.values, train_set.count(), train_set.labels, ft, set.size);
    net.Save(stem + ".pt");
    part.features = SequenceFeatures(net, set);
    part.features.WriteCsv(stem + "_features.csv");
    lvsi::WriteFileAtomically(stem + ".key", full_key);
    part.report["cached"] = false;
    part.report["best_epoch"] = result.best_epoch;
    part.report["epochs_run"] = result.history.size();
    part.report["stopped_early"] = result.stopped_early;
    part.report["history"] = HistoryJson(result);
    part.speed = SpeedJson(result);
  }
  // Grad-CAM of LVSI+ for a few validation patients, positives first.
  std::vector<std::size_t> shown;
  for (int want : {1, 0})
    for (auto i : valid_idx)
      if (set.labels[i] == want && static_cast<int>(shown.size()) < cfg.gradcam_cases) shown.push_back(i);
  if (!shown.empty()) {
    const df::SliceSet sub = set.Subset(shown);
    WriteGradCam(net, sub, out);
    part.report["gradcam_cases"] = sub.case_ids;
  }
  return part;
}

std::map<std::string, std::string> SaveModelInputs(const Config& cfg, const lvsi::io::CohortManifest& manifest,
                                                   const std::string& manifest_path, const std::string& weights,
                                                   const std::string& out) {
  std::string sequences;
  for (const auto& q : manifest.sequences) sequences += (sequences.empty() ? "" : ",") + q;
  std::map<std::string, std::string> metadata{{"lvsi_version", lvsi::Version()},
                                              {"study.seed", std::to_string(cfg.seed)},
                                              {"study.cohort", fs::absolute(manifest_path).string()},
                                              {"study.slice_size", std::to_string(cfg.slice_size)},
                                              {"study.slice_margin", std::to_string(cfg.slice_margin)},
                                              {"study.low_percentile", lvsi::FormatDouble(cfg.low_percentile)},
                                              {"study.high_percentile", lvsi::FormatDouble(cfg.high_percentile)},
                                              {"study.radiomics_params", "params"},
                                              {"study.pretrained", weights.empty() ? "false" : "true"},
                                              {"study.sequences", sequences}};
  fs::create_directories(out + "/models/params");
  for (const auto& q : manifest.sequences) {
    fs::copy_file(fs::path(cfg.params_dir) / (q + ".yaml"), out + "/models/params/" + q + ".yaml",
                  fs::copy_options::overwrite_existing);
    if (cfg.deep) {
      fs::copy_file(out + "/deep/" + q + ".pt", out + "/models/deep_" + q + ".pt", fs::copy_options::overwrite_existing);
      metadata["study.deep_weights." + q] = "deep_" + q + ".pt";
    }
  }
  return metadata;
}

void WritePredictionsCsv(const std::string& path, const std::vector<std::string>& ids, const std::vector<int>& labels,
                         const std::vector<std::string>& cohort,
                         const std::vector<std::pair<std::string, std::vector<double>>>& scores) {
  std::string csv = "case_id,label,split";
  for (const auto& [key, values] : scores) csv += "," + key;
  csv += "\n";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    csv += ids[i] + "," + std::to_string(labels[i]) + "," + cohort[i];
    for (const auto& [key, values] : scores) csv += "," + lvsi::FormatDouble(values[i]);
    csv += "\n";
  }
  lvsi::WriteFileAtomically(path, csv);
}

void WriteReportHtml(const std::string& out, const json& report, const std::vector<std::string>& sequences) {
  const json& cohort = report["cohort"];
  std::string html = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>lvsi study report</title><style>"
                     "body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}"
                     "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px}"
                     "caption{font-weight:bold;text-align:left}img{width:32%;min-width:300px}"
                     ".warn{background:#fff3cd;padding:.5em}</style></head><body>";
  html += "<h1>LVSI prediction study</h1><p>lvsi " + ev::HtmlEscape(report["lvsi_version"].get<std::string>()) +
          "; cohort " + ev::HtmlEscape(cohort["manifest"].get<std::string>()) + "; " +
          std::to_string(cohort["used"].get<std::size_t>()) + " of " +
          std::to_string(cohort["patients"].get<std::size_t>()) + " patients used (" +
          std::to_string(cohort["train"]["n"].get<std::size_t>()) + " training, " +
          std::to_string(cohort["validation"]["n"].get<std::size_t>()) + " validation); seed " +
          std::to_string(report["seed"].get<unsigned>()) + ".</p>";
  if (report["demo"].get<bool>())
    html += "<p class=\"warn\">Demo: " + ev::HtmlEscape(report["demo_settings"].get<std::string>()) + ".</p>";
  if (report["deep"].contains("warning"))
    html += "<p class=\"warn\">" + ev::HtmlEscape(report["deep"]["warning"].get<std::string>()) + ".</p>";
  for (const auto& w : report["warnings"])
    html += "<p class=\"warn\">Warning: " + ev::HtmlEscape(w.get<std::string>()) + ".</p>";
  if (!cohort["excluded"].empty()) {
    html += "<h2>Excluded patients</h2><ul>";
    for (const auto& e : cohort["excluded"])
      html += "<li>" + ev::HtmlEscape(e["case_id"].get<std::string>()) + ": " +
              ev::HtmlEscape(e["reason"].get<std::string>()) + "</li>";
    html += "</ul>";
  }
  html += "<h2>Table 1. Clinical characteristics</h2>";
  for (const char* c : {"train", "validation"})
    if (fs::exists(out + "/evaluation/table1_" + std::string(c) + ".html"))
      html += lvsi::ReadTextFile(out + "/evaluation/table1_" + std::string(c) + ".html");
  html += "<h2>Table 2. Model performance</h2>" + lvsi::ReadTextFile(out + "/evaluation/table2.html");
  html += "<h2>DeLong tests (validation)</h2><table><tr><th>Comparison</th><th>AUC</th><th>AUC</th><th>p</th>"
          "<th>p (Bonferroni)</th></tr>";
  const json& delong = report["delong"];
  for (auto it = delong.begin(); it != delong.end(); ++it)
    html += "<tr><td>" + ev::HtmlEscape(it.key()) + "</td><td>" + Fixed(it.value()["auc_a"].get<double>()) +
            "</td><td>" + Fixed(it.value()["auc_b"].get<double>()) + "</td><td>" +
            ev::FormatP(it.value()["p"].get<double>()) + "</td><td>" +
            ev::FormatP(it.value()["p_bonferroni"].get<double>()) + "</td></tr>";
  html += "</table><h2>Figures</h2>";
  for (const char* c : {"train", "validation"})
    for (const char* f : {"roc", "calibration", "decision"})
      html += "<img src=\"evaluation/" + std::string(f) + "_" + c + ".png\" alt=\"" + f + " " + c + "\">";
  for (const auto& s : sequences)
    if (fs::exists(out + "/figures/gradcam_" + s + ".png"))
      html += "<img src=\"figures/gradcam_" + s + ".png\" alt=\"Grad-CAM " + s + "\">";
  html += "<h2>Selected features</h2>";
  for (auto it = report["models"].begin(); it != report["models"].end(); ++it) {
    const json& selected = it.value()["selected_features"];
    html += "<h3>" + it.value()["name"].get<std::string>() + " (" + std::to_string(selected.size()) + ")</h3><p>";
    for (const auto& f : selected) html += ev::HtmlEscape(f.get<std::string>()) + " ";
    html += "</p>";
  }
  html += "<h2>Timings</h2><table>";
  const json& timings = report["timings_seconds"];
  for (auto it = timings.begin(); it != timings.end(); ++it)
    html += "<tr><td>" + it.key() + "</td><td>" + Fixed(it.value().get<double>(), 1) + " s</td></tr>";
  html += "</table>";
  if (report.contains("timings_deep_training")) {
    html += "<h3>Fine-tuning</h3><table><tr><th>sequence</th><th>path</th><th>epochs</th><th>images trained</th>"
            "<th>training time</th><th>images/s</th><th>GFLOP/s</th></tr>";
    const json& speed = report["timings_deep_training"];
    for (auto it = speed.begin(); it != speed.end(); ++it) {
      const json& v = it.value();
      html += "<tr><td>" + ev::HtmlEscape(it.key()) + "</td><td>" + v["path"].get<std::string>() + "</td><td>" +
              std::to_string(v["epochs"].size()) + "</td><td>" + Fixed(v["train_images"].get<double>(), 0) +
              "</td><td>" + Fixed(v["train_seconds"].get<double>(), 1) + " s</td><td>" +
              Fixed(v["images_per_second"].get<double>(), 1) + "</td><td>" +
              Fixed(v["gflop_per_second"].get<double>(), 1) + "</td></tr>";
    }
    html += "</table>";
  }
  html += "</body></html>\n";
  lvsi::WriteFileAtomically(out + "/report.html", html);
}

void NeededSequences(const std::vector<std::string>& features, const std::vector<std::string>& sequences,
                     std::vector<std::string>* radiomics, std::vector<std::string>* deep) {
  std::set<std::string> rad, dl;
  for (const auto& f : features)
    for (const auto& s : sequences)
      if (f.rfind(s + "_", 0) == 0) (f.rfind(s + "_dl_", 0) == 0 ? dl : rad).insert(s);
  radiomics->assign(rad.begin(), rad.end());
  deep->assign(dl.begin(), dl.end());
}

}  // namespace study

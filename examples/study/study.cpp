#include "study.h"

#include <yaml-cpp/yaml.h>

#include <exception>
#include <filesystem>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace study {
namespace {

// One section of study.yaml: reads the keys it is asked for (with the
// section and key named in any type error) and rejects the others.
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
      throw lvsi::FormatError(path_, "'" + name_ + "." + key + "' has the wrong type");
    }
    return *this;
  }
  void RejectOthers() const {
    for (const auto& kv : node_) {
      const std::string key = kv.first.as<std::string>();
      if (!seen_.count(key)) throw lvsi::FormatError(path_, "unknown key '" + name_ + "." + key + "'");
    }
  }

 private:
  YAML::Node node_;
  std::string name_, path_;
  std::set<std::string> seen_;
};

}  // namespace

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
    const std::string name = kv.first.as<std::string>();
    if (!sections.count(name)) throw lvsi::FormatError(path, "unknown section '" + name + "'");
    if (!kv.second.IsMap()) throw lvsi::FormatError(path, "section '" + name + "' must be a mapping");
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
    if (condition) throw lvsi::FormatError(path, what);
  };
  bad(!(c.train_fraction > 0 && c.train_fraction < 1), "'study.train_fraction' must lie in (0, 1)");
  bad(c.lambda_rule != "1se" && c.lambda_rule != "min", "'selection.lambda_rule' must be 1se or min");
  bad(c.optimizer != "sgd" && c.optimizer != "adam", "'deep.optimizer' must be sgd or adam");
  bad(c.schedule != "constant" && c.schedule != "step" && c.schedule != "cosine",
      "'deep.schedule' must be constant, step or cosine");
  bad(c.lasso_folds < 3 || c.svm_folds < 2, "'selection.lasso_folds' must be >= 3 and 'svm.folds' >= 2");
  bad(c.svm_c.empty(), "'svm.c_values' must not be empty");
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

lvsi::preprocessing::SliceOptions Config::SliceOptions() const {
  lvsi::preprocessing::SliceOptions o;
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

RadiomicsResult ExtractRadiomics(const lvsi::io::CohortManifest& manifest, const std::string& params_dir,
                                 const std::string& dir, int jobs, bool second_reader) {
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
  settings.progress = lvsi::TerminalProgress();
  const auto run = lvsi::radiomics::CohortExtractor(parameters, settings).Run(manifest);
  RadiomicsResult r;
  r.errors = run.errors;
  r.reused = run.reused;
  r.reader1 = lvsi::radiomics::CohortExtractor::Merge(manifest, dir);
  const std::string r2 = dir + "/features_reader2.csv";
  if (second_reader && fs::exists(r2)) r.reader2 = lvsi::FeatureTable::ReadCsv(r2);
  return r;
}

lvsi::deepfeatures::ResNetOptions NetOptions(unsigned seed) {
  lvsi::deepfeatures::ResNetOptions o;
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

void ForEachSequence(std::size_t n, int jobs, const std::function<void(std::size_t)>& body) {
  const std::size_t workers = std::min<std::size_t>(n, static_cast<std::size_t>(std::max(1, jobs)));
  std::mutex mutex;
  std::exception_ptr first;
  std::size_t next = 0;
  std::vector<std::thread> pool;
  for (std::size_t w = 0; w < workers; ++w)
    pool.emplace_back([&] {
      for (;;) {
        std::size_t i;
        {
          std::lock_guard<std::mutex> lock(mutex);
          if (next >= n || first) return;
          i = next++;
        }
        try {
          body(i);
        } catch (...) {
          std::lock_guard<std::mutex> lock(mutex);
          if (!first) first = std::current_exception();
        }
      }
    });
  for (auto& t : pool) t.join();
  if (first) std::rethrow_exception(first);
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

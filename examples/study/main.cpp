// lvsi_study: the whole study on a cohort manifest (or the synthetic demo
// cohort): radiomics with both readers, deep features from a fine-tuned
// ResNet-50, the Rad, DL and RDL models (ICC, variance, z-score,
// Mann-Whitney, LASSO-CV with the 1-SE rule, RBF-SVM grid search), their
// evaluation in the training and validation cohorts, the report.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "study.h"

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
namespace ev = lvsi::evaluation;
namespace df = lvsi::deepfeatures;

namespace {

std::mutex g_print;

// Prints a line on the terminal and logs it.
void Say(const std::string& line) {
  std::lock_guard<std::mutex> lock(g_print);
  std::fprintf(stderr, "%s\n", line.c_str());
  lvsi::Log(lvsi::LogLevel::kInfo, line);
}

class Stopwatch {
 public:
  double Seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count(); }
 private:
  std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
};

std::string Fixed(double v, int digits = 3) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// One model of the study and what its fit produced.
struct ModelSpec {
  std::string key;      // rad, dl, rdl
  std::string display;  // Rad, DL, RDL
  lvsi::FeatureTable table;
};

struct FittedModel {
  std::string lambda_rule;
  double lambda = 0;
  std::map<std::string, std::size_t> removed_by_step;
  std::vector<std::string> selected;
  double c = 0, gamma = 0, cv_auc = 0;
  std::string calibration;  // SvmCalibration's name
  double train_auc = 0;     // of the probabilities
  double threshold = 0;
  std::string file;
  std::vector<std::string> warnings;  // for the log and the report
};

// Fits selection + SVM on the training rows; saves the trained pipeline.
FittedModel FitModel(const ModelSpec& spec, const lvsi::FeatureTable& train, const std::vector<int>& y,
                     const lvsi::FeatureTable* reader2, const study::Config& cfg, int jobs,
                     const std::map<std::string, std::string>& metadata, const std::string& path) {
  namespace sel = lvsi::selection;
  FittedModel fm;
  const bool has_radiomics = spec.key != "dl";
  std::unique_ptr<sel::SelectionPipeline> pipeline;
  // The configured rule; when it keeps no feature, lambda_min, then the
  // sparsest non-empty model of the path (recorded in the report).
  std::vector<std::string> rules{cfg.lambda_rule};
  if (cfg.lambda_rule != "min") rules.push_back("min");
  rules.push_back("first_nonempty");
  for (const std::string& rule : rules) {
    pipeline = std::make_unique<sel::SelectionPipeline>();
    if (has_radiomics && reader2 && reader2->rows())
      pipeline->Emplace<sel::IccFilter>(cfg.icc_threshold, sel::IccForm::kIcc2, /*pass_unrated=*/spec.key == "rdl");
    pipeline->Emplace<sel::VarianceFilter>();
    pipeline->Emplace<sel::StandardScaler>();
    pipeline->Emplace<sel::MannWhitneyFilter>(cfg.mann_whitney_p);
    sel::LassoCvOptions cv;
    cv.folds = cfg.lasso_folds;
    cv.seed = cfg.seed;
    cv.threads = jobs;
    auto& lasso = pipeline->Emplace<sel::LassoSelector>(cv, rule == "min"              ? sel::LambdaRule::kMin
                                                            : rule == "first_nonempty" ? sel::LambdaRule::kFirstNonEmpty
                                                                                       : sel::LambdaRule::kOneStandardError);
    try {
      pipeline->Fit({train, y, reader2});
      fm.lambda_rule = rule;
      fm.lambda = lasso.lambda();
      break;
    } catch (const sel::EmptySelectionError& e) {
      if (rule == "first_nonempty")
        throw sel::EmptySelectionError(spec.display + " model: " + e.what() +
                                       "; no feature separates the classes in the training cohort");
      Say("      " + spec.display + ": " + e.what() + " with lambda " + rule + "; trying " +
          (rule == "1se" ? "lambda_min" : "the sparsest non-empty model"));
    }
  }
  for (const auto& r : pipeline->removals()) ++fm.removed_by_step[r.step];
  const sel::CompiledSelection compiled = pipeline->Compile();
  fm.selected = compiled.selected_features;
  const lvsi::FeatureTable x = compiled.Apply(train);
  lvsi::models::GridSearchOptions grid;
  grid.c_values = cfg.svm_c;
  grid.folds = cfg.svm_folds;
  grid.seed = cfg.seed;
  grid.threads = jobs;
  grid.base.seed = cfg.seed;
  auto search = lvsi::models::GridSearchSvm(x.values(), y, grid);
  const auto& best = search.grid[search.best];
  fm.c = best.c;
  fm.gamma = best.gamma;
  fm.cv_auc = best.mean_auc;
  fm.calibration = lvsi::models::CalibrationName(search.model.calibration());
  if (search.model.calibration() != lvsi::models::SvmCalibration::kPlattCv)
    fm.warnings.push_back(spec.display + ": libsvm's Platt sigmoid decreased with the decision value (C = " +
                          lvsi::FormatDouble(fm.c) + ", " + std::to_string(search.model.free_support_vectors()) + " of " +
                          std::to_string(search.model.support_vectors()) +
                          " support vectors free); probabilities calibrated by '" + fm.calibration + "' instead");
  lvsi::models::TrainedPipeline trained(spec.display, compiled, std::move(search.model));
  // The score every later step uses (cut-off, ROC, DeLong) is checked for
  // its orientation on the training cohort.
  const std::vector<double> train_p = trained.PredictProbability(train);
  fm.train_auc = ev::Auc(train_p, y);
  if (fm.train_auc != ev::Auc(trained.DecisionValues(train), y))
    fm.warnings.push_back(spec.display + ": its probabilities rank the training cohort differently from its decision "
                          "values (AUC " + Fixed(fm.train_auc) + " vs " + Fixed(ev::Auc(trained.DecisionValues(train), y)) + ")");
  if (fm.train_auc < 0.5)
    fm.warnings.push_back(spec.display + ": training AUC " + Fixed(fm.train_auc) +
                          " is below 0.5: the model ranks its own training patients backwards");
  for (const auto& w : fm.warnings) lvsi::Log(lvsi::LogLevel::kWarning, w);
  fm.threshold = ev::YoudenOptimal(train_p, y).threshold;
  trained.set_threshold(fm.threshold);
  trained.metadata() = metadata;
  trained.metadata()["study.model"] = spec.key;
  trained.metadata()["study.lambda_rule"] = fm.lambda_rule;
  trained.Save(path);
  fm.file = path;
  return fm;
}

// The cohort of each patient: the manifest's split, else a stratified split.
std::vector<std::string> Cohorts(const std::vector<const lvsi::io::ManifestCase*>& cases, bool from_manifest,
                                 const std::vector<int>& labels, const study::Config& cfg) {
  std::vector<std::string> cohort(cases.size(), "validation");
  if (from_manifest) {
    for (std::size_t i = 0; i < cases.size(); ++i) cohort[i] = cases[i]->split == "train" ? "train" : "validation";
    return cohort;
  }
  std::vector<std::size_t> tr, va;
  lvsi::models::StratifiedSplit(labels, cfg.train_fraction, cfg.seed, &tr, &va);
  for (auto i : tr) cohort[i] = "train";
  return cohort;
}

// Stops the study when the patients cannot support it: one class, too few
// of a class for the cross-validation, no validation patients.
void CheckCohort(const std::vector<int>& labels, const std::vector<std::string>& cohort, const study::Config& cfg) {
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lvsi_study " + lvsi::Version() +
               ": the LVSI study end to end (radiomics, deep features, Rad/DL/RDL models, evaluation, report)"};
  app.set_version_flag("--version", "lvsi_study " + lvsi::Version());
  std::string manifest_path, out, config_path, weights;
  bool demo = false, no_cache = false;
  int demo_patients = 155, jobs = 0;
  unsigned seed = 0;
  bool seed_given = false;
  auto* m = app.add_option("--manifest", manifest_path, "cohort manifest (CSV)")->check(CLI::ExistingFile);
  app.add_flag("--demo", demo, "generate the synthetic demo cohort and run the study on it")->excludes(m);
  app.add_option("--demo-patients", demo_patients, "patients of the demo cohort")->check(CLI::Range(20, 100000));
  app.add_option("-o,--out", out, "output folder")->required();
  app.add_option("--config", config_path, "study settings (YAML; see docs/study.md)")->check(CLI::ExistingFile);
  app.add_option("--weights", weights, "TorchScript export of torchvision's resnet50 (ImageNet weights)")
      ->check(CLI::ExistingFile);
  app.add_option("--seed", seed, "random seed (overrides the configuration's)")
      ->each([&](const std::string&) { seed_given = true; });
  app.add_option("-j,--jobs", jobs, "threads (0: all cores)")->check(CLI::NonNegativeNumber);
  app.add_flag("--no-cache", no_cache, "recompute every stage instead of reusing finished ones");
  CLI11_PARSE(app, argc, argv);
  if (!demo && manifest_path.empty()) {
    std::cerr << "lvsi_study: give --manifest COHORT.csv or --demo\n";
    return 2;
  }
  const Stopwatch total;
  json report;
  json timings = json::object();
  try {
    if (jobs == 0) jobs = lvsi::DefaultThreadCount();
    lvsi::SetDefaultThreadCount(jobs);
    fs::create_directories(out);
    for (const char* sub : {"models", "figures", "deep", "evaluation"}) fs::create_directories(out + "/" + sub);
    lvsi::SetLogFile(out + "/lvsi_study.log");
    // The terminal gets the study's own lines (Say) and lvsi's warnings;
    // the log file gets everything.
    lvsi::SetLogSink([](lvsi::LogLevel level, const std::string& message) {
      if (level >= lvsi::LogLevel::kWarning) {
        std::lock_guard<std::mutex> lock(g_print);
        std::fprintf(stderr, "%s\n", message.c_str());
      }
    });
    study::Config cfg = demo ? study::DemoConfig() : study::Config{};
    cfg.params_dir = study::DefaultParamsDir(argv[0]);
    if (!config_path.empty()) cfg = study::Config::Read(config_path, cfg);
    if (seed_given) cfg.seed = seed;
    lvsi::WriteFileAtomically(out + "/study_config.yaml", cfg.ToYaml());
    Say("lvsi_study " + lvsi::Version() + ": " + (demo ? "demo cohort" : manifest_path) + " -> " + out + " (" +
        std::to_string(jobs) + " threads, seed " + std::to_string(cfg.seed) + ")");

    // 1. Manifest.
    Stopwatch t;
    if (demo) {
      const std::string cohort_dir = out + "/cohort";
      const std::string key = "patients " + std::to_string(demo_patients) + " seed " + std::to_string(cfg.seed) + "\n";
      if (no_cache || !fs::exists(cohort_dir + "/cohort.csv") || !fs::exists(cohort_dir + "/demo.key") ||
          lvsi::ReadTextFile(cohort_dir + "/demo.key") != key) {
        fs::remove_all(cohort_dir);
        fs::remove_all(out + "/radiomics");
        Say("[1/6] generating " + std::to_string(demo_patients) + " synthetic patients");
        lvsi::io::SyntheticCohortOptions o;
        o.patients = demo_patients;
        o.seed = cfg.seed;
        o.threads = jobs;
        lvsi::io::GenerateSyntheticCohort(cohort_dir, o);
        lvsi::WriteFileAtomically(cohort_dir + "/demo.key", key);
      } else {
        Say("[1/6] reusing the synthetic cohort in " + cohort_dir);
      }
      manifest_path = cohort_dir + "/cohort.csv";
    }
    const lvsi::io::CohortManifest manifest = lvsi::io::ReadManifest(manifest_path);
    if (manifest.sequences.empty()) throw lvsi::ManifestError(manifest_path, {"no <sequence>_image columns"});
    Say("[1/6] manifest: " + std::to_string(manifest.cases.size()) + " patients, sequences " + [&] {
      std::string s;
      for (const auto& q : manifest.sequences) s += (s.empty() ? "" : ", ") + q;
      return s;
    }());
    {  // Before the long stages: can these patients support the study at all?
      std::vector<const lvsi::io::ManifestCase*> all;
      std::vector<int> y;
      for (const auto& c : manifest.cases) {
        all.push_back(&c);
        y.push_back(c.label);
      }
      CheckCohort(y, Cohorts(all, manifest.has_split, y, cfg), cfg);
    }
    timings["manifest"] = t.Seconds();

    // 2. Radiomics, both readers (resumable: finished cases are reused).
    t = Stopwatch();
    bool second_reader = true;
    for (const auto& q : manifest.sequences) second_reader = second_reader && manifest.HasSecondReader(q);
    {  // Finished cases are reused only while the parameter files and readers are unchanged.
      std::string key = second_reader ? "readers 2\n" : "readers 1\n";
      for (const auto& q : manifest.sequences) key += q + "\n" + lvsi::ReadTextFile(cfg.params_dir + "/" + q + ".yaml");
      const std::string stamp = out + "/radiomics/study.key";
      if (no_cache || !fs::exists(stamp) || lvsi::ReadTextFile(stamp) != key) fs::remove_all(out + "/radiomics");
      fs::create_directories(out + "/radiomics");
      lvsi::WriteFileAtomically(stamp, key);
    }
    Say("[2/6] radiomics: " + std::to_string(manifest.sequences.size()) + " sequences x " +
        std::to_string(manifest.cases.size()) + " patients" + (second_reader ? ", both readers" : ", reader 1 only"));
    const study::RadiomicsResult rad =
        study::ExtractRadiomics(manifest, cfg.params_dir, out + "/radiomics", jobs, second_reader);
    Say("      " + std::to_string(rad.reader1.rows()) + " patients x " + std::to_string(rad.reader1.cols()) +
        " features (" + std::to_string(rad.reused) + " reused)");
    timings["radiomics"] = t.Seconds();

    // Exclusions: failed radiomics, then failed tumour slices.
    std::map<std::string, std::string> excluded;
    for (const auto& [id, why] : rad.errors) excluded[id] = "radiomics: " + why;
    std::vector<df::SliceSet> slices;
    if (cfg.deep) {
      for (const auto& q : manifest.sequences) {
        slices.push_back(df::LoadTumourSlices(manifest, q, cfg.SliceOptions(), jobs));
        for (const auto& [id, why] : slices.back().errors)
          if (!excluded.count(id)) excluded[id] = "deep (" + q + "): " + why;
      }
    }
    for (const auto& [id, why] : excluded) Say("      excluded " + id + ": " + why);

    // 3. Split (7:3 stratified unless the manifest has one).
    std::vector<std::string> ids;
    std::vector<int> labels;
    std::vector<std::string> cohort;
    std::vector<const lvsi::io::ManifestCase*> cases;
    for (const auto& c : manifest.cases)
      if (!excluded.count(c.case_id) && rad.reader1.FindRow(c.case_id)) cases.push_back(&c);
    for (const auto* c : cases) {
      ids.push_back(c->case_id);
      labels.push_back(c->label);
    }
    cohort = Cohorts(cases, manifest.has_split, labels, cfg);
    CheckCohort(labels, cohort, cfg);
    const auto positives = std::count(labels.begin(), labels.end(), 1);
    std::vector<std::size_t> train_rows, valid_rows;
    for (std::size_t i = 0; i < ids.size(); ++i) (cohort[i] == "train" ? train_rows : valid_rows).push_back(i);
    std::vector<int> y_train;
    for (auto i : train_rows) y_train.push_back(labels[i]);
    const long train_pos = std::count(y_train.begin(), y_train.end(), 1);
    {
      std::string csv = "case_id,label,split\n";
      for (std::size_t i = 0; i < ids.size(); ++i)
        csv += ids[i] + "," + std::to_string(labels[i]) + "," + cohort[i] + "\n";
      lvsi::WriteFileAtomically(out + "/split.csv", csv);
    }
    Say("[3/6] split: " + std::to_string(train_rows.size()) + " training (" + std::to_string(train_pos) +
        " LVSI+), " + std::to_string(valid_rows.size()) + " validation" +
        (manifest.has_split ? " (from the manifest)" : " (stratified 7:3)"));

    // 4. Deep features: fine-tune per sequence on the training patients,
    // extract for everyone, Grad-CAM for a few validation patients.
    t = Stopwatch();
    lvsi::FeatureTable deep_table;
    json deep_report = json::object();
    std::map<std::string, std::string> weights_files;
    if (cfg.deep) {
      std::set<std::string> train_ids;
      for (auto i : train_rows) train_ids.insert(ids[i]);
      std::string key = cfg.DeepKey() + " weights=" + weights + " train=";
      for (const auto& id : train_ids) key += id + ";";
      for (const auto& set : slices) weights_files[set.sequence] = out + "/deep/" + set.sequence + ".pt";
      std::vector<lvsi::FeatureTable> parts(slices.size());
      std::vector<json> part_reports(slices.size());
      Say("[4/6] deep features: ResNet-50 " + (weights.empty() ? std::string("from a RANDOM initialisation (no --weights)")
                                                               : "from " + weights) +
          ", " + std::to_string(cfg.slice_size) + " px slices, " + std::to_string(cfg.epochs) + " epochs");
      study::ForEachSequence(slices.size(), jobs, [&](std::size_t s) {
        const df::SliceSet all = slices[s];
        const std::string& q = all.sequence;
        const std::string stem = out + "/deep/" + q;
        std::vector<std::size_t> use, train_idx, valid_idx;
        for (std::size_t i = 0; i < all.case_ids.size(); ++i) {
          const bool in_study = std::find(ids.begin(), ids.end(), all.case_ids[i]) != ids.end();
          if (!in_study) continue;
          (train_ids.count(all.case_ids[i]) ? train_idx : valid_idx).push_back(use.size());
          use.push_back(i);
        }
        const df::SliceSet set = all.Subset(use);
        df::ResNet50 net(study::NetOptions(cfg.seed));
        json r;
        r["pretrained"] = !weights.empty();
        const bool cached = !no_cache && fs::exists(stem + ".key") && lvsi::ReadTextFile(stem + ".key") == key &&
                            fs::exists(stem + ".pt") && fs::exists(stem + "_features.csv");
        if (cached) {
          net.Load(stem + ".pt");
          parts[s] = lvsi::FeatureTable::ReadCsv(stem + "_features.csv");
          Say("      " + q + ": reusing the fine-tuned network and features");
          r["cached"] = true;
        } else {
          if (!weights.empty()) net.LoadTorchvisionWeights(weights);
          df::FineTuneOptions ft;
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
          ft.on_epoch = [&](const df::EpochLog& e) {
            Say("      " + q + " epoch " + std::to_string(e.epoch) + "/" + std::to_string(cfg.epochs) + ": loss " +
                Fixed(e.train_loss) + ", inner validation loss " + Fixed(e.validation_loss) + ", AUC " +
                Fixed(e.validation_auc) + " (" + Fixed(e.seconds, 1) + " s)");
          };
          const df::SliceSet train_set = set.Subset(train_idx);
          const auto result = net.FineTune(train_set.values, train_set.count(), train_set.labels, ft, set.size);
          net.Save(stem + ".pt");
          parts[s] = study::SequenceFeatures(net, set);
          parts[s].WriteCsv(stem + "_features.csv");
          lvsi::WriteFileAtomically(stem + ".key", key);
          r["cached"] = false;
          r["best_epoch"] = result.best_epoch;
          r["epochs_run"] = result.history.size();
          r["stopped_early"] = result.stopped_early;
          json history = json::array();
          for (const auto& e : result.history)
            history.push_back({{"epoch", e.epoch}, {"learning_rate", e.learning_rate}, {"train_loss", e.train_loss},
                               {"validation_loss", std::isfinite(e.validation_loss) ? json(e.validation_loss) : json()},
                               {"validation_auc", std::isfinite(e.validation_auc) ? json(e.validation_auc) : json()}});
          r["history"] = history;
        }
        // Grad-CAM of LVSI+ for a few validation patients, positives first.
        std::vector<std::size_t> shown;
        for (int want : {1, 0})
          for (auto i : valid_idx)
            if (set.labels[i] == want && static_cast<int>(shown.size()) < cfg.gradcam_cases) shown.push_back(i);
        if (!shown.empty()) {
          const df::SliceSet sub = set.Subset(shown);
          const auto maps = net.GradCam(sub.values, sub.count(), 1, sub.size);
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
            p.caption = sub.case_ids[k] + (sub.labels[k] ? " (LVSI+)" : " (LVSI-)");
            p.width = p.height = sub.size;
            p.image = sub.Plane(k);
            p.heat = lvsi::preprocessing::ResizeBilinear(cells, static_cast<int>(norm.cols()),
                                                         static_cast<int>(norm.rows()), sub.size, sub.size);
            panels.push_back(std::move(p));
          }
          ev::PlotHeatmapPanels(panels, "Grad-CAM (LVSI+), " + q + ", validation", out + "/figures/gradcam_" + q + ".png");
          df::WriteNpyFloat32(out + "/deep/gradcam_" + q + ".npy", raw,
                              {static_cast<long>(maps.size()), maps[0].rows(), maps[0].cols()});
          r["gradcam_cases"] = sub.case_ids;
        }
        part_reports[s] = r;
      });
      for (std::size_t s = 0; s < slices.size(); ++s) {
        deep_table = s == 0 ? parts[s] : deep_table.JoinColumns(parts[s]);
        deep_report[slices[s].sequence] = part_reports[s];
      }
      if (weights.empty())
        deep_report["warning"] = "no --weights: the networks started from a seeded random initialisation, not ImageNet";
    }
    timings["deep"] = t.Seconds();

    // 5. Models: Rad, DL, RDL, fitted on the training patients only.
    t = Stopwatch();
    const lvsi::FeatureTable rad_table = rad.reader1.SelectRows([&] {
      std::vector<std::size_t> rows;
      for (const auto& id : ids) rows.push_back(*rad.reader1.FindRow(id));
      return rows;
    }());
    std::vector<ModelSpec> specs{{"rad", "Rad", rad_table}};
    if (cfg.deep) {
      const lvsi::FeatureTable dl = deep_table.SelectRows([&] {
        std::vector<std::size_t> rows;
        for (const auto& id : ids) rows.push_back(*deep_table.FindRow(id));
        return rows;
      }());
      specs.push_back({"dl", "DL", dl});
      specs.push_back({"rdl", "RDL", rad_table.JoinColumns(dl)});
    }
    // What lvsi_predict needs besides the pipeline: parameter files and weights, beside the models.
    std::map<std::string, std::string> metadata{{"lvsi_version", lvsi::Version()},
                                                {"study.seed", std::to_string(cfg.seed)},
                                                {"study.cohort", fs::absolute(manifest_path).string()},
                                                {"study.slice_size", std::to_string(cfg.slice_size)},
                                                {"study.slice_margin", std::to_string(cfg.slice_margin)},
                                                {"study.low_percentile", lvsi::FormatDouble(cfg.low_percentile)},
                                                {"study.high_percentile", lvsi::FormatDouble(cfg.high_percentile)},
                                                {"study.radiomics_params", "params"},
                                                {"study.pretrained", weights.empty() ? "false" : "true"}};
    std::string seq_list;
    fs::create_directories(out + "/models/params");
    for (const auto& q : manifest.sequences) {
      seq_list += (seq_list.empty() ? "" : ",") + q;
      fs::copy_file(fs::path(cfg.params_dir) / (q + ".yaml"), out + "/models/params/" + q + ".yaml",
                    fs::copy_options::overwrite_existing);
      if (weights_files.count(q)) {
        fs::copy_file(weights_files[q], out + "/models/deep_" + q + ".pt", fs::copy_options::overwrite_existing);
        metadata["study.deep_weights." + q] = "deep_" + q + ".pt";
      }
    }
    metadata["study.sequences"] = seq_list;
    const lvsi::FeatureTable* reader2 = rad.reader2.rows() ? &rad.reader2 : nullptr;
    ev::PredictionSet predictions;
    predictions.labels = labels;
    predictions.cohorts = cohort;
    json models = json::object();
    json warnings = json::array();  // the models' and the evaluation's, for report.json and report.html
    std::vector<std::string> csv_columns;
    for (const auto& spec : specs) {
      Say("[5/6] model " + spec.display + ": " + std::to_string(spec.table.cols()) + " candidate features");
      const FittedModel fm = FitModel(spec, spec.table.SelectRows(train_rows), y_train, reader2, cfg, jobs, metadata,
                                      out + "/models/" + spec.key + ".lvsi");
      // Probabilities from the saved file, as lvsi_predict computes them.
      const auto trained = lvsi::models::TrainedPipeline::Load(fm.file);
      predictions.models.push_back(spec.display);
      predictions.scores[spec.display] = trained.PredictProbability(spec.table);
      predictions.feature_counts[spec.display] = fm.selected.size();
      std::string list;
      for (const auto& f : fm.selected) list += f + "\n";
      lvsi::WriteFileAtomically(out + "/models/" + spec.key + "_selected_features.txt", list);
      json j;
      j["file"] = "models/" + spec.key + ".lvsi";
      j["candidate_features"] = spec.table.cols();
      j["removed_by_step"] = fm.removed_by_step;
      j["lambda_rule"] = fm.lambda_rule;
      j["lambda"] = fm.lambda;
      j["svm"] = {{"c", fm.c}, {"gamma", fm.gamma}, {"cv_auc", fm.cv_auc}, {"calibration", fm.calibration}};
      j["train_auc"] = fm.train_auc;
      for (const auto& w : fm.warnings) warnings.push_back(w);
      j["threshold"] = fm.threshold;
      j["selected_features"] = fm.selected;
      models[spec.key] = j;
      Say("      " + std::to_string(fm.selected.size()) + " features selected (lambda " + fm.lambda_rule + "), C = " +
          lvsi::FormatDouble(fm.c) + ", cross-validated AUC " + Fixed(fm.cv_auc));
    }
    timings["models"] = t.Seconds();

    // 6. Evaluation: tables, DeLong tests, calibration, decision curves, figures.
    t = Stopwatch();
    for (const auto& col : manifest.clinical_columns) {
      ev::ClinicalVariable v{col, {}};
      for (const auto* c : cases) v.values.push_back(c->clinical.count(col) ? c->clinical.at(col) : "");
      predictions.clinical.push_back(v);
    }
    ev::EvaluationOptions eo;
    eo.bootstrap = cfg.bootstrap;
    eo.seed = cfg.seed;
    eo.figure_formats = {".png", ".svg"};
    const json results = json::parse(ev::EvaluatePredictions(predictions, eo, out + "/evaluation").ToJson());
    if (results.contains("warnings"))
      for (const auto& w : results["warnings"]) warnings.push_back(w);
    for (const auto& spec : specs)
      for (const auto& c : results["cohorts"]) {
        const std::string name = c.get<std::string>();
        models[spec.key][name] = results["models"][spec.display][name];
      }
    json delong = json::object(), delong_train = json::object();
    auto lower = [](std::string s) {
      std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return std::tolower(ch); });
      return s;
    };
    for (auto it = results["delong"]["validation"].begin(); it != results["delong"]["validation"].end(); ++it)
      delong[lower(it.key())] = it.value();
    for (auto it = results["delong"]["train"].begin(); it != results["delong"]["train"].end(); ++it)
      delong_train[lower(it.key())] = it.value();
    {
      std::string csv = "case_id,label,split";
      for (const auto& spec : specs) csv += "," + spec.key;
      csv += "\n";
      for (std::size_t i = 0; i < ids.size(); ++i) {
        csv += ids[i] + "," + std::to_string(labels[i]) + "," + cohort[i];
        for (const auto& spec : specs) csv += "," + lvsi::FormatDouble(predictions.scores[spec.display][i]);
        csv += "\n";
      }
      lvsi::WriteFileAtomically(out + "/predictions.csv", csv);
    }
    timings["evaluation"] = t.Seconds();

    // Report.
    report["lvsi_version"] = lvsi::Version();
    report["demo"] = demo;
    if (demo)
      report["demo_settings"] = "synthetic cohort of " + std::to_string(demo_patients) +
                                " patients with small matrices; deep stage with " + std::to_string(cfg.slice_size) +
                                " px slices, " + std::to_string(cfg.epochs) + " epochs, " +
                                (cfg.frozen_layers == 0 ? std::string("every layer trained")
                                                        : "layers up to " + std::to_string(cfg.frozen_layers) + " frozen");
    json excluded_json = json::array();
    for (const auto& [id, why] : excluded) excluded_json.push_back({{"case_id", id}, {"reason", why}});
    report["cohort"] = {{"manifest", manifest_path},
                        {"patients", manifest.cases.size()},
                        {"used", ids.size()},
                        {"excluded", excluded_json},
                        {"split_source", manifest.has_split ? "manifest" : "stratified"},
                        {"train", {{"n", train_rows.size()}, {"positives", train_pos}}},
                        {"validation", {{"n", valid_rows.size()}, {"positives", static_cast<long>(positives) - train_pos}}}};
    report["radiomics"] = {{"features", rad.reader1.cols()}, {"second_reader", second_reader}};
    report["deep"] = deep_report;
    report["models"] = models;
    report["warnings"] = warnings;
    report["delong"] = delong;
    report["delong_train"] = delong_train;
    timings["total"] = total.Seconds();
    report["timings_seconds"] = timings;
    lvsi::WriteFileAtomically(out + "/report.json", report.dump(2) + "\n");

    // report.html: readable offline (figures are files beside it).
    std::string html = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>lvsi study report</title><style>"
                       "body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}"
                       "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px}"
                       "caption{font-weight:bold;text-align:left}img{width:32%;min-width:300px}"
                       ".warn{background:#fff3cd;padding:.5em}</style></head><body>";
    html += "<h1>LVSI prediction study</h1><p>lvsi " + ev::HtmlEscape(lvsi::Version()) + "; cohort " + ev::HtmlEscape(manifest_path) +
            "; " + std::to_string(ids.size()) + " of " + std::to_string(manifest.cases.size()) +
            " patients used (" + std::to_string(train_rows.size()) + " training, " +
            std::to_string(valid_rows.size()) + " validation); seed " + std::to_string(cfg.seed) + ".</p>";
    if (demo) html += "<p class=\"warn\">Demo: " + ev::HtmlEscape(report["demo_settings"].get<std::string>()) + ".</p>";
    if (deep_report.contains("warning"))
      html += "<p class=\"warn\">" + ev::HtmlEscape(deep_report["warning"].get<std::string>()) + ".</p>";
    for (const auto& w : warnings) html += "<p class=\"warn\">Warning: " + ev::HtmlEscape(w.get<std::string>()) + ".</p>";
    if (!excluded.empty()) {
      html += "<h2>Excluded patients</h2><ul>";
      for (const auto& [id, why] : excluded) html += "<li>" + ev::HtmlEscape(id) + ": " + ev::HtmlEscape(why) + "</li>";
      html += "</ul>";
    }
    html += "<h2>Table 1. Clinical characteristics</h2>";
    for (const char* c : {"train", "validation"})
      if (fs::exists(out + "/evaluation/table1_" + std::string(c) + ".html"))
        html += lvsi::ReadTextFile(out + "/evaluation/table1_" + std::string(c) + ".html");
    html += "<h2>Table 2. Model performance</h2>" + lvsi::ReadTextFile(out + "/evaluation/table2.html");
    html += "<h2>DeLong tests (validation)</h2><table><tr><th>Comparison</th><th>AUC</th><th>AUC</th><th>p</th>"
            "<th>p (Bonferroni)</th></tr>";
    for (auto it = delong.begin(); it != delong.end(); ++it)
      html += "<tr><td>" + ev::HtmlEscape(it.key()) + "</td><td>" + Fixed(it.value()["auc_a"].get<double>()) + "</td><td>" +
              Fixed(it.value()["auc_b"].get<double>()) + "</td><td>" + ev::FormatP(it.value()["p"].get<double>()) +
              "</td><td>" + ev::FormatP(it.value()["p_bonferroni"].get<double>()) + "</td></tr>";
    html += "</table><h2>Figures</h2>";
    for (const char* c : {"train", "validation"})
      for (const char* f : {"roc", "calibration", "decision"})
        html += "<img src=\"evaluation/" + std::string(f) + "_" + c + ".png\" alt=\"" + f + " " + c + "\">";
    for (const auto& s : slices)
      if (fs::exists(out + "/figures/gradcam_" + s.sequence + ".png"))
        html += "<img src=\"figures/gradcam_" + s.sequence + ".png\" alt=\"Grad-CAM " + s.sequence + "\">";
    html += "<h2>Selected features</h2>";
    for (const auto& spec : specs) {
      html += "<h3>" + spec.display + " (" + std::to_string(models[spec.key]["selected_features"].size()) + ")</h3><p>";
      for (const auto& f : models[spec.key]["selected_features"]) html += ev::HtmlEscape(f.get<std::string>()) + " ";
      html += "</p>";
    }
    html += "<h2>Timings</h2><table>";
    for (auto it = timings.begin(); it != timings.end(); ++it)
      html += "<tr><td>" + it.key() + "</td><td>" + Fixed(it.value().get<double>(), 1) + " s</td></tr>";
    html += "</table></body></html>\n";
    lvsi::WriteFileAtomically(out + "/report.html", html);

    // Summary.
    Say("[6/6] done in " + Fixed(total.Seconds(), 1) + " s; validation AUC (95% CI):");
    for (const auto& spec : specs) {
      const auto& v = models[spec.key]["validation"];
      Say("      " + spec.display + "  " + Fixed(v["auc"].get<double>()) + " (" + Fixed(v["auc_ci"][0].get<double>()) +
          "-" + Fixed(v["auc_ci"][1].get<double>()) + "), " + std::to_string(models[spec.key]["selected_features"].size()) +
          " features");
    }
    std::string stages;
    for (auto it = timings.begin(); it != timings.end(); ++it)
      stages += (stages.empty() ? "" : ", ") + it.key() + " " + Fixed(it.value().get<double>(), 1) + " s";
    Say("      time per stage: " + stages);
    Say("      report: " + out + "/report.html, " + out + "/report.json; models in " + out + "/models");
    return 0;
  } catch (const lvsi::Error& e) {
    std::cerr << "lvsi_study: " << e.what() << "\n";
    lvsi::SetLogSink([](lvsi::LogLevel, const std::string&) {});  // already on the terminal: to the log file only
    lvsi::Log(lvsi::LogLevel::kError, e.what());
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "lvsi_study: " << e.what() << "\n";
    return 1;
  }
}

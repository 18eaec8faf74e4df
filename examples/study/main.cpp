// lvsi_study: the whole study on a cohort manifest (or the synthetic demo
// cohort), as its methods section tells it: radiomics with both readers, deep
// features from a fine-tuned ResNet-50 per sequence, the Rad, DL and RDL
// models (ICC, variance, z-score, Mann-Whitney, LASSO-CV with the 1-SE rule,
// RBF-SVM grid search; models::FitPipeline), their evaluation in the training
// and validation cohorts (evaluation::EvaluatePredictions), the report.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <set>

#include "study.h"

namespace fs = std::filesystem;
namespace ev = lvsi::evaluation;
namespace df = lvsi::deepfeatures;
using study::Fixed;
using study::json;
using study::Say;

namespace {

// One model of the study: its key (file names), name and candidate features.
struct ModelSpec {
  std::string key;
  std::string name;
  lvsi::FeatureTable table;
};

// The rows of `table` for `ids`, in that order.
lvsi::FeatureTable Rows(const lvsi::FeatureTable& table, const std::vector<std::string>& ids) {
  std::vector<std::size_t> rows;
  for (const auto& id : ids) rows.push_back(*table.FindRow(id));
  return table.SelectRows(rows);
}

lvsi::models::PipelineSettings PipelineSettingsOf(const study::Config& cfg, bool fused, int jobs) {
  lvsi::models::PipelineSettings s;
  s.icc_threshold = cfg.icc_threshold;
  s.icc_pass_unrated = fused;  // the deep columns of RDL have no second reader
  s.mann_whitney_p = cfg.mann_whitney_p;
  s.lasso_folds = cfg.lasso_folds;
  s.lambda_rules = {lvsi::selection::ParseLambdaRule(cfg.lambda_rule)};
  if (cfg.lambda_rule != "min") s.lambda_rules.push_back(lvsi::selection::LambdaRule::kMin);
  s.lambda_rules.push_back(lvsi::selection::LambdaRule::kFirstNonEmpty);
  s.svm_c = cfg.svm_c;
  s.svm_folds = cfg.svm_folds;
  s.seed = cfg.seed;
  s.threads = jobs;
  return s;
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
  // One stage of the study, for a cluster's job arrays (docs/study.md): the
  // run without --stage then reuses what they left in the output folder.
  std::string stage = "all", shard, stage_sequence;
  app.add_option("--stage", stage,
                 "run one stage only, for a cluster job: radiomics (with --shard i/N) or deep (with --sequence); "
                 "the run without --stage reuses their results")
      ->check(CLI::IsMember({"all", "radiomics", "deep"}));
  app.add_option("--shard", shard, "with --stage radiomics: the i-th of N shares of the patients, as i/N");
  app.add_option("--sequence", stage_sequence, "with --stage deep: the sequence to fine-tune and extract");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : static_cast<int>(lvsi::ExitStatus::kUsage);
  }
  if (!demo && manifest_path.empty()) {
    std::cerr << "lvsi_study: give --manifest COHORT.csv or --demo\n";
    return static_cast<int>(lvsi::ExitStatus::kUsage);
  }
  int shard_index = 1, shard_count = 1;
  const auto usage = [](const std::string& why) {
    std::cerr << "lvsi_study: " << why << "\n";
    return static_cast<int>(lvsi::ExitStatus::kUsage);
  };
  if (!shard.empty()) {
    if (stage != "radiomics") return usage("--shard goes with --stage radiomics");
    if (!lvsi::radiomics::ParseShard(shard, &shard_index, &shard_count))
      return usage("--shard must be i/N with 1 <= i <= N, not '" + shard + "'");
  }
  if ((stage == "deep") != !stage_sequence.empty()) return usage("--stage deep needs --sequence, and only it takes one");
  if (stage != "all" && demo) return usage("--stage runs on a --manifest, not on --demo");
  const study::Stopwatch total;
  json report, timings = json::object();
  return lvsi::RunProgram("lvsi_study", [&] {
    if (jobs == 0) jobs = lvsi::DefaultThreadCount();
    lvsi::SetDefaultThreadCount(jobs);
    for (const char* written : {"/study_config.yaml", "/split.csv", "/report.json", "/report.html", "/predictions.csv"})
      lvsi::CheckOutputIsNotInput(out + written, {manifest_path, config_path, weights});
    // The settings first: a bad configuration stops the study before
    // anything is written.
    study::Config cfg = demo ? study::DemoConfig() : study::Config{};
    cfg.params_dir = study::DefaultParamsDir(argv[0]);
    if (!config_path.empty()) cfg = study::Config::Read(config_path, cfg);
    if (seed_given) cfg.seed = seed;
    for (const char* sub : {"models", "figures", "deep", "evaluation"}) fs::create_directories(out + "/" + sub);
    lvsi::SetLogFile(out + "/lvsi_study.log");
    study::WarningsToTerminal();
    lvsi::WriteFileAtomically(out + "/study_config.yaml", cfg.ToYaml());
    Say("lvsi_study " + lvsi::Version() + ": " + (demo ? "demo cohort" : manifest_path) + " -> " + out + " (" +
        std::to_string(jobs) + " threads, seed " + std::to_string(cfg.seed) + ")");

    // 1. The cohort: a manifest, or the synthetic demo; can it support the study at all?
    study::Stopwatch t;
    if (demo) manifest_path = study::DemoCohort(out + "/cohort", demo_patients, cfg.seed, jobs, no_cache);
    const lvsi::io::CohortManifest manifest = lvsi::io::ReadManifest(manifest_path);
    if (manifest.sequences.empty()) throw lvsi::ManifestError(manifest_path, {"no <sequence>_image columns"});
    std::string sequence_list;
    for (const auto& q : manifest.sequences) sequence_list += (sequence_list.empty() ? "" : ", ") + q;
    if (stage == "deep" && !cfg.deep) throw lvsi::InvalidArgument("--stage deep: the configuration disables the deep stage");
    if (stage == "deep" && std::find(manifest.sequences.begin(), manifest.sequences.end(), stage_sequence) ==
                               manifest.sequences.end())
      throw lvsi::InvalidArgument("--sequence " + stage_sequence + ": the manifest has no such sequence (it has " +
                                  sequence_list + ")");
    Say("[1/6] manifest: " + std::to_string(manifest.cases.size()) + " patients, sequences " + sequence_list);
    study::CheckManifest(manifest, cfg);
    timings["manifest"] = t.Seconds();

    // 2. Radiomics of both readers (resumable), 1409 features per sequence.
    t = study::Stopwatch();
    bool second_reader = true;
    for (const auto& q : manifest.sequences) second_reader = second_reader && manifest.HasSecondReader(q);
    if (stage == "radiomics") {
      const auto errors = study::RadiomicsShard(manifest, cfg, out + "/radiomics", jobs, second_reader, shard_index,
                                                shard_count);
      for (const auto& [id, why] : errors) Say("      failed " + id + ": " + why);
      return errors.empty() ? 0 : static_cast<int>(lvsi::ExitStatus::kPartial);
    }
    const study::RadiomicsResult rad =
        study::RadiomicsStage(manifest, cfg, out + "/radiomics", jobs, second_reader, no_cache);
    timings["radiomics"] = t.Seconds();

    // Exclusions: failed radiomics, then failed largest tumour slices.
    std::map<std::string, std::string> excluded;
    for (const auto& [id, why] : rad.errors) excluded[id] = "radiomics: " + why;
    std::vector<df::SliceSet> slices;
    for (const auto& q : cfg.deep ? manifest.sequences : std::vector<std::string>{}) {
      slices.push_back(df::LoadTumourSlices(manifest, q, cfg.SliceSettings(), jobs));
      for (const auto& [id, why] : slices.back().errors) excluded.emplace(id, "deep (" + q + "): " + why);
    }
    for (const auto& [id, why] : excluded) Say("      excluded " + id + ": " + why);

    // 3. The split: the manifest's, else stratified 7:3.
    std::vector<const lvsi::io::ManifestCase*> cases;
    std::vector<std::string> ids;
    std::vector<int> labels;
    for (const auto& c : manifest.cases)
      if (!excluded.count(c.case_id) && rad.reader1.FindRow(c.case_id))
        cases.push_back(&c), ids.push_back(c.case_id), labels.push_back(c.label);
    const std::vector<std::string> cohort = study::Cohorts(cases, manifest.has_split, labels, cfg);
    study::CheckCohort(labels, cohort, cfg);
    std::vector<std::size_t> train_rows;
    std::set<std::string> train_ids;
    std::vector<int> y_train;
    std::string split_csv = "case_id,label,split\n";
    for (std::size_t i = 0; i < ids.size(); ++i) {
      split_csv += ids[i] + "," + std::to_string(labels[i]) + "," + cohort[i] + "\n";
      if (cohort[i] != "train") continue;
      train_rows.push_back(i), train_ids.insert(ids[i]), y_train.push_back(labels[i]);
    }
    lvsi::WriteFileAtomically(out + "/split.csv", split_csv);
    const long train_pos = std::count(y_train.begin(), y_train.end(), 1);
    const long positives = std::count(labels.begin(), labels.end(), 1);
    Say("[3/6] split: " + std::to_string(train_rows.size()) + " training (" + std::to_string(train_pos) +
        " LVSI+), " + std::to_string(ids.size() - train_rows.size()) + " validation" +
        (manifest.has_split ? " (from the manifest)" : " (stratified 7:3)"));

    // 4. Deep features: per sequence, fine-tune on the training patients,
    // 2048 features for everyone, Grad-CAM of a few validation patients.
    t = study::Stopwatch();
    lvsi::FeatureTable deep_table;
    json deep_report = json::object(), deep_speed = json::object();
    if (cfg.deep) {
      // Cached networks and features are reused only for the same settings,
      // starting weights (by content), lvsi version, training patients and
      // slices (DeepSequence adds those).
      std::string key = cfg.DeepKey() + " lvsi=" + lvsi::Version() + " weights=" +
                        (weights.empty() ? std::string("none") : study::ContentDigest(lvsi::ReadTextFile(weights))) +
                        " train=";
      for (const auto& id : train_ids) key += id + ";";
      Say("[4/6] deep features: ResNet-50 " +
          (weights.empty() ? std::string("from a RANDOM initialisation (no --weights)") : "from " + weights) + ", " +
          std::to_string(cfg.slice_size) + " px slices, " + std::to_string(cfg.epochs) + " epochs");
      if (stage == "deep") {  // this sequence only: the run without --stage reuses it
        for (const auto& s : slices)
          if (s.sequence == stage_sequence) study::DeepSequence(s, ids, train_ids, cfg, weights, key, out, no_cache);
        Say("deep stage of " + stage_sequence + " done in " + Fixed(t.Seconds(), 1) + " s");
        return 0;
      }
      std::vector<study::DeepPart> parts(slices.size());
      // Sequences in parallel, one LibTorch thread each, so values do not
      // depend on --jobs.  With more sequences than threads (3 on 2 cores)
      // all of them run at once and the system shares the cores: rounds of
      // --jobs sequences would leave cores idle in the last round (measured
      // on the demo, 2 cores: deep stage 45.9 s in rounds, see docs/study.md).
      const int deep_workers = jobs >= 2 ? std::max(jobs, static_cast<int>(slices.size())) : jobs;
      lvsi::ParallelFor(0, slices.size(), [&](std::size_t s) {
        parts[s] = study::DeepSequence(slices[s], ids, train_ids, cfg, weights, key, out, no_cache);
      }, deep_workers);
      for (std::size_t s = 0; s < slices.size(); ++s) {
        deep_table = s == 0 ? parts[s].features : deep_table.JoinColumns(parts[s].features);
        deep_report[slices[s].sequence] = parts[s].report;
        if (!parts[s].speed.is_null()) deep_speed[slices[s].sequence] = parts[s].speed;
      }
      if (weights.empty())
        deep_report["warning"] = "no --weights: the networks started from a seeded random initialisation, not ImageNet";
    }
    timings["deep"] = t.Seconds();
    if (!deep_speed.empty()) report["timings_deep_training"] = deep_speed;

    // 5. Models Rad, DL and RDL, fitted on the training patients only.
    t = study::Stopwatch();
    const lvsi::FeatureTable rad_table = Rows(rad.reader1, ids);
    std::vector<ModelSpec> specs{{"rad", "Rad", rad_table}};
    if (cfg.deep) {
      const lvsi::FeatureTable dl = Rows(deep_table, ids);
      specs.push_back({"dl", "DL", dl});
      specs.push_back({"rdl", "RDL", rad_table.JoinColumns(dl)});
    }
    // What lvsi_predict needs besides the pipeline: parameter files and weights, beside the models.
    const auto metadata = study::SaveModelInputs(cfg, manifest, manifest_path, weights, out);
    const lvsi::FeatureTable* reader2 = rad.reader2.rows() ? &rad.reader2 : nullptr;
    ev::PredictionSet predictions;
    predictions.labels = labels;
    predictions.cohorts = cohort;
    json models = json::object(), warnings = json::array();
    for (const auto& spec : specs) {
      Say("[5/6] model " + spec.name + ": " + std::to_string(spec.table.cols()) + " candidate features");
      // The ICC filter needs the second reader's radiomics: none for DL.
      auto fit = lvsi::models::FitPipeline(spec.name, spec.table.SelectRows(train_rows), y_train,
                                           spec.key == "dl" ? nullptr : reader2,
                                           PipelineSettingsOf(cfg, spec.key == "rdl", jobs));
      const std::string file = out + "/models/" + spec.key + ".lvsi";
      fit.pipeline.metadata() = metadata;
      fit.pipeline.metadata()["study.model"] = spec.key;
      fit.pipeline.metadata()["study.lambda_rule"] = lvsi::selection::LambdaRuleName(fit.summary.lambda_rule);
      fit.pipeline.Save(file);
      // Probabilities from the saved file, as lvsi_predict computes them.
      predictions.models.push_back(spec.name);
      predictions.scores[spec.name] = lvsi::models::TrainedPipeline::Load(file).PredictProbability(spec.table);
      predictions.feature_counts[spec.name] = fit.summary.selected_features.size();
      std::string list;
      for (const auto& f : fit.summary.selected_features) list += f + "\n";
      lvsi::WriteFileAtomically(out + "/models/" + spec.key + "_selected_features.txt", list);
      json j = json::parse(fit.summary.ToJson());
      j["file"] = "models/" + spec.key + ".lvsi";
      for (const auto& w : fit.summary.warnings) warnings.push_back(w);
      models[spec.key] = j;
      Say("      " + fit.summary.BriefReport());
    }
    timings["models"] = t.Seconds();

    // 6. Evaluation: tables, DeLong tests, calibration, decision curves, figures.
    t = study::Stopwatch();
    for (const auto& col : manifest.clinical_columns) {
      ev::ClinicalVariable v{col, {}};
      for (const auto* c : cases) v.values.push_back(c->clinical.count(col) ? c->clinical.at(col) : "");
      predictions.clinical.push_back(v);
    }
    ev::EvaluationSettings eo;
    eo.bootstrap = cfg.bootstrap;
    eo.seed = cfg.seed;
    eo.figure_formats = {".png", ".svg"};
    const ev::EvaluationResult evaluation = ev::EvaluatePredictions(predictions, eo, out + "/evaluation");
    const json results = json::parse(evaluation.ToJson());
    for (const auto& w : evaluation.warnings) warnings.push_back(w);
    for (const auto& spec : specs)
      for (const auto& c : evaluation.cohorts) models[spec.key][c] = results["models"][spec.name][c];
    json delong = json::object(), delong_train = json::object();
    for (const auto& [name, dst] : {std::pair<const char*, json*>{"validation", &delong}, {"train", &delong_train}})
      for (const auto& c : evaluation.delong.at(name)) {
        std::string key = c.a + "_vs_" + c.b;
        std::transform(key.begin(), key.end(), key.begin(), [](unsigned char ch) { return std::tolower(ch); });
        (*dst)[key] = results["delong"][name][c.a + "_vs_" + c.b];
      }
    std::vector<std::pair<std::string, std::vector<double>>> scores;
    for (const auto& spec : specs) scores.emplace_back(spec.key, predictions.scores[spec.name]);
    study::WritePredictionsCsv(out + "/predictions.csv", ids, labels, cohort, scores);
    timings["evaluation"] = t.Seconds();

    // The report.
    report["lvsi_version"] = lvsi::Version();
    report["demo"] = demo;
    report["seed"] = cfg.seed;
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
                        {"validation", {{"n", ids.size() - train_rows.size()}, {"positives", positives - train_pos}}}};
    report["radiomics"] = {{"features", rad.reader1.cols()}, {"second_reader", second_reader}};
    report["deep"] = deep_report;
    report["models"] = models;
    report["warnings"] = warnings;
    report["delong"] = delong;
    report["delong_train"] = delong_train;
    timings["total"] = total.Seconds();
    report["timings_seconds"] = timings;
    lvsi::WriteFileAtomically(out + "/report.json", report.dump(2) + "\n");
    study::WriteReportHtml(out, report, manifest.sequences);

    Say("[6/6] done in " + Fixed(total.Seconds(), 1) + " s; validation AUC (95% CI):");
    for (const auto& spec : specs) {
      const auto& v = evaluation.At(spec.name, "validation").auc;
      Say("      " + spec.name + "  " + Fixed(v.auc) + " (" + Fixed(v.ci_low) + "-" + Fixed(v.ci_high) + "), " +
          std::to_string(predictions.feature_counts[spec.name]) + " features");
    }
    std::string stages;
    for (auto it = timings.begin(); it != timings.end(); ++it)
      stages += (stages.empty() ? "" : ", ") + it.key() + " " + Fixed(it.value().get<double>(), 1) + " s";
    Say("      time per stage: " + stages);
    if (report.contains("timings_deep_training"))
      for (auto it = report["timings_deep_training"].begin(); it != report["timings_deep_training"].end(); ++it)
        Say("      fine-tuning " + it.key() + ": " + Fixed(it.value()["train_images"].get<double>(), 0) +
            " images in " + Fixed(it.value()["train_seconds"].get<double>(), 1) + " s, " +
            Fixed(it.value()["images_per_second"].get<double>(), 1) + " images/s, " +
            Fixed(it.value()["gflop_per_second"].get<double>(), 1) + " GFLOP/s (" +
            it.value()["path"].get<std::string>() + ")");
    Say("      report: " + out + "/report.html, " + out + "/report.json; models in " + out + "/models");
    return 0;
  });
}

// lvsi_predict: applies a model trained by lvsi_study to new patients: their
// features (radiomics with the study's parameter files, deep features with
// the study's fine-tuned networks) and the LVSI probability and class of
// each, at the model's cut-off.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>

#include "study.h"

namespace fs = std::filesystem;
namespace df = lvsi::deepfeatures;

namespace {

std::string Meta(const lvsi::models::TrainedPipeline& model, const std::string& key, const std::string& path) {
  const auto it = model.metadata().find(key);
  if (it == model.metadata().end())
    throw lvsi::ModelError(path + ": not a model written by lvsi_study (no '" + key + "' in its metadata)");
  return it->second;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lvsi_predict " + lvsi::Version() + ": LVSI probability of new patients from a model of lvsi_study"};
  app.set_version_flag("--version", "lvsi_predict " + lvsi::Version());
  std::string model_path, manifest_path, out;
  int jobs = 0;
  app.add_option("--model", model_path, "trained model (OUTDIR/models/<rad|dl|rdl>.lvsi)")->required()->check(CLI::ExistingFile);
  app.add_option("--manifest", manifest_path, "manifest of the new patients (labels may be 0 where unknown)")
      ->required()->check(CLI::ExistingFile);
  app.add_option("-o,--out", out, "predictions (CSV); features are kept in <out>.features/")->required();
  app.add_option("-j,--jobs", jobs, "threads (0: all cores)")->check(CLI::NonNegativeNumber);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : static_cast<int>(lvsi::ExitStatus::kUsage);
  }
  return lvsi::RunProgram("lvsi_predict", [&] {
    if (jobs == 0) jobs = lvsi::DefaultThreadCount();
    lvsi::SetDefaultThreadCount(jobs);
    const auto model = lvsi::models::TrainedPipeline::Load(model_path);
    const fs::path model_dir = fs::path(model_path).parent_path();
    const lvsi::io::CohortManifest manifest = lvsi::io::ReadManifest(manifest_path);
    std::vector<std::string> input_files{model_path, manifest_path};
    for (const auto& c : manifest.cases)
      for (const auto& [q, files] : c.sequences) input_files.insert(input_files.end(), {files.image, files.mask, files.mask_r2});
    lvsi::CheckOutputIsNotInput(out, input_files);
    const auto& inputs = model.selection().input_features;
    std::vector<std::string> sequences, rad_seqs, deep_seqs;
    {
      const std::string list = Meta(model, "study.sequences", model_path);
      std::stringstream s(list);
      for (std::string q; std::getline(s, q, ',');) sequences.push_back(q);
    }
    study::NeededSequences(inputs, sequences, &rad_seqs, &deep_seqs);
    for (const auto& q : sequences)
      if (std::find(manifest.sequences.begin(), manifest.sequences.end(), q) == manifest.sequences.end() &&
          (std::count(rad_seqs.begin(), rad_seqs.end(), q) || std::count(deep_seqs.begin(), deep_seqs.end(), q)))
        throw lvsi::ManifestError(manifest_path, {"the model needs sequence '" + q + "' (columns " + q + "_image, " +
                                                  q + "_mask)"});
    const std::string features_dir = out + ".features";
    fs::create_directories(features_dir);
    std::map<std::string, std::string> failed;
    lvsi::FeatureTable table;
    bool have_table = false;
    if (!rad_seqs.empty()) {
      lvsi::io::CohortManifest sub = manifest;
      sub.sequences = rad_seqs;
      for (auto& c : sub.cases)
        for (auto it = c.sequences.begin(); it != c.sequences.end();)
          it = std::count(rad_seqs.begin(), rad_seqs.end(), it->first) ? std::next(it) : c.sequences.erase(it);
      // Cached per-case features are reused only for the same sequences and parameter files.
      const std::string params = (model_dir / Meta(model, "study.radiomics_params", model_path)).string();
      const std::string dir = features_dir + "/radiomics";
      std::string key;
      for (const auto& q : rad_seqs) key += q + "\n" + lvsi::ReadTextFile(params + "/" + q + ".yaml");
      if (!fs::exists(dir + "/predict.key") || lvsi::ReadTextFile(dir + "/predict.key") != key) fs::remove_all(dir);
      fs::create_directories(dir);
      lvsi::WriteFileAtomically(dir + "/predict.key", key);
      const study::RadiomicsResult rad = study::ExtractRadiomics(sub, params, dir, jobs, /*second_reader=*/false);
      for (const auto& [id, why] : rad.errors) failed[id] = "radiomics: " + why;
      table = rad.reader1;
      have_table = true;
    }
    if (!deep_seqs.empty()) {
      lvsi::preprocessing::SliceSettings so;
      so.size = std::stoi(Meta(model, "study.slice_size", model_path));
      so.margin = std::stoi(Meta(model, "study.slice_margin", model_path));
      lvsi::ParseDouble(Meta(model, "study.low_percentile", model_path), &so.low_percentile);
      lvsi::ParseDouble(Meta(model, "study.high_percentile", model_path), &so.high_percentile);
      const unsigned seed = static_cast<unsigned>(std::stoul(Meta(model, "study.seed", model_path)));
      std::vector<lvsi::FeatureTable> parts(deep_seqs.size());
      std::vector<std::vector<std::pair<std::string, std::string>>> errors(deep_seqs.size());
      lvsi::ParallelFor(0, deep_seqs.size(), [&](std::size_t s) {
        const std::string& q = deep_seqs[s];
        const df::SliceSet slices = df::LoadTumourSlices(manifest, q, so, 1);
        errors[s] = slices.errors;
        df::ResNet50 net(study::NetSettings(seed));
        net.LoadWeights((model_dir / Meta(model, "study.deep_weights." + q, model_path)).string());
        parts[s] = study::SequenceFeatures(net, slices);
      }, jobs);
      for (std::size_t s = 0; s < deep_seqs.size(); ++s) {
        for (const auto& [id, why] : errors[s]) failed.emplace(id, "deep (" + deep_seqs[s] + "): " + why);
        // Keep the patients every table has.
        const lvsi::FeatureTable& part = parts[s];
        if (!have_table) {
          table = part;
          have_table = true;
          continue;
        }
        std::vector<std::size_t> keep_a, keep_b;
        for (std::size_t r = 0; r < table.rows(); ++r)
          if (const auto b = part.FindRow(table.row_ids()[r])) {
            keep_a.push_back(r);
            keep_b.push_back(*b);
          }
        table = table.SelectRows(keep_a).JoinColumns(part.SelectRows(keep_b));
      }
    }
    const lvsi::FeatureTable x = table.SelectColumns(inputs);
    const std::vector<double> p = model.PredictProbability(x);
    const std::vector<int> cls = model.Predict(x);
    std::string csv = "case_id,probability,predicted_lvsi,threshold,model\n";
    for (std::size_t i = 0; i < p.size(); ++i)
      csv += x.row_ids()[i] + "," + lvsi::FormatDouble(p[i]) + "," + std::to_string(cls[i]) + "," +
             lvsi::FormatDouble(model.threshold()) + "," + model.name() + "\n";
    for (const auto& c : manifest.cases)
      if (!x.FindRow(c.case_id)) {
        const auto it = failed.find(c.case_id);
        csv += c.case_id + ",,,," + model.name() + "\n";
        std::cerr << "lvsi_predict: no prediction for " << c.case_id << ": "
                  << (it == failed.end() ? std::string("features missing") : it->second) << "\n";
      }
    lvsi::WriteFileAtomically(out, csv);
    std::cerr << "lvsi_predict: " << p.size() << " of " << manifest.cases.size() << " patients -> " << out << "\n";
    return p.size() == manifest.cases.size() ? 0 : static_cast<int>(lvsi::ExitStatus::kPartial);
  });
}

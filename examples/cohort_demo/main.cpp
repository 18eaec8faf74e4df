// lvsi_cohort_demo: synthetic cohort -> manifest -> radiomics feature tables.
#include <CLI/CLI.hpp>
#include <lvsi/lvsi.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

namespace fs = std::filesystem;

namespace {

// The study's parameter files: installed beside the program
// (<prefix>/share/lvsi/params) or, in a build tree, in the sources.
std::string DefaultParamsDir(const char* argv0) {
  std::error_code ec;
  const fs::path installed = fs::canonical(fs::path(argv0), ec).parent_path().parent_path() / "share/lvsi/params";
  if (!ec && fs::exists(installed)) return installed.string();
  return LVSI_STUDY_PARAMS_DIR;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lvsi_cohort_demo " + lvsi::Version() + ": synthetic cohort -> radiomics feature tables"};
  app.set_version_flag("--version", "lvsi_cohort_demo " + lvsi::Version());
  std::string out = "lvsi-demo";
  std::string param;
  int patients = 40, jobs = 0;
  unsigned seed = 7;
  app.add_option("-o,--out", out, "output folder");
  app.add_option("--patients", patients, "number of synthetic patients")->check(CLI::Range(3, 10000));
  app.add_option("--seed", seed, "random seed");
  app.add_option("-j,--jobs", jobs, "threads (0: all cores)")->check(CLI::NonNegativeNumber);
  app.add_option("-p,--param", param, "one parameter file for every sequence (default: the study's)")
      ->check(CLI::ExistingFile);
  bool generate_only = false;
  app.add_flag("--generate-only", generate_only,
               "write the synthetic cohort (images, masks of two readers, cohort.csv) and stop");
  std::string params_dir = DefaultParamsDir(argv[0]);
  app.add_option("--params-dir", params_dir, "folder with the study's <sequence>.yaml parameter files");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : static_cast<int>(lvsi::ExitStatus::kUsage);
  }
  return lvsi::RunProgram("lvsi_cohort_demo", [&] {
    const auto t0 = std::chrono::steady_clock::now();
    if (!param.empty()) {  // a bad parameter file stops the demo before anything is written
      try {
        lvsi::radiomics::FeatureExtractor check(lvsi::radiomics::ReadParameterFile(param));
      } catch (const lvsi::InvalidArgument& e) {
        throw lvsi::InvalidArgument(param + ": " + e.what());
      }
    }
    fs::create_directories(out);
    lvsi::SetLogFile(out + "/lvsi.log");
    lvsi::Log(lvsi::LogLevel::kInfo, "generating " + std::to_string(patients) + " synthetic patients");
    lvsi::io::SyntheticCohortSettings cohort;
    cohort.patients = patients;
    cohort.seed = seed;
    cohort.threads = jobs;
    lvsi::io::GenerateSyntheticCohort(out, cohort);
    if (generate_only) {
      std::cout << "wrote " << patients << " synthetic patients: " << out << "/cohort.csv\n";
      return 0;
    }
    const auto manifest = lvsi::io::ReadManifest(out + "/cohort.csv");
    // The study's parameter files (1409 features per sequence) when found.
    std::map<std::string, lvsi::radiomics::ExtractionParameters> per_sequence;
    for (const auto& seq : manifest.sequences) {
      const fs::path file = fs::path(params_dir) / (seq + ".yaml");
      if (!param.empty()) per_sequence[seq] = lvsi::radiomics::ReadParameterFile(param);
      else if (fs::exists(file)) per_sequence[seq] = lvsi::radiomics::ReadParameterFile(file.string());
      else std::cerr << "no " << file.string() << "; using pyradiomics defaults for " << seq << "\n";
    }
    lvsi::radiomics::CohortExtractionSettings settings;
    settings.output_dir = out + "/radiomics";
    settings.threads = jobs;
    settings.progress = lvsi::TerminalProgress();
    const auto report = lvsi::radiomics::CohortExtractor(per_sequence, settings).Run(manifest);
    std::printf("radiomics: %s\n", report.BriefReport().c_str());
    for (const auto& [id, why] : report.errors) std::fprintf(stderr, "  %s: %s\n", id.c_str(), why.c_str());
    const lvsi::FeatureTable table = lvsi::radiomics::CohortExtractor::Merge(manifest, settings.output_dir);
    std::printf("%zu patients x %zu features -> %s/radiomics/features_reader1.csv (and _reader2)\n", table.rows(),
                table.cols(), out.c_str());
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("done in %.1f s (lvsi %s)\n", secs, lvsi::Version().c_str());
    return report.errors.empty() ? 0 : static_cast<int>(lvsi::ExitStatus::kPartial);
  });
}

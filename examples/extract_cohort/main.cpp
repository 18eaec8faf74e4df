// lvsi_extract_cohort: radiomics for every sequence of every case of a
// cohort manifest, both readers, resumable and shardable.
#include <CLI/CLI.hpp>
#include <lvsi/lvsi.h>

#include <filesystem>
#include <iostream>

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  CLI::App app{"lvsi_extract_cohort " + lvsi::Version() +
               ": radiomics features of a cohort manifest (resumable; --shard i/N for job arrays)"};
  app.set_version_flag("--version", "lvsi_extract_cohort " + lvsi::Version());
  std::string manifest_path, out, params_dir, shard = "1/1";
  std::vector<std::string> params;
  int jobs = 0;
  bool merge_only = false, no_second_reader = false;
  app.add_option("-m,--manifest", manifest_path, "cohort manifest (CSV)")->required()->check(CLI::ExistingFile);
  app.add_option("-o,--out", out, "output folder")->required();
  app.add_option("--params-dir", params_dir, "folder with <sequence>.yaml parameter files");
  app.add_option("-p,--param", params, "SEQUENCE=FILE.yaml (repeatable; overrides --params-dir)");
  app.add_option("-j,--jobs", jobs, "cases in parallel (0: all cores)")->check(CLI::NonNegativeNumber);
  app.add_option("--shard", shard, "process the i-th of N disjoint shares, as i/N");
  app.add_flag("--merge-only", merge_only, "only merge finished cases into the feature tables");
  app.add_flag("--no-second-reader", no_second_reader, "skip the second reader's masks");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : static_cast<int>(lvsi::ExitStatus::kUsage);
  }
  constexpr int kPartial = static_cast<int>(lvsi::ExitStatus::kPartial);
  return lvsi::RunProgram("lvsi_extract_cohort", [&] {
    // Everything given is checked before anything is written.
    int shard_index = 1, shard_count = 1;
    if (!lvsi::radiomics::ParseShard(shard, &shard_index, &shard_count))
      throw lvsi::InvalidArgument("--shard takes i/N with 1 <= i <= N <= 1000000 (e.g. 3/10), got '" + shard + "'");
    const lvsi::io::CohortManifest manifest = lvsi::io::ReadManifest(manifest_path);
    std::map<std::string, lvsi::radiomics::ExtractionParameters> per_sequence;
    for (const auto& seq : manifest.sequences) {
      const std::string candidate = params_dir.empty() ? "" : (fs::path(params_dir) / (seq + ".yaml")).string();
      if (!candidate.empty() && fs::exists(candidate)) per_sequence[seq] = lvsi::radiomics::ReadParameterFile(candidate);
    }
    for (const auto& p : params) {
      const auto eq = p.find('=');
      if (eq == std::string::npos) throw lvsi::InvalidArgument("--param takes SEQUENCE=FILE, got '" + p + "'");
      per_sequence[p.substr(0, eq)] = lvsi::radiomics::ReadParameterFile(p.substr(eq + 1));
    }
    // --merge-only merges finished cases whatever their parameters (their
    // keys must agree with each other), so it needs none.
    for (const auto& seq : manifest.sequences)
      if (!merge_only && !per_sequence.count(seq))
        std::cerr << "lvsi_extract_cohort: no parameter file for " << seq << "; using pyradiomics defaults\n";
    fs::create_directories(out);
    lvsi::SetLogFile((fs::path(out) / "lvsi.log").string());
    if (!merge_only) {
      lvsi::radiomics::CohortExtractionSettings settings;
      settings.output_dir = out;
      settings.threads = jobs;
      settings.second_reader = !no_second_reader;
      settings.shard_index = shard_index;
      settings.shard_count = shard_count;
      settings.progress = lvsi::TerminalProgress();
      const auto report = lvsi::radiomics::CohortExtractor(per_sequence, settings).Run(manifest);
      std::cerr << "lvsi_extract_cohort: " << report.BriefReport() << "\n";
      for (const auto& [id, why] : report.errors) std::cerr << "  " << id << ": " << why << "\n";
      if (settings.shard_count > 1) return report.errors.empty() ? 0 : kPartial;
    }
    const auto table = lvsi::radiomics::CohortExtractor::Merge(manifest, out);
    std::cerr << "lvsi_extract_cohort: " << table.rows() << " cases x " << table.cols() << " features in "
              << (fs::path(out) / "features_reader1.csv").string() << "\n";
    return table.rows() == manifest.cases.size() ? 0 : kPartial;
  });
}

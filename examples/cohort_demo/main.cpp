// lvsi_cohort_demo: synthetic cohort -> manifest -> radiomics feature tables.
#include <CLI/CLI.hpp>
#include <lvsi/lvsi.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>

namespace fs = std::filesystem;

namespace {

struct Sequence {
  std::string name;
  std::array<double, 3> spacing;     // mm
  std::array<std::size_t, 3> size;   // voxels
  double background, tumour;         // mean intensities
};

// The study's sequences with its voxel spacings and smaller matrices.
const std::vector<Sequence>& Sequences() {
  static const std::vector<Sequence> kSeq = {
      {"t2w", {0.5, 0.5, 6.75}, {96, 96, 8}, 300, 520},
      {"adc", {2.34, 2.34, 6.75}, {24, 24, 8}, 1600, 850},
      {"cet1", {1.25, 1.25, 2.5}, {40, 40, 20}, 400, 700},
  };
  return kSeq;
}

// One patient's physical tumour: an ellipsoid with a lobulated surface and
// an internal texture whose heterogeneity depends on the LVSI label.
struct Tumour {
  std::array<double, 3> centre, radii;
  double lobulation, heterogeneity, phase;
};

double TumourField(const Tumour& t, const std::array<double, 3>& p, double* inside_distance) {
  double r2 = 0;
  for (int d = 0; d < 3; ++d) r2 += std::pow((p[d] - t.centre[d]) / t.radii[d], 2);
  const double theta = std::atan2(p[1] - t.centre[1], p[0] - t.centre[0]);
  const double boundary = 1 + t.lobulation * std::sin(5 * theta + t.phase);
  *inside_distance = boundary - std::sqrt(r2);
  return t.heterogeneity * std::sin(0.9 * p[0] + t.phase) * std::cos(0.7 * p[1]) * std::sin(0.5 * p[2] + 1);
}

lvsi::io::CohortManifest Generate(const std::string& dir, int patients, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0, 1);
  std::uniform_real_distribution<double> uni(0, 1);
  lvsi::io::CohortManifest manifest;
  manifest.sequences = {"t2w", "adc", "cet1"};
  manifest.clinical_columns = {"age", "stage"};
  fs::create_directories(dir + "/images");
  for (int p = 0; p < patients; ++p) {
    const int label = p % 3 == 0 ? 1 : (uni(rng) < 0.25 ? 1 : 0);
    Tumour t;
    t.centre = {24 + 4 * noise(rng), 24 + 4 * noise(rng), 27 + 3 * noise(rng)};
    t.radii = {7 + 1.5 * uni(rng), 6 + 1.5 * uni(rng), 9 + 2 * uni(rng)};
    t.lobulation = label ? 0.12 + 0.08 * uni(rng) : 0.03 * uni(rng);
    t.heterogeneity = label ? 0.35 + 0.15 * uni(rng) : 0.12 + 0.1 * uni(rng);
    t.phase = 6.28 * uni(rng);
    const double scale = 0.8 + 0.4 * uni(rng);  // per-patient intensity scaling
    lvsi::io::ManifestCase c;
    c.case_id = "P" + std::to_string(1000 + p).substr(1);
    c.label = label;
    c.clinical["age"] = std::to_string(35 + static_cast<int>(20 * uni(rng)));
    c.clinical["stage"] = uni(rng) < 0.5 ? "IB1" : "IB2";
    for (const auto& s : Sequences()) {
      lvsi::Geometry g;
      g.size = s.size;
      g.spacing = s.spacing;
      lvsi::Image img(g);
      lvsi::Mask m1(g), m2(g);
      for (std::size_t k = 0; k < g.size[2]; ++k)
        for (std::size_t j = 0; j < g.size[1]; ++j)
          for (std::size_t i = 0; i < g.size[0]; ++i) {
            const auto pt = g.IndexToPhysical({double(i), double(j), double(k)});
            double inside;
            const double texture = TumourField(t, pt, &inside);
            const double bias = 1 + 0.1 * std::sin(pt[0] / 40.0);  // smooth bias field
            double v = s.background;
            if (inside > 0) v = s.tumour * (1 + texture);
            img(i, j, k) = std::max(0.0, scale * bias * v * (1 + 0.05 * noise(rng)));
            m1(i, j, k) = inside > 0;
            // The second reader draws the boundary slightly differently.
            m2(i, j, k) = inside > 0.06 * noise(rng);
          }
      if (lvsi::CountVoxels(m1) < 3) m1(g.size[0] / 2, g.size[1] / 2, g.size[2] / 2) = 1;
      const std::string stem = dir + "/images/" + c.case_id + "_" + s.name;
      lvsi::io::WriteImage(img, stem + ".nii.gz", {lvsi::io::PixelType::kInt16, true});
      lvsi::io::WriteMask(m1, stem + "_mask.nii.gz");
      lvsi::io::WriteMask(m2, stem + "_mask_r2.nii.gz");
      c.sequences[s.name] = {stem + ".nii.gz", stem + "_mask.nii.gz", stem + "_mask_r2.nii.gz"};
    }
    manifest.cases.push_back(c);
  }
  lvsi::io::WriteManifest(manifest, dir + "/cohort.csv");
  return manifest;
}

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
  std::string params_dir = DefaultParamsDir(argv[0]);
  app.add_option("--params-dir", params_dir, "folder with the study's <sequence>.yaml parameter files");
  CLI11_PARSE(app, argc, argv);

  try {
    const auto t0 = std::chrono::steady_clock::now();
    fs::create_directories(out);
    lvsi::SetLogFile(out + "/lvsi.log");
    lvsi::Log(lvsi::LogLevel::kInfo, "generating " + std::to_string(patients) + " synthetic patients");
    Generate(out, patients, seed);
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
    return 0;
  } catch (const lvsi::Error& e) {
    std::cerr << "lvsi_cohort_demo: " << e.what() << "\n";
    return 1;
  }
}

// lvsi_cohort_demo: synthetic cohort -> manifest -> radiomics feature tables.
#include <CLI/CLI.hpp>
#include <lvsi/lvsi.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
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
  app.add_option("-p,--param", param, "pyradiomics parameter file")->check(CLI::ExistingFile);
  CLI11_PARSE(app, argc, argv);

  try {
    const auto t0 = std::chrono::steady_clock::now();
    fs::create_directories(out);
    lvsi::SetLogFile(out + "/lvsi.log");
    lvsi::Log(lvsi::LogLevel::kInfo, "generating " + std::to_string(patients) + " synthetic patients");
    Generate(out, patients, seed);
    const auto manifest = lvsi::io::ReadManifest(out + "/cohort.csv");
    const auto params = param.empty() ? lvsi::radiomics::ExtractionParameters::Defaults()
                                      : lvsi::radiomics::ReadParameterFile(param);
    const lvsi::radiomics::FeatureExtractor extractor(params);
    const std::size_t n_seq = manifest.sequences.size();
    const std::size_t jobs_total = manifest.cases.size() * n_seq * 2;
    std::vector<lvsi::radiomics::FeatureList> results(jobs_total);
    std::vector<std::string> errors(jobs_total);
    auto progress = lvsi::TerminalProgress();
    std::atomic<std::size_t> done{0};
    lvsi::ParallelFor(0, jobs_total, [&](std::size_t n) {
      const auto& c = manifest.cases[n / (n_seq * 2)];
      const std::string& seq = manifest.sequences[(n / 2) % n_seq];
      const auto& files = c.sequences.at(seq);
      try {
        auto r = extractor.ExecuteFiles(files.image, n % 2 ? files.mask_r2 : files.mask);
        for (auto& f : r.features) f.first = seq + "_" + f.first;
        results[n] = std::move(r.features);
      } catch (const lvsi::Error& e) {
        errors[n] = e.what();
      }
      progress({"radiomics", ++done, jobs_total, c.case_id});
    }, jobs);
    for (int reader = 0; reader < 2; ++reader) {
      lvsi::FeatureTable table;
      std::size_t failed = 0;
      for (std::size_t ci = 0; ci < manifest.cases.size(); ++ci) {
        lvsi::radiomics::FeatureList row;
        bool ok = true;
        for (std::size_t s = 0; s < n_seq; ++s) {
          const std::size_t n = (ci * n_seq + s) * 2 + static_cast<std::size_t>(reader);
          if (!errors[n].empty()) {
            std::cerr << "case " << manifest.cases[ci].case_id << ": " << errors[n] << "\n";
            ok = false;
          }
          row.insert(row.end(), results[n].begin(), results[n].end());
        }
        if (!ok) {
          ++failed;
          continue;
        }
        table.AppendRow(manifest.cases[ci].case_id, row);
      }
      table.metadata()["lvsi_version"] = lvsi::Version();
      const std::string path = out + "/features_reader" + std::to_string(reader + 1) + ".csv";
      table.WriteCsv(path);
      std::printf("reader %d: %zu patients x %zu features -> %s%s\n", reader + 1, table.rows(), table.cols(),
                  path.c_str(), failed ? (" (" + std::to_string(failed) + " failed)").c_str() : "");
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("done in %.1f s (%zu extractions, lvsi %s)\n", secs, jobs_total, lvsi::Version().c_str());
    return 0;
  } catch (const lvsi::Error& e) {
    std::cerr << "lvsi_cohort_demo: " << e.what() << "\n";
    return 1;
  }
}

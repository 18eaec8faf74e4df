// bench_radiomics: time of original-image feature extraction per case.
//
//   bench_radiomics [FOLDER] [--repeats N] [--params FILE.yaml] [--cohort N]
//
// --params times that configuration (e.g. examples/params/t2w.yaml, 1409
// features) instead of pyradiomics' defaults; --cohort also times N small
// synthetic cases, one case per thread, single-threaded and on all cores.
//
// FOLDER holds <case>_image.nrrd / <case>_label.nrrd pairs (default: the
// shared pyradiomics test images).  For each case it prints the median
// seconds inside the extraction call (files already read) single-threaded
// (and the best single-threaded run) and with all cores, the wall time and peak RSS of a whole lvsi_radiomics
// process, and this process's peak RSS.
#include <lvsi/lvsi.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

extern char** environ;
namespace fs = std::filesystem;

namespace {

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

double PeakRssMiB(int who) {
  rusage u{};
  getrusage(who, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// Runs the CLI on one case; returns wall seconds and the child's peak
// resident memory [MiB], which the CLI reports itself (VmHWM).
std::pair<double, double> RunProcess(const std::string& image, const std::string& mask) {
  std::vector<std::string> args{LVSI_CLI, image, mask, "-o", "/dev/null"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log = (fs::temp_directory_path() / "bench_radiomics_child.txt").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> env_store{"LVSI_REPORT_PEAK_MEMORY=1"};
  for (char** e = environ; *e; ++e) env_store.emplace_back(*e);
  std::vector<char*> envp;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);
  const auto t0 = std::chrono::steady_clock::now();
  pid_t pid;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return {-1, -1};
  int status = 0;
  waitpid(pid, &status, 0);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double mib = -1;
  if (std::FILE* f = std::fopen(log.c_str(), "r")) {
    char line[256];
    while (std::fgets(line, sizeof line, f)) {
      long kb = 0;
      if (std::sscanf(line, "lvsi_radiomics: peak memory %ld kB", &kb) == 1) mib = static_cast<double>(kb) / 1024.0;
    }
    std::fclose(f);
  }
  return {secs, mib};
}

}  // namespace

int main(int argc, char** argv) {
  std::string folder = std::string(LVSI_SHARED_DIR) + "/reference/pyradiomics";
  int repeats = 5, cohort = 0;
  std::string params_file;
  for (int a = 1; a < argc; ++a) {
    if (!std::strcmp(argv[a], "--repeats") && a + 1 < argc) repeats = std::atoi(argv[++a]);
    else if (!std::strcmp(argv[a], "--params") && a + 1 < argc) params_file = argv[++a];
    else if (!std::strcmp(argv[a], "--cohort") && a + 1 < argc) cohort = std::atoi(argv[++a]);
    else if (argv[a][0] != '-') folder = argv[a];
    else {
      std::fprintf(std::strcmp(argv[a], "--help") && std::strcmp(argv[a], "-h") ? stderr : stdout,
                   "usage: bench_radiomics [FOLDER] [--repeats N] [--params FILE.yaml] [--cohort N]\n");
      return std::strcmp(argv[a], "--help") && std::strcmp(argv[a], "-h") ? 2 : 0;
    }
  }
  if (!fs::is_directory(folder)) {
    std::fprintf(stderr, "bench_radiomics: %s is not a folder of <case>_image.nrrd / <case>_label.nrrd pairs\n",
                 folder.c_str());
    return 2;
  }
  const lvsi::radiomics::ExtractionParameters params =
      params_file.empty() ? lvsi::radiomics::ExtractionParameters::Defaults() : lvsi::radiomics::ReadParameterFile(params_file);
  lvsi::SetLogLevel(lvsi::LogLevel::kWarning);
  std::vector<std::string> cases;
  for (const auto& e : fs::directory_iterator(folder)) {
    const std::string name = e.path().filename().string();
    const auto pos = name.rfind("_image.nrrd");
    if (pos != std::string::npos && pos + 11 == name.size() && fs::exists(folder + "/" + name.substr(0, pos) + "_label.nrrd"))
      cases.push_back(name.substr(0, pos) + "_image.nrrd|" + name.substr(0, pos) + "_label.nrrd");
    else if (name.size() > 5 && name.rfind(".nrrd") == name.size() - 5 && name.find("-label") == std::string::npos &&
             fs::exists(folder + "/" + name.substr(0, name.size() - 5) + "-label.nrrd"))
      cases.push_back(name + "|" + name.substr(0, name.size() - 5) + "-label.nrrd");
  }
  std::sort(cases.begin(), cases.end());
  std::printf("lvsi %s, %d repeats, %d hardware threads, %s\n", lvsi::Version().c_str(), repeats,
              lvsi::DefaultThreadCount(),
              params_file.empty() ? "all features of the original image (pyradiomics defaults)" : params_file.c_str());
  std::printf("%-26s %8s %12s %12s %12s %12s %12s\n", "case", "voxels", "1 thread [s]", "(best)", "all cores [s]",
              "process [s]", "process MiB");
  for (const auto& pair : cases) {
    const std::string image = folder + "/" + pair.substr(0, pair.find('|'));
    const std::string mask = folder + "/" + pair.substr(pair.find('|') + 1);
    const std::string c = pair.substr(0, pair.find_first_of("_.|"));
    const lvsi::io::ImageInfo info = lvsi::io::ReadImageInfo(image);
    const lvsi::Image img = lvsi::io::ReadImage(image);
    const lvsi::LabelImage lab = lvsi::io::ReadLabelImage(mask);
    std::size_t voxels = 0;
    for (std::size_t n = 0; n < lab.size(); ++n) voxels += lab[n] == 1;
    double t[2] = {0, 0}, best = 0;
    for (int mode = 0; mode < 2; ++mode) {
      lvsi::radiomics::FeatureExtractor extractor(params);
      extractor.set_threads(mode == 0 ? 1 : 0);
      std::vector<double> secs;
      for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        try {
          extractor.Execute(img, lab, info.pixel_type);
        } catch (const lvsi::Error& e) {
          std::printf("%-26s failed: %s\n", c.c_str(), e.what());
          break;
        }
        secs.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      }
      t[mode] = secs.empty() ? -1 : Median(secs);
      if (mode == 0) best = secs.empty() ? -1 : *std::min_element(secs.begin(), secs.end());
    }
    std::vector<double> proc, rss;
    for (int r = 0; r < (params_file.empty() ? repeats : 0); ++r) {
      const auto [s, m] = RunProcess(image, mask);
      proc.push_back(s);
      rss.push_back(m);
    }
    if (proc.empty()) {
      std::printf("%-26s %8zu %12.4f %12.4f %12.4f %12s %12s\n", c.c_str(), voxels, t[0], best, t[1], "-", "-");
    } else {
      std::printf("%-26s %8zu %12.4f %12.4f %12.4f %12.4f %12.1f\n", c.c_str(), voxels, t[0], best, t[1], Median(proc),
                  *std::max_element(rss.begin(), rss.end()));
    }
  }
  if (cohort > 0) {
    // Small synthetic cases: a textured ellipsoid in a 64 x 64 x 16 image.
    std::vector<lvsi::Image> images;
    std::vector<lvsi::LabelImage> labels;
    for (int c = 0; c < cohort; ++c) {
      lvsi::Geometry g;
      g.size = {64, 64, 16};
      g.spacing = {0.7, 0.7, 3};
      lvsi::Image img(g);
      lvsi::LabelImage lab(g, 0);
      for (std::size_t k = 0; k < 16; ++k)
        for (std::size_t j = 0; j < 64; ++j)
          for (std::size_t i = 0; i < 64; ++i) {
            img(i, j, k) = 300 + 80 * std::sin(0.4 * i + c) * std::cos(0.3 * j) + 10 * k + (i * 7 + j * 13 + k) % 17;
            lab(i, j, k) = std::hypot((i - 32.0) / 12, (j - 30.0) / 10, (k - 8.0) / 3.5) < 1;
          }
      images.push_back(std::move(img));
      labels.push_back(std::move(lab));
    }
    const lvsi::radiomics::FeatureExtractor extractor(params);
    double secs[2];
    for (int mode = 0; mode < 2; ++mode) {
      const auto t0 = std::chrono::steady_clock::now();
      lvsi::ParallelFor(0, images.size(), [&](std::size_t n) { extractor.Execute(images[n], labels[n]); },
                        mode == 0 ? 1 : 0);
      secs[mode] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    std::printf("cohort of %d small cases: %.4f s per case on 1 thread, %.4f s per case on %d threads (speed-up %.2f)\n",
                cohort, secs[0] / cohort, secs[1] / cohort, lvsi::DefaultThreadCount(), secs[0] / secs[1]);
  }
  std::printf("peak RSS of this benchmark process: %.1f MiB\n", PeakRssMiB(RUSAGE_SELF));
  return 0;
}

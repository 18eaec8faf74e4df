// Voxel-based extraction (FeatureExtractor::ExecuteVoxel) timed beside the
// segment-based extraction of the same case and parameters, on one thread
// and on all cores, with the maps' size and the process's peak memory.
//   bench_voxel [IMAGE MASK] [--params FILE.yaml] [--repeats N]
// Default case: brain1 of the pyradiomics reference folder; default
// parameters: pyradiomics' (original image, every class).  Each
// configuration runs in a child process of its own, so that the peak
// memory (ru_maxrss) is that configuration's.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "lvsi/core/logging.h"
#include "lvsi/core/parallel.h"
#include "lvsi/io/image_io.h"
#include "lvsi/radiomics/extractor.h"
#include "lvsi/radiomics/settings.h"
#include "lvsi/version.h"

namespace {

struct Run {
  double seconds = 0;
  double peak_mib = 0;
  double maps_mib = 0;
  std::size_t features = 0, voxels = 0;
};

// One configuration in a child process; the result comes back over a pipe.
Run Measure(const std::string& image, const std::string& mask, const lvsi::radiomics::ExtractionParameters& params,
            bool voxel, int threads, int repeats) {
  int fds[2];
  if (pipe(fds) != 0) std::exit(1);
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    Run r;
    r.seconds = 1e300;
    const lvsi::io::ImageInfo info = lvsi::io::ReadImageInfo(image);
    const lvsi::Image img = lvsi::io::ReadImage(image);
    const lvsi::LabelImage lab = lvsi::io::ReadLabelImage(mask);
    lvsi::radiomics::FeatureExtractor extractor(params);
    extractor.set_threads(threads);
    for (int k = 0; k < repeats; ++k) {
      const auto t0 = std::chrono::steady_clock::now();
      if (voxel) {
        const lvsi::radiomics::VoxelResult v = extractor.ExecuteVoxel(img, lab, info.pixel_type);
        r.features = v.maps.size();
        r.voxels = v.voxel_count;
        r.maps_mib = 0;
        for (const auto& [name, map] : v.maps) r.maps_mib += static_cast<double>(map.size() * sizeof(double)) / 1048576.0;
      } else {
        r.features = extractor.Execute(img, lab, info.pixel_type).features.size();
      }
      r.seconds = std::min(r.seconds, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    r.peak_mib = static_cast<double>(u.ru_maxrss) / 1024.0;
    if (write(fds[1], &r, sizeof r) != sizeof r) _exit(1);
    _exit(0);
  }
  close(fds[1]);
  Run r;
  const bool ok = read(fds[0], &r, sizeof r) == sizeof r;
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "bench_voxel: the %s run failed\n", voxel ? "voxel" : "segment");
    std::exit(1);
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::string image = std::string(LVSI_SHARED_DIR) + "/reference/pyradiomics/brain1_image.nrrd";
  std::string mask = std::string(LVSI_SHARED_DIR) + "/reference/pyradiomics/brain1_label.nrrd";
  std::string params_file;
  int repeats = 3;
  std::vector<std::string> positional;
  for (int a = 1; a < argc; ++a) {
    if (!std::strcmp(argv[a], "--params") && a + 1 < argc) params_file = argv[++a];
    else if (!std::strcmp(argv[a], "--repeats") && a + 1 < argc) repeats = std::atoi(argv[++a]);
    else if (argv[a][0] != '-') positional.push_back(argv[a]);
    else {
      std::fprintf(stderr, "usage: bench_voxel [IMAGE MASK] [--params FILE.yaml] [--repeats N]\n");
      return 2;
    }
  }
  if (positional.size() == 2) {
    image = positional[0];
    mask = positional[1];
  } else if (!positional.empty()) {
    std::fprintf(stderr, "usage: bench_voxel [IMAGE MASK] [--params FILE.yaml] [--repeats N]\n");
    return 2;
  }
  lvsi::SetLogLevel(lvsi::LogLevel::kError);
  const lvsi::radiomics::ExtractionParameters params =
      params_file.empty() ? lvsi::radiomics::ExtractionParameters::Defaults() : lvsi::radiomics::ReadParameterFile(params_file);
  const int cores = lvsi::DefaultThreadCount();
  std::printf("lvsi %s, %s, %s, kernelRadius %d%s, best of %d\n", lvsi::Version().c_str(), image.c_str(),
              params_file.empty() ? "pyradiomics defaults" : params_file.c_str(), params.settings.kernel_radius,
              params.settings.masked_kernel ? "" : " (unmasked)", repeats);
  std::printf("%-8s %8s %9s %8s %11s %10s %10s\n", "mode", "threads", "features", "kernels", "seconds", "maps MiB",
              "peak MiB");
  for (const bool voxel : {false, true})
    for (const int threads : {1, cores}) {
      const Run r = Measure(image, mask, params, voxel, threads, voxel ? std::max(1, repeats / 3) : repeats);
      std::printf("%-8s %8d %9zu %8zu %11.3f %10.1f %10.1f\n", voxel ? "voxel" : "segment", threads, r.features,
                  r.voxels, r.seconds, r.maps_mib, r.peak_mib);
      std::fflush(stdout);
      if (cores == 1) break;
    }
  return 0;
}

// IBSI mode (ibsi::Extract) beside pyradiomics mode (FeatureExtractor) on
// the same image and comparable settings: by default IBSI's CT phantom with
// configuration C (2 mm trilinear interpolation, re-segmentation to
// [-1000, 400] HU, bins of 25 HU, every family) and pyradiomics' nearest
// equivalent (resampledPixelSpacing 2 mm, sitkLinear, resegmentRange,
// binWidth 25, every class of the original image).  Images are read once;
// best of N for each, pyradiomics mode on one thread and on all cores.
//   bench_ibsi [IMAGE MASK] [--config FILE.yaml] [--repeats N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "lvsi/core/logging.h"
#include "lvsi/io/image_io.h"
#include "lvsi/radiomics/extractor.h"
#include "lvsi/radiomics/ibsi.h"
#include "lvsi/radiomics/settings.h"

namespace {

template <class F>
double Best(int repeats, F f) {
  double best = 1e300;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::string shared = LVSI_SHARED_DIR "/reference/ibsi1/ct_phantom";
  std::string image_path = shared + "/phantom.nii.gz", mask_path = shared + "/mask.nii.gz";
  std::string config = LVSI_SOURCE_DIR "/examples/params/ibsi/config_C.yaml";
  int repeats = 5;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--config" && i + 1 < argc) {
      config = argv[++i];
    } else if (a == "--repeats" && i + 1 < argc) {
      repeats = std::max(1, std::atoi(argv[++i]));
    } else {
      positional.push_back(a);
    }
  }
  if (positional.size() == 2) image_path = positional[0], mask_path = positional[1];
  lvsi::SetLogLevel(lvsi::LogLevel::kError);
  const lvsi::Image image = lvsi::io::ReadImage(image_path);
  const lvsi::LabelImage mask = lvsi::io::ReadLabelImage(mask_path);
  const auto settings = lvsi::radiomics::ibsi::ReadSettings(config);
  std::size_t ibsi_values = 0, pyradiomics_values = 0;
  const double ibsi = Best(repeats, [&] { ibsi_values = lvsi::radiomics::ibsi::Extract(image, mask, settings).size(); });
  const auto params = lvsi::radiomics::ParseParameters(
      "imageType: {Original: {}}\n"
      "setting: {resampledPixelSpacing: [2, 2, 2], interpolator: sitkLinear, binWidth: 25, "
      "resegmentRange: [-1000, 400], label: 1}\n",
      "pyradiomics-mode parameters");
  lvsi::radiomics::FeatureExtractor one(params), all(params);
  one.set_threads(1);
  all.set_threads(0);
  const double py1 = Best(repeats, [&] { pyradiomics_values = one.Execute(image, mask, "float32").features.size(); });
  const double pyall = Best(repeats, [&] { all.Execute(image, mask, "float32"); });
  std::printf("image %s, IBSI configuration %s, best of %d\n", image_path.c_str(), config.c_str(), repeats);
  std::printf("IBSI mode (one thread)            %8.3f s  %zu values\n", ibsi, ibsi_values);
  std::printf("pyradiomics mode, one thread      %8.3f s  %zu values  (IBSI / this: %.2f)\n", py1, pyradiomics_values,
              ibsi / py1);
  std::printf("pyradiomics mode, all cores       %8.3f s                (IBSI / this: %.2f)\n", pyall, ibsi / pyall);
  return 0;
}

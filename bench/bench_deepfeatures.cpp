// Benchmark of the deep-feature network: images per second for feature
// extraction (batch 16, 224 x 224) and for a training step (forward,
// backward, SGD update of every layer), with 1 and 2 LibTorch threads, and
// the same measured with PyTorch eager (Debian's python3-torchvision, the
// same LibTorch underneath) in the same run.
//
//   bench_deepfeatures [--no-python] [--repeats R]
//
// Effective GFLOP/s uses 4.1 GFLOP per 224 x 224 forward pass (ResNet-50)
// and 3 x that for a training step.
#include <lvsi/lvsi.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>

namespace df = lvsi::deepfeatures;

namespace {

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// images per second of PyTorch eager, by measure ("extract", "train").
std::map<std::string, double> Python(int threads, int batch, int repeats) {
  std::map<std::string, double> out;
  const std::string cmd = std::string(LVSI_TORCH_PYTHON) + " " + LVSI_SOURCE_DIR + "/bench/bench_deepfeatures.py " +
                          std::to_string(threads) + " " + std::to_string(batch) + " " + std::to_string(repeats);
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char name[32];
  double value;
  while (std::fscanf(p, "%31s %lf", name, &value) == 2) out[name] = value;
  pclose(p);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bool python = true;
  int repeats = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--no-python") python = false;
    else if (a == "--repeats" && i + 1 < argc) repeats = std::atoi(argv[++i]);
  }
  lvsi::SetLogLevel(lvsi::LogLevel::kWarning);
  const int batch = 16, size = 224;
  std::mt19937 rng(1);
  std::normal_distribution<float> normal;
  std::vector<float> x(static_cast<std::size_t>(batch) * 3 * size * size);
  for (auto& v : x) v = normal(rng);
  std::vector<int> y(batch);
  for (int i = 0; i < batch; ++i) y[i] = i % 2;
  std::printf("%-8s %-8s %12s %12s %10s %8s\n", "measure", "threads", "lvsi img/s", "eager img/s", "ratio", "GFLOP/s");
  for (int threads : {1, 2}) {
    df::ResNetSettings o;
    o.threads = threads;
    o.inference_batch = batch;
    df::ResNet50 net(o);
    net.Features(x, batch, size);  // warm-up
    double best = 1e30;
    for (int r = 0; r < repeats; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      net.Features(x, batch, size);
      best = std::min(best, Seconds(t0));
    }
    const double extract = batch / best;
    // One epoch of one batch: forward, backward and SGD step of every layer.
    df::FineTuneSettings ft;
    ft.epochs = 1;
    ft.batch_size = batch;
    ft.validation_fraction = 0;
    ft.augment = false;
    ft.frozen_layers = 0;
    net.FineTune(x, batch, y, ft, size);  // warm-up
    best = 1e30;
    for (int r = 0; r < repeats; ++r) {
      const auto result = net.FineTune(x, batch, y, ft, size);
      best = std::min(best, result.history.front().seconds);
    }
    const double train = batch / best;
    std::map<std::string, double> eager;
    if (python) eager = Python(threads, batch, repeats);
    auto row = [&](const char* measure, double lvsi_rate, double flop_per_image) {
      const double e = eager.count(measure) ? eager[measure] : 0;
      std::printf("%-8s %-8d %12.2f %12.2f %10s %8.1f\n", measure, threads, lvsi_rate, e,
                  e > 0 ? (std::to_string(lvsi_rate / e).substr(0, 5) + "x").c_str() : "n/a",
                  lvsi_rate * flop_per_image);
    };
    row("extract", extract, 4.1);
    row("train", train, 3 * 4.1);
  }
  return 0;
}

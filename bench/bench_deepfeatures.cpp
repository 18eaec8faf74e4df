// Benchmark of the deep-feature network: images per second for feature
// extraction (batch 16, 224 x 224) and for a training step (forward,
// backward, SGD update of every layer), with 1 and 2 LibTorch threads, and
// the same measured with PyTorch eager (Debian's python3-torchvision, the
// same LibTorch underneath) in the same run.  Training is measured on both
// of lvsi's paths: oneDNN's training primitives (FineTune's default on the
// CPU) and LibTorch's autograd (TrainingPath::kLibTorch).
//
//   bench_deepfeatures [--no-python] [--repeats R] [--size S]
//
// A training step is timed as eager's is: the best of R steps after a first
// one (one FineTune of R + 1 epochs of one batch; the first step builds the
// oneDNN plans and touches their memory, and is printed apart).  GFLOP/s
// counts 2 FLOP per multiply-add of the convolutions: 8.2 GFLOP per
// 224 x 224 forward pass of ResNet-50 (4.1 G multiply-adds), 3 x that per
// training step of every layer (FineTune's own count, EpochLog).
//
// Where oneDNN is found, "conv-only" is the rate a step would have if it
// were nothing but its 53 convolutions, each pass timed alone on oneDNN's
// fastest FP32 kernel for it (conv_ceiling.cpp): the ceiling of any FP32
// training step on oneDNN's kernels, set beside eager in the same way.
// The cores' FMA peak, measured, is printed under the table.
#include <lvsi/lvsi.h>

#ifdef LVSI_BENCH_CONV_CEILING
#include "conv_ceiling.h"
#endif

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
std::map<std::string, double> Python(int threads, int batch, int repeats, int size) {
  std::map<std::string, double> out;
  const std::string cmd = std::string(LVSI_TORCH_PYTHON) + " " + LVSI_SOURCE_DIR + "/bench/bench_deepfeatures.py " +
                          std::to_string(threads) + " " + std::to_string(batch) + " " + std::to_string(repeats) + " " +
                          std::to_string(size);
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
  const int batch = 16;
  int size = 224;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--size") size = std::atoi(argv[i + 1]);
  std::mt19937 rng(1);
  std::normal_distribution<float> normal;
  std::vector<float> x(static_cast<std::size_t>(batch) * 3 * size * size);
  for (auto& v : x) v = normal(rng);
  std::vector<int> y(batch);
  for (int i = 0; i < batch; ++i) y[i] = i % 2;
  std::printf("%-16s %-8s %12s %12s %10s %9s %12s\n", "measure", "threads", "lvsi img/s", "eager img/s", "ratio",
              "GFLOP/s", "first step s");
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
    // Epochs of one batch: forward, backward and SGD step of every layer.
    struct Train {
      double rate = 0, gflops = 0, first = 0;
    };
    auto train = [&](df::TrainingPath path) {
      df::FineTuneSettings ft;
      ft.epochs = repeats + 1;
      ft.batch_size = batch;
      ft.validation_fraction = 0;
      ft.augment = false;
      ft.frozen_layers = 0;
      ft.path = path;
      const auto result = net.FineTune(x, batch, y, ft, size);
      Train t;
      t.first = result.history.front().train_seconds;
      for (std::size_t e = 1; e < result.history.size(); ++e)
        if (result.history[e].images_per_second > t.rate) {
          t.rate = result.history[e].images_per_second;
          t.gflops = result.history[e].gflop_per_second;
        }
      return t;
    };
    const Train onednn = train(df::TrainingPath::kAuto);
    const Train autograd = train(df::TrainingPath::kLibTorch);
    std::map<std::string, double> eager;
    if (python) eager = Python(threads, batch, repeats, size);
    auto row = [&](const char* measure, const char* eager_measure, double lvsi_rate, double gflops, double first) {
      const double e = eager.count(eager_measure) ? eager[eager_measure] : 0;
      char ratio[32] = "n/a", first_text[32] = "";
      if (e > 0) std::snprintf(ratio, sizeof ratio, "%.2fx", lvsi_rate / e);
      if (first > 0) std::snprintf(first_text, sizeof first_text, "%.2f", first);
      std::printf("%-16s %-8d %12.2f %12.2f %10s %9.1f %12s\n", measure, threads, lvsi_rate, e, ratio, gflops,
                  first_text);
    };
    row("extract", "extract", extract, extract * 2 * 4.1 * (size / 224.0) * (size / 224.0), 0);
    row("train", "train", onednn.rate, onednn.gflops, onednn.first);
    row("train-libtorch", "train", autograd.rate, autograd.gflops, autograd.first);
#ifdef LVSI_BENCH_CONV_CEILING
    const ConvCeiling convs = ConvolutionsOfATrainingStep(batch, size, threads, repeats);
    row("conv-only", "train", batch / convs.seconds, convs.gflop / convs.seconds, 0);
#endif
  }
#ifdef LVSI_BENCH_CONV_CEILING
  if (const double one = FmaPeakGflops(1); one > 0)
    std::printf("FMA peak (register-only AVX-512 loop): %.1f GFLOP/s on 1 thread, %.1f on 2\n", one,
                FmaPeakGflops(2));
#endif
  return 0;
}

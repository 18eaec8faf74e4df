// FineTune's oneDNN training path against LibTorch's autograd (the
// reference): the same network, images and settings must give the same
// gradients (seen as the weight updates), running statistics and updated
// weights, at every freezing level, with SGD (momentum, weight decay) and
// Adam (weight decay); the same validation AUC on a synthetic task; and the
// same result for the same seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <stdexcept>
#include <string>

#include "lvsi/core/error.h"
#include "lvsi/deepfeatures.h"
#include "test_util.h"

namespace lvsi::deepfeatures {
namespace {

constexpr int kSize = 64;

std::vector<float> Noise(int n, int size, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0, 1);
  std::vector<float> v(static_cast<std::size_t>(n) * 3 * size * size);
  for (auto& x : v) x = normal(rng);
  return v;
}

ResNetSettings OneThread() {
  ResNetSettings o;
  o.threads = 1;
  o.inference_batch = 4;
  return o;
}

// Random weights with batch-norm statistics, gammas and betas far from
// their initial 1 / 0 / 0 / 1: AdaBN on shifted, scaled images, then two
// large SGD steps on the reference path.  Saved to a file both paths load.
class TrainingPaths : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = testing::ProcessScratchDir("training_paths");
    ResNetSettings o = OneThread();
    o.seed = 5;
    ResNet50 net(o);
    const std::vector<float> images = Noise(8, kSize, 1);
    FineTuneSettings ft;
    ft.epochs = 1;
    ft.batch_size = 4;
    ft.learning_rate = 0.01;
    ft.validation_fraction = 0;
    ft.augment = false;
    ft.path = TrainingPath::kLibTorch;
    net.FineTune(images, 8, {0, 1, 1, 0, 1, 0, 0, 1}, ft, kSize);
    net.AdaptBatchNorm(images, 8, kSize);
    net.Save(dir_ + "/start.pt");
  }
  static void TearDownTestSuite() { testing::RemoveProcessScratchDir(dir_); }

  static std::map<std::string, NamedTensor> ByName(const ResNet50& net) {
    std::map<std::string, NamedTensor> out;
    for (auto& t : net.Tensors()) out[t.name] = t;
    return out;
  }
  // The network after one epoch of `base` on `path` and `threads`, and the
  // result.  A non-zero `nudge` moves every pixel by one unit in the last
  // place, up or down as a generator with that seed says: an input
  // perturbation as small as one rounding.
  static std::map<std::string, NamedTensor> Step(const FineTuneSettings& base, TrainingPath path, int threads,
                                                  FineTuneResult* result = nullptr, unsigned nudge = 0) {
    ResNetSettings rs = OneThread();
    rs.threads = threads;
    FineTuneSettings ft = base;
    ft.path = path;
    ResNet50 net = ResNet50::Load(dir_ + "/start.pt", rs);
    std::vector<float> images = Noise(8, kSize, 2);
    if (nudge != 0) {
      std::mt19937 coin(nudge);
      for (auto& x : images) x = std::nextafter(x, (coin() & 1) != 0 ? HUGE_VALF : -HUGE_VALF);
    }
    const FineTuneResult r = net.FineTune(images, 8, {1, 0, 0, 1, 1, 0, 1, 0}, ft, kSize);
    if (result) *result = r;
    return ByName(net);
  }
  static std::string dir_;
};
std::string TrainingPaths::dir_;

// How far the updates (after - start) of a run are from the reference's:
// the norm of the difference over the norm of the reference's update, over
// every parameter at once (`overall`) and per tensor (`worst`, buffers
// included); and the tensors the reference left alone that the run moved.
struct Comparison {
  double overall = 0, worst = 0;
  std::string worst_name;
  int updated = 0;
  std::vector<std::string> moved;
};

Comparison Compare(const std::map<std::string, NamedTensor>& start, const std::map<std::string, NamedTensor>& reference,
                   const std::map<std::string, NamedTensor>& run) {
  Comparison c;
  double all_diff = 0, all_scale = 0;
  for (const auto& [name, s] : start) {
    const auto& a = reference.at(name).values;
    const auto& b = run.at(name).values;
    double scale = 0, diff = 0;
    bool run_moved = false;
    for (std::size_t i = 0; i < s.values.size(); ++i) {
      const double u = static_cast<double>(a[i]) - s.values[i], d = static_cast<double>(b[i]) - a[i];
      scale += u * u;
      diff += d * d;
      run_moved = run_moved || b[i] != s.values[i];
    }
    if (scale == 0) {  // frozen in the reference: it must not move in the run either
      if (run_moved) c.moved.push_back(name);
      continue;
    }
    ++c.updated;
    if (name.find("running_") == std::string::npos && name.find("num_batches") == std::string::npos) {
      all_diff += diff;
      all_scale += scale;
    }
    if (std::sqrt(diff / scale) > c.worst) {
      c.worst = std::sqrt(diff / scale);
      c.worst_name = name;
    }
  }
  c.overall = std::sqrt(all_diff / all_scale);
  return c;
}

// The reference's own sensitivity to rounding: autograd's updates when every
// input pixel moves by one unit in the last place, against autograd's on the
// unmoved input (`overall`: the mean of two such nudges, `worst`: the larger
// of their worst tensors).
struct Sensitivity {
  double overall = 0, worst = 0;
};
template <typename StepFn>
Sensitivity RoundingSensitivity(const std::map<std::string, NamedTensor>& start,
                                const std::map<std::string, NamedTensor>& reference, StepFn step) {
  Sensitivity s;
  for (const unsigned nudge : {1u, 2u}) {
    const Comparison c = Compare(start, reference, step(nudge));
    s.overall += c.overall / 2;
    s.worst = std::max(s.worst, c.worst);
  }
  return s;
}

// One optimiser step (8 images, one batch) at every freezing level, SGD
// with momentum and Adam, both with weight decay: oneDNN's updates against
// autograd's.  A randomly initialised ResNet-50 trained on noise is
// ill-conditioned in training mode: where a channel's batch variance is
// near its rounding, one rounding more or less in a convolution changes that
// channel's normalised values, ReLUs and max-pool choices near their
// thresholds flip, and the gradients move with them (Adam's first step,
// about the sign of each gradient, most).  The yardstick is therefore the
// reference's own sensitivity, measured here: autograd against itself with
// the input nudged by one rounding (two nudges).  Another summation order
// alone (two threads, the batch reversed) is no yardstick: it may leave
// every rounding of an element alone, and then the updates agree to 1e-5 on
// one CPU and to 1e-2 on another.  oneDNN must be as close to autograd as
// the nudged input (within 10x per case, 2.5x over all ten), and within
// fixed bounds that a missing term of a batch-norm, ReLU or residual
// gradient exceeds many times over (such a fault moves the updates by their
// own size).
TEST_F(TrainingPaths, SameUpdatesAsAutogradAtEveryFreezingLevel) {
  const auto start = ByName(ResNet50::Load(dir_ + "/start.pt", OneThread()));
  // Parameters and buffers that train: all 161 + 159 at level 0, the head's two at level 4.
  const int expected_updated[5] = {320, 254, 176, 62, 2};
  double sum_onednn = 0, sum_nudged = 0;
  for (int frozen = 0; frozen <= 4; ++frozen)
    for (const Optimizer opt : {Optimizer::kSgd, Optimizer::kAdam}) {
      const bool sgd = opt == Optimizer::kSgd;
      SCOPED_TRACE("frozen_layers " + std::to_string(frozen) + (sgd ? ", SGD" : ", Adam"));
      FineTuneSettings ft;
      ft.epochs = 1;
      ft.batch_size = 8;
      ft.optimizer = opt;
      ft.learning_rate = sgd ? 0.01 : 1e-3;
      ft.momentum = 0.9;
      ft.weight_decay = 1e-3;
      ft.validation_fraction = 0;
      ft.augment = false;
      ft.frozen_layers = frozen;
      FineTuneResult ra, rb;
      const auto a = Step(ft, TrainingPath::kLibTorch, 1, &ra);
      const auto b = Step(ft, TrainingPath::kOneDnn, 1, &rb);
      EXPECT_EQ(ra.path, "libtorch");
      EXPECT_EQ(rb.path, "onednn");
      // The forward pass: the same loss.
      EXPECT_NEAR(rb.history[0].train_loss, ra.history[0].train_loss, 1e-5 * ra.history[0].train_loss);
      const Comparison onednn = Compare(start, a, b);
      const Sensitivity nudged = RoundingSensitivity(
          start, a, [&](unsigned nudge) { return Step(ft, TrainingPath::kLibTorch, 1, nullptr, nudge); });
      EXPECT_TRUE(onednn.moved.empty()) << onednn.moved.size() << " frozen tensors moved, e.g. " << onednn.moved[0];
      EXPECT_EQ(onednn.updated, expected_updated[frozen]);
      EXPECT_LE(onednn.overall, std::max(10 * nudged.overall, 1e-4));
      EXPECT_LE(onednn.overall, sgd ? 0.05 : 0.3);
      EXPECT_LE(onednn.worst, std::max(2 * nudged.worst, sgd ? 0.1 : 0.5)) << onednn.worst_name;
      if (frozen == 4) {
        EXPECT_LE(onednn.overall, 1e-4);  // only the head trains: no ReLU in between
      }
      sum_onednn += onednn.overall;
      sum_nudged += nudged.overall;
      std::printf("frozen %d, %s: %3d tensors updated; update difference oneDNN %.2e (worst tensor %.2e, %s), "
                  "autograd nudged %.2e (worst tensor %.2e)\n",
                  frozen, sgd ? "SGD " : "Adam", onednn.updated, onednn.overall, onednn.worst,
                  onednn.worst_name.c_str(), nudged.overall, nudged.worst);
    }
  // Over all ten: oneDNN is about as close to autograd as autograd to its nudged self.
  EXPECT_LE(sum_onednn, 2.5 * sum_nudged);
  std::printf("over all ten: oneDNN %.3f, autograd nudged %.3f\n", sum_onednn, sum_nudged);
}

// Two steps, so that the second sees SGD's momentum buffer and Adam's
// moments and the first step's weights, where the trunk is frozen up to
// layer3 (layer4 and the head train).
TEST_F(TrainingPaths, TwoStepsWithMomentumAndMoments) {
  const auto start = ByName(ResNet50::Load(dir_ + "/start.pt", OneThread()));
  for (const Optimizer opt : {Optimizer::kSgd, Optimizer::kAdam}) {
    const bool sgd = opt == Optimizer::kSgd;
    SCOPED_TRACE(sgd ? "SGD" : "Adam");
    FineTuneSettings ft;
    ft.epochs = 1;
    ft.batch_size = 4;
    ft.optimizer = opt;
    ft.learning_rate = sgd ? 0.01 : 1e-3;
    ft.weight_decay = 1e-3;
    ft.validation_fraction = 0;
    ft.augment = false;
    ft.frozen_layers = 3;
    const auto a = Step(ft, TrainingPath::kLibTorch, 1);
    const auto b = Step(ft, TrainingPath::kOneDnn, 1);
    const Comparison onednn = Compare(start, a, b);
    const Sensitivity nudged = RoundingSensitivity(
        start, a, [&](unsigned nudge) { return Step(ft, TrainingPath::kLibTorch, 1, nullptr, nudge); });
    EXPECT_TRUE(onednn.moved.empty());
    EXPECT_LE(onednn.overall, std::max(10 * nudged.overall, 1e-4));
    EXPECT_LE(onednn.overall, sgd ? 0.05 : 0.3);
    std::printf("two steps, %s: update difference oneDNN %.2e, autograd nudged %.2e\n", sgd ? "SGD " : "Adam",
                onednn.overall, nudged.overall);
  }
}

// AdaBN (adapt_batch_norm) runs on the training's path: every batch-norm
// layer's statistics re-estimated in training mode, two batches of four
// images averaged, then one step with layer4 training.  Forward passes only
// for the frozen layers' statistics, so they agree closely.
TEST_F(TrainingPaths, AdaptBatchNormOnBothPaths) {
  FineTuneSettings ft;
  ft.epochs = 1;
  ft.batch_size = 8;
  ft.validation_fraction = 0;
  ft.augment = false;
  ft.frozen_layers = 3;
  ft.adapt_batch_norm = true;
  const auto a = Step(ft, TrainingPath::kLibTorch, 1);
  const auto b = Step(ft, TrainingPath::kOneDnn, 1);
  double worst = 0;
  std::string worst_name;
  int statistics = 0;
  for (const auto& [name, t] : a) {
    if (name.find("running_") == std::string::npos && name.find("num_batches") == std::string::npos) continue;
    ++statistics;
    double diff = 0, scale = 0;
    for (std::size_t i = 0; i < t.values.size(); ++i) {
      diff += std::pow(static_cast<double>(b.at(name).values[i]) - t.values[i], 2);
      scale += std::pow(static_cast<double>(t.values[i]), 2);
    }
    if (std::sqrt(diff / scale) > worst) {
      worst = std::sqrt(diff / scale);
      worst_name = name;
    }
    if (name.find("num_batches") != std::string::npos) {
      EXPECT_EQ(b.at(name).values, t.values) << name;
    }
  }
  EXPECT_EQ(statistics, 3 * 53);
  EXPECT_LE(worst, 1e-3) << worst_name;
  std::printf("AdaBN: %d statistics, largest relative difference %.2e (%s)\n", statistics, worst, worst_name.c_str());
}

// Same seed, same thread count: each path repeats itself bit for bit (two
// epochs of two batches, augmentation and an inner validation split).
TEST_F(TrainingPaths, DeterministicForTheSameSeed) {
  FineTuneSettings ft;
  ft.epochs = 2;
  ft.batch_size = 4;
  ft.optimizer = Optimizer::kAdam;
  ft.validation_fraction = 0.25;
  ft.patience = 5;
  for (const TrainingPath path : {TrainingPath::kOneDnn, TrainingPath::kLibTorch}) {
    SCOPED_TRACE(path == TrainingPath::kOneDnn ? "oneDNN" : "LibTorch");
    FineTuneResult r1, r2;
    const auto a = Step(ft, path, 1, &r1);
    const auto b = Step(ft, path, 1, &r2);
    ASSERT_EQ(r1.history.size(), r2.history.size());
    for (std::size_t e = 0; e < r1.history.size(); ++e) {
      EXPECT_EQ(r1.history[e].train_loss, r2.history[e].train_loss);
      EXPECT_EQ(r1.history[e].validation_loss, r2.history[e].validation_loss);
      EXPECT_GT(r1.history[e].images_per_second, 0);
      EXPECT_GT(r1.history[e].gflop_per_second, 0);
      EXPECT_EQ(r1.history[e].train_images, 6);
    }
    for (const auto& [name, t] : a) EXPECT_TRUE(t.values == b.at(name).values) << name;
  }
}

// An on_epoch that throws stops the training where it is: the network then
// holds that epoch's weights on both paths (the oneDNN path, whose
// convolution weights reach the network only at snapshots and at the end,
// writes them back on the way out), the same as a run of that many epochs.
TEST_F(TrainingPaths, StoppedByOnEpochLeavesThatEpochsNetwork) {
  FineTuneSettings ft;
  ft.epochs = 1;
  ft.batch_size = 4;
  ft.validation_fraction = 0;
  ft.augment = false;
  for (const TrainingPath path : {TrainingPath::kOneDnn, TrainingPath::kLibTorch}) {
    SCOPED_TRACE(path == TrainingPath::kOneDnn ? "oneDNN" : "LibTorch");
    const auto one_epoch = Step(ft, path, 1);
    FineTuneSettings stopped = ft;
    stopped.epochs = 3;
    stopped.path = path;
    stopped.on_epoch = [](const EpochLog& e) {
      if (e.epoch == 1) throw std::runtime_error("stopped by the caller");
    };
    ResNet50 net = ResNet50::Load(dir_ + "/start.pt", OneThread());
    EXPECT_ANY_THROW(net.FineTune(Noise(8, kSize, 2), 8, {1, 0, 0, 1, 1, 0, 1, 0}, stopped, kSize));
    const auto after = ByName(net);
    const auto start = ByName(ResNet50::Load(dir_ + "/start.pt", OneThread()));
    EXPECT_FALSE(after.at("layer4.2.conv3.weight").values == start.at("layer4.2.conv3.weight").values);
    for (const auto& [name, t] : one_epoch) EXPECT_TRUE(t.values == after.at(name).values) << name;
  }
}

TEST_F(TrainingPaths, TensorsFollowTorchvision) {
  const ResNet50 net = ResNet50::Load(dir_ + "/start.pt", OneThread());
  const auto tensors = net.Tensors();
  ASSERT_EQ(tensors.size(), 161u + 159u);
  EXPECT_EQ(tensors.front().name, "conv1.weight");
  EXPECT_EQ(tensors.front().shape, (std::vector<long>{64, 3, 7, 7}));
  std::size_t parameters = 0;
  for (std::size_t i = 0; i < 161; ++i) parameters += tensors[i].values.size();
  EXPECT_EQ(parameters, net.parameter_count());
  const auto byname = ByName(net);
  EXPECT_EQ(byname.at("layer4.2.bn3.running_var").values.size(), 2048u);
  EXPECT_EQ(byname.at("fc.weight").shape, (std::vector<long>{2, 2048}));
}

}  // namespace
}  // namespace lvsi::deepfeatures

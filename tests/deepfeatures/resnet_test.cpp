// ResNet-50 against torchvision: the same weights (a TorchScript export of
// torchvision's resnet50 with seeded random weights, made by
// torchvision_reference.py at test time) give the same features and logits.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <algorithm>
#include <random>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/deepfeatures.h"
#include "lvsi/preprocessing/slice.h"
#include "test_util.h"

namespace lvsi::deepfeatures {
namespace {

class TorchvisionReference : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Per process: ctest runs the tests of this suite in parallel processes.
    dir_ = testing::ProcessScratchDir("torchvision_reference");
    const std::string cmd = std::string(LVSI_TORCH_PYTHON) + " " + LVSI_SOURCE_DIR +
                            "/tests/deepfeatures/torchvision_reference.py " + dir_ + " > " + dir_ + "/python.log 2>&1";
    made_ = std::system(cmd.c_str()) == 0;
  }
  static void TearDownTestSuite() { testing::RemoveProcessScratchDir(dir_); }
  void SetUp() override {
    ASSERT_TRUE(made_) << "python3 with torchvision failed, see " << dir_ << "/python.log";
  }
  static std::string dir_;
  static bool made_;
};
std::string TorchvisionReference::dir_;
bool TorchvisionReference::made_ = false;

double MaxRelative(const Eigen::MatrixXf& got, const std::vector<float>& expected) {
  double scale = 0, diff = 0;
  for (Eigen::Index i = 0; i < got.rows(); ++i)
    for (Eigen::Index j = 0; j < got.cols(); ++j) {
      const double e = expected[static_cast<std::size_t>(i * got.cols() + j)];
      scale = std::max(scale, std::abs(e));
      diff = std::max(diff, std::abs(static_cast<double>(got(i, j)) - e));
    }
  return diff / scale;
}

TEST_F(TorchvisionReference, SameWeightsSameFeaturesAndLogits) {
  std::vector<long> shape;
  const std::vector<float> input = ReadNpyFloat32(dir_ + "/input.npy", &shape);
  ASSERT_EQ(shape, (std::vector<long>{2, 3, 224, 224}));
  const std::vector<float> features = ReadNpyFloat32(dir_ + "/features.npy", &shape);
  ASSERT_EQ(shape, (std::vector<long>{2, 2048}));
  const std::vector<float> logits = ReadNpyFloat32(dir_ + "/logits.npy", &shape);
  ASSERT_EQ(shape, (std::vector<long>{2, 1000}));

  ResNetSettings o;
  o.num_classes = 1000;
  o.threads = 2;
  ResNet50 net(o);
  EXPECT_FALSE(net.pretrained());
  EXPECT_EQ(net.parameter_count(), 25557032u);  // torchvision's resnet50
  net.LoadTorchvisionWeights(dir_ + "/resnet50.pt");
  EXPECT_TRUE(net.pretrained());
  const Eigen::MatrixXf f = net.Features(input, 2);
  ASSERT_EQ(f.cols(), 2048);
  const double rel_f = MaxRelative(f, features), rel_l = MaxRelative(net.Logits(input, 2), logits);
  std::printf("lvsi vs torchvision: features max relative difference %.2e, logits %.2e\n", rel_f, rel_l);
  EXPECT_LT(rel_f, 1e-4);
  EXPECT_LT(rel_l, 1e-4);

  // A two-class head keeps the trunk: same features.
  ResNet50 lvsi_head;
  lvsi_head.LoadTorchvisionWeights(dir_ + "/resnet50.pt");
  EXPECT_LT(MaxRelative(lvsi_head.Features(input, 2), features), 1e-4);
  EXPECT_EQ(lvsi_head.Logits(input, 2).cols(), 2);

  // Saved and loaded weights give identical outputs.
  lvsi_head.Save(dir_ + "/lvsi.pt");
  ResNet50 reloaded;
  reloaded.LoadWeights(dir_ + "/lvsi.pt");
  EXPECT_TRUE(reloaded.Logits(input, 2) == lvsi_head.Logits(input, 2));
  // The static Load makes the network from the file (its head included).
  EXPECT_TRUE(ResNet50::Load(dir_ + "/lvsi.pt").Logits(input, 2) == lvsi_head.Logits(input, 2));
}

TEST_F(TorchvisionReference, BilinearResizeMatchesTorchInterpolate) {
  std::vector<long> shape;
  const std::vector<float> plane = ReadNpyFloat32(dir_ + "/plane.npy", &shape);
  ASSERT_EQ(shape, (std::vector<long>{37, 53}));
  const std::vector<float> expected = ReadNpyFloat32(dir_ + "/plane_resized.npy", &shape);
  const std::vector<double> got =
      preprocessing::ResizeBilinear(std::vector<double>(plane.begin(), plane.end()), 53, 37, 224, 224);
  ASSERT_EQ(got.size(), expected.size());
  double worst = 0;
  for (std::size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(got[i] - expected[i]));
  EXPECT_LT(worst, 1e-6);  // float32 storage of the reference
}

TEST_F(TorchvisionReference, TwoClassHeadAndGradCamMatchAutograd) {
  std::vector<long> shape;
  const std::vector<float> input = ReadNpyFloat32(dir_ + "/input.npy", &shape);
  const std::vector<float> logits = ReadNpyFloat32(dir_ + "/logits2.npy", &shape);
  ASSERT_EQ(shape, (std::vector<long>{2, 2}));
  const std::vector<float> cam = ReadNpyFloat32(dir_ + "/gradcam.npy", &shape);
  ASSERT_EQ(shape, (std::vector<long>{2, 7, 7}));
  ResNetSettings o;
  o.threads = 2;
  o.inference_batch = 1;  // chunking must not change anything
  ResNet50 net(o);
  net.LoadTorchvisionWeights(dir_ + "/resnet50_2class.pt");
  EXPECT_LT(MaxRelative(net.Logits(input, 2), logits), 1e-4);
  const auto maps = net.GradCam(input, 2, 1);
  ASSERT_EQ(maps.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    ASSERT_EQ(maps[i].rows(), 7);
    ASSERT_EQ(maps[i].cols(), 7);
    const std::vector<float> expected(cam.begin() + static_cast<long>(i * 49), cam.begin() + static_cast<long>((i + 1) * 49));
    Eigen::MatrixXf as_row(1, 49);
    for (int r = 0; r < 7; ++r)
      for (int c = 0; c < 7; ++c) as_row(0, r * 7 + c) = maps[i](r, c);
    const double rel = MaxRelative(as_row, expected);
    std::printf("Grad-CAM image %zu: max difference %.2e of the maximum\n", i, rel);
    EXPECT_LT(rel, 1e-4);
  }
  EXPECT_THROW(net.GradCam(input, 2, 2), InvalidArgument);
}

// The command line on raw tensors: lvsi_deepfeatures extract --input-npy
// gives torchvision's features, logits and Grad-CAM maps.
TEST_F(TorchvisionReference, CommandLineOnRawTensors) {
  const std::string cmd = std::string(LVSI_DEEPFEATURES_CLI) + " extract --weights " + dir_ +
                          "/resnet50_2class.pt --input-npy " + dir_ + "/input.npy -o " + dir_ + "/cli_features.csv --logits " +
                          dir_ + "/cli_logits.csv --gradcam-npy " + dir_ + "/cli_gradcam.npy --target-class 1 -j 2 > " +
                          dir_ + "/cli.log 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::vector<long> shape;
  const FeatureTable f = FeatureTable::ReadCsv(dir_ + "/cli_features.csv");
  ASSERT_EQ(f.rows(), 2u);
  ASSERT_EQ(f.cols(), 2048u);
  EXPECT_EQ(f.column_names()[7], "image_dl_0007");
  EXPECT_LT(MaxRelative(f.values().cast<float>(), ReadNpyFloat32(dir_ + "/features.npy", &shape)), 1e-4);
  const FeatureTable l = FeatureTable::ReadCsv(dir_ + "/cli_logits.csv");
  EXPECT_LT(MaxRelative(l.values().cast<float>(), ReadNpyFloat32(dir_ + "/logits2.npy", &shape)), 1e-4);
  const std::vector<float> cam = ReadNpyFloat32(dir_ + "/cli_gradcam.npy", &shape);
  EXPECT_EQ(shape, (std::vector<long>{2, 7, 7}));
  const std::vector<float> expected = ReadNpyFloat32(dir_ + "/gradcam.npy", &shape);
  Eigen::MatrixXf got(1, 98);
  for (int i = 0; i < 98; ++i) got(0, i) = cam[static_cast<std::size_t>(i)];
  EXPECT_LT(MaxRelative(got, expected), 1e-4);
  // A wrong shape is refused with the file named.
  WriteNpyFloat32(dir_ + "/flat.npy", std::vector<float>(12, 0.0f), {3, 4});
  const std::string bad = std::string(LVSI_DEEPFEATURES_CLI) + " extract --weights " + dir_ + "/resnet50_2class.pt --input-npy " +
                          dir_ + "/flat.npy -o " + dir_ + "/x.csv > " + dir_ + "/bad.log 2>&1";
  EXPECT_NE(std::system(bad.c_str()), 0);
  const std::string text = ReadTextFile(dir_ + "/bad.log");
  EXPECT_NE(text.find("flat.npy"), std::string::npos) << text;
  EXPECT_NE(text.find("[N, 3, S, S]"), std::string::npos) << text;
}

TEST(Augment, IdentityFlipAndDeterminism) {
  const int size = 16;
  std::vector<float> image(3 * size * size);
  for (std::size_t i = 0; i < image.size(); ++i) image[i] = static_cast<float>(i % 251) / 7.0f;
  std::mt19937_64 rng(5);
  AugmentSettings none;
  none.horizontal_flip = false;
  none.resized_crop = false;
  EXPECT_EQ(AugmentImage(image.data(), 3, size, none, rng), image);
  // A full-size crop (scale 1, ratio 1) is the identity; flips mirror rows.
  AugmentSettings flip_only = none;
  flip_only.horizontal_flip = true;
  flip_only.resized_crop = true;
  flip_only.min_scale = flip_only.max_scale = 1;
  flip_only.min_ratio = flip_only.max_ratio = 1;
  int flipped = 0;
  for (int trial = 0; trial < 40; ++trial) {
    const auto out = AugmentImage(image.data(), 3, size, flip_only, rng);
    if (out == image) continue;
    ++flipped;
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x)
          ASSERT_EQ(out[(c * size + y) * size + x], image[(c * size + y) * size + (size - 1 - x)]);
  }
  EXPECT_GT(flipped, 5);
  EXPECT_LT(flipped, 35);
  // A crop of a horizontal ramp is a ramp over a sub-range: monotone rows,
  // values inside the original range; same seed, same result.
  std::vector<float> ramp(3 * size * size);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < size; ++y)
      for (int x = 0; x < size; ++x) ramp[(c * size + y) * size + x] = static_cast<float>(x);
  AugmentSettings crop;
  crop.horizontal_flip = false;
  crop.min_scale = 0.3;
  std::mt19937_64 r1(9), r2(9);
  for (int trial = 0; trial < 20; ++trial) {
    const auto a = AugmentImage(ramp.data(), 3, size, crop, r1);
    EXPECT_EQ(a, AugmentImage(ramp.data(), 3, size, crop, r2));
    for (int y = 0; y < size; ++y)
      for (int x = 1; x < size; ++x) ASSERT_GE(a[y * size + x], a[y * size + x - 1]);
    EXPECT_GE(*std::min_element(a.begin(), a.end()), 0.0f);
    EXPECT_LE(*std::max_element(a.begin(), a.end()), size - 1.0f);
  }
  crop.min_scale = 0;
  EXPECT_THROW(AugmentImage(ramp.data(), 3, size, crop, r1), InvalidArgument);
}

TEST(Npy, WriteReadRoundTripAndFeatureTableNames) {
  const std::string dir = testing::ScratchDir("npy_roundtrip");
  const std::vector<float> values{1.5f, -2.0f, 3.25f, 0.0f, 7.0f, 1e-8f};
  WriteNpyFloat32(dir + "/a.npy", values, {2, 3});
  std::vector<long> shape;
  EXPECT_EQ(ReadNpyFloat32(dir + "/a.npy", &shape), values);
  EXPECT_EQ(shape, (std::vector<long>{2, 3}));
  EXPECT_THROW(WriteNpyFloat32(dir + "/b.npy", values, {4, 2}), InvalidArgument);
  Eigen::MatrixXf f = Eigen::MatrixXf::Random(2, 2048);
  const FeatureTable t = DeepFeatureTable(f, {"P1", "P2"}, "t2w");
  EXPECT_EQ(t.cols(), 2048u);
  EXPECT_EQ(t.column_names().front(), "t2w_dl_0000");
  EXPECT_EQ(t.column_names().back(), "t2w_dl_2047");
  EXPECT_EQ(t.At("P2", "t2w_dl_0005"), static_cast<double>(f(1, 5)));
  EXPECT_THROW(DeepFeatureTable(f, {"P1"}, "t2w"), InvalidArgument);
}

TEST(ResNet, SeededInitialisationAndBadInput) {
  ResNetSettings o;
  o.threads = 1;
  const std::vector<float> image(3 * 64 * 64, 0.5f);
  ResNet50 a(o), b(o);
  EXPECT_TRUE(a.Features(image, 1, 64) == b.Features(image, 1, 64));
  EXPECT_THROW(a.Features(image, 2, 64), InvalidArgument);  // too few values
  ResNetSettings bad_device = o;
  bad_device.device = "tpu";
  EXPECT_THROW(ResNet50{bad_device}, InvalidArgument);
  const std::string dir = testing::ScratchDir("resnet_bad");
  std::ofstream(dir + "/not_a_model.pt") << "garbage";
  EXPECT_THROW(a.LoadTorchvisionWeights(dir + "/not_a_model.pt"), ModelError);
  EXPECT_THROW(a.LoadTorchvisionWeights(dir + "/absent.pt"), IoError);
  std::vector<long> shape;
  EXPECT_THROW(ReadNpyFloat32(dir + "/not_a_model.pt", &shape), FormatError);
}

// inference_batch = 1 (the study's, lvsi_predict's): each image's features
// and logits are those it gets alone, bit for bit, whatever else is in the
// call (the trunk runs 8 images at a time, each on its own), on 1 and 2
// threads; and they agree with one batch of all to rounding.
TEST(ResNet, OneImageAtATimeWhateverElseIsInTheCall) {
  const int n = 11, size = 64;
  std::mt19937_64 rng(7);
  std::normal_distribution<float> noise(0, 1);
  std::vector<float> images(static_cast<std::size_t>(n) * 3 * size * size);
  for (auto& v : images) v = noise(rng);
  const std::size_t plane = 3 * static_cast<std::size_t>(size) * size;
  for (int threads : {1, 2}) {
    SCOPED_TRACE(std::to_string(threads) + " threads");
    ResNetSettings o;
    o.threads = threads;
    o.inference_batch = 1;
    ResNet50 net(o);
    net.AdaptBatchNorm(images, n, size);  // statistics far from 0 / 1, so that folding changes the weights
    const Eigen::MatrixXf all = net.Features(images, n, size), logits = net.Logits(images, n, size);
    ASSERT_EQ(all.rows(), n);
    for (int i = 0; i < n; ++i) {
      const std::vector<float> one(images.begin() + static_cast<long>(i * plane),
                                   images.begin() + static_cast<long>((i + 1) * plane));
      EXPECT_TRUE(net.Features(one, 1, size).row(0) == all.row(i)) << "image " << i;
      EXPECT_TRUE(net.Logits(one, 1, size).row(0) == logits.row(i)) << "image " << i;
    }
    const std::string dir = testing::ProcessScratchDir("one_image_at_a_time");
    net.Save(dir + "/net.pt");
    ResNetSettings batched = o;
    batched.inference_batch = n;
    const Eigen::MatrixXf together = ResNet50::Load(dir + "/net.pt", batched).Features(images, n, size);
    testing::RemoveProcessScratchDir(dir);
    EXPECT_LT((together - all).cwiseAbs().maxCoeff(), 1e-4 * all.cwiseAbs().maxCoeff());
  }
}

// Images of 32 px leave 1 x 1 maps in layer4: a batch of one image cannot be
// batch-normalised in training.  AdaBN one image at a time and a last
// mini-batch of one image (5 = 4 + 1) are regrouped, so fine-tuning works;
// LibTorch's own errors would arrive as ModelError, never as c10::Error.
TEST(FineTune, TinyImagesAndASingleImageLastBatch) {
  ResNetSettings o;
  o.threads = 1;
  o.inference_batch = 1;
  ResNet50 net(o);
  std::mt19937_64 rng(3);
  std::normal_distribution<float> noise(0, 1);
  std::vector<float> images(5 * 3 * 32 * 32);
  for (auto& v : images) v = noise(rng);
  FineTuneSettings ft;
  ft.epochs = 1;
  ft.batch_size = 4;
  ft.validation_fraction = 0;
  ft.adapt_batch_norm = true;
  const FineTuneResult r = net.FineTune(images, 5, {0, 1, 0, 1, 1}, ft, 32);
  EXPECT_EQ(r.history.size(), 1u);
  EXPECT_TRUE(std::isfinite(r.history[0].train_loss));
  EXPECT_EQ(net.Features(images, 5, 32).rows(), 5);
}

// A small synthetic task: class 1 images hold a bright blob somewhere,
// class 0 images only noise.  Fine-tuning layer4 and the head from a
// random initialisation must separate held-out images, and Grad-CAM of
// class 1 must peak on the blob.
TEST(FineTune, LearnsABlobAndGradCamFindsIt) {
  const int size = 128, n = 48;
  std::mt19937_64 rng(11);
  std::normal_distribution<float> noise(0, 0.3f);
  std::uniform_real_distribution<double> where(24, size - 24);
  std::vector<float> images;
  std::vector<int> labels;
  std::vector<std::pair<double, double>> centres;
  auto make = [&](int label) {
    const double cx = where(rng), cy = where(rng);
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
          const double r2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
          images.push_back(noise(rng) + (label ? static_cast<float>(3 * std::exp(-r2 / 200)) : 0.0f));
        }
    labels.push_back(label);
    centres.emplace_back(cx, cy);
  };
  for (int i = 0; i < n; ++i) make(i % 2);
  ResNetSettings ro;
  ro.threads = 2;
  ro.seed = 4;
  ResNet50 net(ro);
  FineTuneSettings o;
  o.epochs = 4;
  o.batch_size = 8;
  o.frozen_layers = 3;
  o.adapt_batch_norm = true;  // random trunk: its batch-norm statistics must fit the data
  o.learning_rate = 0.01;
  o.validation_fraction = 0.25;
  o.patience = 4;
  o.seed = 2;
  int calls = 0;
  o.on_epoch = [&](const EpochLog&) { ++calls; };
  const FineTuneResult r = net.FineTune(images, n, labels, o, size);
  ASSERT_FALSE(r.history.empty());
  EXPECT_EQ(calls, static_cast<int>(r.history.size()));
  EXPECT_EQ(r.train_indices.size() + r.validation_indices.size(), static_cast<std::size_t>(n));
  const EpochLog& best = r.history[static_cast<std::size_t>(r.best_epoch - 1)];
  std::printf("fine-tuning: %zu epochs in %.1f s, best epoch %d: validation loss %.3f, AUC %.3f\n", r.history.size(),
              r.seconds, r.best_epoch, best.validation_loss, best.validation_auc);
  EXPECT_GE(best.validation_auc, 0.95);

  // The kept weights are the best epoch's: its validation AUC is reproduced.
  std::vector<float> held;
  std::vector<int> held_labels;
  for (auto i : r.validation_indices) {
    held.insert(held.end(), images.begin() + static_cast<long>(i * 3 * size * size),
                images.begin() + static_cast<long>((i + 1) * 3 * size * size));
    held_labels.push_back(labels[i]);
  }
  const Eigen::MatrixXf logits = net.Logits(held, static_cast<int>(r.validation_indices.size()), size);
  int correct = 0;
  for (Eigen::Index i = 0; i < logits.rows(); ++i) correct += (logits(i, 1) > logits(i, 0)) == (held_labels[i] == 1);
  EXPECT_GE(correct, static_cast<int>(logits.rows()) - 2);

  // Grad-CAM of class 1 peaks within a blob radius or two of the blob centre.
  int on_target = 0, blobs = 0;
  const auto maps = net.GradCam(held, static_cast<int>(r.validation_indices.size()), 1, size);
  for (std::size_t k = 0; k < r.validation_indices.size(); ++k) {
    if (held_labels[k] != 1) continue;
    ++blobs;
    const Eigen::MatrixXf m = NormaliseMap(maps[k]);
    std::vector<double> cells(static_cast<std::size_t>(m.size()));
    for (Eigen::Index y = 0; y < m.rows(); ++y)
      for (Eigen::Index x = 0; x < m.cols(); ++x) cells[static_cast<std::size_t>(y * m.cols() + x)] = m(y, x);
    const auto up = preprocessing::ResizeBilinear(cells, static_cast<int>(m.cols()), static_cast<int>(m.rows()), size, size);
    const auto peak = static_cast<long>(std::max_element(up.begin(), up.end()) - up.begin());
    const auto [cx, cy] = centres[r.validation_indices[k]];
    const double dx = static_cast<double>(peak % size) - cx, dy = static_cast<double>(peak / size) - cy;
    on_target += std::sqrt(dx * dx + dy * dy) < 32;
  }
  std::printf("Grad-CAM peak on the blob in %d of %d images\n", on_target, blobs);
  EXPECT_GE(on_target, blobs - 1);

  // Same seeds, same thread count: bit-identical training.
  ResNet50 again(ro);
  o.on_epoch = nullptr;
  const FineTuneResult r2 = again.FineTune(images, n, labels, o, size);
  ASSERT_EQ(r2.history.size(), r.history.size());
  EXPECT_EQ(r2.history.back().train_loss, r.history.back().train_loss);
  EXPECT_TRUE(again.Logits(held, static_cast<int>(r.validation_indices.size()), size) == logits);

  // The same task on LibTorch's autograd (the reference path): the same
  // validation AUC, the oneDNN path faster.
  EXPECT_EQ(r.path, "onednn");
  ResNet50 reference(ro);
  o.path = TrainingPath::kLibTorch;
  const FineTuneResult rl = reference.FineTune(images, n, labels, o, size);
  EXPECT_EQ(rl.path, "libtorch");
  const EpochLog& reference_best = rl.history[static_cast<std::size_t>(rl.best_epoch - 1)];
  EXPECT_EQ(reference_best.validation_auc, best.validation_auc);
  std::printf("LibTorch path: best epoch %d, validation AUC %.3f; training %.1f images/s (oneDNN %.1f)\n",
              rl.best_epoch, reference_best.validation_auc, rl.history.back().images_per_second,
              r.history.back().images_per_second);
  o.path = TrainingPath::kAuto;

  // Bad labels and options.
  std::vector<int> bad = labels;
  bad[0] = 2;
  EXPECT_THROW(net.FineTune(images, n, bad, o, size), InvalidArgument);
  FineTuneSettings frozen_too_far = o;
  frozen_too_far.frozen_layers = 5;
  EXPECT_THROW(net.FineTune(images, n, labels, frozen_too_far, size), InvalidArgument);
}


TEST(Settings, DeepSettingsSayWhatIsWrong) {
  std::string why;
  AugmentSettings augment;
  augment.min_scale = 0;
  EXPECT_FALSE(augment.IsValid(&why));
  FineTuneSettings fine;
  fine.augmentation = augment;
  EXPECT_FALSE(fine.IsValid(&why));
  EXPECT_NE(why.find("augmentation"), std::string::npos);
  fine = {};
  fine.frozen_layers = 5;
  EXPECT_FALSE(fine.IsValid(&why));
  ResNetSettings net;
  net.num_classes = 0;
  EXPECT_FALSE(net.IsValid(&why));
  EXPECT_THROW(ResNet50{net}, InvalidArgument);
  EXPECT_TRUE(AugmentSettings().IsValid() && FineTuneSettings().IsValid() && ResNetSettings().IsValid());
}

}  // namespace
}  // namespace lvsi::deepfeatures

// ResNet-50 against torchvision: the same weights (a TorchScript export of
// torchvision's resnet50 with seeded random weights, made by
// torchvision_reference.py at test time) give the same features and logits.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

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
    dir_ = testing::ScratchDir("torchvision_reference_" + std::to_string(::getpid()));
    const std::string cmd = std::string(LVSI_TORCH_PYTHON) + " " + LVSI_SOURCE_DIR +
                            "/tests/deepfeatures/torchvision_reference.py " + dir_ + " > " + dir_ + "/python.log 2>&1";
    made_ = std::system(cmd.c_str()) == 0;
  }
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

  ResNetOptions o;
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
  reloaded.Load(dir_ + "/lvsi.pt");
  EXPECT_TRUE(reloaded.Logits(input, 2) == lvsi_head.Logits(input, 2));
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

TEST(ResNet, SeededInitialisationAndBadInput) {
  ResNetOptions o;
  o.threads = 1;
  const std::vector<float> image(3 * 64 * 64, 0.5f);
  ResNet50 a(o), b(o);
  EXPECT_TRUE(a.Features(image, 1, 64) == b.Features(image, 1, 64));
  EXPECT_THROW(a.Features(image, 2, 64), InvalidArgument);  // too few values
  ResNetOptions bad_device = o;
  bad_device.device = "tpu";
  EXPECT_THROW(ResNet50{bad_device}, InvalidArgument);
  const std::string dir = testing::ScratchDir("resnet_bad");
  std::ofstream(dir + "/not_a_model.pt") << "garbage";
  EXPECT_THROW(a.LoadTorchvisionWeights(dir + "/not_a_model.pt"), ModelError);
  EXPECT_THROW(a.LoadTorchvisionWeights(dir + "/absent.pt"), IoError);
  std::vector<long> shape;
  EXPECT_THROW(ReadNpyFloat32(dir + "/not_a_model.pt", &shape), FormatError);
}

}  // namespace
}  // namespace lvsi::deepfeatures

#pragma once
/// \file
/// ResNet-50 with torchvision's exact layout and parameter names, on
/// LibTorch (kept out of this header).  Weights come from a file the user
/// provides: a TorchScript export of torchvision's resnet50, e.g.
///
///     python3 -c "import torch, torchvision; torch.jit.script(torchvision.models.resnet50(weights='IMAGENET1K_V2')).save('resnet50.pt')"
///
/// Nothing is downloaded.  Without a weights file the network starts from a
/// seeded random initialisation and says so (log warning, pretrained()).
#include <Eigen/Core>
#include <memory>
#include <string>
#include <vector>

#include "lvsi/deepfeatures/export.h"

namespace lvsi::deepfeatures {

/// Options of ResNet50.
struct ResNetOptions {
  int num_classes = 2;   ///< Size of the replaceable head (fc); 1000 for ImageNet's.
  unsigned seed = 1;     ///< Seed of the random initialisation.
  int threads = 0;       ///< LibTorch intra-op threads (0: lvsi::DefaultThreadCount()).
  std::string device = "cpu";  ///< "cpu", "cuda" or "cuda:N" (needs a CUDA build of LibTorch and a GPU).
};

/// ResNet-50 (torchvision layout: conv1, bn1, layer1..layer4 of 3, 4, 6, 3
/// bottlenecks with the stride on the 3x3 convolution, avgpool, fc).
/// Inputs are float32 batches [N, 3, 224, 224] (C order), normalised as
/// torchvision expects.  Evaluation mode (batch-norm running statistics)
/// unless training.
class LVSI_DEEPFEATURES_EXPORT ResNet50 {
 public:
  /// Throws InvalidArgument for a device that is unknown or not available.
  explicit ResNet50(ResNetOptions options = {});
  ~ResNet50();
  ResNet50(ResNet50&&) noexcept;
  ResNet50& operator=(ResNet50&&) noexcept;

  /// Copies every parameter and buffer of a TorchScript torchvision
  /// resnet50 by name.  The head (fc) is copied only when its shape matches
  /// (same number of classes); otherwise it keeps its initialisation.
  /// Throws ModelError naming every missing or mis-shaped tensor, IoError
  /// when the file cannot be read.
  void LoadTorchvisionWeights(const std::string& path);
  /// Whether weights were imported (false: random initialisation).
  bool pretrained() const { return pretrained_; }

  /// The 2048 global-average-pooled activations of each image: N x 2048.
  /// `batch` holds N * 3 * size * size values.  Throws InvalidArgument for
  /// a size that does not match.
  Eigen::MatrixXf Features(const std::vector<float>& batch, int n, int size = 224) const;
  /// Class scores (before softmax): N x num_classes.
  Eigen::MatrixXf Logits(const std::vector<float>& batch, int n, int size = 224) const;

  /// Saves / loads all parameters and buffers (LibTorch archive).
  void Save(const std::string& path) const;
  void Load(const std::string& path);

  /// Number of parameters (weights and biases, not buffers).
  std::size_t parameter_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ResNetOptions options_;
  bool pretrained_ = false;
};

/// Reads a float32 NumPy array (.npy, C order, little-endian) and its
/// shape.  Throws FormatError naming the file for anything else.
LVSI_DEEPFEATURES_EXPORT std::vector<float> ReadNpyFloat32(const std::string& path, std::vector<long>* shape);

}  // namespace lvsi::deepfeatures

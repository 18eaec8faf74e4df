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

#include "lvsi/core/feature_table.h"
#include "lvsi/deepfeatures/export.h"
#include "lvsi/deepfeatures/training.h"

namespace lvsi::deepfeatures {

/// One parameter or buffer of ResNet50, by torchvision's name.
struct NamedTensor {
  std::string name;            ///< e.g. "layer1.0.conv1.weight", "bn1.running_var".
  std::vector<long> shape;     ///< e.g. {64, 64, 1, 1}.
  std::vector<float> values;   ///< C order (integer buffers such as num_batches_tracked converted).
};

/// Settings of ResNet50.
struct LVSI_DEEPFEATURES_EXPORT ResNetSettings {
  int num_classes = 2;   ///< Size of the replaceable head (fc); 1000 for ImageNet's.
  unsigned seed = 1;     ///< Seed of the random initialisation.
  int threads = 0;       ///< LibTorch intra-op threads (0: lvsi::DefaultThreadCount()), applied on the calling thread of every call.
  std::string device = "cpu";  ///< "cpu", "cuda" or "cuda:N" (needs a CUDA build of LibTorch and a GPU).
  /// Images per forward pass in Features, Logits and GradCam.  1: each
  /// image's values are those it gets alone, whatever else is in the call.
  int inference_batch = 16;
  /// False, with the reason in `why` (when not null), when a setting is out of range.
  bool IsValid(std::string* why = nullptr) const;
};

/// The name of lvsi 0.1, kept for one minor release.
using ResNetOptions [[deprecated("use ResNetSettings")]] = ResNetSettings;

/// ResNet-50 (torchvision layout: conv1, bn1, layer1..layer4 of 3, 4, 6, 3
/// bottlenecks with the stride on the 3x3 convolution, avgpool, fc).
/// Inputs are float32 batches [N, 3, 224, 224] (C order), normalised as
/// torchvision expects.  Evaluation mode (batch-norm running statistics)
/// unless training.  Every member translates LibTorch's errors (c10::Error)
/// into lvsi errors: ModelError naming the operation unless stated otherwise.
class LVSI_DEEPFEATURES_EXPORT ResNet50 {
 public:
  /// Throws InvalidArgument for a device that is unknown or not available.
  explicit ResNet50(ResNetSettings options = {});
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

  /// Grad-CAM on layer4's output A (2048 x h x w; 7 x 7 for 224 input) for
  /// class `target_class`: per image, w_k = mean over positions of
  /// d logit_target / d A_k and map = ReLU(sum_k w_k A_k).  Returns one
  /// row-major h x w map per image (not normalised; see NormaliseMap).
  std::vector<Eigen::MatrixXf> GradCam(const std::vector<float>& batch, int n, int target_class,
                                       int size = 224) const;

  /// Replaces every batch-norm layer's running mean and variance by their
  /// averages over the batches (`inference_batch` images each) of these
  /// images, computed layer by layer in training mode without touching the
  /// weights (AdaBN).  The network stays in evaluation mode.
  void AdaptBatchNorm(const std::vector<float>& images, int n, int size = 224);

  /// Fine-tunes the network on `n` images (`images` as in Features) with
  /// labels in 0..num_classes-1: cross-entropy, SGD or Adam, learning-rate
  /// schedule, freezing, seeded augmentation and shuffling, early stopping
  /// on a stratified inner validation split; every epoch is logged.  Ends
  /// in evaluation mode with the best epoch's weights.  Bit-reproducible
  /// for a given seed, thread count and device.  Throws InvalidArgument
  /// for bad labels or options.
  FineTuneResult FineTune(const std::vector<float>& images, int n, const std::vector<int>& labels,
                          const FineTuneSettings& options, int size = 224);

  /// Saves all parameters and buffers (LibTorch archive with lvsi's tag),
  /// atomically; IoError when the file cannot be written.
  void Save(const std::string& path) const;
  /// A network with the weights Save wrote: its head as in the file,
  /// `settings` for the rest (seed, threads, device, batch).  Throws IoError
  /// when the file cannot be read, ModelError when it is not lvsi ResNet50
  /// weights.
  static ResNet50 Load(const std::string& path, ResNetSettings settings = {});
  /// Replaces this network's weights by those Save wrote (same head size;
  /// ModelError otherwise).  Was `Load` in lvsi 0.1.
  void LoadWeights(const std::string& path);

  /// Number of parameters (weights and biases, not buffers).
  std::size_t parameter_count() const;
  /// A copy of every parameter, then every buffer (running statistics,
  /// num_batches_tracked), in torchvision's order and names: for
  /// inspection, export and comparing networks.
  std::vector<NamedTensor> Tensors() const;

 private:
  FineTuneResult FineTuneUnguarded(const std::vector<float>& images, int n, const std::vector<int>& labels,
                                   const FineTuneSettings& options, int size);
  // AdaptBatchNorm on oneDNN (when built with it) or LibTorch, `batch` images at a time.
  void AdaptBatchNormOn(const std::vector<float>& images, int n, int size, bool onednn, int batch);
  struct Impl;
  struct Epoch;  // one epoch of FineTune
  std::unique_ptr<Impl> impl_;
  ResNetSettings options_;
  bool pretrained_ = false;
};

/// The study's feature table of one sequence: `features` (N x 2048, from
/// ResNet50::Features) with columns `<sequence>_dl_0000` ..
/// `<sequence>_dl_2047` and rows `case_ids`.  Throws InvalidArgument when
/// the counts differ.
LVSI_DEEPFEATURES_EXPORT FeatureTable DeepFeatureTable(const Eigen::MatrixXf& features,
                                                       const std::vector<std::string>& case_ids,
                                                       const std::string& sequence);

/// A map scaled to [0, 1] by its maximum (all zeros stay zeros).
LVSI_DEEPFEATURES_EXPORT Eigen::MatrixXf NormaliseMap(const Eigen::MatrixXf& map);

/// Writes a float32 NumPy array (.npy version 1.0, C order) atomically.
/// Throws InvalidArgument when `shape` does not match the number of
/// values, IoError when the file cannot be written.
LVSI_DEEPFEATURES_EXPORT void WriteNpyFloat32(const std::string& path, const std::vector<float>& values,
                                              const std::vector<long>& shape);

/// Reads a float32 NumPy array (.npy, C order, little-endian) and its
/// shape.  Throws FormatError naming the file for anything else.
LVSI_DEEPFEATURES_EXPORT std::vector<float> ReadNpyFloat32(const std::string& path, std::vector<long>* shape);

}  // namespace lvsi::deepfeatures

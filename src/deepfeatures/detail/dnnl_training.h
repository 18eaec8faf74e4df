#pragma once
// ResNet-50's trunk (stem to layer4, then the average over positions) in
// training mode, directly on oneDNN's training primitives: convolution
// forward, backward data and backward weights; batch normalisation with
// batch statistics forward and backward, ReLU fused into it where a ReLU
// follows; the residual sum with its ReLU as one binary primitive; max
// pooling with its workspace.  Activations stay in one blocked layout
// (nChw16c with AVX-512, nChw8c otherwise), every buffer of a batch shape
// is allocated once, weights are reordered once per step.  The network's
// parameters are read and its gradients and running statistics written in
// place (LibTorch's storage, C order); the head, the loss and the
// optimiser stay with LibTorch.  Private to lvsi_deepfeatures.

#include <memory>
#include <vector>

namespace lvsi::deepfeatures::detail {

/// A convolution without bias and the batch normalisation after it, as
/// pointers into the network's parameters.
struct ConvNormRef {
  const float* weight = nullptr;  ///< [out, in, k, k]
  float* weight_grad = nullptr;   ///< same shape; written by Backward (trainable units)
  const float* gamma = nullptr;
  const float* beta = nullptr;
  float* gamma_grad = nullptr;
  float* beta_grad = nullptr;
  float* running_mean = nullptr;  ///< read in evaluation mode, updated in training mode
  float* running_var = nullptr;
  int in_channels = 0, out_channels = 0, kernel = 1, stride = 1, padding = 0;
  float eps = 1e-5f;
  float momentum = 0.1f;  ///< running = (1 - momentum) running + momentum batch (unbiased variance)
};

/// A bottleneck block: conv1+bn1+ReLU, conv2+bn2+ReLU, conv3+bn3, plus the
/// identity (through downsample+bn when set), then ReLU.
struct BlockRef {
  ConvNormRef conv1, conv2, conv3, downsample;
  bool has_downsample = false;
};

class DnnlTraining {
 public:
  /// The first `frozen` units (the stem, then the 16 blocks in order) run
  /// in evaluation mode (running statistics) and get no gradients.
  DnnlTraining(ConvNormRef stem, std::vector<BlockRef> blocks, int frozen);
  ~DnnlTraining();
  DnnlTraining(const DnnlTraining&) = delete;
  DnnlTraining& operator=(const DnnlTraining&) = delete;

  /// Training-mode forward pass of images [n, 3, size, size] (C order):
  /// layer4's output averaged over positions, [n, 2048].  Trainable units
  /// normalise with the batch's statistics and update their running
  /// statistics; what Backward needs is kept.  On the calling thread's
  /// OpenMP thread count.
  std::vector<float> Forward(const float* images, int n, int size);
  /// After Forward: every trainable unit's weight, gamma and beta
  /// gradients (overwritten) from d loss / d output [n, 2048].
  void Backward(const float* output_grad);
  /// Replaces every unit's running-statistics momentum (negative: each
  /// unit's own); AdaBN's cumulative average uses 1 / k for the k-th batch.
  void set_momentum(float momentum);
  /// To be called after every change of the trainable weights (an
  /// optimiser step): they are reordered again before the next pass.
  void WeightsChanged();
  /// Training-mode forward pass of every unit, frozen ones too: batch
  /// statistics folded into the running ones (set_momentum), no gradients
  /// (AdaBN).
  void Adapt(const float* images, int n, int size);
  /// Evaluation-mode forward pass (running statistics in every unit); keeps nothing.
  std::vector<float> Evaluate(const float* images, int n, int size);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lvsi::deepfeatures::detail

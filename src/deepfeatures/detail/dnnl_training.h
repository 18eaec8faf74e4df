#pragma once
// ResNet-50's trunk (stem to layer4, then the average over positions) in
// training mode, directly on oneDNN's training primitives: convolution
// forward, backward data and backward weights; batch normalisation with
// batch statistics forward and backward, ReLU fused into it where a ReLU
// follows; the residual sum with its ReLU as one binary primitive; max
// pooling with its workspace.  Activations stay in one blocked layout
// (nChw16c with AVX-512, nChw8c otherwise), every buffer of a batch shape
// is allocated once.  The weights of the convolutions that learn live here
// during training, with their gradients, in the layout oneDNN computes with
// (Learned: the optimiser updates them there; ExportWeights writes them
// back to the network); a step reorders them once, for the input-gradient
// pass.  Batch-norm parameters, gradients and running statistics are read
// and written in place (LibTorch's storage); the head and the loss stay
// with LibTorch.  Private to lvsi_deepfeatures.

#include <cstddef>
#include <memory>
#include <vector>

namespace lvsi::deepfeatures::detail {

/// A convolution without bias and the batch normalisation after it, as
/// pointers into the network's parameters.
struct ConvNormRef {
  float* weight = nullptr;  ///< [out, in, k, k]; read once, written by ExportWeights when `learns`
  bool learns = false;      ///< a trainable unit: weight, gamma and beta get gradients
  const float* gamma = nullptr;
  const float* beta = nullptr;
  float* gamma_grad = nullptr;  ///< written by Backward when `learns`
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

/// A learning convolution's weights where the optimiser updates them: in
/// oneDNN's layout (a permutation of [out, in, k, k], zero-padded where the
/// blocks ask for it), with the last Backward's gradient in the same layout.
struct LearnedWeights {
  float* weights = nullptr;
  const float* gradient = nullptr;
  std::size_t count = 0;
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
  /// Whether the convolution weight at `weight` (the network's storage)
  /// learns here: its updates go through Learned, not the network's tensor.
  bool Learns(const float* weight) const;
  /// The learning convolutions' weights and gradients, the same order on
  /// every call; complete once Forward ran.  WeightsChanged after updating.
  std::vector<LearnedWeights> Learned();
  /// Writes the learning convolutions' weights back to the network's
  /// tensors (C order).
  void ExportWeights();
  /// Replaces every unit's running-statistics momentum (negative: each
  /// unit's own); AdaBN's cumulative average uses 1 / k for the k-th batch.
  void set_momentum(float momentum);
  /// To be called after every change of the trainable weights (an
  /// optimiser step on Learned, or of gamma and beta): layouts derived from
  /// them are made again before the next pass.
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

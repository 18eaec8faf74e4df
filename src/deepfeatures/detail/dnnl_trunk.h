#pragma once
// ResNet-50's trunk (stem to layer4) for CPU inference directly on oneDNN:
// batch norm folded into the convolutions, ReLU and the residual sum fused
// into them as post-ops, activations in the blocked layouts oneDNN picks
// for this CPU, weights reordered once.  PyTorch's eager path runs the same
// oneDNN convolutions but with separate ReLU/add passes over memory in
// channels-last layout.  Private to lvsi_deepfeatures.

#include <memory>
#include <vector>

namespace lvsi::deepfeatures::detail {

/// One convolution with its folded weights (OIHW, C order) and bias.
struct ConvSpec {
  std::vector<float> weight, bias;
  int in_channels = 0, out_channels = 0, kernel = 1, stride = 1, padding = 0;
};

/// A bottleneck block: conv1 (1x1) + ReLU, conv2 (3x3, stride) + ReLU,
/// conv3 (1x1) + identity + ReLU, the identity through `downsample` when set.
struct BlockSpec {
  ConvSpec conv1, conv2, conv3, downsample;
  bool has_downsample = false;
};

class DnnlTrunk {
 public:
  /// stem = conv1 + bn1 folded (7x7, stride 2, then ReLU and 3x3/2 max pool).
  DnnlTrunk(ConvSpec stem, std::vector<BlockSpec> blocks);
  ~DnnlTrunk();
  /// layer4's output [n, 2048, s, s] (C order, s = size / 32 rounded as the
  /// strides do) for images [n, 3, size, size]; on the calling thread's
  /// OpenMP thread count.  Thread-safe.
  std::vector<float> Forward(const float* images, int n, int size, int* out_size) const;
  /// The same for each image on its own: bit for bit n calls of Forward
  /// with one image (the same primitives and steps), but one convolution at
  /// a time over all n, so that each convolution's weights come from memory
  /// once, not n times.
  std::vector<float> ForwardEach(const float* images, int n, int size, int* out_size) const;

 private:
  std::vector<float> Run(const float* images, int n, int size, int batch, int* out_size) const;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lvsi::deepfeatures::detail

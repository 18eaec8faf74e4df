#include "lvsi/deepfeatures/resnet.h"

#include <torch/script.h>
#include <torch/torch.h>
#include <ATen/CPUGeneratorImpl.h>
#include <dlfcn.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <numeric>

#ifdef LVSI_WITH_DNNL
#include "detail/dnnl_training.h"
#include "detail/dnnl_trunk.h"
#endif
#include "detail/caching_allocator.h"
#include "detail/mapping.h"
#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/core/logging.h"
#include "lvsi/core/parallel.h"
#include "lvsi/stats/roc.h"
#include "lvsi/stats/folds.h"

namespace lvsi::deepfeatures {
namespace {

namespace nn = torch::nn;

nn::Conv2d Conv(int in, int out, int kernel, int stride, int padding) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(false));
}

// torchvision's Bottleneck (ResNet v1.5: stride on the 3x3 convolution).
struct BottleneckImpl : nn::Module {
  BottleneckImpl(int inplanes, int planes, int stride, bool downsample_needed)
      : conv1(Conv(inplanes, planes, 1, 1, 0)),
        bn1(planes),
        conv2(Conv(planes, planes, 3, stride, 1)),
        bn2(planes),
        conv3(Conv(planes, planes * 4, 1, 1, 0)),
        bn3(planes * 4) {
    register_module("conv1", conv1);
    register_module("bn1", bn1);
    register_module("conv2", conv2);
    register_module("bn2", bn2);
    register_module("conv3", conv3);
    register_module("bn3", bn3);
    if (downsample_needed) {
      downsample = nn::Sequential(Conv(inplanes, planes * 4, 1, stride, 0), nn::BatchNorm2d(planes * 4));
      register_module("downsample", downsample);
    }
  }
  torch::Tensor forward(torch::Tensor x) {
    torch::Tensor identity = downsample.is_empty() ? x : downsample->forward(x);
    torch::Tensor out = torch::relu(bn1(conv1(x)));
    out = torch::relu(bn2(conv2(out)));
    out = bn3(conv3(out));
    return torch::relu(out + identity);
  }
  nn::Conv2d conv1;
  nn::BatchNorm2d bn1;
  nn::Conv2d conv2;
  nn::BatchNorm2d bn2;
  nn::Conv2d conv3;
  nn::BatchNorm2d bn3;
  nn::Sequential downsample{nullptr};
};
TORCH_MODULE(Bottleneck);

struct NetImpl : nn::Module {
  explicit NetImpl(int num_classes)
      : conv1(Conv(3, 64, 7, 2, 3)), bn1(64), fc(2048, num_classes) {
    register_module("conv1", conv1);
    register_module("bn1", bn1);
    const int blocks[4] = {3, 4, 6, 3};
    int inplanes = 64;
    for (int l = 0; l < 4; ++l) {
      const int planes = 64 << l;
      const int stride = l == 0 ? 1 : 2;
      nn::Sequential layer;
      for (int b = 0; b < blocks[l]; ++b) {
        layer->push_back(Bottleneck(inplanes, planes, b == 0 ? stride : 1, b == 0 && (stride != 1 || inplanes != planes * 4)));
        inplanes = planes * 4;
      }
      layers[l] = register_module("layer" + std::to_string(l + 1), layer);
    }
    register_module("fc", fc);
  }
  // layer4's output (N x 2048 x h x w).
  torch::Tensor Trunk(torch::Tensor x) {
    x = torch::relu(bn1(conv1(x)));
    x = torch::max_pool2d(x, 3, 2, 1);
    for (auto& layer : layers) x = layer->forward(x);
    return x;
  }
  static torch::Tensor Pool(const torch::Tensor& a) { return torch::adaptive_avg_pool2d(a, {1, 1}).flatten(1); }
  torch::Tensor Pooled(torch::Tensor x) { return Pool(Trunk(std::move(x))); }
  // The stem and layer1..layerK (K = 0: none), the parts FineTune may freeze.
  std::vector<std::shared_ptr<nn::Module>> Stages(int k) {
    std::vector<std::shared_ptr<nn::Module>> out;
    if (k >= 1) {
      out.push_back(conv1.ptr());
      out.push_back(bn1.ptr());
    }
    for (int l = 0; l < k && l < 4; ++l) out.push_back(layers[l].ptr());
    return out;
  }
  nn::Conv2d conv1;
  nn::BatchNorm2d bn1;
  nn::Sequential layers[4];
  nn::Linear fc;
};
TORCH_MODULE(Net);

// The units FineTune may freeze, counted as DnnlTraining counts them: the
// stem, then the blocks of layer1..layerK.
int FrozenUnits(int frozen_layers) {
  static const int blocks_before[5] = {0, 3, 7, 13, 16};
  return frozen_layers <= 0 ? 0 : 1 + blocks_before[std::min(frozen_layers, 4)];
}

int64_t StrideOf(const nn::Conv2dImpl& c) { return (*c.options.stride())[0]; }
int64_t PaddingOf(const nn::Conv2dImpl& c) {
  return (*c10::get<torch::ExpandingArray<2>>(c.options.padding()))[0];
}

// The bottleneck blocks of layer1..layer4, in order.
std::vector<BottleneckImpl*> Blocks(NetImpl& net) {
  std::vector<BottleneckImpl*> out;
  for (auto& layer : net.layers)
    for (const auto& child : layer->children()) out.push_back(child->as<BottleneckImpl>());
  return out;
}

// The convolution arithmetic of one training step per image of `size`
// pixels (2 FLOP per multiply-add): every convolution forward, the weight
// gradient of trainable ones, and the input gradient where an earlier unit
// trains.  The same for both training paths.
double TrainingFlop(NetImpl& net, int size, int frozen_units) {
  double flop = 0;
  auto conv = [&](const nn::Conv2dImpl& c, int64_t in, int passes) {
    const auto& w = c.weight;
    const int64_t out = (in + 2 * PaddingOf(c) - w.size(2)) / StrideOf(c) + 1;
    flop += passes * 2.0 * static_cast<double>(out * out) * static_cast<double>(w.size(0) * w.size(1) * w.size(2) * w.size(3));
    return out;
  };
  auto trains = [&](int unit) { return unit >= frozen_units ? 1 : 0; };
  int64_t s = conv(*net.conv1, size, 1 + trains(0));
  s = (s + 2 - 3) / 2 + 1;  // max pool 3 x 3, stride 2, padding 1
  int unit = 1;
  for (BottleneckImpl* b : Blocks(net)) {
    const int t = trains(unit), g = t * trains(unit - 1);
    const int64_t s1 = conv(*b->conv1, s, 1 + t + g);
    const int64_t s2 = conv(*b->conv2, s1, 1 + 2 * t);
    conv(*b->conv3, s2, 1 + 2 * t);
    if (!b->downsample.is_empty()) conv(*b->downsample[0]->as<nn::Conv2d>(), s, 1 + t + g);
    s = s2;
    ++unit;
  }
  return flop;
}

#ifdef LVSI_WITH_DNNL
// The gradient tensor of `t` (a batch norm's gamma or beta), made when missing.
float* GradientOf(torch::Tensor& t) {
  if (!t.grad().defined()) t.mutable_grad() = torch::zeros_like(t);
  return t.grad().data_ptr<float>();
}

// A convolution and its batch norm as DnnlTraining reads and writes them:
// pointers into the parameters' storage (which optimiser steps, Restore and
// AdaptBatchNorm update in place; a learning convolution's weight is read
// once and written back by ExportWeights).
detail::ConvNormRef Ref(nn::Conv2dImpl& conv, nn::BatchNorm2dImpl& bn, bool trainable) {
  detail::ConvNormRef r;
  r.weight = conv.weight.data_ptr<float>();
  r.gamma = bn.weight.data_ptr<float>();
  r.beta = bn.bias.data_ptr<float>();
  r.running_mean = bn.running_mean.data_ptr<float>();
  r.running_var = bn.running_var.data_ptr<float>();
  if (trainable) {
    r.learns = true;  // its weight and weight gradient live in DnnlTraining (Learned)
    r.gamma_grad = GradientOf(bn.weight);
    r.beta_grad = GradientOf(bn.bias);
  }
  r.out_channels = static_cast<int>(conv.weight.size(0));
  r.in_channels = static_cast<int>(conv.weight.size(1));
  r.kernel = static_cast<int>(conv.weight.size(2));
  r.stride = static_cast<int>(StrideOf(conv));
  r.padding = static_cast<int>(PaddingOf(conv));
  r.eps = static_cast<float>(bn.options.eps());
  r.momentum = static_cast<float>(bn.options.momentum().value_or(0.1));
  return r;
}

// The trainer of `net` with its first `frozen_units` frozen; without
// `gradients`, forward passes only (AdaBN).
std::unique_ptr<detail::DnnlTraining> MakeTrainer(NetImpl& net, int frozen_units, bool gradients = true) {
  const detail::ConvNormRef stem = Ref(*net.conv1, *net.bn1, gradients && frozen_units == 0);
  std::vector<detail::BlockRef> blocks;
  int unit = 1;
  for (BottleneckImpl* b : Blocks(net)) {
    const bool trainable = gradients && unit >= frozen_units;
    ++unit;
    detail::BlockRef r;
    r.conv1 = Ref(*b->conv1, *b->bn1, trainable);
    r.conv2 = Ref(*b->conv2, *b->bn2, trainable);
    r.conv3 = Ref(*b->conv3, *b->bn3, trainable);
    if (!b->downsample.is_empty()) {
      r.has_downsample = true;
      r.downsample = Ref(*b->downsample[0]->as<nn::Conv2d>(), *b->downsample[1]->as<nn::BatchNorm2d>(), trainable);
    }
    blocks.push_back(r);
  }
  return std::make_unique<detail::DnnlTraining>(stem, std::move(blocks), frozen_units);
}
#endif

// Inference with every batch normalisation folded into the convolution
// before it (w' = w * gamma / sqrt(var + eps), b' = beta - mean * gamma /
// sqrt(var + eps)) and weights and activations in channels-last layout,
// which oneDNN runs without reordering.  Equal to the module's evaluation
// mode up to float rounding.
struct FoldedConv {
  torch::Tensor weight, bias;
  int64_t stride = 1, padding = 0;
  torch::Tensor operator()(const torch::Tensor& x) const {
    return torch::conv2d(x, weight, bias, stride, padding);
  }
};

FoldedConv Fold(const nn::Conv2dImpl& conv, const nn::BatchNorm2dImpl& bn) {
  const torch::Tensor scale = bn.weight / torch::sqrt(bn.running_var + bn.options.eps());
  FoldedConv f;
  f.weight = (conv.weight * scale.view({-1, 1, 1, 1})).contiguous(at::MemoryFormat::ChannelsLast);
  f.bias = bn.bias - bn.running_mean * scale;
  f.stride = StrideOf(conv);
  f.padding = PaddingOf(conv);
  return f;
}

struct FoldedBlock {
  FoldedConv conv1, conv2, conv3, downsample;
  bool has_downsample = false;
};

#ifdef LVSI_WITH_DNNL
detail::ConvSpec Spec(const FoldedConv& f) {
  detail::ConvSpec c;
  const torch::Tensor w = f.weight.contiguous();  // OIHW
  c.weight.assign(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
  const torch::Tensor b = f.bias.contiguous();
  c.bias.assign(b.data_ptr<float>(), b.data_ptr<float>() + b.numel());
  c.out_channels = static_cast<int>(w.size(0));
  c.in_channels = static_cast<int>(w.size(1));
  c.kernel = static_cast<int>(w.size(2));
  c.stride = static_cast<int>(f.stride);
  c.padding = static_cast<int>(f.padding);
  return c;
}
#endif

struct FoldedNet {
  FoldedConv stem;
  std::vector<FoldedBlock> blocks;
#ifdef LVSI_WITH_DNNL
  // On the CPU the trunk runs on oneDNN directly (dnnl_trunk.h).
  std::unique_ptr<detail::DnnlTrunk> dnnl;
#endif

  explicit FoldedNet(NetImpl& net) {
    torch::NoGradGuard no_grad;
    stem = Fold(*net.conv1, *net.bn1);
    for (BottleneckImpl* b : Blocks(net)) {
      FoldedBlock f;
      f.conv1 = Fold(*b->conv1, *b->bn1);
      f.conv2 = Fold(*b->conv2, *b->bn2);
      f.conv3 = Fold(*b->conv3, *b->bn3);
      if (!b->downsample.is_empty()) {
        f.has_downsample = true;
        f.downsample = Fold(*b->downsample[0]->as<nn::Conv2d>(), *b->downsample[1]->as<nn::BatchNorm2d>());
      }
      blocks.push_back(std::move(f));
    }
#ifdef LVSI_WITH_DNNL
    if (stem.weight.device().is_cpu()) {
      std::vector<detail::BlockSpec> specs;
      for (const auto& b : blocks) {
        detail::BlockSpec spec;
        spec.conv1 = Spec(b.conv1);
        spec.conv2 = Spec(b.conv2);
        spec.conv3 = Spec(b.conv3);
        spec.has_downsample = b.has_downsample;
        if (b.has_downsample) spec.downsample = Spec(b.downsample);
        specs.push_back(std::move(spec));
      }
      dnnl = std::make_unique<detail::DnnlTrunk>(Spec(stem), std::move(specs));
      // The LibTorch copies of the folded weights (100 MB) serve only the
      // LibTorch path, which this network no longer takes.
      stem = FoldedConv{};
      blocks.clear();
    }
#endif
  }
  // layer4's output, contiguous (NCHW) for what follows; with `each`, as
  // for each image on its own (on oneDNN: bit for bit).
  torch::Tensor Trunk(const torch::Tensor& input, bool each = false) const {
#ifdef LVSI_WITH_DNNL
    if (dnnl) {
      const torch::Tensor x = input.contiguous();
      int out = 0;
      const int n = static_cast<int>(x.size(0)), size = static_cast<int>(x.size(2));
      std::vector<float> y = each ? dnnl->ForwardEach(x.data_ptr<float>(), n, size, &out)
                                  : dnnl->Forward(x.data_ptr<float>(), n, size, &out);
      return torch::from_blob(y.data(), {x.size(0), 2048, out, out}, torch::kFloat32).clone();
    }
#endif
    if (each) {
      std::vector<torch::Tensor> parts;
      for (long i = 0; i < input.size(0); ++i) parts.push_back(Trunk(input.slice(0, i, i + 1)));
      return torch::cat(parts, 0);
    }
    torch::Tensor x = input.contiguous(at::MemoryFormat::ChannelsLast);
    x = stem(x).relu_();
    x = torch::max_pool2d(x, 3, 2, 1);
    for (const auto& b : blocks) {
      const torch::Tensor identity = b.has_downsample ? b.downsample(x) : x;
      torch::Tensor out = b.conv1(x).relu_();
      out = b.conv2(out).relu_();
      out = b.conv3(out);
      out.add_(identity);
      x = out.relu_();
    }
    return x.contiguous();
  }
};

// torchvision's initialisation: Kaiming normal (fan_out, relu) for
// convolutions, ones/zeros for batch norm, PyTorch's default for fc
// (uniform in +-1/sqrt(fan_in) for weight and bias).  Drawn from the
// network's own generator, so that networks built at the same time on
// several threads do not share (and race on) the global one.
void Initialise(Net& net, unsigned seed) {
  torch::NoGradGuard no_grad;
  at::Generator gen = at::detail::createCPUGenerator(seed);
  for (auto& m : net->modules(/*include_self=*/false)) {
    if (auto* conv = m->as<nn::Conv2d>()) {
      const auto& w = conv->weight;
      const double fan_out = static_cast<double>(w.size(0) * w.size(2) * w.size(3));
      w.normal_(0, std::sqrt(2.0 / fan_out), gen);
    } else if (auto* bn = m->as<nn::BatchNorm2d>()) {
      nn::init::ones_(bn->weight);
      nn::init::zeros_(bn->bias);
    } else if (auto* fc = m->as<nn::Linear>()) {
      const double bound = 1 / std::sqrt(static_cast<double>(fc->weight.size(1)));
      fc->weight.uniform_(-bound, bound, gen);
      fc->bias.uniform_(-bound, bound, gen);
    }
  }
}

Eigen::MatrixXf ToEigen(const torch::Tensor& t) {
  if (t.dim() == 2 && t.size(0) == 0) return Eigen::MatrixXf(0, t.size(1));
  const torch::Tensor c = t.to(torch::kCPU).contiguous().to(torch::kFloat32);
  Eigen::MatrixXf out(c.size(0), c.size(1));
  const float* data = c.data_ptr<float>();
  for (long i = 0; i < c.size(0); ++i)
    for (long j = 0; j < c.size(1); ++j) out(i, j) = data[i * c.size(1) + j];
  return out;
}

}  // namespace

// LibTorch's thread count does not reach the system BLAS: Debian's
// LibTorch runs small-batch 1x1 convolutions and linear layers through
// OpenBLAS, whose own threads would then use every core whatever
// `threads` says.  Sets OpenBLAS's count too when OpenBLAS is the BLAS.
static void SetThreads(int threads) {
  torch::set_num_threads(threads);
  using SetBlasThreads = void (*)(int);
  static const auto openblas = reinterpret_cast<SetBlasThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (openblas) openblas(threads);
}

struct ResNet50::Impl {
  Net net{nullptr};
#ifdef LVSI_WITH_DNNL
  detail::DnnlTraining* adapt_with = nullptr;  // FineTune's trainer, for its AdaBN
#endif
  torch::Device device{torch::kCPU};
  int threads = 1;
  // The folded inference network, built on first use after any change of
  // the weights (Invalidate()).
  mutable std::mutex folded_mutex;
  mutable std::shared_ptr<const FoldedNet> folded;
  void Invalidate() {
    std::lock_guard<std::mutex> lock(folded_mutex);
    folded.reset();
  }
  std::shared_ptr<const FoldedNet> Folded() const {
    std::lock_guard<std::mutex> lock(folded_mutex);
    if (!folded) folded = std::make_shared<const FoldedNet>(*net.ptr());
    return folded;
  }
  // Evaluation-mode layer4 output through the folded network.
  torch::Tensor Trunk(const torch::Tensor& x) const { return Folded()->Trunk(x); }
  // `head` (the pooling, and the classifier for logits) of the layer4
  // output of the batch, `chunk` images at a time: one image at a time
  // when `chunk` is 1 (that image's values whatever else is in the batch),
  // run over 8 images at once, each on its own (FoldedNet::Trunk's `each`:
  // each convolution's weights read once for the 8).
  torch::Tensor Inferred(const torch::Tensor& input, int chunk,
                         const std::function<torch::Tensor(torch::Tensor)>& head) const {
    if (chunk != 1) return Chunked(input, chunk, [&](torch::Tensor x) { return head(Trunk(x)); });
    constexpr int kEach = 8;
    return Chunked(input, kEach, [&](torch::Tensor x) {
      const torch::Tensor trunk = Folded()->Trunk(x, /*each=*/true);
      std::vector<torch::Tensor> rows;
      for (long i = 0; i < trunk.size(0); ++i) rows.push_back(head(trunk.slice(0, i, i + 1)));
      return torch::cat(rows, 0);
    });
  }
  torch::Tensor Input(const std::vector<float>& batch, int n, int size) const {
    // The thread count is per calling thread (OpenMP): apply it on whichever
    // thread uses the network.
    if (at::get_num_threads() != threads) SetThreads(threads);
    if (n < 1 || size < 32) throw InvalidArgument("ResNet50: need at least one image of at least 32 x 32");
    const std::size_t expected = static_cast<std::size_t>(n) * 3 * static_cast<std::size_t>(size) * static_cast<std::size_t>(size);
    if (batch.size() != expected)
      throw InvalidArgument("ResNet50: " + std::to_string(batch.size()) + " values for " + std::to_string(n) +
                            " images of 3 x " + std::to_string(size) + " x " + std::to_string(size) + " (" +
                            std::to_string(expected) + " expected)");
    return torch::from_blob(const_cast<float*>(batch.data()), {n, 3, size, size}, torch::kFloat32).to(device, false, true);
  }
  // `f` applied to the batch in chunks of `chunk` images, rows concatenated.
  torch::Tensor Chunked(const torch::Tensor& input, int chunk, const std::function<torch::Tensor(torch::Tensor)>& f) const {
    std::vector<torch::Tensor> parts;
    for (long start = 0; start < input.size(0); start += chunk)
      parts.push_back(f(input.slice(0, start, std::min<long>(input.size(0), start + chunk))).to(torch::kCPU));
    return torch::cat(parts, 0);
  }
};

bool ResNetSettings::IsValid(std::string* why) const {
  if (num_classes < 1) return Invalid(why, "num_classes must be at least 1");
  if (threads < 0) return Invalid(why, "threads must not be negative");
  if (inference_batch < 1) return Invalid(why, "inference_batch must be at least 1");
  if (device.empty()) return Invalid(why, "device must name cpu, cuda or cuda:N");
  return true;
}

bool FineTuneSettings::IsValid(std::string* why) const {
  if (epochs < 1 || batch_size < 1) return Invalid(why, "epochs and batch_size must be at least 1");
  if (!(learning_rate > 0) || !std::isfinite(learning_rate) || !(weight_decay >= 0) || !(momentum >= 0))
    return Invalid(why, "the learning rate must be positive, weight decay and momentum non-negative");
  if (schedule == LearningRateSchedule::kStep && (step_size < 1 || !(gamma > 0 && gamma <= 1)))
    return Invalid(why, "a step schedule needs step_size >= 1 and gamma in (0, 1]");
  if (frozen_layers < 0 || frozen_layers > 4) return Invalid(why, "frozen_layers must lie in 0..4");
  if (!(validation_fraction >= 0 && validation_fraction < 1))
    return Invalid(why, "validation_fraction must lie in [0, 1)");
  if (patience < 0) return Invalid(why, "patience must not be negative");
  for (double w : class_weights)
    if (!(w > 0) || !std::isfinite(w)) return Invalid(why, "class weights must be positive and finite");
  std::string augment_why;
  if (augment && !augmentation.IsValid(&augment_why)) return Invalid(why, "augmentation: " + augment_why);
  return true;
}

namespace {

// The mini-batches of one epoch: [begin, end) ranges of `count` images.  A
// last batch of one image is merged into the one before when the images are
// so small (<= 32 px) that layer4's maps are 1 x 1: batch normalisation in
// training cannot normalise a single value per channel.
std::vector<std::pair<std::size_t, std::size_t>> Batches(std::size_t count, int batch_size, int image_size) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  const auto b = static_cast<std::size_t>(batch_size);
  for (std::size_t start = 0; start < count; start += b) out.emplace_back(start, std::min(count, start + b));
  if (image_size <= 32 && out.size() > 1 && out.back().second - out.back().first == 1) {
    out[out.size() - 2].second = out.back().second;
    out.pop_back();
  }
  return out;
}

// Runs `body`, rethrowing LibTorch's errors as ModelError naming the
// operation: every public member of ResNet50 that calls LibTorch goes
// through it (or translates the errors itself, naming the file).
template <class F>
auto Guarded(const char* operation, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const c10::Error& e) {
    throw ModelError(std::string("ResNet50::") + operation + ": " + e.what_without_backtrace());
  }
}

}  // namespace

ResNet50::ResNet50(ResNetSettings options) : impl_(std::make_unique<Impl>()), options_(options) {
  CheckValid(options, "ResNet50");
  impl_->threads = options.threads > 0 ? options.threads : DefaultThreadCount();
  SetThreads(impl_->threads);
  try {
    impl_->device = torch::Device(options.device);
  } catch (const c10::Error&) {
    throw InvalidArgument("ResNet50: unknown device '" + options.device + "' (cpu, cuda, cuda:N)");
  }
  if (impl_->device.is_cuda() && !torch::cuda::is_available())
    throw InvalidArgument("ResNet50: device '" + options.device + "' requested but CUDA is not available");
  impl_->net = Net(options.num_classes);
  Initialise(impl_->net, options.seed);
  impl_->net->to(impl_->device);
  impl_->net->eval();
  Log(LogLevel::kWarning,
      "ResNet50: random initialisation (seed " + std::to_string(options.seed) +
          "); no pretrained weights until LoadTorchvisionWeights is given a file");
}

ResNet50::~ResNet50() = default;
ResNet50::ResNet50(ResNet50&&) noexcept = default;
ResNet50& ResNet50::operator=(ResNet50&&) noexcept = default;

void ResNet50::LoadTorchvisionWeights(const std::string& path) {
  if (!std::ifstream(path).good()) throw IoError(path, "cannot open the weights file");
  torch::jit::script::Module source;
  try {
    source = torch::jit::load(path, torch::kCPU);
  } catch (const c10::Error& e) {
    throw ModelError(path + ": not a TorchScript file (" + std::string(e.what_without_backtrace()) + ")");
  }
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& p : source.named_parameters(/*recurse=*/true)) tensors[p.name] = p.value;
  for (const auto& b : source.named_buffers(/*recurse=*/true)) tensors[b.name] = b.value;
  std::vector<std::string> problems;
  std::vector<std::pair<torch::Tensor, torch::Tensor>> copies;
  auto plan = [&](const std::string& name, torch::Tensor& target) {
    const auto it = tensors.find(name);
    const bool head = name.rfind("fc.", 0) == 0;
    if (it == tensors.end()) {
      problems.push_back("missing " + name);
    } else if (it->second.sizes() != target.sizes()) {
      if (!head)
        problems.push_back(name + " has shape " + c10::str(it->second.sizes()) + ", expected " + c10::str(target.sizes()));
    } else {
      copies.emplace_back(target, it->second);
    }
  };
  for (auto& p : impl_->net->named_parameters(/*recurse=*/true)) plan(p.key(), p.value());
  for (auto& b : impl_->net->named_buffers(/*recurse=*/true)) plan(b.key(), b.value());
  if (!problems.empty()) {
    std::string list;
    for (std::size_t i = 0; i < problems.size() && i < 10; ++i) list += (i ? "; " : "") + problems[i];
    if (problems.size() > 10) list += "; ... (" + std::to_string(problems.size()) + " in all)";
    throw ModelError(path + ": not a torchvision resnet50: " + list);
  }
  torch::NoGradGuard no_grad;
  for (auto& [target, value] : copies) target.copy_(value.to(target.device(), target.dtype()));
  impl_->Invalidate();
  pretrained_ = true;
  Log(LogLevel::kInfo, "ResNet50: weights imported from " + path + " (" + std::to_string(copies.size()) + " tensors)");
}

Eigen::MatrixXf ResNet50::Features(const std::vector<float>& batch, int n, int size) const {
  return Guarded("Features", [&] {
    torch::NoGradGuard no_grad;
    auto& net = impl_->net;
    return ToEigen(impl_->Inferred(impl_->Input(batch, n, size), options_.inference_batch,
                                   [&](torch::Tensor x) { return net->Pool(x); }));
  });
}

Eigen::MatrixXf ResNet50::Logits(const std::vector<float>& batch, int n, int size) const {
  return Guarded("Logits", [&] {
    torch::NoGradGuard no_grad;
    auto& net = impl_->net;
    return ToEigen(impl_->Inferred(impl_->Input(batch, n, size), options_.inference_batch,
                                   [&](torch::Tensor x) { return net->fc(net->Pool(x)); }));
  });
}

std::vector<Eigen::MatrixXf> ResNet50::GradCam(const std::vector<float>& batch, int n, int target_class,
                                               int size) const {
  if (target_class < 0 || target_class >= options_.num_classes)
    throw InvalidArgument("GradCam: target class " + std::to_string(target_class) + " outside 0.." +
                          std::to_string(options_.num_classes - 1));
  return Guarded("GradCam", [&] {
  auto& net = impl_->net;
  const torch::Tensor maps = impl_->Chunked(impl_->Input(batch, n, size), options_.inference_batch, [&](torch::Tensor x) {
    torch::Tensor activations;
    {
      torch::NoGradGuard no_grad;
      activations = impl_->Trunk(x);
    }
    // Only the pooling and the head lie between layer4 and the logits, so
    // the gradient needs no pass through the trunk.  In evaluation mode the
    // images are independent: the gradient of the summed target logits is
    // each image's own gradient.
    activations.requires_grad_(true);
    const torch::Tensor logits = net->fc(NetImpl::Pool(activations));
    const torch::Tensor grad = torch::autograd::grad({logits.select(1, target_class).sum()}, {activations})[0];
    const torch::Tensor weights = grad.mean({2, 3}, /*keepdim=*/true);
    return torch::relu((weights * activations.detach()).sum(1));
  });
  std::vector<Eigen::MatrixXf> out;
  const torch::Tensor m = maps.contiguous();
  for (long i = 0; i < m.size(0); ++i) {
    Eigen::MatrixXf map(m.size(1), m.size(2));
    const float* data = m[i].data_ptr<float>();
    for (long r = 0; r < m.size(1); ++r)
      for (long c = 0; c < m.size(2); ++c) map(r, c) = data[r * m.size(2) + c];
    out.push_back(std::move(map));
  }
  return out;
  });
}

// lvsi's weight files: the network's archive plus a tag naming the format
// and the head's size, so that other files are told apart.
constexpr const char* kFormatTag = "lvsi_resnet50_classes";

void ResNet50::Save(const std::string& path) const {
  try {
    torch::serialize::OutputArchive archive;
    impl_->net->save(archive);
    archive.write(kFormatTag, torch::tensor(static_cast<int64_t>(options_.num_classes)));
    // Written as every output is (WriteFileAtomically): a full disk or a
    // kill leaves the previous file, never half a network.
    std::ostringstream bytes;
    archive.save_to(bytes);
    WriteFileAtomically(path, bytes.str());
  } catch (const c10::Error& e) {
    throw OutputError(path, std::string("cannot write the weights: ") + e.what_without_backtrace());
  }
}

ResNet50 ResNet50::Load(const std::string& path, ResNetSettings settings) {
  if (!std::ifstream(path).good()) throw IoError(path, "cannot open the weights file");
  torch::serialize::InputArchive archive;
  torch::Tensor classes;
  try {
    archive.load_from(path, torch::kCPU);
  } catch (const c10::Error& e) {
    throw ModelError(path + ": not a weights archive (" + e.what_without_backtrace() + ")");
  }
  if (!archive.try_read(kFormatTag, classes))
    throw ModelError(path + ": not lvsi ResNet50 weights (a torchvision export? use LoadTorchvisionWeights)");
  settings.num_classes = static_cast<int>(classes.item<int64_t>());
  ResNet50 net(settings);
  net.LoadWeights(path);
  return net;
}

void ResNet50::LoadWeights(const std::string& path) {
  if (!std::ifstream(path).good()) throw IoError(path, "cannot open the weights file");
  torch::serialize::InputArchive archive;
  torch::Tensor classes;
  try {
    archive.load_from(path, impl_->device);
  } catch (const c10::Error& e) {
    throw ModelError(path + ": not a weights archive (" + e.what_without_backtrace() + ")");
  }
  if (!archive.try_read(kFormatTag, classes))
    throw ModelError(path + ": not lvsi ResNet50 weights (a torchvision export? use LoadTorchvisionWeights)");
  if (classes.item<int64_t>() != options_.num_classes)
    throw ModelError(path + ": weights for " + std::to_string(classes.item<int64_t>()) + " classes, the network has " +
                     std::to_string(options_.num_classes));
  try {
    impl_->net->load(archive);
  } catch (const c10::Error& e) {
    throw ModelError(path + ": damaged lvsi ResNet50 weights (" + e.what_without_backtrace() + ")");
  }
  impl_->net->eval();
  impl_->Invalidate();
  pretrained_ = true;
}

FineTuneResult ResNet50::FineTune(const std::vector<float>& images, int n, const std::vector<int>& labels,
                                  const FineTuneSettings& options, int size) {
  return Guarded("FineTune", [&] { return FineTuneUnguarded(images, n, labels, options, size); });
}

std::size_t ResNet50::parameter_count() const {
  std::size_t count = 0;
  for (const auto& p : impl_->net->parameters()) count += static_cast<std::size_t>(p.numel());
  return count;
}

std::vector<NamedTensor> ResNet50::Tensors() const {
  return Guarded("Tensors", [&] {
    std::vector<NamedTensor> out;
    auto add = [&](const std::string& name, const torch::Tensor& t) {
      const torch::Tensor c = t.detach().to(torch::kCPU).to(torch::kFloat32).contiguous();
      NamedTensor nt;
      nt.name = name;
      nt.shape.assign(c.sizes().begin(), c.sizes().end());
      nt.values.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
      out.push_back(std::move(nt));
    };
    for (const auto& p : impl_->net->named_parameters()) add(p.key(), p.value());
    for (const auto& b : impl_->net->named_buffers()) add(b.key(), b.value());
    return out;
  });
}

void ResNet50::AdaptBatchNorm(const std::vector<float>& images, int n, int size) {
  Guarded("AdaptBatchNorm",
          [&] { AdaptBatchNormOn(images, n, size, impl_->device.is_cpu(), options_.inference_batch); });
}

void ResNet50::AdaptBatchNormOn(const std::vector<float>& images, int n, int size, bool onednn, int batch) {
  const torch::Tensor input = impl_->Input(images, n, size);
  auto& net = impl_->net;
  std::vector<nn::BatchNorm2dImpl*> norms;
  for (auto& m : net->modules(/*include_self=*/false))
    if (auto* bn = m->as<nn::BatchNorm2d>()) norms.push_back(bn);
  std::vector<c10::optional<double>> momentum;
  for (auto* bn : norms) {
    momentum.push_back(bn->options.momentum());
    bn->options.momentum(c10::nullopt);  // cumulative average over the batches
    bn->reset_running_stats();
  }
  // Images of <= 32 px leave 1 x 1 maps in layer4, which batch
  // normalisation cannot normalise one image at a time: their batches hold
  // at least two images (Batches).
  const int chunk = size <= 32 ? std::max(2, batch) : batch;
  const auto batches = Batches(static_cast<std::size_t>(n), chunk, size);
#ifdef LVSI_WITH_DNNL
  if (onednn) {
    // Training-mode forward passes on oneDNN (every unit), each batch's
    // statistics averaged in as torch does without a momentum: 1 / k for
    // the k-th batch, num_batches_tracked = k.
    // FineTune's own trainer when it calls (its weight copies and kernels
    // serve the training next), else one for these passes.
    torch::NoGradGuard no_grad;
    std::unique_ptr<detail::DnnlTraining> own;
    detail::DnnlTraining* trainer = impl_->adapt_with;
    if (!trainer) trainer = (own = MakeTrainer(*net, 0, /*gradients=*/false)).get();
    const torch::Tensor x = input.contiguous();
    const std::size_t plane = 3 * static_cast<std::size_t>(size) * static_cast<std::size_t>(size);
    int k = 0;
    for (const auto& [begin, end] : batches) {
      trainer->set_momentum(1.0f / static_cast<float>(++k));
      trainer->Adapt(x.data_ptr<float>() + begin * plane, static_cast<int>(end - begin), size);
    }
    trainer->set_momentum(-1);
    for (auto* bn : norms) bn->num_batches_tracked.fill_(k);
  }
#else
  onednn = false;
#endif
  if (!onednn) {
    torch::NoGradGuard no_grad;
    net->train();
    for (const auto& [begin, end] : batches) net->Pooled(input.slice(0, static_cast<long>(begin), static_cast<long>(end)));
  }
  for (std::size_t i = 0; i < norms.size(); ++i) norms[i]->options.momentum(momentum[i]);
  net->eval();
  impl_->Invalidate();
  Log(LogLevel::kInfo, "ResNet50: batch-norm statistics re-estimated on " + std::to_string(n) + " images");
}

namespace {

// The steps of ResNet50::FineTune.

// Checks the labels against the head; returns the images per class.
std::vector<std::size_t> CountClasses(const std::vector<int>& labels, int n, int classes) {
  if (static_cast<int>(labels.size()) != n)
    throw InvalidArgument("FineTune: " + std::to_string(labels.size()) + " labels for " + std::to_string(n) + " images");
  std::vector<std::size_t> count(static_cast<std::size_t>(classes), 0);
  for (int y : labels) {
    if (y < 0 || y >= classes)
      throw InvalidArgument("FineTune: label " + std::to_string(y) + " outside 0.." + std::to_string(classes - 1));
    ++count[static_cast<std::size_t>(y)];
  }
  return count;
}

// The stratified inner split for early stopping (all images train without one).
void InnerSplit(const std::vector<int>& labels, int n, int classes, const FineTuneSettings& o, FineTuneResult* result) {
  if (o.validation_fraction > 0) {
    if (classes != 2)
      throw InvalidArgument("FineTune: the inner validation split needs binary labels; set validation_fraction = 0");
    stats::StratifiedSplit(labels, 1 - o.validation_fraction, o.seed, &result->train_indices,
                           &result->validation_indices);
  } else {
    result->train_indices.resize(static_cast<std::size_t>(n));
    std::iota(result->train_indices.begin(), result->train_indices.end(), std::size_t{0});
  }
}

// The loss's class weights: explicit, balanced (n / (classes * n_class)) or 1.
std::vector<float> LossWeights(const FineTuneSettings& o, const std::vector<std::size_t>& class_count, int n) {
  const int classes = static_cast<int>(class_count.size());
  std::vector<float> weights(class_count.size(), 1.0f);
  if (!o.class_weights.empty()) {
    for (int c = 0; c < classes; ++c)
      weights[static_cast<std::size_t>(c)] = static_cast<float>(o.class_weights[static_cast<std::size_t>(c)]);
  } else if (o.balanced_class_weights) {
    for (int c = 0; c < classes; ++c) {
      const auto count = class_count[static_cast<std::size_t>(c)];
      weights[static_cast<std::size_t>(c)] = count ? static_cast<float>(n) / static_cast<float>(classes * count) : 0.0f;
    }
  }
  return weights;
}

// SGD or Adam over the parameters that are not frozen.
std::unique_ptr<torch::optim::Optimizer> MakeOptimizer(const std::vector<torch::Tensor>& trainable,
                                                       const FineTuneSettings& o) {
  if (o.optimizer == Optimizer::kSgd)
    return std::make_unique<torch::optim::SGD>(
        trainable, torch::optim::SGDOptions(o.learning_rate).momentum(o.momentum).weight_decay(o.weight_decay));
  return std::make_unique<torch::optim::Adam>(trainable,
                                              torch::optim::AdamOptions(o.learning_rate).weight_decay(o.weight_decay));
}

#ifdef LVSI_WITH_DNNL
// SGD and Adam as LibTorch's torch::optim::SGD and Adam compute them
// (SGD: dampening 0, no Nesterov, the first step's momentum buffer the
// gradient itself; Adam: betas 0.9 and 0.999, eps 1e-8, no AMSGrad; weight
// decay added to the gradient), in one pass over each parameter where
// LibTorch makes five to eight, with their temporaries: on the oneDNN path
// LibTorch's Adam step took 52 of the 370 ms of a training step on 16
// images of 64 px.  Element-wise, so the result does not depend on the
// thread count.  The convolutions' weights are updated where DnnlTraining
// keeps them, in oneDNN's layout (its Learned; the update does not depend on
// the order of the elements, and zero padding stays zero), the other
// parameters in their tensors.
class FusedOptimizer {
 public:
  FusedOptimizer(const std::vector<torch::Tensor>& params, detail::DnnlTraining& trainer, const FineTuneSettings& o)
      : trainer_(trainer),
        adam_(o.optimizer == Optimizer::kAdam),
        lr_(o.learning_rate),
        momentum_(o.momentum),
        weight_decay_(o.weight_decay) {
    for (const auto& p : params) {
      if (!p.is_contiguous() || p.scalar_type() != torch::kFloat32 || !p.device().is_cpu())
        throw ModelError("FineTune: the fused optimiser needs contiguous float32 CPU parameters");
      if (trainer.Learns(p.data_ptr<float>())) continue;
      State st;
      st.param = p;
      st.count = static_cast<std::size_t>(p.numel());
      states_.push_back(std::move(st));
    }
  }
  void set_learning_rate(double lr) { lr_ = lr; }
  void Step() {
    ++steps_;
    for (State& st : states_) {
      const torch::Tensor grad = st.param.grad();
      if (!grad.defined() || !grad.is_contiguous())
        throw ModelError("FineTune: a parameter without a contiguous gradient");
      Apply(st, st.param.data_ptr<float>(), grad.data_ptr<float>());
    }
    const std::vector<detail::LearnedWeights> learned = trainer_.Learned();
    if (learned_states_.empty())
      for (const auto& w : learned) learned_states_.emplace_back().count = w.count;
    if (learned_states_.size() != learned.size()) throw ModelError("FineTune: the trainer's weights changed in number");
    for (std::size_t k = 0; k < learned.size(); ++k) Apply(learned_states_[k], learned[k].weights, learned[k].gradient);
  }

 private:
  struct State {
    torch::Tensor param;  // undefined for the trainer's weights
    std::size_t count = 0;
    std::unique_ptr<detail::Mapping> first, second;  // SGD: momentum buffer; Adam: exp_avg, exp_avg_sq
    bool started = false;
  };
  // One parameter's update: `p` (st.count values) from its gradient `g`.
  void Apply(State& st, float* p, const float* g) {
    if (!st.first) {  // zero pages, touched first by this step (see mapping.h)
      st.first = std::make_unique<detail::Mapping>(st.count * sizeof(float));
      if (adam_) st.second = std::make_unique<detail::Mapping>(st.count * sizeof(float));
    }
    const auto count = static_cast<int64_t>(st.count);
    float* m = st.first->floats();
    float* v = adam_ ? st.second->floats() : nullptr;
    const float wd = static_cast<float>(weight_decay_);
    if (adam_) {
      const double bias1 = 1 - std::pow(0.9, steps_), bias2 = 1 - std::pow(0.999, steps_);
      const float b1 = 0.9f, b2 = 0.999f, c1 = static_cast<float>(1 - 0.9), c2 = static_cast<float>(1 - 0.999);
      const float root2 = static_cast<float>(std::sqrt(bias2)), eps = 1e-8f;
      const float step = static_cast<float>(-lr_ / bias1);
      // torch.optim.Adam's update, one pass over the four arrays.  The
      // square root is IEEE's (sqrtps and sqrtss round the same way), not an
      // approximate reciprocal: Eigen's vectorised sqrt (EIGEN_FAST_MATH)
      // was 1-2 bits off, and its rsqrtps differs between CPU makers.
      auto one = [&](int64_t i) {
        const float d = wd != 0 ? g[i] + wd * p[i] : g[i];
        m[i] = m[i] * b1 + c1 * d;
        v[i] = v[i] * b2 + c2 * d * d;
        p[i] = p[i] + step * (m[i] / (std::sqrt(v[i]) / root2 + eps));
      };
      at::parallel_for(0, count, 1 << 15, [&](int64_t begin, int64_t end) {
        int64_t i = begin;
#ifdef __SSE2__
        const __m128 B1 = _mm_set1_ps(b1), B2 = _mm_set1_ps(b2), C1 = _mm_set1_ps(c1), C2 = _mm_set1_ps(c2),
                     WD = _mm_set1_ps(wd), ROOT2 = _mm_set1_ps(root2), EPS = _mm_set1_ps(eps),
                     STEP = _mm_set1_ps(step);
        for (; i + 4 <= end; i += 4) {
          const __m128 d =
              wd != 0 ? _mm_add_ps(_mm_loadu_ps(g + i), _mm_mul_ps(WD, _mm_loadu_ps(p + i))) : _mm_loadu_ps(g + i);
          const __m128 mi = _mm_add_ps(_mm_mul_ps(_mm_loadu_ps(m + i), B1), _mm_mul_ps(C1, d));
          const __m128 vi = _mm_add_ps(_mm_mul_ps(_mm_loadu_ps(v + i), B2), _mm_mul_ps(_mm_mul_ps(C2, d), d));
          const __m128 denominator = _mm_add_ps(_mm_div_ps(_mm_sqrt_ps(vi), ROOT2), EPS);
          _mm_storeu_ps(m + i, mi);
          _mm_storeu_ps(v + i, vi);
          _mm_storeu_ps(p + i, _mm_add_ps(_mm_loadu_ps(p + i), _mm_mul_ps(STEP, _mm_div_ps(mi, denominator))));
        }
#endif
        for (; i < end; ++i) one(i);
      });
    } else {
      const float mu = static_cast<float>(momentum_), rate = static_cast<float>(-lr_);
      const bool first = !st.started;
      at::parallel_for(0, count, 1 << 15, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
          float d = wd != 0 ? g[i] + wd * p[i] : g[i];
          if (mu != 0) {
            m[i] = first ? d : m[i] * mu + d;
            d = m[i];
          }
          p[i] = p[i] + rate * d;
        }
      });
    }
    st.started = true;
  }

  detail::DnnlTraining& trainer_;
  bool adam_;
  double lr_, momentum_, weight_decay_;
  long steps_ = 0;
  std::vector<State> states_, learned_states_;  // the tensors' and, in the same order as Learned, the trainer's
};
#else
class FusedOptimizer;  // the oneDNN path's only
#endif

double LearningRateAt(const FineTuneSettings& o, int epoch) {
  switch (o.schedule) {
    case LearningRateSchedule::kConstant: return o.learning_rate;
    case LearningRateSchedule::kStep: return o.learning_rate * std::pow(o.gamma, (epoch - 1) / std::max(1, o.step_size));
    case LearningRateSchedule::kCosine: return o.learning_rate * 0.5 * (1 + std::cos(M_PI * (epoch - 1) / o.epochs));
  }
  return o.learning_rate;
}

// The parameters and buffers of `net` into `state` (copied into the
// tensors of an earlier snapshot when there is one: a fresh 100 MB costs
// more in page faults than the copy), and back.
void Snapshot(Net& net, std::vector<torch::Tensor>* state) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> now;
  for (auto& p : net->parameters()) now.push_back(p.detach());
  for (auto& b : net->buffers()) now.push_back(b.detach());
  if (state->size() != now.size()) {
    state->clear();
    for (const auto& t : now) state->push_back(t.clone());
    return;
  }
  for (std::size_t k = 0; k < now.size(); ++k) (*state)[k].copy_(now[k]);
}

void Restore(Net& net, const std::vector<torch::Tensor>& state) {
  torch::NoGradGuard no_grad;
  std::size_t k = 0;
  for (auto& p : net->parameters()) p.copy_(state[k++]);
  for (auto& b : net->buffers()) b.copy_(state[k++]);
}

void LogEpoch(const EpochLog& log, const FineTuneSettings& o) {
  char line[300];
  std::snprintf(line, sizeof line,
                "FineTune epoch %d/%d: lr %.3g, train loss %.4f, validation loss %.4f, AUC %.3f (%.1f s; training %d "
                "images in %.1f s, %.2f images/s, %.1f GFLOP/s)",
                log.epoch, o.epochs, log.learning_rate, log.train_loss, log.validation_loss, log.validation_auc,
                log.seconds, log.train_images, log.train_seconds, log.images_per_second, log.gflop_per_second);
  Log(LogLevel::kInfo, line);
  if (o.on_epoch) o.on_epoch(log);
}

}  // namespace

// One epoch's training pass and its inner validation, for FineTune.
struct ResNet50::Epoch {
  const FineTuneSettings& o;
  const std::vector<float>& images;
  const std::vector<int>& labels;
  const torch::Tensor& all;  // every image on the device
  const torch::Tensor& weight;
  int size;
  ResNet50::Impl& impl;
  int frozen_units = 0;
#ifdef LVSI_WITH_DNNL
  detail::DnnlTraining* trainer = nullptr;  // null: LibTorch's autograd
#else
  void* trainer = nullptr;
#endif
  std::vector<nn::BatchNorm2dImpl*> trained_norms;  // batch norms of the trainable units
  FusedOptimizer* fused = nullptr;                   // the oneDNN path's optimiser

  torch::Tensor Targets(const std::vector<std::size_t>& idx) const {
    std::vector<int64_t> t;
    for (auto i : idx) t.push_back(labels[i]);
    return torch::tensor(t, torch::kInt64).to(impl.device);
  }
  torch::Tensor Gather(const std::vector<std::size_t>& idx) const {
    std::vector<int64_t> i64(idx.begin(), idx.end());
    return all.index_select(0, torch::tensor(i64, torch::kInt64).to(impl.device));
  }
  torch::Tensor Loss(const torch::Tensor& logits, const torch::Tensor& target) const {
    return torch::nn::functional::cross_entropy(logits, target,
                                                torch::nn::functional::CrossEntropyFuncOptions().weight(weight));
  }
  // The batch's images, augmented (drawing from `rng`) when asked.
  torch::Tensor Input(const std::vector<std::size_t>& idx, std::mt19937_64& rng) const {
    if (!o.augment) return Gather(idx);
    const std::size_t plane = 3 * static_cast<std::size_t>(size) * static_cast<std::size_t>(size);
    std::vector<float> batch;
    batch.reserve(idx.size() * plane);
    for (auto i : idx) {
      const auto aug = AugmentImage(images.data() + i * plane, 3, size, o.augmentation, rng);
      batch.insert(batch.end(), aug.begin(), aug.end());
    }
    return torch::from_blob(batch.data(), {static_cast<long>(idx.size()), 3, size, size}, torch::kFloat32)
        .to(impl.device, false, true);
  }
  // Shuffled mini-batches of `train`: the mean loss of the batches, and
  // the pass's images, time and convolution arithmetic in `log`.
  void Train(const std::vector<std::size_t>& train, const std::vector<std::shared_ptr<nn::Module>>& frozen,
             torch::optim::Optimizer& optimizer, std::mt19937_64& rng, EpochLog* log) const {
    const auto t0 = std::chrono::steady_clock::now();
    auto& net = impl.net;
    net->train();
    for (auto& stage : frozen) stage->eval();
    std::vector<std::size_t> order = train;
    std::shuffle(order.begin(), order.end(), rng);
    double loss_sum = 0, flop = 0;
    int batches = 0;
    const double flop_per_image = TrainingFlop(*net, size, frozen_units);
    for (const auto& [begin, end] : Batches(order.size(), o.batch_size, size)) {
      const std::vector<std::size_t> idx(order.begin() + static_cast<long>(begin), order.begin() + static_cast<long>(end));
      const torch::Tensor x = Input(idx, rng);
      const int count = static_cast<int>(idx.size());
      loss_sum += trainer ? TrainerStep(x, idx) : AutogradStep(x, idx, optimizer);
      flop += flop_per_image * count;
      log->train_images += count;
      ++batches;
    }
    log->train_loss = loss_sum / std::max(1, batches);
    log->train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    log->images_per_second = log->train_images / std::max(log->train_seconds, 1e-9);
    log->gflop_per_second = flop / 1e9 / std::max(log->train_seconds, 1e-9);
  }
  // One optimiser step through LibTorch's autograd.
  double AutogradStep(const torch::Tensor& x, const std::vector<std::size_t>& idx,
                      torch::optim::Optimizer& optimizer) const {
    optimizer.zero_grad();
    const torch::Tensor loss = Loss(impl.net->fc(impl.net->Pooled(x)), Targets(idx));
    loss.backward();
    optimizer.step();
    return loss.item<double>();
  }
  // One optimiser step with the trunk's passes on oneDNN (DnnlTraining),
  // the head and the loss on LibTorch, the update by FusedOptimizer.
  double TrainerStep(const torch::Tensor& x, const std::vector<std::size_t>& idx) const {
#ifdef LVSI_WITH_DNNL
    auto& net = impl.net;
    const torch::Tensor input = x.contiguous();
    const long count = input.size(0);
    std::vector<float> pooled = trainer->Forward(input.data_ptr<float>(), static_cast<int>(count), size);
    const torch::Tensor features =
        torch::from_blob(pooled.data(), {count, static_cast<long>(pooled.size()) / count}, torch::kFloat32)
            .clone()
            .set_requires_grad(true);
    for (auto& p : net->fc->parameters())
      if (p.grad().defined()) p.mutable_grad().zero_();
    const torch::Tensor loss = Loss(net->fc(features), Targets(idx));
    loss.backward();
    trainer->Backward(features.grad().contiguous().data_ptr<float>());
    fused->Step();
    trainer->WeightsChanged();
    torch::NoGradGuard no_grad;
    for (auto* bn : trained_norms) bn->num_batches_tracked += 1;  // as a training-mode forward does
    return loss.item<double>();
#else
    (void)x, (void)idx;
    throw ModelError("FineTune: built without oneDNN");
#endif
  }
  // The evaluation-mode logits of images `x`, `chunk` at a time.
  torch::Tensor EvalLogits(const torch::Tensor& x, int chunk) const {
    auto& net = impl.net;
#ifdef LVSI_WITH_DNNL
    if (trainer)
      return impl.Chunked(x, chunk, [&](torch::Tensor part) {
        const torch::Tensor input = part.contiguous();
        const long count = input.size(0);
        std::vector<float> pooled = trainer->Evaluate(input.data_ptr<float>(), static_cast<int>(count), size);
        return net->fc(torch::from_blob(pooled.data(), {count, static_cast<long>(pooled.size()) / count},
                                        torch::kFloat32));
      });
#endif
    return impl.Chunked(x, chunk, [&](torch::Tensor part) { return net->fc(net->Pooled(std::move(part))); });
  }
  // Loss and AUC on the inner validation images (NaN without them).
  void Validate(const std::vector<std::size_t>& valid, const torch::Tensor& valid_x, const torch::Tensor& valid_y,
                int inference_batch, EpochLog* log) const {
    auto& net = impl.net;
    net->eval();
    log->validation_loss = log->validation_auc = std::numeric_limits<double>::quiet_NaN();
    if (valid.empty()) return;
    torch::NoGradGuard no_grad;
    const torch::Tensor logits = EvalLogits(valid_x, inference_batch);
    log->validation_loss = Loss(logits.to(impl.device), valid_y).item<double>();
    const torch::Tensor p = torch::softmax(logits, 1).select(1, logits.size(1) - 1).contiguous();
    std::vector<double> scores(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
    std::vector<int> y;
    for (auto i : valid) y.push_back(labels[i]);
    try {
      log->validation_auc = stats::Auc(scores, y);
    } catch (const InvalidArgument&) {
      // One class in the split or all scores equal: no AUC this epoch.
    }
  }
};

FineTuneResult ResNet50::FineTuneUnguarded(const std::vector<float>& images, int n, const std::vector<int>& labels,
                                           const FineTuneSettings& o, int size) {
  const detail::CachingAllocatorGuard reuse_memory;  // see caching_allocator.h
  const auto t_start = std::chrono::steady_clock::now();
  const std::vector<std::size_t> class_count = CountClasses(labels, n, options_.num_classes);
  CheckValid(o, "FineTune");
  if (!o.class_weights.empty() && static_cast<int>(o.class_weights.size()) != options_.num_classes)
    throw InvalidArgument("FineTune: " + std::to_string(o.class_weights.size()) + " class weights for " +
                          std::to_string(options_.num_classes) + " classes");
  const torch::Tensor all = impl_->Input(images, n, size);
  FineTuneResult result;
  InnerSplit(labels, n, options_.num_classes, o, &result);
  const auto& train = result.train_indices;
  const auto& valid = result.validation_indices;
  const torch::Tensor weight = torch::tensor(LossWeights(o, class_count, n)).to(impl_->device);

  // Freezing: frozen parts neither learn nor update batch-norm statistics.
  auto& net = impl_->net;
  const auto frozen = net->Stages(o.frozen_layers);
  for (auto& p : net->parameters()) p.set_requires_grad(true);
  for (auto& stage : frozen)
    for (auto& p : stage->parameters()) p.set_requires_grad(false);
  std::vector<torch::Tensor> trainable;
  for (auto& p : net->parameters())
    if (p.requires_grad()) trainable.push_back(p);
  const std::unique_ptr<torch::optim::Optimizer> optimizer = MakeOptimizer(trainable, o);

  // The path: oneDNN's training primitives on the CPU when built with them
  // (and not told otherwise), else LibTorch's autograd.
  bool onednn = false;
#ifdef LVSI_WITH_DNNL
  onednn = impl_->device.is_cpu() && o.path != TrainingPath::kLibTorch;
#endif
  if (o.path == TrainingPath::kOneDnn && !onednn)
    throw InvalidArgument(std::string("FineTune: the oneDNN training path ") +
                          (impl_->device.is_cpu() ? "is not in this build of lvsi (built without libdnnl-dev)"
                                                  : "runs on the CPU only, the device is " + options_.device));
  result.path = onednn ? "onednn" : "libtorch";
  Epoch epoch_step{o, images, labels, all, weight, size, *impl_, 0, nullptr, {}, nullptr};
  epoch_step.frozen_units = FrozenUnits(o.frozen_layers);
#ifdef LVSI_WITH_DNNL
  std::unique_ptr<detail::DnnlTraining> trainer;
  std::unique_ptr<FusedOptimizer> fused;
  if (onednn) {
    trainer = MakeTrainer(*net, epoch_step.frozen_units);
    epoch_step.trainer = trainer.get();
    fused = std::make_unique<FusedOptimizer>(trainable, *trainer, o);
    epoch_step.fused = fused.get();
    // The batch norms of the trainable units: those whose gamma learns.
    for (auto& m : net->modules(/*include_self=*/false))
      if (auto* bn = m->as<nn::BatchNorm2d>(); bn && bn->weight.requires_grad()) epoch_step.trained_norms.push_back(bn);
  }
#endif
  if (o.adapt_batch_norm) {  // on the training's path
    std::vector<float> subset;
    const std::size_t plane_values = 3 * static_cast<std::size_t>(size) * static_cast<std::size_t>(size);
    for (auto i : train) subset.insert(subset.end(), images.begin() + static_cast<long>(i * plane_values),
                                       images.begin() + static_cast<long>((i + 1) * plane_values));
#ifdef LVSI_WITH_DNNL
    struct Lend {  // the trainer, for AdaptBatchNormOn only
      Impl& impl;
      ~Lend() { impl.adapt_with = nullptr; }
    } lend{*impl_};
    impl_->adapt_with = trainer.get();
#endif
    // In batches of the training's size: the statistics training mode
    // normalises with (and one image at a time leaves out the variance
    // between images).
    AdaptBatchNormOn(subset, static_cast<int>(train.size()), size, onednn, o.batch_size);
  }
  std::mt19937_64 rng(o.seed);  // shuffling and augmentation; nothing else draws random numbers
  const torch::Tensor valid_x = valid.empty() ? torch::Tensor() : epoch_step.Gather(valid);
  const torch::Tensor valid_y = valid.empty() ? torch::Tensor() : epoch_step.Targets(valid);
  // The oneDNN path's convolution weights reach the network's tensors
  // only where the network is read: a snapshot of the best epoch, and the
  // end (a write-back is 2-3 % of an epoch of the demo), or where an
  // exception (an on_epoch that stops the training) leaves the network as
  // it is.
  auto export_weights = [&] {
#ifdef LVSI_WITH_DNNL
    if (trainer) trainer->ExportWeights();
#endif
  };
  struct ExportOnThrow {
    const std::function<void()> export_weights;
    bool done = false;
    ~ExportOnThrow() {
      if (done) return;
      try {
        export_weights();
      } catch (...) {
        // the exception on its way out says what went wrong
      }
    }
  } on_throw{export_weights};
  std::vector<torch::Tensor> best_state;
  double best_loss = std::numeric_limits<double>::infinity();
  int since_best = 0;
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    const auto t_epoch = std::chrono::steady_clock::now();
    EpochLog log;
    log.epoch = epoch;
    log.learning_rate = LearningRateAt(o, epoch);
    for (auto& group : optimizer->param_groups()) group.options().set_lr(log.learning_rate);
#ifdef LVSI_WITH_DNNL
    if (fused) fused->set_learning_rate(log.learning_rate);
#endif
    epoch_step.Train(train, frozen, *optimizer, rng, &log);
    // The inner validation: on the oneDNN path in batches of the training
    // batch size (inference_batch is for Features' reproducibility; the
    // validation loss only picks the epoch, and a batch of 1 made the
    // validation of the demo's 22 images 12 % of an epoch).
    epoch_step.Validate(valid, valid_x, valid_y, onednn ? std::max(o.batch_size, options_.inference_batch)
                                                        : options_.inference_batch,
                        &log);
    log.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_epoch).count();
    result.history.push_back(log);
    LogEpoch(log, o);
    if (valid.empty()) {
      result.best_epoch = epoch;
      continue;
    }
    if (log.validation_loss < best_loss) {  // early stopping on the inner validation loss
      best_loss = log.validation_loss;
      export_weights();
      Snapshot(net, &best_state);
      result.best_epoch = epoch;
      since_best = 0;
    } else if (++since_best >= o.patience) {
      result.stopped_early = epoch < o.epochs;
      break;
    }
  }
  on_throw.done = true;
  if (!best_state.empty()) Restore(net, best_state);
  else export_weights();  // the last epoch's
  for (auto& p : net->parameters()) p.set_requires_grad(true);
  net->eval();
  impl_->Invalidate();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  Log(LogLevel::kInfo, "FineTune: kept epoch " + std::to_string(result.best_epoch) + " of " +
                           std::to_string(result.history.size()) + (result.stopped_early ? " (stopped early)" : ""));
  return result;
}

FeatureTable DeepFeatureTable(const Eigen::MatrixXf& features, const std::vector<std::string>& case_ids,
                              const std::string& sequence) {
  if (static_cast<std::size_t>(features.rows()) != case_ids.size())
    throw InvalidArgument("DeepFeatureTable: " + std::to_string(features.rows()) + " feature rows for " +
                          std::to_string(case_ids.size()) + " cases");
  std::vector<std::string> names;
  for (long j = 0; j < features.cols(); ++j) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "_dl_%04ld", j);
    names.push_back(sequence + buf);
  }
  return FeatureTable(case_ids, names, features.cast<double>());
}

Eigen::MatrixXf NormaliseMap(const Eigen::MatrixXf& map) {
  const float peak = map.size() ? map.maxCoeff() : 0.0f;
  return peak > 0 ? Eigen::MatrixXf(map / peak) : Eigen::MatrixXf(Eigen::MatrixXf::Zero(map.rows(), map.cols()));
}

}  // namespace lvsi::deepfeatures

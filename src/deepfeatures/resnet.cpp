#include "lvsi/deepfeatures/resnet.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <cstring>
#include <fstream>
#include <map>

#include "lvsi/core/error.h"
#include "lvsi/core/logging.h"
#include "lvsi/core/parallel.h"

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
  torch::Tensor Pooled(torch::Tensor x) {
    x = torch::relu(bn1(conv1(x)));
    x = torch::max_pool2d(x, 3, 2, 1);
    for (auto& layer : layers) x = layer->forward(x);
    return torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
  }
  nn::Conv2d conv1;
  nn::BatchNorm2d bn1;
  nn::Sequential layers[4];
  nn::Linear fc;
};
TORCH_MODULE(Net);

// torchvision's initialisation: Kaiming normal (fan_out, relu) for
// convolutions, ones/zeros for batch norm, PyTorch's default for fc.
void Initialise(Net& net) {
  torch::NoGradGuard no_grad;
  for (auto& m : net->modules(/*include_self=*/false)) {
    if (auto* conv = m->as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
    } else if (auto* bn = m->as<nn::BatchNorm2d>()) {
      nn::init::ones_(bn->weight);
      nn::init::zeros_(bn->bias);
    }
  }
}

Eigen::MatrixXf ToEigen(const torch::Tensor& t) {
  const torch::Tensor c = t.to(torch::kCPU).contiguous().to(torch::kFloat32);
  Eigen::MatrixXf out(c.size(0), c.size(1));
  const float* data = c.data_ptr<float>();
  for (long i = 0; i < c.size(0); ++i)
    for (long j = 0; j < c.size(1); ++j) out(i, j) = data[i * c.size(1) + j];
  return out;
}

}  // namespace

struct ResNet50::Impl {
  Net net{nullptr};
  torch::Device device{torch::kCPU};
  torch::Tensor Input(const std::vector<float>& batch, int n, int size) const {
    if (n < 1 || size < 32) throw InvalidArgument("ResNet50: need at least one image of at least 32 x 32");
    const std::size_t expected = static_cast<std::size_t>(n) * 3 * static_cast<std::size_t>(size) * static_cast<std::size_t>(size);
    if (batch.size() != expected)
      throw InvalidArgument("ResNet50: " + std::to_string(batch.size()) + " values for " + std::to_string(n) +
                            " images of 3 x " + std::to_string(size) + " x " + std::to_string(size) + " (" +
                            std::to_string(expected) + " expected)");
    return torch::from_blob(const_cast<float*>(batch.data()), {n, 3, size, size}, torch::kFloat32).to(device, false, true);
  }
};

ResNet50::ResNet50(ResNetOptions options) : impl_(std::make_unique<Impl>()), options_(options) {
  if (options.num_classes < 1) throw InvalidArgument("ResNet50: num_classes must be at least 1");
  torch::set_num_threads(options.threads > 0 ? options.threads : DefaultThreadCount());
  torch::manual_seed(options.seed);
  try {
    impl_->device = torch::Device(options.device);
  } catch (const c10::Error&) {
    throw InvalidArgument("ResNet50: unknown device '" + options.device + "' (cpu, cuda, cuda:N)");
  }
  if (impl_->device.is_cuda() && !torch::cuda::is_available())
    throw InvalidArgument("ResNet50: device '" + options.device + "' requested but CUDA is not available");
  impl_->net = Net(options.num_classes);
  Initialise(impl_->net);
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
  pretrained_ = true;
  Log(LogLevel::kInfo, "ResNet50: weights imported from " + path + " (" + std::to_string(copies.size()) + " tensors)");
}

Eigen::MatrixXf ResNet50::Features(const std::vector<float>& batch, int n, int size) const {
  torch::NoGradGuard no_grad;
  return ToEigen(impl_->net->Pooled(impl_->Input(batch, n, size)));
}

Eigen::MatrixXf ResNet50::Logits(const std::vector<float>& batch, int n, int size) const {
  torch::NoGradGuard no_grad;
  return ToEigen(impl_->net->fc(impl_->net->Pooled(impl_->Input(batch, n, size))));
}

void ResNet50::Save(const std::string& path) const {
  try {
    torch::save(impl_->net, path);
  } catch (const c10::Error& e) {
    throw IoError(path, std::string("cannot write the weights: ") + e.what_without_backtrace());
  }
}

void ResNet50::Load(const std::string& path) {
  if (!std::ifstream(path).good()) throw IoError(path, "cannot open the weights file");
  try {
    torch::load(impl_->net, path, impl_->device);
  } catch (const c10::Error& e) {
    throw ModelError(path + ": not lvsi ResNet50 weights with " + std::to_string(options_.num_classes) +
                     " classes (" + e.what_without_backtrace() + ")");
  }
  impl_->net->eval();
  pretrained_ = true;
}

std::size_t ResNet50::parameter_count() const {
  std::size_t count = 0;
  for (const auto& p : impl_->net->parameters()) count += static_cast<std::size_t>(p.numel());
  return count;
}

std::vector<float> ReadNpyFloat32(const std::string& path, std::vector<long>* shape) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path, "cannot open");
  char magic[6];
  unsigned char version[2];
  in.read(magic, 6);
  in.read(reinterpret_cast<char*>(version), 2);
  if (!in || std::memcmp(magic, "\x93NUMPY", 6) != 0) throw FormatError(path, "not a NumPy .npy file");
  std::size_t header_len = 0;
  if (version[0] == 1) {
    unsigned char h[2];
    in.read(reinterpret_cast<char*>(h), 2);
    header_len = h[0] | (h[1] << 8);
  } else {
    unsigned char h[4];
    in.read(reinterpret_cast<char*>(h), 4);
    header_len = h[0] | (h[1] << 8) | (h[2] << 16) | (static_cast<std::size_t>(h[3]) << 24);
  }
  std::string header(header_len, '\0');
  in.read(header.data(), static_cast<std::streamsize>(header_len));
  if (!in) throw FormatError(path, "truncated .npy header");
  if (header.find("'descr': '<f4'") == std::string::npos)
    throw FormatError(path, "the array is not little-endian float32 ('<f4')");
  if (header.find("'fortran_order': False") == std::string::npos) throw FormatError(path, "the array is not in C order");
  const auto open = header.find('('), close = header.find(')');
  if (open == std::string::npos || close == std::string::npos) throw FormatError(path, "no shape in the .npy header");
  shape->clear();
  std::size_t count = 1;
  std::string dims = header.substr(open + 1, close - open - 1);
  std::size_t pos = 0;
  while (pos < dims.size()) {
    const auto comma = dims.find(',', pos);
    const std::string item = dims.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (item.find_first_not_of(" ") != std::string::npos) {
      const long d = std::stol(item);
      if (d < 0) throw FormatError(path, "negative dimension in the .npy header");
      shape->push_back(d);
      count *= static_cast<std::size_t>(d);
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  std::vector<float> values(count);
  in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(count * sizeof(float)));
  if (static_cast<std::size_t>(in.gcount()) != count * sizeof(float))
    throw FormatError(path, "truncated: " + std::to_string(count) + " float32 values expected");
  return values;
}

}  // namespace lvsi::deepfeatures

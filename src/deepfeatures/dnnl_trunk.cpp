// ResNet-50 trunk on oneDNN; see dnnl_trunk.h.
#include "detail/dnnl_trunk.h"

#include <dnnl.hpp>

#include <cstring>
#include <map>
#include <mutex>
#include <utility>

namespace lvsi::deepfeatures::detail {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;
using Type = memory::data_type;

// A convolution primitive for one input shape, with its weights in the
// layout it asked for.
struct ConvPlan {
  dnnl::convolution_forward prim;
  memory weights, bias;
  memory::desc src, dst;
};

}  // namespace

struct DnnlTrunk::Impl {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  ConvSpec stem;
  std::vector<BlockSpec> blocks;
  // Reordered weights by (convolution, layout): shapes share them.
  std::map<const ConvSpec*, std::vector<std::pair<memory::desc, memory>>> weight_cache;

  struct BlockPlan {
    ConvPlan conv1, conv2, conv3, downsample;
  };
  struct Plan {
    ConvPlan stem;
    dnnl::pooling_forward pool;
    memory::desc pool_dst;
    std::vector<BlockPlan> blocks;
    memory::desc out;  // layer4's output in NCHW
    int out_size = 0;
  };
  std::mutex mutex;
  std::map<std::pair<int, int>, std::unique_ptr<Plan>> plans;

  memory Weights(const ConvSpec& c, const memory::desc& wanted) {
    auto& cached = weight_cache[&c];
    for (auto& [desc, mem] : cached)
      if (desc == wanted) return mem;
    memory source({{c.out_channels, c.in_channels, c.kernel, c.kernel}, Type::f32, Tag::oihw}, engine,
                  const_cast<float*>(c.weight.data()));
    memory target(wanted, engine);
    dnnl::stream s(engine);
    dnnl::reorder(source, target).execute(s, source, target);
    s.wait();
    cached.emplace_back(wanted, target);
    return target;
  }

  ConvPlan Conv(const ConvSpec& c, const memory::desc& src, bool relu, bool sum) {
    const auto dims = src.dims();
    const memory::dim n = dims[0], h = dims[2], w = dims[3];
    const memory::dim oh = (h + 2 * c.padding - c.kernel) / c.stride + 1;
    const memory::dim ow = (w + 2 * c.padding - c.kernel) / c.stride + 1;
    const memory::desc weights({c.out_channels, c.in_channels, c.kernel, c.kernel}, Type::f32, Tag::any);
    const memory::desc bias({c.out_channels}, Type::f32, Tag::x);
    const memory::desc dst({n, c.out_channels, oh, ow}, Type::f32, Tag::any);
    dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src,
                                      weights, bias, dst, {c.stride, c.stride}, {c.padding, c.padding},
                                      {c.padding, c.padding});
    dnnl::post_ops ops;
    if (sum) ops.append_sum(1.0f);
    if (relu) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
    dnnl::primitive_attr attr;
    attr.set_post_ops(ops);
    dnnl::convolution_forward::primitive_desc pd(d, attr, engine);
    ConvPlan p;
    p.prim = dnnl::convolution_forward(pd);
    p.weights = Weights(c, pd.weights_desc());
    p.bias = memory(bias, engine, const_cast<float*>(c.bias.data()));
    p.src = pd.src_desc();
    p.dst = pd.dst_desc();
    return p;
  }

  Plan& PlanFor(int n, int size) {
    auto& slot = plans[{n, size}];
    if (slot) return *slot;
    auto plan = std::make_unique<Plan>();
    plan->stem = Conv(stem, memory::desc({n, 3, size, size}, Type::f32, Tag::any), true, false);
    const auto stem_dims = plan->stem.dst.dims();
    const memory::dim ph = (stem_dims[2] + 2 - 3) / 2 + 1, pw = (stem_dims[3] + 2 - 3) / 2 + 1;
    dnnl::pooling_forward::desc pool(dnnl::prop_kind::forward_inference, dnnl::algorithm::pooling_max,
                                     plan->stem.dst, memory::desc({n, stem_dims[1], ph, pw}, Type::f32, Tag::any),
                                     {2, 2}, {3, 3}, {1, 1}, {1, 1});
    dnnl::pooling_forward::primitive_desc pool_pd(pool, engine);
    plan->pool = dnnl::pooling_forward(pool_pd);
    plan->pool_dst = pool_pd.dst_desc();
    memory::desc current = plan->pool_dst;
    for (const auto& b : blocks) {
      BlockPlan bp;
      if (b.has_downsample) bp.downsample = Conv(b.downsample, current, false, false);
      bp.conv1 = Conv(b.conv1, current, true, false);
      bp.conv2 = Conv(b.conv2, bp.conv1.dst, true, false);
      bp.conv3 = Conv(b.conv3, bp.conv2.dst, true, true);
      current = bp.conv3.dst;
      plan->blocks.push_back(std::move(bp));
    }
    const auto d = current.dims();
    plan->out = memory::desc(d, Type::f32, Tag::nchw);
    plan->out_size = static_cast<int>(d[2]);
    slot = std::move(plan);
    return *slot;
  }
};

DnnlTrunk::DnnlTrunk(ConvSpec stem, std::vector<BlockSpec> blocks) : impl_(std::make_unique<Impl>()) {
  impl_->stem = std::move(stem);
  impl_->blocks = std::move(blocks);
}

DnnlTrunk::~DnnlTrunk() = default;

std::vector<float> DnnlTrunk::Forward(const float* images, int n, int size, int* out_size) const {
  return Run(images, n, size, n, out_size);
}

std::vector<float> DnnlTrunk::ForwardEach(const float* images, int n, int size, int* out_size) const {
  return Run(images, n, size, 1, out_size);
}

// Batches of `batch` images (n / batch of them) through the plan for that
// batch size, one convolution at a time over all batches: each batch meets
// exactly the primitives and steps it would alone, and a convolution's
// weights are read once from memory for all of them.
std::vector<float> DnnlTrunk::Run(const float* images, int n, int size, int batch, int* out_size) const {
  Impl::Plan* plan;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    plan = &impl_->PlanFor(batch, size);
  }
  const std::size_t batches = static_cast<std::size_t>(n / batch);
  const dnnl::engine& engine = impl_->engine;
  dnnl::stream s(engine);
  // Runs `c` from `src` (reordered first when its layout differs) into dst.
  auto run = [&](const ConvPlan& c, memory src, const memory& dst) {
    if (src.get_desc() != c.src) {
      memory converted(c.src, engine);
      dnnl::reorder(src, converted).execute(s, src, converted);
      src = converted;
    }
    c.prim.execute(s, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, c.weights}, {DNNL_ARG_BIAS, c.bias}, {DNNL_ARG_DST, dst}});
  };
  const std::size_t batch_values = static_cast<std::size_t>(batch) * 3 * static_cast<std::size_t>(size) * size;
  std::vector<memory> x(batches);
  for (std::size_t k = 0; k < batches; ++k) {
    memory input({{batch, 3, size, size}, Type::f32, Tag::nchw}, engine, const_cast<float*>(images + k * batch_values));
    memory stem_out(plan->stem.dst, engine);
    run(plan->stem, input, stem_out);
    x[k] = memory(plan->pool_dst, engine);
    plan->pool.execute(s, {{DNNL_ARG_SRC, stem_out}, {DNNL_ARG_DST, x[k]}});
  }
  std::vector<memory> identity(batches), a(batches), c(batches);
  for (const auto& b : plan->blocks) {
    identity = x;
    if (b.downsample.prim)
      for (std::size_t k = 0; k < batches; ++k) {
        identity[k] = memory(b.downsample.dst, engine);
        run(b.downsample, x[k], identity[k]);
      }
    for (std::size_t k = 0; k < batches; ++k) {
      a[k] = memory(b.conv1.dst, engine);
      run(b.conv1, x[k], a[k]);
    }
    for (std::size_t k = 0; k < batches; ++k) {
      c[k] = memory(b.conv2.dst, engine);
      run(b.conv2, a[k], c[k]);
    }
    // conv3's sum post-op adds the convolution to what dst holds: the
    // identity, in conv3's layout (in place when the layouts agree; the
    // block's input is not needed any more).
    for (std::size_t k = 0; k < batches; ++k) {
      memory out = identity[k];
      if (identity[k].get_desc() != b.conv3.dst) {
        out = memory(b.conv3.dst, engine);
        dnnl::reorder(identity[k], out).execute(s, identity[k], out);
      }
      run(b.conv3, c[k], out);
      x[k] = out;
    }
  }
  const std::size_t out_values = plan->out.get_size() / sizeof(float);
  std::vector<float> result(out_values * batches);
  for (std::size_t k = 0; k < batches; ++k) {
    memory target(plan->out, engine, result.data() + k * out_values);
    dnnl::reorder(x[k], target).execute(s, x[k], target);
  }
  s.wait();
  *out_size = plan->out_size;
  return result;
}

}  // namespace lvsi::deepfeatures::detail

// ResNet-50's trunk in training mode on oneDNN; see dnnl_training.h.
#include "detail/dnnl_training.h"
#include "detail/mapping.h"

#include <dnnl.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace lvsi::deepfeatures::detail {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;
using Type = memory::data_type;
using Flags = dnnl::normalization_flags;

// The blocked activation layout oneDNN's convolutions run natively on this CPU.
Tag ActivationTag() {
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::avx512_mic:
    case dnnl::cpu_isa::avx512_mic_4ops:
    case dnnl::cpu_isa::avx512_core:
    case dnnl::cpu_isa::avx512_core_vnni:
    case dnnl::cpu_isa::avx512_core_bf16:
    case dnnl::cpu_isa::avx512_core_amx:
      return Tag::nChw16c;
    default:
      return Tag::nChw8c;
  }
}

// The convolution algorithm per shape.  oneDNN's own choice
// (convolution_auto: Winograd F(4x4, 3x3) for most 3x3 stride-1
// convolutions, direct otherwise) with two corrections measured on a
// training step of 16 images, one thread: Winograd pads outputs smaller
// than 7 x 7 to its 4 x 4 tiles (layer4 at 64 px: 8 ms per 2 x 2
// convolution against 3 ms direct; 49 -> 53 images/s), and oneDNN picks
// direct weight gradients for some 3x3 stride-1 shapes where Winograd's are
// faster (224 px: 14.5 -> 15.0 images/s on two threads).
enum class Pass { kForward, kBackwardData, kBackwardWeights };
dnnl::algorithm ConvAlgorithm(const ConvNormRef& r, memory::dim out_size, Pass pass) {
  if (out_size < 7) return dnnl::algorithm::convolution_direct;
  if (pass == Pass::kBackwardWeights && r.kernel == 3 && r.stride == 1) return dnnl::algorithm::convolution_winograd;
  return dnnl::algorithm::convolution_auto;
}

// `alternative()` where it builds and oneDNN runs it with the same
// implementation as `chosen` (the same kernel, given the weights in another
// layout), else `chosen`.
template <typename PrimitiveDesc, typename Make>
PrimitiveDesc SameImplementation(const PrimitiveDesc& chosen, Make alternative) {
  try {
    PrimitiveDesc other = alternative();
    if (other.impl_info_str() == chosen.impl_info_str()) return other;
  } catch (const dnnl::error&) {
    // this implementation does not take that layout
  }
  return chosen;
}

// A plan's buffers laid out once their sizes are known: own ones, and
// shared regions whose users' lifetimes do not overlap (gradients).  Place
// gives each its offset in the plan's block and returns the block's size.
class Layout {
 public:
  explicit Layout(const dnnl::engine& engine) : engine_(engine) {}
  memory Own(const memory::desc& desc) {
    memory m(desc, engine_, DNNL_MEMORY_NONE);
    own_.emplace_back(m, desc.get_size());
    return m;
  }
  memory Shared(int region, const memory::desc& desc) {
    memory m(desc, engine_, DNNL_MEMORY_NONE);
    if (regions_.size() <= static_cast<std::size_t>(region)) regions_.resize(static_cast<std::size_t>(region) + 1);
    regions_[static_cast<std::size_t>(region)].emplace_back(m, desc.get_size());
    return m;
  }
  std::size_t Place(std::vector<std::pair<memory, std::size_t>>* placed) const {
    constexpr std::size_t kAlign = 4096;
    auto up = [](std::size_t n) { return (n + kAlign - 1) / kAlign * kAlign; };
    std::size_t at = 0;
    for (const auto& [m, size] : own_) {
      placed->emplace_back(m, at);
      at += up(size);
    }
    for (const auto& users : regions_) {
      std::size_t largest = 0;
      for (const auto& [m, size] : users) {
        placed->emplace_back(m, at);
        largest = std::max(largest, size);
      }
      at += up(largest);
    }
    return at;
  }

 private:
  dnnl::engine engine_;
  std::vector<std::pair<memory, std::size_t>> own_;
  std::vector<std::vector<std::pair<memory, std::size_t>>> regions_;
};

// The shared gradient regions of a plan (see Impl::Backward for the order
// that makes their users' lifetimes disjoint).
enum Region : int {
  kBlockSum = 0,    // a block's output gradient after its ReLU; the stem's pooled-map gradient
  kInputA = 1,      // conv3's and conv1's input gradients (a block's input gradient), layer4's output gradient
  kInputB = 2,      // conv2's and downsample's input gradients
  kConvOut = 3,     // a unit's convolution-output gradient (batch norm's input)
  kWeights = 4      // a unit's weight gradient in the layout oneDNN computes it in
};

memory::dim OutSize(memory::dim in, int kernel, int stride, int padding) {
  return (in + 2 * padding - kernel) / stride + 1;
}

// One convolution and its batch normalisation (and ReLU) in one plan.
struct Unit {
  const ConvNormRef* ref = nullptr;
  bool train = false, relu = false, src_grad = false;
  memory::desc src_md, dst_md, fwd_w_md, bwd_data_w_md, bwd_w_src_md;
  dnnl::convolution_forward conv;
  dnnl::batch_normalization_forward bn;
  dnnl::convolution_backward_data bwd_data;
  dnnl::convolution_backward_weights bwd_weights;
  dnnl::batch_normalization_backward bn_bwd;
  // conv_out: the convolution's output (batch norm's input); out: batch
  // norm's output (ReLU applied when `relu`); src_copy: the input in the
  // layout the convolution asked for, when the caller's differs (the stem);
  // g_*: gradients.
  memory conv_out, out, mean, var, ws, src_copy, bwd_src_copy, g_conv, g_src, diff_w;
  memory gamma, beta, g_gamma, g_beta, running_mean, running_var;
  memory src;  // the input of the last forward pass
};

struct Block {
  Unit conv1, conv2, conv3, downsample;
  bool has_downsample = false, train = false, src_grad = false;
  memory out, g_sum;  // out = ReLU(bn3 + identity), in conv3.out's buffer
};

}  // namespace

struct DnnlTraining::Impl {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  Tag tag = ActivationTag();
  ConvNormRef stem_ref;
  std::vector<BlockRef> block_refs;
  int frozen = 0;

  // A learning convolution's weights and gradient, in the layout of the
  // first plan's forward convolution; later plans ask for it too.
  struct Master {
    memory::desc desc;
    memory weights, gradient;
    std::unique_ptr<Mapping> weights_buffer, gradient_buffer;
  };
  std::map<const ConvNormRef*, Master> masters;
  std::vector<const ConvNormRef*> master_order;  // creation order: Learned's
  // Weights in the other layouts the primitives asked for (the input
  // gradient's, a frozen unit's), made from the master or the network's
  // tensor; those of learning units again after each step (stamp).
  struct Copy {
    memory::desc desc;
    memory mem;
    long stamp = -1;
    std::shared_ptr<Mapping> mapping;  // mem's buffer
  };
  std::map<const ConvNormRef*, std::vector<Copy>> weights;
  long stamp = 0;
  float momentum = -1;  // set_momentum

  struct Plan {
    int n = 0, size = 0;
    Unit stem;
    dnnl::pooling_forward pool;
    dnnl::pooling_backward pool_bwd;
    memory pool_out, pool_ws, g_pool;
    std::vector<Block> blocks;
    std::vector<dnnl::eltwise_backward> relu_bwd_by_block;
    std::vector<dnnl::binary> add_relu_by_block, add_by_block;
    memory last_plain, g_last;  // layer4's output (nchw) and its gradient (blocked)
    memory scratch;
    std::vector<std::pair<memory, std::size_t>> placed;  // every buffer above and its offset in `arena`
  };
  // The plans' buffers: one block as large as the largest plan, shared by
  // all of them, as one plan runs at a time and none keeps anything from one
  // pass to the next but its own forward state for its backward pass.
  // (FineTune's shapes: the batch, the last smaller batch, and the inner
  // validation's two in evaluation mode.)
  std::unique_ptr<Mapping> arena;
  std::map<std::tuple<int, int, int>, std::unique_ptr<Plan>> plans;
  Plan* last = nullptr;  // the plan of the last Forward

  dnnl::primitive_attr Attr() const {
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    return attr;
  }

  memory Plain(const ConvNormRef& r) const {
    return memory({{r.out_channels, r.in_channels, r.kernel, r.kernel}, Type::f32, Tag::oihw}, engine, r.weight);
  }

  // The master of a learning unit, made from the network's tensor in
  // layout `desc` the first time (a plain layout when `desc` is not a
  // permutation of the weights, which the optimiser's element-wise update
  // needs).
  Master& MasterFor(const ConvNormRef& r, const memory::desc& desc) {
    auto it = masters.find(&r);
    if (it != masters.end()) return it->second;
    Master& m = masters[&r];
    m.desc = desc.data.format_kind == dnnl_blocked ? desc : Plain(r).get_desc();
    m.weights_buffer = std::make_unique<Mapping>(m.desc.get_size());
    m.gradient_buffer = std::make_unique<Mapping>(m.desc.get_size());
    m.weights = memory(m.desc, engine, m.weights_buffer->base);
    m.gradient = memory(m.desc, engine, m.gradient_buffer->base);
    memory plain = Plain(r);
    dnnl::stream s(engine);
    dnnl::reorder(plain, m.weights).execute(s, plain, m.weights);
    s.wait();
    master_order.push_back(&r);
    return m;
  }

  // The weights of unit `r` in layout `desc`: a learning unit's master
  // itself, else a copy made from the master (again after each step) or,
  // for a frozen unit, once from the network's tensor.
  memory Weights(const ConvNormRef& r, const memory::desc& desc) {
    Master* master = r.learns ? &masters.at(&r) : nullptr;
    if (master && master->desc == desc) return master->weights;
    auto& copies = weights[&r];
    Copy* copy = nullptr;
    for (auto& c : copies)
      if (c.desc == desc) copy = &c;
    if (!copy) {
      auto mapping = std::make_shared<Mapping>(desc.get_size());
      copies.push_back({desc, memory(desc, engine, mapping->base), -1, mapping});
      copy = &copies.back();
    }
    if (copy->stamp < 0 || (master && copy->stamp != stamp)) {
      memory from = master ? master->weights : Plain(r);
      dnnl::stream s(engine);
      dnnl::reorder(from, copy->mem).execute(s, from, copy->mem);
      s.wait();
      copy->stamp = stamp;
    }
    return copy->mem;
  }

  // A unit for input `src` (the caller's layout; `any` lets the
  // convolution choose, for the stem's images).  A `train` unit normalises
  // with batch statistics; with `backward` it also gets its gradient passes.
  Unit MakeUnit(const ConvNormRef& r, const memory::desc& src, bool train, bool backward, bool relu, bool src_grad,
                Region g_src_region, Layout& buffers, std::size_t* scratch) {
    Unit u;
    u.ref = &r;
    u.train = train;
    u.relu = relu;
    u.src_grad = train && src_grad;
    const auto d = src.dims();
    const memory::dim n = d[0], oh = OutSize(d[2], r.kernel, r.stride, r.padding),
                      ow = OutSize(d[3], r.kernel, r.stride, r.padding);
    const memory::dims strides{r.stride, r.stride}, pad{r.padding, r.padding};
    const memory::desc w_any({r.out_channels, r.in_channels, r.kernel, r.kernel}, Type::f32, Tag::any);
    u.dst_md = memory::desc({n, r.out_channels, oh, ow}, Type::f32, tag);
    const auto attr = Attr();
    auto need = [&](const memory::desc& sp) { *scratch = std::max(*scratch, sp.get_size()); };

    const dnnl::prop_kind prop = train ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
    auto fwd_pd = [&](const memory::desc& w) {
      // forward_training in every mode: the evaluation plans and frozen
      // units then share the training plans' primitives (oneDNN's cache)
      // and weight layouts; the arithmetic is the same.
      return dnnl::convolution_forward::primitive_desc(
          dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, ConvAlgorithm(r, oh, Pass::kForward), src,
                                          w, u.dst_md, strides, pad, pad),
          attr, engine);
    };
    dnnl::convolution_forward::primitive_desc conv_pd = fwd_pd(w_any);
    // A learning unit: its master's layout where the same implementation
    // takes it (no copy per step), else a copy.
    if (const auto it = masters.find(&r); r.learns && it != masters.end() && conv_pd.weights_desc() != it->second.desc)
      conv_pd = SameImplementation(conv_pd, [&] { return fwd_pd(it->second.desc); });
    u.conv = dnnl::convolution_forward(conv_pd);
    u.src_md = conv_pd.src_desc();
    u.fwd_w_md = conv_pd.weights_desc();
    need(conv_pd.scratchpad_desc());
    if (r.learns) MasterFor(r, u.fwd_w_md);

    Flags flags = Flags::use_scale | Flags::use_shift;
    if (relu) flags = flags | Flags::fuse_norm_relu;
    if (!train) flags = flags | Flags::use_global_stats;
    dnnl::batch_normalization_forward::primitive_desc bn_pd(
        dnnl::batch_normalization_forward::desc(prop, u.dst_md, r.eps, flags), attr, engine);
    u.bn = dnnl::batch_normalization_forward(bn_pd);
    need(bn_pd.scratchpad_desc());

    const memory::desc channels({r.out_channels}, Type::f32, Tag::x);
    u.gamma = memory(channels, engine, const_cast<float*>(r.gamma));
    u.beta = memory(channels, engine, const_cast<float*>(r.beta));
    u.conv_out = buffers.Own(u.dst_md);
    u.out = buffers.Own(u.dst_md);
    if (!train) {
      u.running_mean = memory(channels, engine, r.running_mean);
      u.running_var = memory(channels, engine, r.running_var);
      return u;
    }
    u.mean = buffers.Own(bn_pd.mean_desc());
    u.var = buffers.Own(bn_pd.variance_desc());
    if (relu) u.ws = buffers.Own(bn_pd.workspace_desc());
    if (!backward) {  // forward passes only (AdaBN): batch statistics, no gradients
      u.src_grad = false;
      return u;
    }
    u.g_gamma = memory(channels, engine, r.gamma_grad);
    u.g_beta = memory(channels, engine, r.beta_grad);

    dnnl::batch_normalization_backward::primitive_desc bn_bwd_pd(
        dnnl::batch_normalization_backward::desc(dnnl::prop_kind::backward, u.dst_md, u.dst_md, r.eps, flags), attr,
        engine, bn_pd);
    u.bn_bwd = dnnl::batch_normalization_backward(bn_bwd_pd);
    need(bn_bwd_pd.scratchpad_desc());
    u.g_conv = buffers.Shared(kConvOut, u.dst_md);

    const memory::desc w_src = src.data.format_kind == dnnl_format_kind_any ? src : u.src_md;
    dnnl::algorithm bwd_w_algorithm = ConvAlgorithm(r, oh, Pass::kBackwardWeights);
    auto bwd_w_desc = [&](const memory::desc& w) {
      return dnnl::convolution_backward_weights::primitive_desc(
          dnnl::convolution_backward_weights::desc(bwd_w_algorithm, w_src, w, u.dst_md, strides, pad, pad), attr,
          engine, conv_pd);
    };
    dnnl::convolution_backward_weights::primitive_desc bwd_w_pd;
    try {
      bwd_w_pd = bwd_w_desc(w_any);
    } catch (const dnnl::error&) {  // no Winograd on this CPU (it needs AVX-512)
      bwd_w_algorithm = dnnl::algorithm::convolution_auto;
      bwd_w_pd = bwd_w_desc(w_any);
    }
    // The gradient straight into the master's layout where the same
    // implementation writes it, else reordered there.
    const Master& master = masters.at(&r);
    if (bwd_w_pd.diff_weights_desc() != master.desc)
      bwd_w_pd = SameImplementation(bwd_w_pd, [&] { return bwd_w_desc(master.desc); });
    u.bwd_weights = dnnl::convolution_backward_weights(bwd_w_pd);
    u.bwd_w_src_md = bwd_w_pd.src_desc();
    if (u.bwd_w_src_md != u.src_md) u.bwd_src_copy = buffers.Own(u.bwd_w_src_md);
    u.diff_w = bwd_w_pd.diff_weights_desc() == master.desc ? master.gradient
                                                           : buffers.Shared(kWeights, bwd_w_pd.diff_weights_desc());
    need(bwd_w_pd.scratchpad_desc());

    if (u.src_grad) {
      auto bwd_d_desc = [&](const memory::desc& w) {
        return dnnl::convolution_backward_data::primitive_desc(
            dnnl::convolution_backward_data::desc(ConvAlgorithm(r, oh, Pass::kBackwardData), u.src_md, w, u.dst_md,
                                                  strides, pad, pad),
            attr, engine, conv_pd);
      };
      dnnl::convolution_backward_data::primitive_desc bwd_d_pd = bwd_d_desc(w_any);
      if (bwd_d_pd.weights_desc() != master.desc)
        bwd_d_pd = SameImplementation(bwd_d_pd, [&] { return bwd_d_desc(master.desc); });
      u.bwd_data = dnnl::convolution_backward_data(bwd_d_pd);
      u.bwd_data_w_md = bwd_d_pd.weights_desc();
      u.g_src = buffers.Shared(g_src_region, bwd_d_pd.diff_src_desc());
      need(bwd_d_pd.scratchpad_desc());
    }
    return u;
  }

  enum Mode : int { kTrain = 0, kEvaluate = 1, kAdapt = 2 };

  Plan& PlanFor(int n, int size, Mode mode) {
    auto& slot = plans[{n, size, static_cast<int>(mode)}];
    if (slot) return *slot;
    // One plan built at a time in the process: networks trained side by
    // side (the study's sequences) then find each other's primitives in
    // oneDNN's primitive cache instead of generating the same kernels at
    // the same time.
    static std::mutex building;
    const std::lock_guard<std::mutex> lock(building);
    auto p = std::make_unique<Plan>();
    p->n = n;
    p->size = size;
    std::size_t scratch = 0;
    Layout buffers(engine);
    const auto attr = Attr();
    auto need = [&](const memory::desc& sp) { scratch = std::max(scratch, sp.get_size()); };
    // Unit k (0: the stem, b + 1: block b) trains when k >= frozen; every
    // unit normalises with batch statistics, without gradients, in kAdapt.
    auto trains = [&](int k) { return mode == kAdapt || (mode == kTrain && k >= frozen); };
    // Gradient passes: in training mode, when the network's gradients were
    // given (not for a trainer made for AdaBN only).
    const bool backward = mode == kTrain && gradients();

    p->stem = MakeUnit(stem_ref, memory::desc({n, 3, size, size}, Type::f32, Tag::any), trains(0),
                       backward && trains(0), true, false, kInputA, buffers, &scratch);
    // The images in the layout the stem asked for, owned by the plan
    // (backward weights reads them after the caller's buffer may be gone).
    p->stem.src_copy = buffers.Own(p->stem.src_md);
    const auto sd = p->stem.dst_md.dims();
    const memory::desc pool_md({n, sd[1], OutSize(sd[2], 3, 2, 1), OutSize(sd[3], 3, 2, 1)}, Type::f32, tag);
    const dnnl::prop_kind pool_prop = trains(0) ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
    dnnl::pooling_forward::primitive_desc pool_pd(
        dnnl::pooling_forward::desc(pool_prop, dnnl::algorithm::pooling_max, p->stem.dst_md, pool_md, {2, 2}, {3, 3},
                                    {1, 1}, {1, 1}),
        attr, engine);
    p->pool = dnnl::pooling_forward(pool_pd);
    need(pool_pd.scratchpad_desc());
    p->pool_out = buffers.Own(pool_md);
    if (trains(0)) p->pool_ws = buffers.Own(pool_pd.workspace_desc());
    if (backward && trains(0)) {
      dnnl::pooling_backward::primitive_desc pool_bwd_pd(
          dnnl::pooling_backward::desc(dnnl::algorithm::pooling_max, p->stem.dst_md, pool_md, {2, 2}, {3, 3}, {1, 1},
                                       {1, 1}),
          attr, engine, pool_pd);
      p->pool_bwd = dnnl::pooling_backward(pool_bwd_pd);
      need(pool_bwd_pd.scratchpad_desc());
      p->g_pool = buffers.Shared(kBlockSum, p->stem.dst_md);
    }

    memory::desc current = pool_md;
    for (std::size_t b = 0; b < block_refs.size(); ++b) {
      const BlockRef& r = block_refs[b];
      const int k = static_cast<int>(b) + 1;
      Block blk;
      blk.train = trains(k);
      // The block's input needs a gradient when something before it trains.
      blk.src_grad = blk.train && trains(k - 1);
      blk.has_downsample = r.has_downsample;
      const bool blk_backward = backward && blk.train;
      blk.conv1 = MakeUnit(r.conv1, current, blk.train, blk_backward, true, blk.src_grad, kInputA, buffers, &scratch);
      blk.conv2 = MakeUnit(r.conv2, blk.conv1.dst_md, blk.train, blk_backward, true, true, kInputB, buffers, &scratch);
      blk.conv3 = MakeUnit(r.conv3, blk.conv2.dst_md, blk.train, blk_backward, false, true, kInputA, buffers, &scratch);
      if (r.has_downsample)
        blk.downsample =
            MakeUnit(r.downsample, current, blk.train, blk_backward, false, blk.src_grad, kInputB, buffers, &scratch);
      const memory::desc out_md = blk.conv3.dst_md;
      dnnl::post_ops relu;
      relu.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
      auto add_attr = Attr();
      add_attr.set_post_ops(relu);
      dnnl::binary::primitive_desc add_relu_pd(dnnl::binary::desc(dnnl::algorithm::binary_add, out_md, out_md, out_md),
                                               add_attr, engine);
      p->add_relu_by_block.emplace_back(add_relu_pd);
      need(add_relu_pd.scratchpad_desc());
      blk.out = blk.conv3.out;
      if (blk_backward) {
        blk.g_sum = buffers.Shared(kBlockSum, out_md);
        dnnl::eltwise_forward::primitive_desc relu_fwd_pd(
            dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::eltwise_relu_use_dst_for_bwd,
                                        out_md, 0.0f, 0.0f),
            attr, engine);
        dnnl::eltwise_backward::primitive_desc relu_bwd_pd(
            dnnl::eltwise_backward::desc(dnnl::algorithm::eltwise_relu_use_dst_for_bwd, out_md, out_md, 0.0f, 0.0f),
            attr, engine, relu_fwd_pd);
        p->relu_bwd_by_block.emplace_back(relu_bwd_pd);
        need(relu_bwd_pd.scratchpad_desc());
      } else {
        p->relu_bwd_by_block.emplace_back();
      }
      if (blk_backward && blk.src_grad) {
        const memory::desc in_md = blk.conv1.g_src.get_desc();
        dnnl::binary::primitive_desc add_pd(dnnl::binary::desc(dnnl::algorithm::binary_add, in_md, in_md, in_md), attr,
                                            engine);
        p->add_by_block.emplace_back(add_pd);
        need(add_pd.scratchpad_desc());
      } else {
        p->add_by_block.emplace_back();
      }
      current = out_md;
      p->blocks.push_back(std::move(blk));
    }
    const auto ld = current.dims();
    p->last_plain = buffers.Own(memory::desc(ld, Type::f32, Tag::nchw));
    if (backward && trains(static_cast<int>(block_refs.size()))) p->g_last = buffers.Shared(kInputA, current);
    p->scratch = buffers.Own(memory::desc({static_cast<memory::dim>(std::max<std::size_t>(scratch, 1))}, Type::u8, Tag::x));
    const std::size_t bytes = buffers.Place(&p->placed);
    if (!arena || arena->size < bytes) {
      arena = std::make_unique<Mapping>(bytes);
      for (auto& [key, plan] : plans)
        if (plan) Point(*plan);
    }
    Point(*p);
    slot = std::move(p);
    return *slot;
  }

  // Whether the network's gradients were given (MakeTrainer gives them to
  // every trainable unit; the last block trains unless everything is frozen).
  bool gradients() const { return block_refs.back().conv3.learns; }

  void Point(Plan& p) {
    char* base = static_cast<char*>(arena->base);
    for (auto& [m, offset] : p.placed) m.set_data_handle(base + offset);
  }

  // Runs a unit forward from `src`.
  void UnitForward(dnnl::stream& s, Plan& p, Unit& u, memory src) {
    if (u.src_copy) {
      dnnl::reorder(src, u.src_copy).execute(s, src, u.src_copy);
      src = u.src_copy;
    }
    u.src = src;
    u.conv.execute(s, {{DNNL_ARG_SRC, src},
                       {DNNL_ARG_WEIGHTS, Weights(*u.ref, u.fwd_w_md)},
                       {DNNL_ARG_DST, u.conv_out},
                       {DNNL_ARG_SCRATCHPAD, p.scratch}});
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, u.conv_out},
                                         {DNNL_ARG_DST, u.out},
                                         {DNNL_ARG_SCALE, u.gamma},
                                         {DNNL_ARG_SHIFT, u.beta},
                                         {DNNL_ARG_SCRATCHPAD, p.scratch}};
    if (u.train) {
      args[DNNL_ARG_MEAN] = u.mean;
      args[DNNL_ARG_VARIANCE] = u.var;
      if (u.relu) args[DNNL_ARG_WORKSPACE] = u.ws;
    } else {
      args[DNNL_ARG_MEAN] = u.running_mean;
      args[DNNL_ARG_VARIANCE] = u.running_var;
    }
    u.bn.execute(s, args);
    if (!u.train) return;
    s.wait();
    // Running statistics as torch's batch norm keeps them: the unbiased
    // batch variance, exponential average with `momentum`.
    const auto d = u.dst_md.dims();
    const double count = static_cast<double>(d[0] * d[2] * d[3]);
    const double unbias = count > 1 ? count / (count - 1) : 1.0;
    const float* mean = static_cast<const float*>(u.mean.get_data_handle());
    const float* var = static_cast<const float*>(u.var.get_data_handle());
    const double m = momentum >= 0 ? momentum : u.ref->momentum;
    for (int c = 0; c < u.ref->out_channels; ++c) {
      u.ref->running_mean[c] = static_cast<float>((1 - m) * u.ref->running_mean[c] + m * mean[c]);
      u.ref->running_var[c] = static_cast<float>((1 - m) * u.ref->running_var[c] + m * var[c] * unbias);
    }
  }

  // A trainable unit backward from the gradient of its output `g_out`:
  // gamma, beta and weight gradients, and its input's gradient (g_src)
  // when asked.
  void UnitBackward(dnnl::stream& s, Plan& p, Unit& u, const memory& g_out) {
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, u.conv_out},       {DNNL_ARG_MEAN, u.mean},
                                         {DNNL_ARG_VARIANCE, u.var},       {DNNL_ARG_DIFF_DST, g_out},
                                         {DNNL_ARG_SCALE, u.gamma},        {DNNL_ARG_SHIFT, u.beta},
                                         {DNNL_ARG_DIFF_SRC, u.g_conv},    {DNNL_ARG_DIFF_SCALE, u.g_gamma},
                                         {DNNL_ARG_DIFF_SHIFT, u.g_beta},  {DNNL_ARG_SCRATCHPAD, p.scratch}};
    if (u.relu) args[DNNL_ARG_WORKSPACE] = u.ws;
    u.bn_bwd.execute(s, args);
    memory src = u.src;
    if (u.bwd_src_copy) {
      dnnl::reorder(src, u.bwd_src_copy).execute(s, src, u.bwd_src_copy);
      src = u.bwd_src_copy;
    }
    u.bwd_weights.execute(s, {{DNNL_ARG_SRC, src},
                              {DNNL_ARG_DIFF_DST, u.g_conv},
                              {DNNL_ARG_DIFF_WEIGHTS, u.diff_w},
                              {DNNL_ARG_SCRATCHPAD, p.scratch}});
    const ConvNormRef& r = *u.ref;
    memory& gradient = masters.at(&r).gradient;
    if (u.diff_w != gradient) dnnl::reorder(u.diff_w, gradient).execute(s, u.diff_w, gradient);
    if (u.src_grad)
      u.bwd_data.execute(s, {{DNNL_ARG_DIFF_DST, u.g_conv},
                             {DNNL_ARG_WEIGHTS, Weights(r, u.bwd_data_w_md)},
                             {DNNL_ARG_DIFF_SRC, u.g_src},
                             {DNNL_ARG_SCRATCHPAD, p.scratch}});
  }

  std::vector<float> Run(Plan& p, const float* images) {
    dnnl::stream s(engine);
    memory input({{p.n, 3, p.size, p.size}, Type::f32, Tag::nchw}, engine, const_cast<float*>(images));
    UnitForward(s, p, p.stem, input);
    std::unordered_map<int, memory> pool_args{
        {DNNL_ARG_SRC, p.stem.out}, {DNNL_ARG_DST, p.pool_out}, {DNNL_ARG_SCRATCHPAD, p.scratch}};
    if (p.pool_ws) pool_args[DNNL_ARG_WORKSPACE] = p.pool_ws;
    p.pool.execute(s, pool_args);
    memory x = p.pool_out;
    for (std::size_t b = 0; b < p.blocks.size(); ++b) {
      Block& blk = p.blocks[b];
      UnitForward(s, p, blk.conv1, x);
      UnitForward(s, p, blk.conv2, blk.conv1.out);
      UnitForward(s, p, blk.conv3, blk.conv2.out);
      memory identity = x;
      if (blk.has_downsample) {
        UnitForward(s, p, blk.downsample, x);
        identity = blk.downsample.out;
      }
      p.add_relu_by_block[b].execute(s, {{DNNL_ARG_SRC_0, blk.conv3.out},
                                         {DNNL_ARG_SRC_1, identity},
                                         {DNNL_ARG_DST, blk.out},
                                         {DNNL_ARG_SCRATCHPAD, p.scratch}});
      x = blk.out;
    }
    dnnl::reorder(x, p.last_plain).execute(s, x, p.last_plain);
    s.wait();
    const auto d = p.last_plain.get_desc().dims();
    const std::size_t channels = static_cast<std::size_t>(d[1]), area = static_cast<std::size_t>(d[2] * d[3]);
    std::vector<float> pooled(static_cast<std::size_t>(p.n) * channels);
    const float* a = static_cast<const float*>(p.last_plain.get_data_handle());
    for (std::size_t i = 0; i < pooled.size(); ++i) {
      float sum = 0;
      for (std::size_t k = 0; k < area; ++k) sum += a[i * area + k];
      pooled[i] = sum / static_cast<float>(area);
    }
    return pooled;
  }

  void Backward(Plan& p, const float* output_grad) {
    if (!p.g_last) return;  // nothing trains
    dnnl::stream s(engine);
    const auto d = p.last_plain.get_desc().dims();
    const std::size_t values = static_cast<std::size_t>(d[0] * d[1]), area = static_cast<std::size_t>(d[2] * d[3]);
    float* g = static_cast<float*>(p.last_plain.get_data_handle());
    for (std::size_t i = 0; i < values; ++i) {
      const float v = output_grad[i] / static_cast<float>(area);
      for (std::size_t k = 0; k < area; ++k) g[i * area + k] = v;
    }
    dnnl::reorder(p.last_plain, p.g_last).execute(s, p.last_plain, p.g_last);
    memory g_out = p.g_last;
    for (std::size_t b = p.blocks.size(); b-- > 0;) {
      Block& blk = p.blocks[b];
      if (!blk.train) break;
      p.relu_bwd_by_block[b].execute(s, {{DNNL_ARG_DIFF_DST, g_out},
                                         {DNNL_ARG_DST, blk.out},
                                         {DNNL_ARG_DIFF_SRC, blk.g_sum},
                                         {DNNL_ARG_SCRATCHPAD, p.scratch}});
      UnitBackward(s, p, blk.conv3, blk.g_sum);
      UnitBackward(s, p, blk.conv2, blk.conv3.g_src);
      UnitBackward(s, p, blk.conv1, blk.conv2.g_src);
      if (blk.has_downsample) UnitBackward(s, p, blk.downsample, blk.g_sum);
      if (!blk.src_grad) break;
      const memory& other = blk.has_downsample ? blk.downsample.g_src : blk.g_sum;
      p.add_by_block[b].execute(s, {{DNNL_ARG_SRC_0, blk.conv1.g_src},
                                    {DNNL_ARG_SRC_1, other},
                                    {DNNL_ARG_DST, blk.conv1.g_src},
                                    {DNNL_ARG_SCRATCHPAD, p.scratch}});
      g_out = blk.conv1.g_src;
    }
    if (p.stem.train) {
      p.pool_bwd.execute(s, {{DNNL_ARG_DIFF_DST, g_out},
                             {DNNL_ARG_WORKSPACE, p.pool_ws},
                             {DNNL_ARG_DIFF_SRC, p.g_pool},
                             {DNNL_ARG_SCRATCHPAD, p.scratch}});
      UnitBackward(s, p, p.stem, p.g_pool);
    }
    s.wait();
  }
};

DnnlTraining::DnnlTraining(ConvNormRef stem, std::vector<BlockRef> blocks, int frozen) : impl_(std::make_unique<Impl>()) {
  impl_->stem_ref = stem;
  impl_->block_refs = std::move(blocks);
  impl_->frozen = frozen;
}

DnnlTraining::~DnnlTraining() = default;

std::vector<float> DnnlTraining::Forward(const float* images, int n, int size) {
  Impl::Plan& p = impl_->PlanFor(n, size, Impl::kTrain);
  impl_->last = &p;
  return impl_->Run(p, images);
}

void DnnlTraining::Backward(const float* output_grad) {
  if (impl_->last) impl_->Backward(*impl_->last, output_grad);
}

std::vector<float> DnnlTraining::Evaluate(const float* images, int n, int size) {
  return impl_->Run(impl_->PlanFor(n, size, Impl::kEvaluate), images);
}

void DnnlTraining::Adapt(const float* images, int n, int size) {
  impl_->last = nullptr;  // its forward state is gone
  impl_->Run(impl_->PlanFor(n, size, Impl::kAdapt), images);
}

void DnnlTraining::WeightsChanged() { ++impl_->stamp; }

bool DnnlTraining::Learns(const float* weight) const {
  auto learns = [&](const ConvNormRef& r) { return r.learns && r.weight == weight; };
  if (learns(impl_->stem_ref)) return true;
  for (const BlockRef& b : impl_->block_refs)
    if (learns(b.conv1) || learns(b.conv2) || learns(b.conv3) || (b.has_downsample && learns(b.downsample)))
      return true;
  return false;
}

std::vector<LearnedWeights> DnnlTraining::Learned() {
  std::vector<LearnedWeights> out;
  for (const ConvNormRef* r : impl_->master_order) {
    Impl::Master& m = impl_->masters.at(r);
    out.push_back({static_cast<float*>(m.weights.get_data_handle()),
                   static_cast<const float*>(m.gradient.get_data_handle()), m.desc.get_size() / sizeof(float)});
  }
  return out;
}

void DnnlTraining::ExportWeights() {
  dnnl::stream s(impl_->engine);
  for (const ConvNormRef* r : impl_->master_order) {
    memory& weights = impl_->masters.at(r).weights;
    memory plain = impl_->Plain(*r);
    dnnl::reorder(weights, plain).execute(s, weights, plain);
  }
  s.wait();
}

void DnnlTraining::set_momentum(float momentum) { impl_->momentum = momentum; }

}  // namespace lvsi::deepfeatures::detail

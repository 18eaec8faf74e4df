// The convolutions of one ResNet-50 training step, alone, on oneDNN: an
// upper bound on the rate of any FP32 training step built from oneDNN's
// kernels (see bench_deepfeatures.cpp).  Independent of lvsi's own
// training code: each of the network's 53 convolution shapes is built here
// from torchvision's layout, and each of its passes (forward; input
// gradient, except the stem's, whose input needs none; weight gradient) is
// timed alone, with every layout left to oneDNN ("any") and the faster of
// the direct and the Winograd kernel where both exist, on warm caches, the
// best of `repeats` runs.  Batch norm, ReLU, sums, pooling and the update
// are left out: they only add to a real step.
#include "conv_ceiling.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <dnnl.hpp>
#include <functional>
#include <random>
#include <unordered_map>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace {

using dnnl::memory;
using Tag = memory::format_tag;

struct Conv {
  memory::dim in_channels, out_channels, kernel, stride, in_size;
  bool stem;
};

// torchvision's resnet50: the stem, then per stage (width, blocks, stride
// of its first block) bottlenecks 1x1 -> 3x3 (stride here) -> 1x1, and a
// 1x1 downsample in each stage's first block.
std::vector<Conv> ResNet50Convolutions(memory::dim size) {
  std::vector<Conv> convs;
  convs.push_back({3, 64, 7, 2, size, true});
  memory::dim map = (size + 2 * 3 - 7) / 2 + 1;  // stem output
  map = (map + 2 * 1 - 3) / 2 + 1;               // max pooling
  memory::dim channels = 64;
  const memory::dim widths[] = {64, 128, 256, 512};
  const int blocks[] = {3, 4, 6, 3};
  for (int stage = 0; stage < 4; ++stage) {
    const memory::dim width = widths[stage], out = 4 * width;
    for (int b = 0; b < blocks[stage]; ++b) {
      const memory::dim stride = (b == 0 && stage > 0) ? 2 : 1;
      const memory::dim out_map = (map + 2 - 3) / stride + 1;
      convs.push_back({channels, width, 1, 1, map, false});
      convs.push_back({width, width, 3, stride, map, false});
      convs.push_back({width, out, 1, 1, out_map, false});
      if (b == 0) convs.push_back({channels, out, 1, stride, map, false});
      channels = out;
      map = out_map;
    }
  }
  return convs;
}

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Best wall time of `repeats` runs of a primitive, after one warm-up run.
double BestTime(const dnnl::primitive& p, const std::unordered_map<int, memory>& args, dnnl::stream& stream,
                int repeats) {
  p.execute(stream, args);
  stream.wait();
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    p.execute(stream, args);
    stream.wait();
    best = std::min(best, Seconds(t0));
  }
  return best;
}

memory Filled(const memory::desc& desc, const dnnl::engine& engine, std::mt19937& rng) {
  memory m(desc, engine);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  float* p = static_cast<float*>(m.get_data_handle());
  for (std::size_t i = 0; i < desc.get_size() / sizeof(float); ++i) p[i] = u(rng);
  return m;
}

// Seconds of the faster algorithm for one pass; make(algorithm) throws
// dnnl::error where oneDNN has no such kernel for the shape.
double Fastest(const std::function<double(dnnl::algorithm)>& time_with, const Conv& c) {
  double best = time_with(dnnl::algorithm::convolution_direct);
  if (c.kernel == 3 && c.stride == 1) {
    try {
      best = std::min(best, time_with(dnnl::algorithm::convolution_winograd));
    } catch (const dnnl::error&) {
      // no Winograd kernel on this CPU or for this shape
    }
  }
  return best;
}

#if defined(__x86_64__)
__attribute__((target("avx512f,fma"))) double FmaLoop512(long n) {
  __m512 a[12];
  const __m512 b = _mm512_set1_ps(1.0000001f), c = _mm512_set1_ps(1e-7f);
  for (int i = 0; i < 12; ++i) a[i] = _mm512_set1_ps(static_cast<float>(i));
  for (long k = 0; k < n; ++k) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) a[i] = _mm512_fmadd_ps(a[i], b, c);
  }
  float s = 0;
  for (int i = 0; i < 12; ++i) s += _mm512_reduce_add_ps(a[i]);
  return s;
}
#endif

}  // namespace

double FmaPeakGflops(int threads) {
#if defined(__x86_64__)
  if (!__builtin_cpu_supports("avx512f")) return 0;
  const long n = 50000000;
  const double flop_per_iteration = 12.0 * 2 * 16;
  volatile double sink = 0;
  double best = 1e30;
  for (int r = 0; r < 3; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads)
    {
      const double s = FmaLoop512(n);
#pragma omp atomic
      sink = sink + s;
    }
    best = std::min(best, Seconds(t0));
  }
  return threads * n * flop_per_iteration / best / 1e9;
#else
  (void)threads;
  return 0;
#endif
}

ConvCeiling ConvolutionsOfATrainingStep(int batch, int size, int threads, int repeats) {
  omp_set_num_threads(threads);
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  std::mt19937 rng(1);
  ConvCeiling out;
  for (const Conv& c : ResNet50Convolutions(size)) {
    const memory::dim pad = c.kernel / 2, out_size = (c.in_size + 2 * pad - c.kernel) / c.stride + 1;
    const memory::desc src({batch, c.in_channels, c.in_size, c.in_size}, memory::data_type::f32, Tag::any);
    const memory::desc wei({c.out_channels, c.in_channels, c.kernel, c.kernel}, memory::data_type::f32, Tag::any);
    const memory::desc dst({batch, c.out_channels, out_size, out_size}, memory::data_type::f32, Tag::any);
    const memory::dims strides = {c.stride, c.stride}, padding = {pad, pad};
    auto forward_pd = [&](dnnl::algorithm a) {
      return dnnl::convolution_forward::primitive_desc(
          dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, a, src, wei, dst, strides, padding,
                                          padding),
          engine);
    };
    const double flop = 2.0 * batch * c.in_channels * c.out_channels * c.kernel * c.kernel * out_size * out_size;
    // One pass's primitive timed with its two inputs filled.
    auto time = [&](const dnnl::primitive& pass, int in_a, const memory::desc& a, int in_b, const memory::desc& b,
                    int out_arg, const memory::desc& result) {
      return BestTime(
          pass, {{in_a, Filled(a, engine, rng)}, {in_b, Filled(b, engine, rng)}, {out_arg, memory(result, engine)}},
          stream, repeats);
    };
    const double forward = Fastest(
        [&](dnnl::algorithm a) {
          const auto pd = forward_pd(a);
          return time(dnnl::convolution_forward(pd), DNNL_ARG_SRC, pd.src_desc(), DNNL_ARG_WEIGHTS, pd.weights_desc(),
                      DNNL_ARG_DST, pd.dst_desc());
        },
        c);
    double data = 0;  // the stem's input needs no gradient
    if (!c.stem)
      data = Fastest(
          [&](dnnl::algorithm a) {
            const dnnl::convolution_backward_data::primitive_desc pd(
                dnnl::convolution_backward_data::desc(a, src, wei, dst, strides, padding, padding), engine,
                forward_pd(a));
            return time(dnnl::convolution_backward_data(pd), DNNL_ARG_DIFF_DST, pd.diff_dst_desc(), DNNL_ARG_WEIGHTS,
                        pd.weights_desc(), DNNL_ARG_DIFF_SRC, pd.diff_src_desc());
          },
          c);
    const double weights = Fastest(
        [&](dnnl::algorithm a) {
          const dnnl::convolution_backward_weights::primitive_desc pd(
              dnnl::convolution_backward_weights::desc(a, src, wei, dst, strides, padding, padding), engine,
              forward_pd(a));
          return time(dnnl::convolution_backward_weights(pd), DNNL_ARG_SRC, pd.src_desc(), DNNL_ARG_DIFF_DST,
                      pd.diff_dst_desc(), DNNL_ARG_DIFF_WEIGHTS, pd.diff_weights_desc());
        },
        c);
    out.seconds += forward + data + weights;
    out.gflop += flop * (c.stem ? 2 : 3) / 1e9;
  }
  return out;
}

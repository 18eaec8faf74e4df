// The convolutions of a ResNet-50 training step timed alone on oneDNN
// (conv_ceiling.cpp), for bench_deepfeatures.
#pragma once

struct ConvCeiling {
  double seconds = 0;  // one step's convolutions: forward, input and weight gradients
  double gflop = 0;    // their arithmetic, 2 FLOP per multiply-add, direct-equivalent
};

// The 53 convolutions of a training step of every layer on `batch` images
// of `size` x `size`, each pass alone, the best of `repeats` runs.
ConvCeiling ConvolutionsOfATrainingStep(int batch, int size, int threads, int repeats);

// The cores' single-precision FMA peak measured with a register-only
// AVX-512 loop, GFLOP/s on `threads` threads; 0 without AVX-512.
double FmaPeakGflops(int threads);

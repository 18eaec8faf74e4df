// The MCC eigenvalue kernels compiled for AVX2 (x86-64 only; built with
// -mavx2 and without FMA, so results equal the baseline build's bit for
// bit).
#include "detail/spectrum_kernel.h"

#define LVSI_KERNEL_NAMESPACE avx2
#include "detail/spectrum_kernel.inc"

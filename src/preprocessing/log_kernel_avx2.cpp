// The LoG passes compiled for AVX2 (x86-64 only; built with -mavx2 and
// without FMA, so results equal the baseline build's bit for bit).
#include "detail/log_kernel.h"

#define LVSI_KERNEL_NAMESPACE avx2
#include "detail/log_kernel.inc"

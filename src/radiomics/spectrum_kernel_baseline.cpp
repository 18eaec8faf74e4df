// The MCC eigenvalue kernels for the baseline instruction set.
#include "detail/spectrum_kernel.h"

#define LVSI_KERNEL_NAMESPACE baseline
#include "detail/spectrum_kernel.inc"

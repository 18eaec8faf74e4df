// The LoG passes for the baseline instruction set.
#include "detail/log_kernel.h"

#define LVSI_KERNEL_NAMESPACE baseline
#include "detail/log_kernel.inc"

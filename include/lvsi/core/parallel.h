#pragma once
/// \file
/// A small deterministic parallel-for.

#include <cstddef>
#include <functional>

#include "lvsi/core/export.h"

namespace lvsi {

/// Threads lvsi uses when a caller passes 0: the value set by
/// SetDefaultThreadCount, else the environment variable LVSI_NUM_THREADS,
/// else std::thread::hardware_concurrency().
LVSI_CORE_EXPORT int DefaultThreadCount();
/// Sets the value DefaultThreadCount returns (0 restores the default).
LVSI_CORE_EXPORT void SetDefaultThreadCount(int threads);

/// Calls body(i) for every i in [begin, end) on up to `threads` threads
/// (0: DefaultThreadCount(); 1: inline on the calling thread).  Results are
/// deterministic whatever the thread count as long as body(i) writes only
/// to slots owned by i.  If bodies throw, the remaining work is cancelled
/// and the exception of the lowest index that threw is rethrown.
LVSI_CORE_EXPORT void ParallelFor(std::size_t begin, std::size_t end,
                                  const std::function<void(std::size_t)>& body,
                                  int threads = 0);

/// Cooperative interruption of lvsi's work: after RequestInterrupt(), every
/// ParallelFor (the loop under extractions, kernels, cohorts, folds) throws
/// Interrupted before its next item, on every thread, until
/// ClearInterrupt().  Async-signal-safe (a lock-free flag), so a SIGINT
/// handler may call RequestInterrupt().
LVSI_CORE_EXPORT void RequestInterrupt() noexcept;
LVSI_CORE_EXPORT void ClearInterrupt() noexcept;
LVSI_CORE_EXPORT bool InterruptRequested() noexcept;
/// Throws Interrupted when an interrupt is requested: the check long loops
/// outside ParallelFor (filters) make between their steps.
LVSI_CORE_EXPORT void ThrowIfInterrupted();

/// Whether lvsi's numerical kernels that exist in an AVX2 build (the LoG
/// recursions) use it: the library was built for x86-64 with them, the
/// processor has AVX2, and the environment does not set LVSI_SIMD=baseline.
/// Both builds give the same results bit for bit (no FMA contraction), so
/// this only changes speed.
LVSI_CORE_EXPORT bool UseAvx2Kernels();

}  // namespace lvsi

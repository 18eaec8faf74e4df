#pragma once
// Large zero-filled buffers as anonymous mappings with transparent huge
// pages asked for (madvise).  On this virtual machine a first touch of a
// fresh page costs more than the arithmetic of a training step on it
// (measured: 3.0 s per GB with 4 KB pages, 1.45 s with huge pages, 0.06 s
// for a second pass), so the oneDNN training path's plans and its
// optimiser's state live in such mappings, made once per FineTune.  The
// pages arrive zeroed.  Private to lvsi_deepfeatures.

#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <new>

namespace lvsi::deepfeatures::detail {

struct Mapping {
  void* base = MAP_FAILED;
  std::size_t size = 0;
  explicit Mapping(std::size_t bytes) : size(std::max<std::size_t>(bytes, 1)) {
    base = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    madvise(base, size, MADV_HUGEPAGE);
#endif
  }
  ~Mapping() {
    if (base != MAP_FAILED) munmap(base, size);
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  float* floats() const { return static_cast<float*>(base); }
};

}  // namespace lvsi::deepfeatures::detail

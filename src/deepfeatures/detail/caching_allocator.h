#pragma once
// A scoped caching CPU allocator for LibTorch during training.  Training
// allocates and frees the same large activation and gradient tensors every
// step; glibc serves blocks that large with fresh mmap()s, so every step
// paid for page faults and zeroing (about 20% of a step's time here, and
// 2 threads trained at 0.7x of Python's speed).  While a guard is alive,
// LibTorch's CPU allocations reuse freed blocks of the same size; when the
// last guard goes, the cache is returned to the system and the previous
// allocator restored.  Private to lvsi_deepfeatures.

namespace lvsi::deepfeatures::detail {

class CachingAllocatorGuard {
 public:
  CachingAllocatorGuard();
  ~CachingAllocatorGuard();
  CachingAllocatorGuard(const CachingAllocatorGuard&) = delete;
  CachingAllocatorGuard& operator=(const CachingAllocatorGuard&) = delete;
};

}  // namespace lvsi::deepfeatures::detail

// Scoped caching CPU allocator; see caching_allocator.h.
#include "detail/caching_allocator.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>

#include <map>
#include <mutex>
#include <unordered_map>

namespace lvsi::deepfeatures::detail {
namespace {

class CachingCpuAllocator final : public c10::Allocator {
 public:
  c10::DataPtr allocate(size_t bytes) const override {
    if (bytes == 0) return {nullptr, c10::Device(c10::DeviceType::CPU)};
    void* p = nullptr;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = free_.find(bytes);
      if (it != free_.end()) {
        p = it->second;
        free_.erase(it);
      }
    }
    if (!p) p = c10::alloc_cpu(bytes);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      live_[p] = bytes;
    }
    return {p, p, &Release, c10::Device(c10::DeviceType::CPU)};
  }
  c10::DeleterFnPtr raw_deleter() const override { return &Release; }

  static CachingCpuAllocator& Instance() {
    static auto* instance = new CachingCpuAllocator;  // outlives every tensor it served
    return *instance;
  }

  // Install on the first guard, restore and empty the cache on the last.
  void Enter() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (users_++ == 0) {
      previous_ = c10::GetCPUAllocator();
      c10::SetCPUAllocator(this, kPriority);
    }
  }
  void Leave() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (--users_ > 0) return;
    if (c10::GetCPUAllocator() == this) c10::SetCPUAllocator(previous_, kPriority);
    for (auto& [bytes, p] : free_) c10::free_cpu(p);
    free_.clear();
  }

 private:
  static constexpr uint8_t kPriority = 1;
  static void Release(void* p) { Instance().Return(p); }
  void Return(void* p) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = live_.find(p);
    const size_t bytes = it == live_.end() ? 0 : it->second;
    if (it != live_.end()) live_.erase(it);
    if (users_ > 0 && bytes > 0) {
      free_.emplace(bytes, p);
    } else {
      c10::free_cpu(p);
    }
  }

  mutable std::mutex mutex_;
  mutable std::multimap<size_t, void*> free_;
  mutable std::unordered_map<void*, size_t> live_;
  int users_ = 0;
  c10::Allocator* previous_ = nullptr;
};

}  // namespace

CachingAllocatorGuard::CachingAllocatorGuard() { CachingCpuAllocator::Instance().Enter(); }
CachingAllocatorGuard::~CachingAllocatorGuard() { CachingCpuAllocator::Instance().Leave(); }

}  // namespace lvsi::deepfeatures::detail

#include "lvsi/core/parallel.h"

#include "lvsi/core/error.h"

#include <atomic>
#include <cstdlib>
#include <exception>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lvsi {
namespace {
std::atomic<int> g_default_threads{0};
}

int DefaultThreadCount() {
  if (int t = g_default_threads.load(); t > 0) return t;
  if (const char* env = std::getenv("LVSI_NUM_THREADS")) {
    const int t = std::atoi(env);
    if (t > 0) return t;
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw > 0 ? static_cast<int>(hw) : 1;
}

void SetDefaultThreadCount(int threads) { g_default_threads.store(threads > 0 ? threads : 0); }

namespace {
std::atomic<bool> interrupt_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "RequestInterrupt must be async-signal-safe");
}  // namespace

void ThrowIfInterrupted() {
  if (interrupt_requested.load(std::memory_order_relaxed)) throw Interrupted();
}

void RequestInterrupt() noexcept { interrupt_requested.store(true); }
void ClearInterrupt() noexcept { interrupt_requested.store(false); }
bool InterruptRequested() noexcept { return interrupt_requested.load(); }

void ParallelFor(std::size_t begin, std::size_t end, const std::function<void(std::size_t)>& body,
                 int threads) {
  if (end <= begin) return;
  const std::size_t n = end - begin;
  std::size_t workers = static_cast<std::size_t>(threads > 0 ? threads : DefaultThreadCount());
  if (workers > n) workers = n;
  if (workers <= 1) {
    for (std::size_t i = begin; i < end; ++i) {
      ThrowIfInterrupted();
      body(i);
    }
    return;
  }
  std::atomic<std::size_t> next{begin};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::size_t error_index = std::numeric_limits<std::size_t>::max();
  std::exception_ptr error;
  auto work = [&] {
    for (;;) {
      if (failed.load(std::memory_order_relaxed)) return;
      const std::size_t i = next.fetch_add(1);
      if (i >= end) return;
      try {
        ThrowIfInterrupted();
        body(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (i < error_index) {
          error_index = i;
          error = std::current_exception();
        }
        failed.store(true);
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  for (std::size_t t = 0; t + 1 < workers; ++t) pool.emplace_back(work);
  work();
  for (auto& th : pool) th.join();
  if (error) std::rethrow_exception(error);
}

bool UseAvx2Kernels() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  static const bool avx2 = __builtin_cpu_supports("avx2");
  const char* simd = std::getenv("LVSI_SIMD");
  return avx2 && !(simd && std::string(simd) == "baseline");
#else
  return false;
#endif
}

}  // namespace lvsi

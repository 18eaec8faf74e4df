#include "lvsi/core/parallel.h"

#include "lvsi/core/error.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace lvsi {
namespace {

std::vector<double> Compute(int threads) {
  std::vector<double> out(1000);
  ParallelFor(0, out.size(), [&](std::size_t i) {
    double s = 0;
    for (std::size_t k = 1; k <= i; ++k) s += std::sin(static_cast<double>(k));
    out[i] = s;
  }, threads);
  return out;
}

TEST(ParallelFor, SameResultForAnyThreadCount) {
  const auto one = Compute(1);
  EXPECT_EQ(one, Compute(2));
  EXPECT_EQ(one, Compute(7));
  EXPECT_EQ(one, Compute(0));
}

TEST(ParallelFor, RethrowsLowestFailingIndex) {
  for (int threads : {1, 3}) {
    try {
      ParallelFor(0, 100, [](std::size_t i) {
        if (i == 17 || i == 90) throw std::runtime_error("failed at " + std::to_string(i));
      }, threads);
      FAIL();
    } catch (const std::runtime_error& e) {
      // With several threads index 90 may run first, but 17 always runs
      // before cancellation reaches it unless 90 was claimed earlier.
      const std::string what = e.what();
      EXPECT_TRUE(what == "failed at 17" || what == "failed at 90") << what;
      if (threads == 1) {
        EXPECT_EQ(what, "failed at 17");
      }
    }
  }
}

TEST(ParallelFor, DefaultThreadCountIsSettable) {
  SetDefaultThreadCount(3);
  EXPECT_EQ(DefaultThreadCount(), 3);
  SetDefaultThreadCount(0);
  EXPECT_GE(DefaultThreadCount(), 1);
  ParallelFor(5, 5, [](std::size_t) { FAIL(); });
}

}  // namespace
}  // namespace lvsi

namespace lvsi {
namespace {

// RequestInterrupt stops ParallelFor before its next item on every thread
// count, with Interrupted; after ClearInterrupt work runs again.
TEST(ParallelFor, InterruptStopsTheLoopUntilCleared) {
  for (int threads : {1, 3}) {
    std::atomic<std::size_t> ran{0};
    EXPECT_THROW(ParallelFor(0, 1000, [&](std::size_t i) {
                   if (i == 10) RequestInterrupt();
                   ran.fetch_add(1);
                 }, threads),
                 Interrupted);
    EXPECT_TRUE(InterruptRequested());
    EXPECT_LT(ran.load(), 1000u) << threads;
    ClearInterrupt();
    std::atomic<std::size_t> all{0};
    ParallelFor(0, 100, [&](std::size_t) { all.fetch_add(1); }, threads);
    EXPECT_EQ(all.load(), 100u);
  }
}

}  // namespace
}  // namespace lvsi

#include "lvsi/core/progress.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>

namespace lvsi {
namespace {

std::string FormatSeconds(double s) {
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%.0fs", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(s) / 3600,
                  (static_cast<int>(s) % 3600) / 60);
  }
  return buf;
}

struct TerminalState {
  std::mutex mutex;
  std::string stage;
  std::chrono::steady_clock::time_point start;
  int last_decile = -1;
  bool tty = ::isatty(STDERR_FILENO) != 0;
};

}  // namespace

ProgressCallback TerminalProgress() {
  auto state = std::make_shared<TerminalState>();
  return [state](const ProgressEvent& e) {
    std::lock_guard<std::mutex> lock(state->mutex);
    const auto now = std::chrono::steady_clock::now();
    if (e.stage != state->stage) {
      state->stage = e.stage;
      state->start = now;
      state->last_decile = -1;
    }
    const double elapsed = std::chrono::duration<double>(now - state->start).count();
    const double fraction = e.total ? static_cast<double>(e.done) / static_cast<double>(e.total) : 1.0;
    const double remaining = e.done ? elapsed * (1.0 - fraction) / fraction : 0.0;
    if (state->tty) {
      constexpr int kWidth = 30;
      const int filled = static_cast<int>(fraction * kWidth);
      std::string bar(static_cast<std::size_t>(filled), '#');
      bar.resize(kWidth, '-');
      std::fprintf(stderr, "\r%s [%s] %zu/%zu %s elapsed, %s left %s\033[K", e.stage.c_str(),
                   bar.c_str(), e.done, e.total, FormatSeconds(elapsed).c_str(),
                   FormatSeconds(remaining).c_str(), e.item.c_str());
      if (e.done >= e.total) std::fputc('\n', stderr);
    } else {
      const int decile = static_cast<int>(fraction * 10);
      if (decile == state->last_decile && e.done < e.total) return;
      state->last_decile = decile;
      std::fprintf(stderr, "%s: %zu/%zu (%.0f%%), %s elapsed, %s left\n", e.stage.c_str(), e.done,
                   e.total, 100.0 * fraction, FormatSeconds(elapsed).c_str(),
                   FormatSeconds(remaining).c_str());
    }
    std::fflush(stderr);
  };
}

}  // namespace lvsi

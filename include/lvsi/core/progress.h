#pragma once
/// \file
/// Progress reporting for long-running stages.

#include <cstddef>
#include <functional>
#include <string>

#include "lvsi/core/export.h"

namespace lvsi {

/// One progress update: `done` of `total` work items of `stage` finished;
/// `item` names the last one (e.g. a case id) and may be empty.
struct ProgressEvent {
  std::string stage;
  std::size_t done = 0;
  std::size_t total = 0;
  std::string item;
};

/// Receives progress updates.  Implementations must be thread-safe: lvsi
/// reports from worker threads.
using ProgressCallback = std::function<void(const ProgressEvent&)>;

/// A ProgressCallback that draws a bar on a terminal (standard error), or
/// prints a line every 10% when standard error is not a terminal.  Elapsed
/// time and an estimate of the remaining time are shown.
LVSI_CORE_EXPORT ProgressCallback TerminalProgress();

}  // namespace lvsi

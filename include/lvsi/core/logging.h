#pragma once
/// \file
/// Logging.  lvsi logs through spdlog internally; callers choose the level,
/// send messages to their own sink, or add a log file through these
/// functions, without including spdlog.

#include <functional>
#include <string>
#include <string_view>

#include "lvsi/core/export.h"

namespace lvsi {

/// Severity of a log message, in increasing order.
enum class LogLevel { kTrace, kDebug, kInfo, kWarning, kError, kOff };

/// Messages below `level` are dropped.  Default: kInfo, or the value of the
/// environment variable LVSI_LOG_LEVEL (trace, debug, info, warning, error,
/// off) when set.
LVSI_CORE_EXPORT void SetLogLevel(LogLevel level);
LVSI_CORE_EXPORT LogLevel GetLogLevel();

/// A callback that receives every message at or above the level.
using LogSink = std::function<void(LogLevel level, const std::string& message)>;

/// Replaces the default destination (standard error) with `sink`; an empty
/// function restores standard error.  Thread-safe.
LVSI_CORE_EXPORT void SetLogSink(LogSink sink);

/// Also writes every message to `path` (appending); an empty path closes
/// the file.  Throws IoError when the file cannot be opened.
LVSI_CORE_EXPORT void SetLogFile(const std::string& path);

/// Emits one message (used by lvsi's modules; callers may use it too).
LVSI_CORE_EXPORT void Log(LogLevel level, std::string_view message);

/// Parses "trace", "debug", "info", "warning"/"warn", "error", "off";
/// throws InvalidArgument otherwise.
LVSI_CORE_EXPORT LogLevel ParseLogLevel(std::string_view text);

}  // namespace lvsi

#include "lvsi/core/logging.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <mutex>

#include "lvsi/core/error.h"

namespace lvsi {
namespace {

spdlog::level::level_enum ToSpd(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return spdlog::level::trace;
    case LogLevel::kDebug: return spdlog::level::debug;
    case LogLevel::kInfo: return spdlog::level::info;
    case LogLevel::kWarning: return spdlog::level::warn;
    case LogLevel::kError: return spdlog::level::err;
    case LogLevel::kOff: return spdlog::level::off;
  }
  return spdlog::level::info;
}

LogLevel FromSpd(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace: return LogLevel::kTrace;
    case spdlog::level::debug: return LogLevel::kDebug;
    case spdlog::level::info: return LogLevel::kInfo;
    case spdlog::level::warn: return LogLevel::kWarning;
    case spdlog::level::err:
    case spdlog::level::critical: return LogLevel::kError;
    default: return LogLevel::kOff;
  }
}

// Forwards formatted messages to a caller's LogSink.
class CallbackSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit CallbackSink(LogSink sink) : sink_(std::move(sink)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    sink_(FromSpd(msg.level), std::string(msg.payload.begin(), msg.payload.end()));
  }
  void flush_() override {}

 private:
  LogSink sink_;
};

struct LoggerState {
  std::mutex mutex;
  std::shared_ptr<spdlog::logger> logger;
  spdlog::sink_ptr main_sink;
  spdlog::sink_ptr file_sink;

  LoggerState() {
    main_sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    logger = std::make_shared<spdlog::logger>("lvsi", main_sink);
    logger->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [lvsi] [%^%l%$] %v");
    logger->set_level(spdlog::level::info);
    if (const char* env = std::getenv("LVSI_LOG_LEVEL")) {
      try {
        logger->set_level(ToSpd(ParseLogLevel(env)));
      } catch (const InvalidArgument&) {
        logger->warn("ignoring LVSI_LOG_LEVEL='{}' (not a log level)", env);
      }
    }
  }
  void Rebuild() {
    std::vector<spdlog::sink_ptr> sinks{main_sink};
    if (file_sink) sinks.push_back(file_sink);
    auto fresh = std::make_shared<spdlog::logger>("lvsi", sinks.begin(), sinks.end());
    fresh->set_level(logger->level());
    fresh->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [lvsi] [%^%l%$] %v");
    std::atomic_store(&logger, fresh);
  }
};

LoggerState& State() {
  static LoggerState state;
  return state;
}

}  // namespace

void SetLogLevel(LogLevel level) { std::atomic_load(&State().logger)->set_level(ToSpd(level)); }

LogLevel GetLogLevel() { return FromSpd(std::atomic_load(&State().logger)->level()); }

void SetLogSink(LogSink sink) {
  auto& s = State();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (sink) {
    s.main_sink = std::make_shared<CallbackSink>(std::move(sink));
  } else {
    s.main_sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  }
  s.Rebuild();
}

void SetLogFile(const std::string& path) {
  auto& s = State();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (path.empty()) {
    s.file_sink.reset();
  } else {
    try {
      s.file_sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, false);
    } catch (const spdlog::spdlog_ex& e) {
      throw OutputError(path, std::string("cannot open log file: ") + e.what());
    }
  }
  s.Rebuild();
}

void Log(LogLevel level, std::string_view message) {
  auto logger = std::atomic_load(&State().logger);
  logger->log(ToSpd(level), "{}", message);
  if (level >= LogLevel::kWarning) logger->flush();
}

LogLevel ParseLogLevel(std::string_view text) {
  if (text == "trace") return LogLevel::kTrace;
  if (text == "debug") return LogLevel::kDebug;
  if (text == "info") return LogLevel::kInfo;
  if (text == "warning" || text == "warn") return LogLevel::kWarning;
  if (text == "error") return LogLevel::kError;
  if (text == "off") return LogLevel::kOff;
  throw InvalidArgument("unknown log level '" + std::string(text) +
                        "' (expected trace, debug, info, warning, error or off)");
}

}  // namespace lvsi

#include "lvsi/core/program.h"

#include <cstdio>
#include <filesystem>
#include <new>
#include <system_error>

#include "lvsi/core/error.h"
#include "lvsi/core/logging.h"

namespace lvsi {

ExitStatus ExitStatusOf(const std::exception& error) noexcept {
  if (dynamic_cast<const OutputError*>(&error)) return ExitStatus::kOutput;
  if (dynamic_cast<const IoError*>(&error) || dynamic_cast<const InputError*>(&error)) return ExitStatus::kInput;
  if (dynamic_cast<const InvalidArgument*>(&error)) return ExitStatus::kSettings;
  if (dynamic_cast<const ModelError*>(&error)) return ExitStatus::kModel;
  if (dynamic_cast<const Error*>(&error)) return ExitStatus::kInput;
  if (dynamic_cast<const std::bad_alloc*>(&error)) return ExitStatus::kResources;
  // std::filesystem's errors come from creating folders and files: outputs.
  if (dynamic_cast<const std::filesystem::filesystem_error*>(&error)) return ExitStatus::kOutput;
  return ExitStatus::kInternal;
}

std::string DescribeError(const std::exception& error) {
  switch (ExitStatusOf(error)) {
    case ExitStatus::kResources:
      return std::string("out of memory (") + error.what() + "); a smaller input, fewer threads or more memory may help";
    case ExitStatus::kInternal:
      return std::string("internal error: ") + error.what() + " (please report this with the command that gave it)";
    default:
      return error.what();
  }
}

int RunProgram(const std::string& program, const std::function<int()>& body) noexcept {
  std::string message;
  int status = static_cast<int>(ExitStatus::kInternal);
  try {
    return body();
  } catch (const std::exception& e) {
    try {
      message = DescribeError(e);
      status = static_cast<int>(ExitStatusOf(e));
    } catch (...) {  // no memory left even for the message
      message = "out of memory";
      status = static_cast<int>(ExitStatus::kResources);
    }
  } catch (...) {
    message = "internal error: an unknown exception (please report this with the command that gave it)";
  }
  std::fprintf(stderr, "%s: %s\n", program.c_str(), message.c_str());
  std::fflush(stderr);
  try {
    // Already on the terminal: the log file (when one is open) gets it too.
    SetLogSink([](LogLevel, const std::string&) {});
    Log(LogLevel::kError, message);
  } catch (...) {
  }
  return status;
}

}  // namespace lvsi

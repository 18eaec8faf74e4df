#pragma once
/// \file
/// Exit statuses shared by lvsi's programs, and the guard every program's
/// main() runs its work in, so that no exception ends a program without a
/// message naming the file or setting at fault (docs/reliability.md).

#include <exception>
#include <functional>
#include <string>

#include "lvsi/core/export.h"

namespace lvsi {

/// The exit status of every lvsi program, by cause.  Scripts and cluster
/// schedulers can tell a bad input from a full disk without reading the
/// message.
enum class ExitStatus : int {
  kOk = 0,             ///< Everything was done.
  kInput = 1,          ///< An input file is missing, unreadable, corrupt or unusable (IoError, InputError).
  kUsage = 2,          ///< The command line is wrong (unknown option, missing argument).
  kSettings = 3,       ///< A setting or argument is outside its domain (InvalidArgument).
  kPartial = 4,        ///< Some cases failed; the others' results were written, the failures listed.
  kOutput = 5,         ///< An output could not be written (OutputError, a file-system error).
  kModel = 6,          ///< A model cannot be trained, loaded or applied (ModelError).
  kResources = 7,      ///< Out of memory.
  kInternal = 8,       ///< Anything else: a bug in lvsi; please report it with the message.
  kInterrupted = 130,  ///< Stopped by SIGINT (Ctrl-C), the shell's convention.
};

/// The exit status that `error` stands for (see ExitStatus).
LVSI_CORE_EXPORT ExitStatus ExitStatusOf(const std::exception& error) noexcept;

/// One line that says what went wrong: the exception's message, with the
/// kind of problem added where the message alone would not say it (out of
/// memory, an internal error).
LVSI_CORE_EXPORT std::string DescribeError(const std::exception& error);

/// Runs a program's work: returns what `body` returns, or, when it throws,
/// prints "<program>: <message>" on standard error, logs it at ERROR level
/// and returns the exception's ExitStatus.  Never throws.
LVSI_CORE_EXPORT int RunProgram(const std::string& program, const std::function<int()>& body) noexcept;

}  // namespace lvsi

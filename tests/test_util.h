#pragma once
// Helpers shared by lvsi's tests.

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace lvsi::testing {

/// A fresh scratch folder private to this process, `<name>_<pid>` (ctest
/// runs a suite's tests in parallel processes that each set up their own
/// inputs).  Folders `<name>_<pid>` of processes that have ended are removed
/// first: without that every run of the suite left its inputs behind (the
/// study's 1.3 GB a run filled the disk).  RemoveProcessScratchDir removes
/// this process's own at the end.
inline std::string ProcessScratchDir(const std::string& name) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const std::string prefix = name + "_";
  for (const auto& entry : fs::directory_iterator(LVSI_TEST_TMP, ec)) {
    const std::string file = entry.path().filename().string();
    if (file.rfind(prefix, 0) != 0 || file.size() == prefix.size()) continue;
    const std::string pid = file.substr(prefix.size());
    if (pid.find_first_not_of("0123456789") != std::string::npos || pid.size() > 9) continue;
    if (::kill(static_cast<pid_t>(std::stol(pid)), 0) != 0 && errno == ESRCH) fs::remove_all(entry.path(), ec);
  }
  const fs::path p = fs::path(LVSI_TEST_TMP) / (prefix + std::to_string(::getpid()));
  fs::remove_all(p, ec);
  fs::create_directories(p);
  return p.string();
}

/// Removes a ProcessScratchDir, unless a test of this process failed (its
/// inputs are then kept for a look; the next run removes them).
inline void RemoveProcessScratchDir(const std::string& dir) {
  if (::testing::UnitTest::GetInstance()->failed_test_count() > 0) return;
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

/// The shared reference folder (../shared relative to the repository).
inline std::string SharedDir() { return LVSI_SHARED_DIR; }

/// A fresh, empty scratch folder for one test.
inline std::string ScratchDir(const std::string& name) {
  const std::filesystem::path p = std::filesystem::path(LVSI_TEST_TMP) / name;
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

/// A reference folder: the environment variable `env` when set, else
/// ../shared/reference/<sub>.
inline std::string ReferenceDir(const char* env, const std::string& sub) {
  if (const char* v = std::getenv(env); v && *v) return v;
  return SharedDir() + "/reference/" + sub;
}

/// True when the environment variable LVSI_REQUIRE_REFERENCE is set to
/// anything but "" or "0".  CI sets it: there a reference that cannot be found
/// (a moved folder, a misspelt path, a Python package the install script
/// forgot) fails the test instead of skipping it.
inline bool ReferenceRequired() {
  const char* v = std::getenv("LVSI_REQUIRE_REFERENCE");
  return v && *v && std::string(v) != "0";
}

}  // namespace lvsi::testing

/// Ends the calling test (or fixture SetUp) when an independent reference is
/// not available: `available` is false, `what` says what is missing.  Users
/// do not have ../shared, so the test is skipped with that message; with
/// LVSI_REQUIRE_REFERENCE set the test fails instead.
#define LVSI_SKIP_UNLESS_REFERENCE(available, what)                                           \
  do {                                                                                        \
    if (!(available)) {                                                                       \
      if (::lvsi::testing::ReferenceRequired()) {                                             \
        FAIL() << "reference not available: " << what << " (LVSI_REQUIRE_REFERENCE is set)"; \
      }                                                                                       \
      GTEST_SKIP() << "reference not available: " << what;                                    \
    }                                                                                         \
  } while (false)

/// LVSI_SKIP_UNLESS_REFERENCE for a reference file or folder that must exist.
#define LVSI_SKIP_UNLESS_EXISTS(path)                                                    \
  do {                                                                                   \
    const std::string lvsi_reference_path_ = (path);                                     \
    LVSI_SKIP_UNLESS_REFERENCE(std::filesystem::exists(lvsi_reference_path_),            \
                               "no " << lvsi_reference_path_);                           \
  } while (false)

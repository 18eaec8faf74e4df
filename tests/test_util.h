#pragma once
// Helpers shared by lvsi's tests.

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace lvsi::testing {

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

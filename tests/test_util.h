#pragma once
// Helpers shared by lvsi's tests.

#include <cstdlib>
#include <filesystem>
#include <string>

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

}  // namespace lvsi::testing

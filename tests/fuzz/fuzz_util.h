#pragma once
// Shared by lvsi's libFuzzer targets: a file holding the fuzzer's bytes
// (most parsers read files), and the rule that a parser may only fail with
// lvsi::Error.  Anything else (a crash, a sanitizer report, another
// exception type, a hang) is a finding.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

namespace lvsi::fuzz {

/// A path, unique to this process, ending in `extension`, that holds `size`
/// bytes of `data`.
inline std::string WriteInput(const std::uint8_t* data, std::size_t size, const std::string& extension) {
  static const std::string dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    const std::string d = std::string(tmp && *tmp ? tmp : "/tmp") + "/lvsi_fuzz_" + std::to_string(::getpid());
    std::filesystem::create_directories(d);
    return d;
  }();
  const std::string path = dir + "/input" + extension;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size) std::fwrite(data, 1, size, f);
  std::fclose(f);
  return path;
}

}  // namespace lvsi::fuzz

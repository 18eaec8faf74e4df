// The study's configuration file (YAML), and the property that a
// configuration it accepts saves and reads back to the same settings.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz_util.h"
#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "study.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = lvsi::fuzz::WriteInput(data, size, ".yaml");
  study::Config c;
  try {
    c = study::Config::Read(path, study::Config{});
  } catch (const lvsi::Error&) {
    return 0;
  }
  const std::string yaml = c.ToYaml();
  const std::string saved = lvsi::fuzz::WriteInput(reinterpret_cast<const std::uint8_t*>(yaml.data()), yaml.size(), ".saved.yaml");
  try {
    if (study::Config::Read(saved, study::Config{}).ToYaml() != yaml) {
      std::fprintf(stderr, "the saved configuration reads back differently:\n%s\n", yaml.c_str());
      std::abort();
    }
  } catch (const lvsi::Error& e) {
    std::fprintf(stderr, "the saved configuration does not read back: %s\n%s\n", e.what(), yaml.c_str());
    std::abort();
  }
  return 0;
}

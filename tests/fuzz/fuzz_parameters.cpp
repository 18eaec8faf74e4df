// Parameter files (YAML): pyradiomics mode's parsing, the extractor's
// checks and the property that ToYaml reads back to the same parameters;
// IBSI mode's ibsi: section (ibsi::ParseSettings).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz_util.h"
#include "lvsi/core/error.h"
#include "lvsi/radiomics/extractor.h"
#include "lvsi/radiomics/ibsi.h"
#include "lvsi/radiomics/settings.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)lvsi::radiomics::ibsi::ParseSettings(text, "fuzz.yaml");
  } catch (const lvsi::Error&) {
  }
  lvsi::radiomics::ExtractionParameters p;
  try {
    p = lvsi::radiomics::ParseParameters(text, "fuzz.yaml");
  } catch (const lvsi::Error&) {
    return 0;
  }
  try {
    lvsi::radiomics::FeatureExtractor extractor(p);
  } catch (const lvsi::Error&) {
  }
  const std::string yaml = p.ToYaml();
  std::string again;
  try {
    again = lvsi::radiomics::ParseParameters(yaml, "ToYaml").ToYaml();
  } catch (const lvsi::Error& e) {
    std::fprintf(stderr, "ToYaml wrote parameters that do not read back: %s\n%s\n", e.what(), yaml.c_str());
    std::abort();
  }
  if (again != yaml) {
    std::fprintf(stderr, "ToYaml does not round-trip:\n%s\n---\n%s\n", yaml.c_str(), again.c_str());
    std::abort();
  }
  return 0;
}

// Parity with pyradiomics 3.1.0 on filtered images: every case of
// ../shared/reference/pyradiomics/filtered (or $LVSI_PYRADIOMICS_REFERENCE)
// is extracted with the params.yaml beside it and all features compared.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "lvsi/core/csv.h"
#include "lvsi/radiomics/extractor.h"
#include "test_util.h"

namespace lvsi::radiomics {
namespace {
namespace fs = std::filesystem;

TEST(PyradiomicsFilteredReference, EveryFilteredFeatureMatches) {
  const std::string dir = testing::ReferenceDir("LVSI_PYRADIOMICS_REFERENCE", "pyradiomics");
  const std::string fdir = dir + "/filtered";
  LVSI_SKIP_UNLESS_EXISTS(fdir + "/params.yaml");
  const FeatureExtractor extractor(ReadParameterFile(fdir + "/params.yaml"));
  std::size_t compared = 0, within = 0, cases = 0;
  double worst = 0;
  for (const auto& entry : fs::directory_iterator(fdir)) {
    if (entry.path().extension() != ".csv") continue;
    const std::string name = entry.path().stem().string();
    const std::string image = dir + "/" + name + "_image.nrrd", mask = dir + "/" + name + "_label.nrrd";
    if (!fs::exists(image) || !fs::exists(mask)) {
      std::printf("[ skipped ] %s: %s_{image,label}.nrrd not present\n", name.c_str(), name.c_str());
      continue;
    }
    ++cases;
    FeatureExtractor threaded = extractor;
    threaded.set_threads(0);
    const ExtractionResult r = threaded.ExecuteFiles(image, mask);
    std::map<std::string, double> got(r.features.begin(), r.features.end());
    const CsvDocument ref = ReadCsv(entry.path().string());
    EXPECT_EQ(got.size(), ref.rows.size()) << name << ": lvsi and pyradiomics give different feature counts";
    for (const auto& row : ref.rows) {
      double expected;
      if (!ParseDouble(row[1], &expected)) continue;
      ++compared;
      auto it = got.find(row[0]);
      if (it == got.end()) {
        ADD_FAILURE() << name << ": lvsi did not compute " << row[0];
        continue;
      }
      const bool filtered_numerics = row[0].rfind("log-", 0) == 0 || row[0].rfind("wavelet", 0) == 0;
      const double tolerance = filtered_numerics ? 1e-5 : 1e-6;
      const double diff = std::abs(it->second - expected);
      const double scale = std::max(std::abs(expected), std::abs(it->second));
      const double rel = scale > 0 ? diff / scale : 0;
      if (diff < 1e-12 || rel <= tolerance) {
        ++within;
        worst = std::max(worst, diff < 1e-12 ? 0.0 : rel);
      } else {
        ADD_FAILURE() << name << " " << row[0] << ": lvsi " << FormatDouble(it->second) << ", pyradiomics "
                      << FormatDouble(expected) << " (relative difference " << rel << ")";
      }
    }
  }
  std::printf("compared %zu features, %zu within tolerance (%zu cases, largest relative difference %.3g)\n",
              compared, within, cases, worst);
  EXPECT_GT(compared, 0u);
  EXPECT_EQ(compared, within);
}


TEST(StudyParametersOnSharedImages, Give1409FeaturesAllFinite) {
  const std::string dir = testing::ReferenceDir("LVSI_PYRADIOMICS_REFERENCE", "pyradiomics");
  LVSI_SKIP_UNLESS_EXISTS(dir);
  std::size_t runs = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string file = entry.path().filename().string();
    const auto pos = file.rfind("_image.nrrd");
    if (pos == std::string::npos || pos + 11 != file.size()) continue;
    const std::string mask = dir + "/" + file.substr(0, pos) + "_label.nrrd";
    if (!fs::exists(mask)) continue;
    for (const char* seq : {"t2w", "adc", "cet1"}) {
      FeatureExtractor extractor(ReadParameterFile(std::string(LVSI_SOURCE_DIR) + "/examples/params/" + seq + ".yaml"));
      extractor.set_threads(0);
      const auto r = extractor.ExecuteFiles(entry.path().string(), mask);
      EXPECT_EQ(r.features.size(), 1409u) << file << " " << seq;
      for (const auto& [name, value] : r.features) EXPECT_TRUE(std::isfinite(value)) << file << " " << seq << " " << name;
      ++runs;
    }
  }
  ASSERT_GT(runs, 0u) << "no <case>_image.nrrd with its <case>_label.nrrd in " << dir;
  std::printf("%zu extractions with the study's parameter files, 1409 features each\n", runs);
}

}  // namespace
}  // namespace lvsi::radiomics

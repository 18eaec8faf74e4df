// CSV files: the CSV parser, cohort manifests, feature tables (CSV and
// JSON).  The first byte picks the reader.
#include <string>

#include "fuzz_util.h"
#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/core/feature_table.h"
#include "lvsi/io/manifest.h"
#include "lvsi/io/table_io.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    switch (data[0] % 4) {
      case 0: {
        const lvsi::CsvDocument doc = lvsi::ParseCsv(text, "fuzz.csv");
        for (const auto& row : doc.rows)
          for (const auto& cell : row) {
            double v;
            long long i;
            lvsi::ParseDouble(cell, &v);
            lvsi::ParseInteger(cell, &i);
          }
        break;
      }
      case 1: lvsi::io::ReadManifest(lvsi::fuzz::WriteInput(data + 1, size - 1, ".csv")); break;
      case 2: {
        const lvsi::FeatureTable t = lvsi::FeatureTable::ReadCsv(lvsi::fuzz::WriteInput(data + 1, size - 1, ".csv"));
        (void)t.rows();
        break;
      }
      default: lvsi::io::ReadFeatureTableJson(lvsi::fuzz::WriteInput(data + 1, size - 1, ".json")); break;
    }
  } catch (const lvsi::Error&) {
  }
  return 0;
}

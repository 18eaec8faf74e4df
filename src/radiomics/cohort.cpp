#include "lvsi/radiomics/cohort.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/core/logging.h"
#include "lvsi/core/parallel.h"
#include "lvsi/radiomics/extractor.h"

namespace lvsi::radiomics {
namespace fs = std::filesystem;
namespace {

std::string CaseFile(const std::string& dir, const std::string& id, const std::string& what) {
  return (fs::path(dir) / "cases" / (id + "." + what)).string();
}

}  // namespace

bool CohortExtractionSettings::IsValid(std::string* why) const {
  if (output_dir.empty()) return Invalid(why, "output folder not set");
  if (shard_count < 1 || shard_index < 1 || shard_index > shard_count)
    return Invalid(why, "shard must be i/N with 1 <= i <= N, got " + std::to_string(shard_index) + "/" +
                std::to_string(shard_count));
  if (threads < 0) return Invalid(why, "threads must be >= 0");
  return true;
}

std::string CohortExtractionReport::BriefReport() const {
  char buf[200];
  std::snprintf(buf, sizeof buf, "%zu cases: %zu extracted, %zu already done, %zu failed in %.1f s", cases,
                extracted, reused, errors.size(), seconds);
  return buf;
}

CohortExtractor::CohortExtractor(std::map<std::string, ExtractionParameters> parameters,
                                 CohortExtractionSettings settings)
    : parameters_(std::move(parameters)), settings_(std::move(settings)) {
  std::string why;
  if (!settings_.IsValid(&why)) throw InvalidArgument("cohort extraction: " + why);
}

CohortExtractionReport CohortExtractor::Run(const io::CohortManifest& manifest) const {
  const auto start = std::chrono::steady_clock::now();
  std::error_code ec;
  fs::create_directories(fs::path(settings_.output_dir) / "cases", ec);
  if (ec) throw IoError(settings_.output_dir, "cannot create the output folder: " + ec.message());
  std::vector<const io::ManifestCase*> mine;
  for (std::size_t n = 0; n < manifest.cases.size(); ++n)
    if (static_cast<int>(n % static_cast<std::size_t>(settings_.shard_count)) == settings_.shard_index - 1)
      mine.push_back(&manifest.cases[n]);
  std::map<std::string, FeatureExtractor> extractors;
  for (const auto& seq : manifest.sequences) {
    auto it = parameters_.find(seq);
    extractors.emplace(seq, FeatureExtractor(it == parameters_.end() ? ExtractionParameters::Defaults() : it->second));
  }
  CohortExtractionReport report;
  report.cases = mine.size();
  std::mutex mutex;
  std::atomic<std::size_t> done{0};
  ParallelFor(0, mine.size(), [&](std::size_t k) {
    const io::ManifestCase& c = *mine[k];
    const std::string r1 = CaseFile(settings_.output_dir, c.case_id, "reader1.csv");
    const std::string err = CaseFile(settings_.output_dir, c.case_id, "error.txt");
    bool reused = fs::exists(r1);
    std::string failure;
    if (!reused) {
      try {
        FeatureList row1, row2;
        bool has_r2 = settings_.second_reader;
        for (const auto& seq : manifest.sequences) {
          auto it = c.sequences.find(seq);
          if (it == c.sequences.end()) throw DataError(manifest.path, "case " + c.case_id + " has no " + seq + " images");
          const FeatureExtractor& ex = extractors.at(seq);
          auto add = [&](FeatureList* row, const std::string& mask) {
            for (auto& [name, value] : ex.ExecuteFiles(it->second.image, mask).features)
              row->emplace_back(seq + "_" + name, value);
          };
          add(&row1, it->second.mask);
          if (has_r2 && !it->second.mask_r2.empty()) add(&row2, it->second.mask_r2);
          else has_r2 = false;
        }
        if (has_r2) {
          FeatureTable t2;
          t2.AppendRow(c.case_id, row2);
          t2.WriteCsv(CaseFile(settings_.output_dir, c.case_id, "reader2.csv"));
        }
        // Reader 1 last: its file marks the case as finished.
        FeatureTable t1;
        t1.AppendRow(c.case_id, row1);
        t1.WriteCsv(r1);
        fs::remove(err, ec);
      } catch (const std::exception& e) {
        failure = e.what();
        try {
          WriteFileAtomically(err, failure + "\n");
        } catch (const Error&) {
        }
      }
    }
    std::lock_guard<std::mutex> lock(mutex);
    if (!failure.empty()) {
      report.errors.emplace_back(c.case_id, failure);
      Log(LogLevel::kWarning, "case " + c.case_id + " failed: " + failure);
    } else if (reused) {
      ++report.reused;
    } else {
      ++report.extracted;
    }
    if (settings_.progress) settings_.progress({"radiomics", ++done, mine.size(), c.case_id});
  }, settings_.threads);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

FeatureTable CohortExtractor::Merge(const io::CohortManifest& manifest, const std::string& output_dir) {
  FeatureTable tables[2];
  std::string errors = "case_id,error\n";
  bool all_r2 = true;
  for (const auto& c : manifest.cases) {
    const std::string r1 = CaseFile(output_dir, c.case_id, "reader1.csv");
    const std::string r2 = CaseFile(output_dir, c.case_id, "reader2.csv");
    const std::string err = CaseFile(output_dir, c.case_id, "error.txt");
    if (!fs::exists(r1)) {
      std::string reason = fs::exists(err) ? ReadTextFile(err) : "not extracted";
      while (!reason.empty() && reason.back() == '\n') reason.pop_back();
      errors += CsvEscape(c.case_id) + "," + CsvEscape(reason) + "\n";
      continue;
    }
    const FeatureTable one = FeatureTable::ReadCsv(r1);
    tables[0] = tables[0].rows() ? tables[0].AppendRows(one) : one;
    if (fs::exists(r2)) {
      const FeatureTable two = FeatureTable::ReadCsv(r2);
      tables[1] = tables[1].rows() ? tables[1].AppendRows(two) : two;
    } else {
      all_r2 = false;
    }
  }
  tables[0].WriteCsv((fs::path(output_dir) / "features_reader1.csv").string());
  if (all_r2 && tables[1].rows()) tables[1].WriteCsv((fs::path(output_dir) / "features_reader2.csv").string());
  WriteFileAtomically((fs::path(output_dir) / "errors.csv").string(), errors);
  return tables[0];
}

}  // namespace lvsi::radiomics

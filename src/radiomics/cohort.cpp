#include "lvsi/radiomics/cohort.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/core/sha1.h"
#include "lvsi/core/logging.h"
#include "lvsi/core/parallel.h"
#include "lvsi/radiomics/extractor.h"
#include "lvsi/version.h"

namespace lvsi::radiomics {
namespace fs = std::filesystem;
namespace {

// A file name for a case id: the id itself when it is made of letters,
// digits, '_', '-' and '.' (not first); otherwise those characters with the
// others as '_', and the id's digest appended, so that every id keeps its
// own files and none can name a path outside the folder ("../x", "a/b").
std::string SafeName(const std::string& id) {
  std::string safe;
  for (char c : id)
    safe += std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || (c == '.' && !safe.empty()) ? c : '_';
  if (safe == id && id.size() <= 100) return id;
  Sha1 digest;
  digest.Add(id.data(), id.size());
  return safe.substr(0, 60) + "-" + digest.HexDigest().substr(0, 16);
}

std::string CaseFile(const std::string& dir, const std::string& id, const std::string& what) {
  return (fs::path(dir) / "cases" / (SafeName(id) + "." + what)).string();
}

// Adds a file's content to `digest` (a folder, such as a DICOM series: the
// names, sizes and modification times of its files).  A file that cannot
// be read adds a marker: the extraction reports it.
void AddInput(Sha1& digest, const std::string& path) {
  // The content, not the path: a cohort folder moved or copied elsewhere
  // keeps its finished cases.
  digest.Add(path.empty() ? "none" : "file", 5);
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::vector<std::string> entries;
    for (const auto& e : fs::directory_iterator(path, ec)) {
      std::error_code ec2;
      const auto stamp = fs::last_write_time(e.path(), ec2).time_since_epoch().count();
      entries.push_back(e.path().filename().string() + " " + std::to_string(e.is_regular_file(ec2) ? e.file_size(ec2) : 0) +
                        " " + std::to_string(stamp));
    }
    std::sort(entries.begin(), entries.end());
    for (const auto& e : entries) digest.Add(e.data(), e.size() + 1);
    return;
  }
  std::ifstream in(path, std::ios::binary);
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    digest.Add(buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (!in.eof()) digest.Add("unreadable", 10);  // the extraction will report it
}

// What determines a case's features besides the settings: its id and the
// content of its images and masks.
std::string InputsDigest(const io::ManifestCase& c, const std::vector<std::string>& sequences, bool second_reader) {
  Sha1 digest;
  digest.Add(c.case_id.data(), c.case_id.size() + 1);
  for (const auto& seq : sequences) {
    const auto it = c.sequences.find(seq);
    if (it == c.sequences.end()) continue;
    digest.Add(seq.data(), seq.size() + 1);
    AddInput(digest, it->second.image);
    AddInput(digest, it->second.mask);
    if (second_reader && !it->second.mask_r2.empty()) AddInput(digest, it->second.mask_r2);
  }
  return digest.HexDigest();
}

}  // namespace

std::string CohortExtractor::SettingsDigest(const io::CohortManifest& manifest) const {
  Sha1 digest;
  const std::string head = "lvsi " + Version() + "\nreaders " + (settings_.second_reader ? "2" : "1") + "\n";
  digest.Add(head.data(), head.size());
  for (const auto& seq : manifest.sequences) {
    const auto it = parameters_.find(seq);
    const std::string text =
        seq + "\n" + (it == parameters_.end() ? ExtractionParameters::Defaults() : it->second).ToYaml() + "\n";
    digest.Add(text.data(), text.size());
  }
  return digest.HexDigest();
}

namespace {

}  // namespace

bool CohortExtractionSettings::IsValid(std::string* why) const {
  if (output_dir.empty()) return Invalid(why, "output folder not set");
  if (shard_count < 1 || shard_index < 1 || shard_index > shard_count)
    return Invalid(why, "shard must be i/N with 1 <= i <= N, got " + std::to_string(shard_index) + "/" +
                std::to_string(shard_count));
  if (threads < 0) return Invalid(why, "threads must be >= 0");
  return true;
}

bool ParseShard(std::string_view text, int* index, int* count) noexcept {
  const auto slash = text.find('/');
  long long i = 0, n = 0;
  if (slash == std::string_view::npos || !ParseInteger(text.substr(0, slash), &i) ||
      !ParseInteger(text.substr(slash + 1), &n) || n < 1 || n > 1000000 || i < 1 || i > n)
    return false;
  *index = static_cast<int>(i);
  *count = static_cast<int>(n);
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
  if (ec) throw OutputError(settings_.output_dir, "cannot create the output folder: " + ec.message());
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
  const std::string settings_line = "settings " + SettingsDigest(manifest) + "\n";
  ParallelFor(0, mine.size(), [&](std::size_t k) {
    const io::ManifestCase& c = *mine[k];
    const std::string r1 = CaseFile(settings_.output_dir, c.case_id, "reader1.csv");
    const std::string r2 = CaseFile(settings_.output_dir, c.case_id, "reader2.csv");
    const std::string err = CaseFile(settings_.output_dir, c.case_id, "error.txt");
    const std::string key_file = CaseFile(settings_.output_dir, c.case_id, "key");
    // A finished case is reused only when it was extracted from the same
    // images and masks with the same parameters and lvsi version.
    const std::string key =
        settings_line + "inputs " + InputsDigest(c, manifest.sequences, settings_.second_reader) + "\n";
    std::error_code ec;
    bool reused = false;
    if (fs::exists(r1, ec) && fs::exists(key_file, ec)) {
      try {
        reused = ReadTextFile(key_file) == key;
      } catch (const Error&) {
      }
    }
    std::string failure;
    if (!reused) {
      // The key goes first and comes back last: a case is finished only
      // when its reader-1 file and its key both exist.
      fs::remove(key_file, ec);
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
          t2.WriteCsv(r2);
        } else {
          fs::remove(r2, ec);
        }
        FeatureTable t1;
        t1.AppendRow(c.case_id, row1);
        t1.WriteCsv(r1);
        fs::remove(err, ec);
        WriteFileAtomically(key_file, key);
      } catch (const OutputError&) {
        // A full disk or a folder that cannot be written: no use going on
        // (ParallelFor cancels the other cases); the finished ones stay.
        fs::remove(r1, ec);
        throw;
      } catch (const std::exception& e) {
        failure = e.what();
        try {
          fs::remove(r1, ec);
          WriteFileAtomically(err, failure + "\n");
        } catch (const std::exception&) {
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
  std::string settings_line, first_case;  // of the first finished case
  for (const auto& c : manifest.cases) {
    const std::string r1 = CaseFile(output_dir, c.case_id, "reader1.csv");
    const std::string r2 = CaseFile(output_dir, c.case_id, "reader2.csv");
    const std::string err = CaseFile(output_dir, c.case_id, "error.txt");
    const std::string key_file = CaseFile(output_dir, c.case_id, "key");
    if (!fs::exists(r1) || !fs::exists(key_file)) {
      std::string reason = fs::exists(err) ? ReadTextFile(err) : "not extracted";
      while (!reason.empty() && reason.back() == '\n') reason.pop_back();
      errors += CsvEscape(c.case_id) + "," + CsvEscape(reason) + "\n";
      continue;
    }
    const std::string key = ReadTextFile(key_file);
    const std::string line = key.substr(0, key.find('\n'));
    if (first_case.empty()) {
      settings_line = line;
      first_case = c.case_id;
    } else if (line != settings_line) {
      throw IoError(output_dir, "cases " + first_case + " and " + c.case_id +
                                    " were extracted with different parameters or lvsi versions; run the extraction "
                                    "again with one set of parameter files (it recomputes the cases that differ)");
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

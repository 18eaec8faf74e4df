#pragma once
/// \file
/// Cohort-scale extraction: every sequence of every case of a manifest, for
/// both readers, in parallel, resumable, shardable across machines.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lvsi/core/feature_table.h"
#include "lvsi/core/progress.h"
#include "lvsi/io/manifest.h"
#include "lvsi/radiomics/export.h"
#include "lvsi/radiomics/settings.h"

namespace lvsi::radiomics {

/// How a cohort is extracted.
struct LVSI_RADIOMICS_EXPORT CohortExtractionSettings {
  std::string output_dir;       ///< Results folder (created); per-case files in `cases/`.
  int threads = 0;              ///< Cases in parallel (0: DefaultThreadCount()).
  int shard_index = 1;          ///< This share, 1-based (`--shard i/N`).
  int shard_count = 1;          ///< Number of disjoint shares.
  bool second_reader = true;    ///< Also extract from `<m>_mask_r2` where present.
  ProgressCallback progress;    ///< Called after every case (may be empty).
  bool IsValid(std::string* why = nullptr) const;
};

/// Reads a share as `--shard` takes it, "i/N" with 1 <= i <= N <= 1000000
/// (e.g. "3/10"), into `*index` and `*count`.  False, and nothing written,
/// for anything else.
LVSI_RADIOMICS_EXPORT bool ParseShard(std::string_view text, int* index, int* count) noexcept;

/// What a run did.
struct LVSI_RADIOMICS_EXPORT CohortExtractionReport {
  std::size_t cases = 0;      ///< Cases in this shard.
  std::size_t extracted = 0;  ///< Extracted in this run.
  std::size_t reused = 0;     ///< Already finished by an earlier run.
  std::vector<std::pair<std::string, std::string>> errors;  ///< case id -> reason.
  double seconds = 0;
  std::string BriefReport() const;
};

/// Extracts radiomics for a cohort.  Each case's features (all sequences,
/// columns prefixed `<sequence>_`) are written to
/// `OUT/cases/<case>.reader1.csv` (and `.reader2.csv`) atomically when the
/// case is complete, then its key `OUT/cases/<case>.key`: the digests of
/// the settings (SettingsDigest) and of the case's id and image and mask
/// contents.  A killed run loses at most the cases in flight; a rerun
/// reuses a finished case only when its key is unchanged, and extracts it
/// again when an image, a mask, a parameter or the lvsi version differs.  A
/// failed case writes `OUT/cases/<case>.error.txt` (retried by the next run)
/// and does not stop the others.  Merge() assembles the tables.
///
/// `<case>` is the case id when it is made of letters, digits, '_', '-'
/// and '.' (not first), at most 100 characters; any other id is written
/// with '_' for the other characters and a digest of the id appended, so
/// no id names a file outside `OUT/cases`.
class LVSI_RADIOMICS_EXPORT CohortExtractor {
 public:
  /// `parameters` maps each manifest sequence to its extraction parameters
  /// (sequences without an entry use pyradiomics' defaults).
  CohortExtractor(std::map<std::string, ExtractionParameters> parameters, CohortExtractionSettings settings);

  /// Extracts this shard's cases.  Throws OutputError when the output folder
  /// or a case's files cannot be written (a full disk): the run stops, the
  /// cases finished before are kept.  Case failures are reported, not thrown.
  CohortExtractionReport Run(const io::CohortManifest& manifest) const;

  /// Reads every finished case of `manifest` from `output_dir` and writes
  /// `features_reader1.csv`, `features_reader2.csv` (when present) and
  /// `errors.csv`; returns the reader-1 table.  Cases not finished are listed
  /// in errors.csv as "not extracted".  Throws IoError naming the folder
  /// when finished cases were extracted with different settings.
  static FeatureTable Merge(const io::CohortManifest& manifest, const std::string& output_dir);

  /// The digest (40 hex digits) of everything besides a case's own inputs
  /// that determines its features: the lvsi version, whether the second
  /// reader is extracted, and each sequence's ExtractionParameters::ToYaml.
  std::string SettingsDigest(const io::CohortManifest& manifest) const;

 private:
  std::map<std::string, ExtractionParameters> parameters_;
  CohortExtractionSettings settings_;
};

}  // namespace lvsi::radiomics

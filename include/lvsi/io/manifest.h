#pragma once
/// \file
/// Cohort manifests: one CSV row per patient naming label, images, masks
/// (two readers) and clinical variables.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "lvsi/io/export.h"

namespace lvsi::io {

/// Files of one MRI sequence of one case (absolute paths).
struct SequenceFiles {
  std::string image;    ///< The image (`<m>_image`).
  std::string mask;     ///< First reader's mask (`<m>_mask`).
  std::string mask_r2;  ///< Second reader's mask (`<m>_mask_r2`), empty when none.
};

/// One patient of a manifest.
struct ManifestCase {
  std::string case_id;  ///< `case_id`, unique.
  int label = 0;        ///< `label`: 1 = LVSI positive, 0 = negative.
  std::string split;    ///< `split`: "train", "validation" or empty (column absent).
  /// Sequence name (e.g. "t2w") -> files.  A sequence whose image and mask
  /// cells are both empty is absent for this case.
  std::map<std::string, SequenceFiles> sequences;
  /// Clinical column -> raw cell text (empty = missing).
  std::map<std::string, std::string> clinical;
  std::size_t line = 0;  ///< Line in the manifest (1-based).
};

/// A parsed, validated cohort manifest.
///
/// Columns: `case_id`, `label` (0/1) required; for each sequence `<m>` the
/// columns `<m>_image` and `<m>_mask`, optionally `<m>_mask_r2`; optional
/// `split` (`train` / `validation`); every other column is a clinical
/// variable.  Relative paths are relative to the manifest's folder.
struct LVSI_IO_EXPORT CohortManifest {
  std::string path;                           ///< The manifest file.
  std::vector<std::string> sequences;         ///< In column order.
  std::vector<std::string> clinical_columns;  ///< In column order.
  bool has_split = false;                     ///< The `split` column exists.
  std::vector<ManifestCase> cases;            ///< In file order.

  /// True when every non-empty value of clinical column `name` is a number.
  bool IsNumericClinical(const std::string& name) const;
  /// True when every case with sequence `m` has a second reader's mask.
  bool HasSecondReader(const std::string& m) const;
};

/// Settings of ReadManifest.
struct LVSI_IO_EXPORT ManifestSettings {
  bool check_files_exist = true;  ///< Report image/mask files that do not exist.
  /// Sequences that every case must have (empty: none required).
  std::vector<std::string> required_sequences;
  /// False, with the reason in `why` (when not null), when a setting is out of range.
  bool IsValid(std::string* why = nullptr) const;
};

/// The name of lvsi 0.1, kept for one minor release.
using ManifestOptions [[deprecated("use ManifestSettings")]] = ManifestSettings;

/// Reads and validates a manifest.  Every problem (missing columns,
/// duplicate or empty ids, labels other than 0/1, bad split values,
/// missing files, half-specified sequences) is collected and reported at
/// once in a ManifestError with line numbers.  IoError when the file
/// cannot be read, FormatError when it is not CSV.
LVSI_IO_EXPORT CohortManifest ReadManifest(const std::string& path,
                                           const ManifestSettings& options = {});

/// Writes a manifest (paths relative to the manifest's folder when they lie
/// below it), atomically.
LVSI_IO_EXPORT void WriteManifest(const CohortManifest& manifest, const std::string& path);

}  // namespace lvsi::io

#pragma once
/// \file
/// A synthetic multiparametric MRI cohort for demonstrations and tests: the
/// study's three sequences with its voxel spacings, one physical tumour per
/// patient rendered into each sequence's grid, two readers' masks,
/// clinical variables and an LVSI label that depends on the tumour's
/// texture and shape.  Written as NIfTI files and a manifest, so it goes
/// through the same path as real data.
#include <string>

#include "lvsi/io/export.h"
#include "lvsi/io/manifest.h"

namespace lvsi::io {

/// Settings of GenerateSyntheticCohort.
struct LVSI_IO_EXPORT SyntheticCohortSettings {
  int patients = 155;     ///< Number of patients (at least 3).
  unsigned seed = 7;      ///< Everything random derives from it; patient p from (seed, p).
  int threads = 0;        ///< Patients generated in parallel (0: DefaultThreadCount()).
  /// False, with the reason in `why` (when not null), when a setting is out of range.
  bool IsValid(std::string* why = nullptr) const;
};

/// The name of lvsi 0.1, kept for one minor release.
using SyntheticCohortOptions [[deprecated("use SyntheticCohortSettings")]] = SyntheticCohortSettings;

/// Generates the cohort into `dir`: `dir/images/<case>_<seq>.nii.gz`,
/// `_mask.nii.gz` (reader 1), `_mask_r2.nii.gz` (reader 2) and
/// `dir/cohort.csv`, and returns the manifest.
///
/// Sequences (study spacings, small matrices): t2w 0.5 x 0.5 x 6.75 mm,
/// 96 x 96 x 8; adc 2.34 x 2.34 x 6.75 mm, 24 x 24 x 8; cet1 1.25 x 1.25 x
/// 2.5 mm, 40 x 40 x 20 (about 50 mm fields of view).  The tumour is an
/// ellipsoid with a lobulated boundary and an internal texture; its
/// heterogeneity and lobulation set the log-odds of LVSI (plus noise), so
/// the label follows texture and shape, not mean intensity.  Each image
/// has Rician-like noise, a smooth bias field and a per-patient intensity
/// scale; reader 2's mask moves the boundary by a random amount.  Clinical
/// columns: age, figo_stage, histology, tumour_diameter_mm.  Deterministic
/// for a seed whatever the thread count.  Throws InvalidArgument for fewer
/// than 3 patients, IoError when `dir` cannot be written.
LVSI_IO_EXPORT CohortManifest GenerateSyntheticCohort(const std::string& dir,
                                                      const SyntheticCohortSettings& options = {});

}  // namespace lvsi::io

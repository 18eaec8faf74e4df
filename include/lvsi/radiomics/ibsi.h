#pragma once
/// \file
/// IBSI-1 texture features with IBSI's six aggregation methods (the first
/// part of lvsi's IBSI mode; pyradiomics' definitions stay the default
/// elsewhere).  Each feature carries its IBSI family, name and code as the
/// IBSI reference tables write them, so results join those tables on
/// (code, aggregation).
///
/// Input is a discretised ROI: a LabelImage holding each ROI voxel's grey
/// level 1..grey_levels and 0 outside the ROI (IBSI's intensity mask).
/// Slices for 2D and 2.5D are the planes of constant z (the third index).
/// Neighbours are at Chebyshev distance 1: 4 in-plane directions for 2D and
/// 2.5D, 13 for 3D; a co-occurrence counts both orders (symmetric matrices).
///
/// Aggregation (IBSI 1, section 3.1.4):
/// - 2D, averaged: features of each slice's matrix in each direction, averaged;
/// - 2D, slice-merged: each slice's directions merged, features averaged over slices;
/// - 2.5D, direction-merged: each direction merged over slices, features averaged over directions;
/// - 2.5D, merged: every slice and direction merged into one matrix;
/// - 3D, averaged: features of each 3D direction's matrix, averaged;
/// - 3D, merged: the 13 directions merged into one matrix.
/// Matrices without any count (a slice with no neighbouring ROI pair in a
/// direction) are left out of averages.  For the run percentage of a merged
/// run length matrix the voxel count is summed over the merged matrices, as
/// IBSI prescribes.

#include <string>
#include <vector>

#include "lvsi/core/volume.h"
#include "lvsi/radiomics/export.h"

namespace lvsi::radiomics::ibsi {

/// IBSI's texture aggregation methods.
enum class Aggregation {
  k2DAveraged,
  k2DSliceMerged,
  k25DDirectionMerged,
  k25DMerged,
  k3DAveraged,
  k3DMerged,
};

/// The six methods in IBSI's order.
LVSI_RADIOMICS_EXPORT const std::vector<Aggregation>& AllAggregations();

/// The method as IBSI's reference tables name it: "2D, averaged",
/// "2D, slice-merged", "2.5D, direction-merged", "2.5D, merged",
/// "3D, averaged", "3D, merged".
LVSI_RADIOMICS_EXPORT std::string AggregationName(Aggregation aggregation);

/// One IBSI feature value.
struct Feature {
  std::string family;  ///< IBSI's family abbreviation: "cm", "rlm", ...
  std::string name;    ///< IBSI's feature name, e.g. "Joint maximum"
  std::string code;    ///< IBSI's identifier, e.g. "GYBY"
  Aggregation aggregation = Aggregation::k3DMerged;
  double value = 0;
};

/// The 25 grey level co-occurrence matrix features (IBSI 3.6, family "cm")
/// with the given aggregation.  Throws InvalidArgument when `levels` holds
/// a value outside 0..grey_levels or `grey_levels` < 1, and DataError when
/// no matrix has a count (no two ROI voxels are neighbours).
LVSI_RADIOMICS_EXPORT std::vector<Feature> CooccurrenceFeatures(const LabelImage& levels, int grey_levels,
                                                                Aggregation aggregation);

/// The 16 grey level run length matrix features (IBSI 3.7, family "rlm")
/// with the given aggregation.  Errors as CooccurrenceFeatures (DataError
/// when the ROI is empty).
LVSI_RADIOMICS_EXPORT std::vector<Feature> RunLengthFeatures(const LabelImage& levels, int grey_levels,
                                                             Aggregation aggregation);

}  // namespace lvsi::radiomics::ibsi

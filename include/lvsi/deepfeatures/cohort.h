#pragma once
/// \file
/// The deep-learning inputs of a cohort: the largest tumour slice of one
/// sequence for every case of a manifest, as one batch.
#include <string>
#include <utility>
#include <vector>

#include "lvsi/deepfeatures/export.h"
#include "lvsi/io/manifest.h"
#include "lvsi/preprocessing/slice.h"

namespace lvsi::deepfeatures {

/// Network inputs of several cases of one sequence.
struct LVSI_DEEPFEATURES_EXPORT SliceSet {
  std::string sequence;                ///< e.g. "t2w".
  int size = 224;                      ///< Width and height of each image.
  std::vector<std::string> case_ids;   ///< One per image.
  std::vector<int> labels;             ///< The manifest's label of each case.
  std::vector<std::size_t> slices;     ///< The slice used (index along the third axis).
  std::vector<float> values;           ///< count() x 3 x size x size, C order.
  /// Cases left out, with the reason (missing sequence, unreadable file,
  /// empty mask, NaN intensities).
  std::vector<std::pair<std::string, std::string>> errors;

  int count() const { return static_cast<int>(case_ids.size()); }
  /// The images at `indices`, in that order (errors are not carried over).
  SliceSet Subset(const std::vector<std::size_t>& indices) const;
  /// Channel 0 of image `i` (size x size, row-major), e.g. to draw it.
  std::vector<double> Plane(std::size_t i) const;
};

/// Reads the image and first reader's mask of `sequence` for every case
/// of `manifest` and extracts the largest tumour slice
/// (preprocessing::ExtractTumourSlice with `options`), `threads` cases in
/// parallel (0: DefaultThreadCount()).  A case that fails is listed in
/// `errors` and left out; the order of the others is the manifest's.
LVSI_DEEPFEATURES_EXPORT SliceSet LoadTumourSlices(const io::CohortManifest& manifest, const std::string& sequence,
                                                   const preprocessing::SliceSettings& options = {}, int threads = 0);

}  // namespace lvsi::deepfeatures

#pragma once
/// \file
/// The region of interest prepared for feature computation.

#include <string>
#include <utility>
#include <vector>

#include "lvsi/core/volume.h"
#include "lvsi/preprocessing/discretization.h"
#include "lvsi/radiomics/export.h"

namespace lvsi::radiomics {

/// Named feature values in output order.
using FeatureList = std::vector<std::pair<std::string, double>>;

/// Description of one feature of a family, for documentation and lookup.
struct FeatureInfo {
  std::string name;         ///< pyradiomics name, e.g. "JointEntropy".
  bool deprecated = false;  ///< Not enabled by "all features" (pyradiomics' @deprecated).
  std::string ibsi;         ///< IBSI identifier, empty where IBSI has none.
  std::string formula;      ///< Definition (LaTeX).
  std::string note;         ///< Deviation from IBSI or other remarks; may be empty.
  std::string unit;         ///< Unit of the value: "mm^3", "intensity^2", "bits", "unitless", ...
};

/// An image and mask cropped to the ROI's bounding box, with the grey levels
/// after discretisation.  Arrays are in x-fastest order over the box.
struct LVSI_RADIOMICS_EXPORT Roi {
  Geometry geometry;               ///< Grid of the cropped box.
  std::vector<double> values;      ///< Intensities of every box voxel.
  std::vector<std::uint8_t> mask;  ///< 1 inside the ROI.
  std::vector<int> levels;         ///< Discretised grey level (1..N) inside, 0 outside.
  std::vector<int> gray_levels;    ///< Distinct levels present in the ROI, ascending.
  int max_level = 0;               ///< Highest level present (pyradiomics' Ng).
  std::size_t voxel_count = 0;     ///< Voxels in the ROI.
  std::vector<double> bin_edges;   ///< Edges used for discretisation.
  /// Level indices into gray_levels on the box padded by one voxel on every
  /// side (x fastest, sizes + 2): -1 for box voxels outside the ROI, -2 on
  /// the padding, so that neighbours at distance 1 need no bounds checks.
  /// Build fills it; code that edits mask or levels afterwards must clear
  /// it (the texture classes then make their own).
  std::vector<int> padded_index;
  /// Positions in padded_index of the ROI voxels, in box order.
  std::vector<std::size_t> padded_voxels;

  /// Builds the ROI from an image and mask already cropped to the box.
  /// Throws DataError when the mask is empty or the sizes differ.
  static Roi Build(const Image& image, const Mask& mask,
                   const preprocessing::DiscretizationSettings& discretization);
  /// The intensities inside the ROI, in box order.
  std::vector<double> RoiValues() const;
};

/// Neighbourhood settings shared by the texture families.
struct TextureSettings {
  std::vector<int> distances{1};   ///< Neighbour distances (infinity norm) [voxels].
  bool symmetrical_glcm = true;    ///< GLCM counts (i,j) and (j,i).
  /// GLCM/GLRLM distance weighting: "", "manhattan", "euclidean",
  /// "infinity" or "no_weighting" (empty: average over angles).
  std::string weighting_norm;
  double gldm_a = 0;               ///< GLDM dependence cut-off alpha [grey levels].
  bool force2d = false;            ///< Use in-plane neighbours only.
  /// Out-of-plane axis in pyradiomics' (z, y, x) numbering: 0 = z (axial).
  int force2d_dimension = 0;
  /// Checks distances >= 1, a known weighting norm, force2d_dimension in 0..2.
  bool IsValid(std::string* why = nullptr) const;
};

}  // namespace lvsi::radiomics

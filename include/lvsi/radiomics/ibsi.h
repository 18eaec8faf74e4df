#pragma once
/// \file
/// IBSI mode: IBSI-1's features (all eleven families, every aggregation
/// method) and image processing, beside pyradiomics mode (the default,
/// FeatureExtractor).  Each feature carries its IBSI family, name and code
/// as the IBSI reference tables write them, so results join those tables on
/// (code, aggregation).  Settings: the `ibsi:` section of a parameter file
/// (ReadSettings); end to end: Extract / ExtractFiles; each family has a
/// function of its own.  docs/radiomics.md, "IBSI mode".
///
/// The texture families take a discretised ROI: a LabelImage holding each ROI voxel's grey
/// level 1..grey_levels and 0 outside the ROI (IBSI's intensity mask).
/// Slices for 2D and 2.5D are the planes of constant z (the third index).
/// Neighbours are at Chebyshev distance 1: 4 in-plane directions for 2D and
/// 2.5D, 13 for 3D; a co-occurrence counts both orders (symmetric matrices).
///
/// Aggregation (IBSI 1, section 3.1.4), for the directional matrices
/// (co-occurrence, run length):
/// - 2D, averaged: features of each slice's matrix in each direction, averaged;
/// - 2D, slice-merged: each slice's directions merged, features averaged over slices;
/// - 2.5D, direction-merged: each direction merged over slices, features averaged over directions;
/// - 2.5D, merged: every slice and direction merged into one matrix;
/// - 3D, averaged: features of each 3D direction's matrix, averaged;
/// - 3D, merged: the 13 directions merged into one matrix.
/// and for the zone and neighbourhood matrices (size zone, distance zone,
/// neighbourhood grey tone difference, neighbouring grey level dependence):
/// - 2D: each slice's matrix (8 in-plane neighbours), features averaged;
/// - 2.5D: the slices' matrices merged;
/// - 3D: the volume's matrix (26 neighbours).
/// Zones are connected voxels of one grey level (8 in-plane or 26
/// neighbours); a zone's distance is its voxels' least distance to the ROI's
/// edge, counted in face steps (4 in-plane or 6 neighbours; 1 on the edge).
/// Neighbourhoods hold the neighbours inside the ROI (incomplete ones
/// count); the dependence coarseness is 0 (same grey level).
/// Matrices without any count (a slice with no neighbouring ROI pair in a
/// direction) are left out of averages.  For the run percentage of a merged
/// run length matrix the voxel count is summed over the merged matrices, as
/// IBSI prescribes.

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "lvsi/core/volume.h"
#include "lvsi/radiomics/export.h"

namespace lvsi::radiomics::ibsi {

/// The most grey levels the texture matrices take (a co-occurrence matrix
/// holds their square); more is an InvalidArgument, and IBSI mode's
/// discretisation gives a DataError before.
inline constexpr int kMaxGreyLevels = 10000;

/// IBSI's texture aggregation methods.
enum class Aggregation {
  k2DAveraged,
  k2DSliceMerged,
  k25DDirectionMerged,
  k25DMerged,
  k3DAveraged,
  k3DMerged,
  k2D,   ///< zone and neighbourhood matrices: per slice, averaged
  k25D,  ///< zone and neighbourhood matrices: the slices merged
  k3D,   ///< zone and neighbourhood matrices: in 3D
  kNone, ///< families without aggregation (intensity, histogram, IVH, local intensity)
};

/// The six methods of the directional matrices, in IBSI's order.
LVSI_RADIOMICS_EXPORT const std::vector<Aggregation>& AllAggregations();

/// The three methods of the zone and neighbourhood matrices (2D, 2.5D, 3D).
LVSI_RADIOMICS_EXPORT const std::vector<Aggregation>& RegionAggregations();

/// The method as IBSI's reference tables name it: "2D, averaged",
/// "2D, slice-merged", "2.5D, direction-merged", "2.5D, merged",
/// "3D, averaged", "3D, merged"; "2D", "2.5D", "3D"; "" for kNone.
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

/// The 16 grey level size zone matrix features (IBSI 3.8, family "szm");
/// `aggregation` is 2D, 2.5D or 3D (InvalidArgument otherwise).  Errors
/// otherwise as RunLengthFeatures.
LVSI_RADIOMICS_EXPORT std::vector<Feature> SizeZoneFeatures(const LabelImage& levels, int grey_levels,
                                                            Aggregation aggregation);

/// The 16 grey level distance zone matrix features (IBSI 3.9, family
/// "dzm").  Distances to the edge are those of `morphological_mask`
/// (non-zero inside; IBSI: re-segmentation does not move the edge), or of
/// the ROI in `levels` when it is null.  Errors as SizeZoneFeatures, and
/// GeometryError when the mask's grid differs.
LVSI_RADIOMICS_EXPORT std::vector<Feature> DistanceZoneFeatures(const LabelImage& levels, int grey_levels,
                                                                Aggregation aggregation,
                                                                const LabelImage* morphological_mask = nullptr);

/// The 5 neighbourhood grey tone difference matrix features (IBSI 3.10,
/// family "ngt").  Errors as SizeZoneFeatures.
LVSI_RADIOMICS_EXPORT std::vector<Feature> ToneDifferenceFeatures(const LabelImage& levels, int grey_levels,
                                                                  Aggregation aggregation);

/// The 17 neighbouring grey level dependence matrix features (IBSI 3.11,
/// family "ngl").  Errors as SizeZoneFeatures.
LVSI_RADIOMICS_EXPORT std::vector<Feature> DependenceFeatures(const LabelImage& levels, int grey_levels,
                                                              Aggregation aggregation);

/// The 18 intensity-based statistics (IBSI 3.3, family "stat") of the
/// intensities of the ROI's voxels (IBSI's intensity mask).  Percentiles
/// interpolate linearly between order statistics.  Throws DataError for no
/// values or a value that is not finite.
LVSI_RADIOMICS_EXPORT std::vector<Feature> IntensityStatistics(const std::vector<double>& intensities);

/// The 23 intensity histogram features (IBSI 3.4, family "ih") of the
/// discretised ROI (levels as for CooccurrenceFeatures).  The mode is the
/// most frequent level, the one nearest the mean on a tie; the histogram's
/// gradient is one-sided at levels 1 and grey_levels, central inside; the
/// maximum and minimum gradient intensities are the first levels reaching
/// them.  Identifiers are the IBSI manual's (its reference tables give
/// 1PR8 to both the minimum and the 10th percentile, and GPMT to the 90th,
/// whose identifiers are GPMT and OZ0C).
LVSI_RADIOMICS_EXPORT std::vector<Feature> IntensityHistogramFeatures(const LabelImage& levels, int grey_levels);

/// The intensity-volume histogram features (IBSI 3.5, family "ivh") for
/// x = 10% and 90%: V10, V90 (volume fractions with an intensity fraction
/// (X - low) / (high - low) of at least x), I10, I90 (the least intensity of
/// the grid low, low + step, ..., high with at most the fraction x of the
/// volume at or above it) and the two differences.  For discretised
/// intensities: low 1, high the number of grey levels, step 1.  Throws
/// DataError for no values and InvalidArgument for a bad grid.
LVSI_RADIOMICS_EXPORT std::vector<Feature> IntensityVolumeFeatures(const std::vector<double>& intensities, double low,
                                                                   double high, double step);

/// The local and global intensity peaks (IBSI 3.2, family "loc"): the mean
/// intensity of the image's voxels whose centres lie in a sphere of 1 cm^3
/// around a voxel centre, at the ROI's brightest voxel (the largest such
/// mean if several) and the largest over the ROI.  `roi` is non-zero
/// inside.  Throws GeometryError when the grids differ, DataError for an
/// empty ROI.
LVSI_RADIOMICS_EXPORT std::vector<Feature> LocalIntensityFeatures(const Image& image, const LabelImage& roi);

/// The 29 morphological features of IBSI 3.1 (family "morph"): mesh and
/// voxel volumes, surface area and the ratios built on them, centre of mass
/// shift, maximum 3D diameter, the principal axes (voxel-centre covariance
/// with N - 1), elongation, flatness, volume and area densities of the
/// axis-aligned bounding box, the oriented minimum bounding box (the
/// smallest box with a face flush with a convex hull face: IBSI allows this
/// approximation), the approximate enclosing ellipsoid (semi-axes
/// 2 sqrt(lambda)), the minimum volume enclosing ellipsoid (Khachiyan's
/// algorithm on the hull, relative tolerance 1e-6) and the convex hull
/// (of the mesh's vertices), integrated intensity, Moran's I and
/// Geary's C (weights 1 / distance, every pair of the intensity mask: the
/// cost grows with the square of the voxel count).  The mesh is the shape
/// class's (marching cubes), so volume, area and diameter equal pyradiomics
/// mode's.  Masks are non-zero inside; the morphological mask gives shape,
/// the intensity mask (after re-segmentation) the intensities.  Throws
/// GeometryError when the grids differ, DataError for an empty ROI or a
/// flat mesh.
LVSI_RADIOMICS_EXPORT std::vector<Feature> MorphologyFeatures(const Image& image, const LabelImage& morphological_mask,
                                                              const LabelImage& intensity_mask);

/// IBSI's image interpolation methods.
enum class Interpolator {
  kNearest,      ///< nearest neighbour
  kLinear,       ///< (bi/tri)linear
  kCubicSpline,  ///< (bi/tri)cubic B-spline (prefiltered, mirror boundaries)
};

/// IBSI's interpolation (IBSI 1, 2.4) of an image onto `spacing` [mm]: the
/// new grid has ceil(old extent / new spacing) voxels per axis and the same
/// centre as the old one (world origin and direction follow); values come
/// from `method` between old voxel centres (in-plane only with `in_plane`,
/// which keeps the slices), beyond them the nearest boundary value, and are
/// rounded to integers with `round` (IBSI's intensity rounding).  Throws
/// InvalidArgument for a spacing that is not a positive number.
LVSI_RADIOMICS_EXPORT Image InterpolateImage(const Image& image, const std::array<double, 3>& spacing, bool in_plane,
                                             bool round, Interpolator method = Interpolator::kLinear);

/// The ROI (non-zero inside) on the same grid as InterpolateImage: its 0/1
/// indicator interpolated linearly, voxels at or above `partial_volume`
/// (IBSI's partial volume threshold, 0.5 in IBSI's configurations) inside.
LVSI_RADIOMICS_EXPORT LabelImage InterpolateMask(const LabelImage& mask, const std::array<double, 3>& spacing,
                                                 bool in_plane, double partial_volume);

/// How intensities become grey levels (IBSI 2.7).
enum class Discretisation {
  kNone,            ///< the intensities themselves (the IVH of calibrated, discrete units)
  kFixedBinSize,    ///< floor((X - X_min) / w) + 1; X_min the range's lower bound, else the ROI's minimum
  kFixedBinNumber,  ///< floor(N (X - X_min) / (X_max - X_min)) + 1, capped at N; the ROI's extremes
};

/// IBSI mode's configuration: the `ibsi:` section of a parameter file.
/// The texture parameters are IBSI's (distance 1, NGLDM coarseness 0).
struct Settings {
  bool three_d = true;  ///< `dimensions: 3D`; 2D: in-plane interpolation, slice-wise texture
  bool all_aggregations = false;  ///< `dimensions: all`: every aggregation method (3D interpolation)
  bool round_input = false;       ///< `round_input`: intensities rounded to integers when read (IBSI's CT phantom)
  std::optional<std::array<double, 3>> spacing;  ///< `interpolation: spacing` [mm]; none: no interpolation
  Interpolator interpolator = Interpolator::kLinear;  ///< `interpolation: method` (nearest, linear, cubic_spline)
  bool round_intensities = true;                     ///< `interpolation: round`
  double partial_volume = 0.5;                       ///< `interpolation: roi_partial_volume`
  std::optional<double> range_low, range_high;       ///< `resegmentation: range` [intensity units]
  std::optional<double> outlier_sigma;               ///< `resegmentation: outlier_sigma` (IBSI: 3)
  Discretisation discretisation = Discretisation::kFixedBinSize;  ///< `discretisation: method` (fbs, fbn)
  double bin_width = 25;                              ///< `discretisation: bin_width`
  int bin_count = 32;                                 ///< `discretisation: bins`
  Discretisation ivh = Discretisation::kNone;         ///< `ivh: method` (none, fbs, fbn)
  double ivh_bin_width = 1;                           ///< `ivh: bin_width`
  int ivh_bin_count = 1000;                           ///< `ivh: bins`
  int label = 1;                                      ///< `label`: the ROI's value in the mask
};

/// Reads the `ibsi:` section of parameter-file text (`source` names it in
/// errors).  Throws FormatError for malformed YAML and InvalidArgument,
/// naming the key, for a missing section, another section beside it, an
/// unknown key or a value of the wrong kind or range.
LVSI_RADIOMICS_EXPORT Settings ParseSettings(const std::string& yaml_text, const std::string& source = "parameters");
/// ParseSettings of a file; IoError when it cannot be read.
LVSI_RADIOMICS_EXPORT Settings ReadSettings(const std::string& path);

/// IBSI mode end to end: the ROI (`label`), interpolation of image and ROI,
/// re-segmentation (range, outlier filtering) into the intensity mask,
/// discretisation, then every family: morph, loc, stat, ih, ivh, cm, rlm,
/// szm, dzm, ngt, ngl, the texture families with the aggregation methods of
/// the dimensions (2D: 2D averaged, 2D slice-merged, 2.5D direction-merged,
/// 2.5D merged and 2D, 2.5D; 3D: 3D averaged, 3D merged and 3D; all: every
/// method).  Throws
/// GeometryError when the grids differ, DataError for an absent label, a
/// non-finite intensity, or a ROI that interpolation or re-segmentation
/// empties.
LVSI_RADIOMICS_EXPORT std::vector<Feature> Extract(const Image& image, const LabelImage& mask, const Settings& settings);
/// Extract on files (errors name the file).
LVSI_RADIOMICS_EXPORT std::vector<Feature> ExtractFiles(const std::string& image_path, const std::string& mask_path,
                                                        const Settings& settings);

/// The IBSI table as CSV: `family,feature,ibsi_code,aggregation,value`, the
/// layout of IBSI's reference tables (values with 17 significant digits).
LVSI_RADIOMICS_EXPORT std::string TableCsv(const std::vector<Feature>& features);

}  // namespace lvsi::radiomics::ibsi

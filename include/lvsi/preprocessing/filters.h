#pragma once
/// \file
/// The image filters of pyradiomics' image types, with its definitions.
/// Each returns an image on the same grid as its input.

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "lvsi/core/volume.h"
#include "lvsi/preprocessing/export.h"
#include "lvsi/preprocessing/image_ops.h"

namespace lvsi::preprocessing {

/// Laplacian of Gaussian exactly as ITK's LaplacianRecursiveGaussianImageFilter
/// (recursive Gaussian derivatives, normalised across scale) computes it for
/// pyradiomics' LoG image type.  `sigma` [mm]
/// must be > 0 and the image at least 4 voxels and ceil(sigma/spacing) + 1
/// voxels along every axis (InvalidArgument otherwise).
LVSI_PREPROCESSING_EXPORT Image LaplacianOfGaussian(const Image& image, double sigma);
/// The same filter evaluated only on the index box [lower, upper] (the
/// result's grid), computing only the lines that reach it; equal to the
/// corresponding part of the whole-image result.
LVSI_PREPROCESSING_EXPORT Image LaplacianOfGaussian(const Image& image, double sigma,
                                                    const std::array<std::size_t, 3>& lower,
                                                    const std::array<std::size_t, 3>& upper);
/// The filter of the image cropped to `region` (the region's edges are the
/// filter's boundary), evaluated on the box [lower, upper] of the region's
/// grid, reading the region in place: equal to
/// LaplacianOfGaussian(CropImage(image, region, 0), sigma, lower, upper).
/// With `normalize`, the filter of the normalised image, each voxel read
/// through it (equal to normalising the crop first, bit for bit).
/// InvalidArgument when the region leaves the image, the box leaves the
/// region, or sigma does not fit the region (as above).
LVSI_PREPROCESSING_EXPORT Image LaplacianOfGaussian(const Image& image, double sigma, const IndexBox& region,
                                                    const std::array<std::size_t, 3>& lower,
                                                    const std::array<std::size_t, 3>& upper,
                                                    const Normalizer* normalize = nullptr);

/// Voxels of context that LaplacianOfGaussian needs around a region so that
/// the result inside equals the whole-image result to about 1e-13 (the
/// recursive filter's response decays exponentially) [voxels per axis].
LVSI_PREPROCESSING_EXPORT std::array<std::size_t, 3> LogContext(const Geometry& geometry, double sigma);

/// Settings of the stationary wavelet decomposition.
struct LVSI_PREPROCESSING_EXPORT WaveletSettings {
  std::string wavelet = "coif1";  ///< PyWavelets name: haar, dbN, symN, coifN, biorN.M, rbioN.M, dmey.
  int start_level = 0;            ///< Levels skipped before sub-bands are returned.
  int level = 1;                  ///< Levels returned.
  bool force2d = false;           ///< Decompose in-plane only.
  int force2d_dimension = 0;      ///< Out-of-plane axis, pyradiomics numbering (0 = z).
  bool IsValid(std::string* why = nullptr) const;
};

/// Names of the wavelets available (PyWavelets' discrete wavelets).
LVSI_PREPROCESSING_EXPORT std::vector<std::string> WaveletNames();
/// Taps of a wavelet's decomposition filters; InvalidArgument for an unknown name.
LVSI_PREPROCESSING_EXPORT std::size_t WaveletLength(const std::string& wavelet);

/// Undecimated wavelet decomposition exactly as pyradiomics' getWaveletImage
/// (pywt.swtn with level 1 applied start_level + level times to the
/// approximation; odd sizes padded by wrapping; periodic boundaries).
/// Returns (name, image) in pyradiomics' order and naming: "LLH", "LHL",
/// ..., "HHH" for each level (level k > 1 prefixed "k-"), then the final
/// approximation "LLL" (prefixed "N-" when N levels > 1).  Letters follow
/// the axes x, y, z.
LVSI_PREPROCESSING_EXPORT std::vector<std::pair<std::string, Image>> WaveletDecomposition(
    const Image& image, const WaveletSettings& settings);
/// The same sub-bands evaluated only on the index box [lower, upper] (the
/// results' grid): each convolution computes only the values the box's
/// sub-bands depend on.  Equal to the corresponding part of the whole-image
/// result (the boundaries stay those of the whole, periodic image).
/// InvalidArgument when the box leaves the image or the settings are bad.
LVSI_PREPROCESSING_EXPORT std::vector<std::pair<std::string, Image>> WaveletDecomposition(
    const Image& image, const WaveletSettings& settings, const std::array<std::size_t, 3>& lower,
    const std::array<std::size_t, 3>& upper);

/// pyradiomics' Square: (x / sqrt(max|x|))^2, with max|x| over `scale_source`
/// (the whole image) when given.
LVSI_PREPROCESSING_EXPORT Image SquareFilter(const Image& image, double max_abs);
/// pyradiomics' SquareRoot: sign(x) sqrt(|x| max|x|).
LVSI_PREPROCESSING_EXPORT Image SquareRootFilter(const Image& image, double max_abs);
/// pyradiomics' Logarithm: sign(x) log(|x| + 1) scaled back to max|x|.
LVSI_PREPROCESSING_EXPORT Image LogarithmFilter(const Image& image, double max_abs);
/// pyradiomics' Exponential: exp(x log(max|x|) / max|x|).
LVSI_PREPROCESSING_EXPORT Image ExponentialFilter(const Image& image, double max_abs);
/// max |x| over an image (the scale the pointwise filters use).
LVSI_PREPROCESSING_EXPORT double MaxAbs(const Image& image);

/// Gradient magnitude (ITK GradientMagnitudeImageFilter), in intensity per
/// mm when `use_spacing`, per voxel otherwise.
LVSI_PREPROCESSING_EXPORT Image GradientMagnitude(const Image& image, bool use_spacing = true);

/// Local binary pattern codes, as scikit-image's local_binary_pattern names
/// them (`lbp2DMethod`): "default", "ror", "uniform", "nri_uniform", "var".
enum class LbpMethod { kDefault, kRor, kUniform, kNriUniform, kVar };
/// The method of a name; InvalidArgument naming the choices otherwise.
LVSI_PREPROCESSING_EXPORT LbpMethod ParseLbpMethod(const std::string& name);

/// Settings of pyradiomics' LBP2D image type.
struct LVSI_PREPROCESSING_EXPORT Lbp2DSettings {
  double radius = 1;                        ///< `lbp2DRadius` [voxels] (used as a float32, as scikit-image does).
  int samples = 8;                          ///< `lbp2DSamples`, 1..30 (pyradiomics' code default is 8).
  LbpMethod method = LbpMethod::kUniform;   ///< `lbp2DMethod`.
  int axis = 0;                             ///< `force2Ddimension`: slices normal to z (0), y (1) or x (2).
  /// Voxel type the result is stored in (pyradiomics writes the codes into
  /// an array of the input's type): integer types truncate, float32 rounds.
  StoragePixelType storage = StoragePixelType::kFloat64;
  bool IsValid(std::string* why = nullptr) const;
};

/// pyradiomics' LBP2D: scikit-image's local_binary_pattern slice by slice.
/// Each voxel compares `samples` points on a circle of `radius` voxels in
/// its slice (bilinear interpolation, zero outside the image; offsets
/// rounded to 5 decimals) with its own value (>= sets a bit), then codes
/// the pattern by `method`: "uniform" = number of set bits when the pattern
/// has at most two 0/1 changes (counted without wrapping around), else
/// samples + 1.  "var" is NaN where all samples are equal.  Same grid as the input.
LVSI_PREPROCESSING_EXPORT Image LocalBinaryPattern2D(const Image& image, const Lbp2DSettings& settings);
/// Voxels of context LocalBinaryPattern2D needs around a region.
LVSI_PREPROCESSING_EXPORT std::array<std::size_t, 3> Lbp2DContext(const Lbp2DSettings& settings);

/// Settings of pyradiomics' LBP3D image type.
struct LVSI_PREPROCESSING_EXPORT Lbp3DSettings {
  int levels = 2;                  ///< `lbp3DLevels`: spherical-harmonic degrees 0..levels-1, 1..10.
  double icosphere_radius = 1;     ///< `lbp3DIcosphereRadius` [voxels], > 0.
  int icosphere_subdivision = 1;   ///< `lbp3DIcosphereSubdivision`, 0..4 (0 only with radius 1).
  /// Voxel type of the input image: pyradiomics' spline samples are stored
  /// in it (integer types round half away from zero and clamp).
  StoragePixelType storage = StoragePixelType::kFloat64;
  bool IsValid(std::string* why = nullptr) const;
};

/// pyradiomics' LBP3D (rotation-invariant 3D LBP with spherical harmonics,
/// Banerjee et al. 2013), computed at the voxels of `mask` only (0
/// elsewhere).  For each voxel the image is sampled at the vertices of an
/// icosphere (trimesh's construction) around it, with scipy's cubic
/// B-spline map_coordinates (mirror-extended coefficients, 0 outside the
/// image); vertex components are added to the (z, y, x) indices in that
/// order and in voxel units, as pyradiomics does.  Returns "lbp-3D-m1" ..
/// "lbp-3D-m<levels>" (the norm over the vertices of each degree's part of
/// the sign pattern's expansion, with scipy's sph_harm argument order as
/// pyradiomics calls it) and "lbp-3D-k" (Fisher kurtosis of the samples,
/// NaN where they are all equal).  `mask` must be on the image's grid.
LVSI_PREPROCESSING_EXPORT std::vector<std::pair<std::string, Image>> LocalBinaryPattern3D(
    const Image& image, const Mask& mask, const Lbp3DSettings& settings);
/// Voxels of context LocalBinaryPattern3D needs around the mask's box so
/// that the result equals the whole-image one to rounding (the spline
/// prefilter's response decays as 0.268^d).
LVSI_PREPROCESSING_EXPORT std::array<std::size_t, 3> Lbp3DContext(const Lbp3DSettings& settings);

}  // namespace lvsi::preprocessing

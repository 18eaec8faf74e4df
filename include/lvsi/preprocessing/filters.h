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
  bool IsValid(std::string* why) const;
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

}  // namespace lvsi::preprocessing

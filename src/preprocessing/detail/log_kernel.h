#pragma once
// The passes of the Laplacian of recursive Gaussian (internal, not
// installed).  The same source is compiled twice, for the baseline
// instruction set and for AVX2 (without FMA, so every operation rounds as
// in the baseline build); LaplacianOfGaussian picks one at run time.
#include <cstddef>

namespace lvsi::preprocessing::detail {

/// Young / Deriche recursive Gaussian coefficients as ITK's
/// RecursiveGaussianImageFilter computes them (4th-order causal and
/// anti-causal filters with edge-extension boundary terms).
struct Recursive {
  double n0, n1, n2, n3, d1, d2, d3, d4, m1, m2, m3, m4, bn1, bn2, bn3, bn4, bm1, bm2, bm3, bm4;
};

/// One LoG evaluation on the box [lower, upper] of a region.
struct LogJob {
  const double* image;          ///< the region's first voxel
  std::size_t image_stride[3];  ///< steps between voxels along x, y, z in image's storage
  std::size_t size[3];          ///< the region's size
  /// Read the image normalised: ((v - mean) * inverse_sd, clipped at
  /// +/- clip when clipped) * scale, as preprocessing::Normalizer does.
  bool normalize;
  double mean, inverse_sd, scale, clip;
  bool clipped;
  std::size_t lower[3], upper[3];
  Recursive derivative[3];      ///< second derivative along each axis
  Recursive smoothing[3];       ///< smoothing along each axis
  double inverse_spacing2[3];   ///< 1 / spacing_d^2
  float* cumulative;            ///< the box, x fastest, zero on entry; the result
  float* plane;                 ///< scratch: size[0] * max(size[1], size[2])
  float* compact;               ///< scratch: box[0] * max(box[1] size[2], box[2] size[1])
  float* compact_y;             ///< scratch: box[0] * box[1] * size[2] (the y term's stack)
  double* lines;                ///< scratch: 64 * max(size)
};

namespace baseline {
void LogPasses(const LogJob& job);
}
namespace avx2 {
void LogPasses(const LogJob& job);
}

}  // namespace lvsi::preprocessing::detail

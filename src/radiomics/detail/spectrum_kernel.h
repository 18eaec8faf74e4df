#pragma once
// Symmetric eigenvalue kernels behind GLCM's MCC (internal, not installed).
// The same source is compiled twice, for the baseline instruction set and
// for AVX2 (without FMA); both run every value through the same operations
// in the same order, so they give the same bits, and glcm.cpp picks one at
// run time.
#include <cstddef>

namespace lvsi::radiomics::detail {

/// Points per Sturm-count call: each row's divisions wait for the row
/// before, so with AVX2 sixteen points take little longer than eight
/// (measured: breast1's extraction 1.5 % faster; the SSE2 build 1.5 %
/// slower, but both builds must place the same points).
constexpr int kSturmLanes = 16;

/// Householder reduction of the symmetric n x n matrix `a` (column-major,
/// both triangles stored, leading dimension lda >= n + 4 with rows n ..
/// lda - 1 zero; the matrix is overwritten) to a tridiagonal matrix with
/// the same eigenvalues: its diagonal (n values) and off-diagonal (n - 1
/// values).  `work` holds 4 (n + 4) doubles.  n >= 2.
using TridiagonalizeFn = void (*)(double* a, std::ptrdiff_t n, std::ptrdiff_t lda, double* diagonal,
                                  double* off_diagonal, double* work);

/// Sturm counts of a symmetric tridiagonal matrix T (diagonal a, squared
/// off-diagonal off[i] = b(i-1)^2, off[0] unused) at kSturmLanes points x:
/// count[p] is the number of eigenvalues below x[p], the negative pivots
/// of T - x I = L D L^T (a zero pivot taken as a tiny negative one).
using SturmCountsFn = void (*)(const double* a, const double* off, std::ptrdiff_t n, const double* x, double* count);

/// Points per Newton-step call.
constexpr int kNewtonLanes = 4;

/// At kNewtonLanes points x: the Sturm counts as SturmCounts gives them,
/// and Newton's step -p(x)/p'(x) towards a root of the characteristic
/// polynomial p(x) = det(T - x I) = prod d_i (p'/p = sum d_i'/d_i over the
/// pivots d_i of T - x I = L D L^T).  A step may be infinite or NaN where
/// a pivot vanishes.
using SturmNewtonFn = void (*)(const double* a, const double* off, std::ptrdiff_t n, const double* x, double* count,
                               double* step);

/// One instruction set's kernels.
struct SpectrumKernels {
  TridiagonalizeFn tridiagonalize;
  SturmCountsFn sturm_counts;
  SturmNewtonFn sturm_newton;
};
namespace baseline {
extern const SpectrumKernels kKernels;
}
namespace avx2 {
extern const SpectrumKernels kKernels;
}

}  // namespace lvsi::radiomics::detail

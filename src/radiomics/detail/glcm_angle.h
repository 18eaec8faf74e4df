#pragma once
// One angle's normalised GLCM as GlcmFeatures::Values and the MCC solver
// read it.  Private to the radiomics module.
#include <cstddef>

namespace lvsi::radiomics::detail {

// Per-angle coefficients of one normalised GLCM.
// A run of values inside one of Compute's pools.
template <class T>
struct Slice {
  T* first = nullptr;
  std::size_t count = 0;
  std::size_t size() const { return count; }
  bool empty() const { return count == 0; }
  T& operator[](std::size_t k) const { return first[k]; }
  T* begin() const { return first; }
  T* end() const { return first + count; }
};

struct AngleStats {
  double ux = 0, uy = 0, sigx = 0, sigy = 0, hxy = 0, hx = 0, hy = 0, hxy1 = 0, hxy2 = 0;
  Slice<double> px, py, sum_k, diff_k;  // p_{x+y}(k), k = 2..2Ng; p_{x-y}(k), k = 0..Ng-1
  // p_{x+y}(k) is zero outside [sum_lo, sum_hi), p_{x-y}(k) outside
  // [diff_lo, diff_hi): sums over k run inside these ranges (a zero term
  // adds +0 and changes no bit).
  std::size_t sum_lo = 0, sum_hi = 0, diff_lo = 0, diff_hi = 0;
  // Non-zero entries (i, j, p(i,j)): GLCMs of many grey levels are sparse,
  // and every sum over (i, j) runs over these only.
  Slice<std::size_t> nz_i, nz_j;
  Slice<double> nz_v;
  Slice<double> nz_li, nz_lj;  // the grey levels of nz_i, nz_j
};

}  // namespace lvsi::radiomics::detail

#include "detail/mcc_solver.h"

#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "detail/spectrum_kernel.h"
#include "lvsi/core/parallel.h"

namespace lvsi::radiomics::detail {
namespace {

// The AVX2 build of the eigenvalue kernels where UseAvx2Kernels() says so
// (both give the same bits).
const SpectrumKernels& Kernels() {
#if defined(LVSI_AVX2_KERNEL)
  if (UseAvx2Kernels()) return avx2::kKernels;
#endif
  return baseline::kKernels;
}

// The leading dimension of a symmetric n x n matrix handed to the
// reduction kernel: at least four zero rows below the matrix.
std::size_t PaddedRows(std::size_t n) { return (n + 7) / 4 * 4; }

// The tridiagonal matrix similar to the symmetric n x n matrix `m`
// (column-major, both triangles, leading dimension PaddedRows(n) with
// zero rows below the matrix; overwritten) into t; work is scratch.
void Tridiagonalize(std::vector<double>& m, std::size_t n, Tridiagonal& t, std::vector<double>& work) {
  t.a.resize(n);
  t.b.resize(n - 1);
  work.resize(4 * (n + 4));
  const auto rows = static_cast<std::ptrdiff_t>(PaddedRows(n));
  Kernels().tridiagonalize(m.data(), static_cast<std::ptrdiff_t>(n), rows, t.a.data(), t.b.data(), work.data());
}

// The k-th largest eigenvalues (k = 1, 2, ...; one or two of them) of a
// symmetric tridiagonal matrix (diagonal a, off-diagonal b).  First
// multisection on Sturm counts: each step counts at kSturmLanes points
// shared among the unfinished searches and narrows every interval to one
// of (points + 1) parts.  Once an interval holds its eigenvalue alone and
// is narrow, Newton's iteration on the characteristic polynomial takes
// over, each iterate's count narrowing the interval further and a step
// that would leave it replaced by bisection, until the step is down to a
// few units in the last place.  An interval that cannot be split further
// ends the search at its middle.  With `larger_square_only`, only the
// eigenvalue of larger magnitude is wanted: a search whose interval proves
// its square smaller than the other's stops and returns 0.
std::array<double, 2> KthLargestTridiagonal(Tridiagonal& t, std::array<std::ptrdiff_t, 2> k, int how_many = 1,
                                            bool larger_square_only = false) {
  using detail::kNewtonLanes;
  using detail::kSturmLanes;
  const double* a = t.a.data();
  const double* b = t.b.data();
  const auto n = static_cast<std::ptrdiff_t>(t.a.size());
  const detail::SturmCountsFn sturm_counts = Kernels().sturm_counts;
  double lo = a[0], hi = a[0];  // Gershgorin bounds
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    const double r = (i > 0 ? std::abs(b[i - 1]) : 0.0) + (i + 1 < n ? std::abs(b[i]) : 0.0);
    lo = std::min(lo, a[i] - r);
    hi = std::max(hi, a[i] + r);
  }
  // Per search: its interval [low, high) with the counts at its ends, and
  // its state.
  enum State { kBisect, kNewton, kDone };
  std::array<double, 2> low{lo, lo}, high{hi, hi}, result{0, 0};
  std::array<double, 2> count_low{0, 0}, count_high{static_cast<double>(n), static_cast<double>(n)};
  std::array<State, 2> state{kBisect, how_many < 2 ? kDone : kBisect};
  std::array<double, 2> target{};  // lambda_(n-k+1) (ascending) lies where the count reaches n - k + 1
  for (std::size_t s = 0; s < 2; ++s) target[s] = static_cast<double>(n - k[s] + 1);
  std::vector<double>& off = t.off;
  off.assign(static_cast<std::size_t>(n), 0.0);
  for (std::ptrdiff_t i = 1; i < n; ++i) off[static_cast<std::size_t>(i)] = b[i - 1] * b[i - 1];
  auto square_low = [](double l, double h) { return l > 0 ? l * l : h < 0 ? h * h : 0.0; };
  auto square_high = [](double l, double h) { return std::max(l * l, h * h); };
  auto finish = [&](std::size_t s, double x) {
    state[s] = kDone;
    result[s] = x;
  };
  // Stops the search whose square is proved the smaller one.
  auto prune = [&]() {
    if (!larger_square_only || state[0] == kDone || state[1] == kDone) return;
    for (std::size_t s = 0; s < 2; ++s)
      if (square_high(low[s], high[s]) < square_low(low[1 - s], high[1 - s])) finish(s, 0);
  };
  // Newton starts where an interval isolates its eigenvalue and is narrow.
  auto ready = [&](std::size_t s) {
    const double scale = std::max({1.0, std::abs(low[s]), std::abs(high[s])});
    return count_low[s] == target[s] - 1 && count_high[s] == target[s] && high[s] - low[s] <= 1e-4 * scale;
  };
  for (int it = 0; it < 200 && (state[0] == kBisect || state[1] == kBisect); ++it) {
    // Points of the searches still bisecting, evenly inside their intervals.
    int active[2], searches = 0;
    for (int s = 0; s < 2; ++s)
      if (state[static_cast<std::size_t>(s)] == kBisect) active[searches++] = s;
    const int per = kSturmLanes / searches;
    double x[kSturmLanes], count[kSturmLanes];
    for (int q = 0; q < searches; ++q) {
      const auto s = static_cast<std::size_t>(active[q]);
      for (int t = 0; t < per; ++t) x[q * per + t] = low[s] + (high[s] - low[s]) * (t + 1) / (per + 1);
    }
    sturm_counts(a, off.data(), n, x, count);
    for (int q = 0; q < searches; ++q) {
      const auto s = static_cast<std::size_t>(active[q]);
      double new_lo = low[s], new_hi = high[s];
      for (int t = 0; t < per; ++t) {
        const double xt = x[q * per + t], ct = count[q * per + t];
        if (xt <= low[s] || xt >= high[s]) continue;  // no room left between the bounds
        if (ct >= target[s]) {
          new_hi = xt;
          count_high[s] = ct;
          break;
        }
        new_lo = xt;
        count_low[s] = ct;
      }
      const bool stuck = new_lo == low[s] && new_hi == high[s];
      low[s] = new_lo;
      high[s] = new_hi;
      if (stuck) finish(s, 0.5 * (low[s] + high[s]));
      else if (ready(s)) state[s] = kNewton;
    }
    prune();
  }
  // Newton, both searches in one pass (spare lanes repeat the first).
  const detail::SturmNewtonFn sturm_newton = Kernels().sturm_newton;
  std::array<double, 2> x{0.5 * (low[0] + high[0]), 0.5 * (low[1] + high[1])};
  for (int it = 0; it < 100 && (state[0] == kNewton || state[1] == kNewton); ++it) {
    const int lane[2] = {0, state[0] == kNewton ? 1 : 0};  // search 1 shares lane 0 when alone
    double points[kNewtonLanes], count[kNewtonLanes], step[kNewtonLanes];
    for (int l = 0; l < kNewtonLanes; ++l) points[l] = x[state[0] == kNewton ? 0 : 1];
    if (state[0] == kNewton && state[1] == kNewton) points[1] = x[1];
    sturm_newton(a, off.data(), n, points, count, step);
    for (std::size_t s = 0; s < 2; ++s) {
      if (state[s] != kNewton) continue;
      const int l = lane[s];
      // Converged: the step is down to the rounding of x (near the root,
      // the polynomial's own rounding makes steps of a few units in the
      // last place at most).
      const double ulp = std::nextafter(std::abs(x[s]), std::numeric_limits<double>::infinity()) - std::abs(x[s]);
      if (std::abs(step[l]) <= 8 * ulp) {
        finish(s, x[s] + step[l]);
        continue;
      }
      if (count[l] >= target[s]) high[s] = x[s];
      else low[s] = x[s];
      double next = x[s] + step[l];
      if (!(next > low[s] && next < high[s])) next = 0.5 * (low[s] + high[s]);  // also for a NaN step
      if (next > low[s] && next < high[s]) x[s] = next;
      else finish(s, next);  // nothing left between the bounds
    }
    prune();
  }
  for (std::size_t s = 0; s < 2; ++s)
    if (state[s] == kNewton) result[s] = x[s];  // still converging after 100 steps: the last iterate
  return result;
}

// Largest eigenvalue of (M M^T - u u^T) by Lanczos iterations with full
// reorthogonalisation, run until the Ritz value has converged to machine
// precision (or the Krylov space is exhausted).
double SecondEigenvalue(const Eigen::MatrixXd& M, const Eigen::VectorXd& u) {
  const Eigen::Index n = M.rows();
  auto apply = [&](const Eigen::VectorXd& x) -> Eigen::VectorXd {
    Eigen::VectorXd y = M * (M.transpose() * x);
    return y - u * u.dot(x);
  };
  Eigen::MatrixXd V(n, n);
  std::vector<double> alpha, beta;
  Eigen::VectorXd q = Eigen::VectorXd::Ones(n);
  q -= u * u.dot(q);  // start orthogonal to the deflated direction
  if (q.norm() < 1e-12) q = Eigen::VectorXd::Unit(n, 0) - u * u(0);
  q.normalize();
  double last = -1;
  for (Eigen::Index k = 0; k < n; ++k) {
    V.col(k) = q;
    Eigen::VectorXd w = apply(q);
    const double a = q.dot(w);
    alpha.push_back(a);
    for (int pass = 0; pass < 2; ++pass)  // full reorthogonalisation, twice
      w -= V.leftCols(k + 1) * (V.leftCols(k + 1).transpose() * w);
    w -= u * u.dot(w);
    const double b = w.norm();
    // The largest Ritz value grows monotonically to the largest
    // eigenvalue; stop once it no longer moves (checked every 4 steps).
    if (b < 1e-14 || k + 1 == n || (k >= 11 && k % 4 == 3)) {
      Tridiagonal t{alpha, beta, {}};  // (k + 1) x (k + 1)
      const double top = KthLargestTridiagonal(t, {1, 1})[0];
      if (b < 1e-14 || k + 1 == n || std::abs(top - last) <= 1e-15 * std::max(1.0, std::abs(top))) return top;
      last = top;
    }
    beta.push_back(b);
    q = w / b;
  }
  return last;
}

}  // namespace

MccSolver::MccSolver(std::size_t G) {
  for (auto* v : {&rows_, &slot_, &start_, &fill_, &queue_, &mark_, &best_, &walk_, &position_}) v->reserve(G + 1);
  colour_.reserve(G);
  for (auto* v : {&tri_.a, &tri_.b, &tri_.off}) v->reserve(G);
  work_.reserve(4 * (G + 4));
}

// (The loops below read the vectors through local pointers: a store into
// their elements could otherwise alias the vectors' own members, which the
// compiler would then load again at every step.  They choose with
// selections instead of branches where the outcome is unpredictable, as a
// diagonal entry or a level seen before is.)
void MccSolver::BuildLevelGraph(const AngleStats& s, std::size_t m) {
  const std::size_t entries = s.nz_v.size();
  const std::size_t *ni = s.nz_i.begin(), *nj = s.nz_j.begin(), *slot = slot_.data();
  start_.assign(m + 1, 0);
  std::size_t* start = start_.data();
  for (std::size_t e = 0; e < entries; ++e) start[slot[ni[e]] + 1] += ni[e] != nj[e];
  for (std::size_t r = 0; r < m; ++r) start[r + 1] += start[r];
  const std::size_t edges = start[m];
  next_.resize(edges + 1);  // the last element takes the diagonal entries' writes
  fill_.assign(start_.begin(), start_.end() - 1);
  std::size_t *next = next_.data(), *fill = fill_.data();
  for (std::size_t e = 0; e < entries; ++e) {
    const std::size_t from = slot[ni[e]];
    const bool edge = ni[e] != nj[e];
    next[edge ? fill[from] : edges] = slot[nj[e]];
    fill[from] += edge;
  }
}

MccSolver::Reach MccSolver::Explore(std::size_t m) {
  colour_.assign(m, -1);
  queue_.resize(m + 1);  // the last element takes the writes for levels seen before
  int* colour = colour_.data();
  std::size_t* queue = queue_.data();
  const std::size_t *start = start_.data(), *next = next_.data();
  colour[0] = 0;
  queue[0] = 0;
  std::size_t queued = 1;
  bool two = true;
  for (std::size_t q = 0; q < queued; ++q) {
    const std::size_t v = queue[q];
    const int cv = colour[v];
    for (std::size_t k = start[v]; k < start[v + 1]; ++k) {
      const std::size_t w = next[k];
      const int cw = colour[w];
      const bool fresh = cw < 0;
      colour[w] = fresh ? 1 - cv : cw;
      queue[fresh ? queued : m] = w;
      queued += fresh;
      two &= fresh | (cw != cv);
    }
  }
  return {queued == m, two};
}

void MccSolver::ChainFirstOrder(std::size_t m) {
  mark_.assign(m, 0);  // the walk that took a level (1-based)
  best_.clear();
  std::size_t walks = 0;
  for (std::size_t leaf = 0; leaf < m; ++leaf) {
    if (Degree(leaf) != 1) continue;
    ++walks;
    walk_.assign(1, leaf);
    mark_[leaf] = walks;
    for (std::size_t v = leaf;;) {
      std::size_t ahead = m, count = 0;
      for (std::size_t k = start_[v]; k < start_[v + 1]; ++k)
        if (mark_[next_[k]] != walks) {
          ahead = next_[k];
          ++count;
        }
      if (count != 1) break;
      walk_.push_back(ahead);
      mark_[ahead] = walks;
      v = ahead;
    }
    if (walk_.size() > best_.size()) best_.swap(walk_);
  }
  position_.assign(m, m);
  for (std::size_t r = 0; r < best_.size(); ++r) position_[best_[r]] = r;
  std::size_t next = best_.size();
  for (std::size_t v = 0; v < m; ++v)
    if (position_[v] == m) position_[v] = next++;
}

void MccSolver::Scatter(const AngleStats& s, std::size_t rows) {
  const std::size_t entries = s.nz_v.size();
  const std::size_t *ni = s.nz_i.begin(), *nj = s.nz_j.begin(), *slot = slot_.data(), *position = position_.data();
  const double *v = s.nz_v.begin(), *px = s.px.begin(), *py = s.py.begin();
  double* matrix = matrix_.data();
  auto cell = [&](std::size_t e) -> double& { return matrix[position[slot[ni[e]]] + rows * position[slot[nj[e]]]]; };
  std::size_t e = 0;
#if defined(__SSE2__)
  // Two at a time: packed square roots and divisions round as scalar ones
  // do, at twice the rate.
  for (; e + 2 <= entries; e += 2) {
    const __m128d product = _mm_set_pd(px[ni[e + 1]] * py[nj[e + 1]], px[ni[e]] * py[nj[e]]);
    const __m128d value = _mm_div_pd(_mm_loadu_pd(v + e), _mm_sqrt_pd(product));
    _mm_storel_pd(&cell(e), value);
    _mm_storeh_pd(&cell(e + 1), value);
  }
#endif
  for (; e < entries; ++e) cell(e) = v[e] / std::sqrt(px[ni[e]] * py[nj[e]]);
}

double MccSolver::SecondEigenvalueOfQ(const AngleStats& s, std::size_t G, bool symmetric) {
  rows_.clear();
  rows_.reserve(G);
  slot_.assign(G, G);
  for (std::size_t i = 0; i < G; ++i)
    if (s.px[i] > 0) {
      slot_[i] = rows_.size();
      rows_.push_back(i);
    }
  const std::size_t m = rows_.size();
  if (m < 2) return 0.0;
  if (symmetric) {
    // A symmetric GLCM makes M symmetric, with S = M^2.  Each connected
    // part of the level graph (levels joined by non-zero p) is a block of M
    // with top eigenvalue 1 (eigenvector sqrt(p_x)), and no eigenvalue of
    // M exceeds 1 in magnitude: with two or more parts the second
    // eigenvalue of S is 1.  Otherwise it is max(mu_2^2, mu_m^2) over the
    // eigenvalues mu_1 = 1 >= mu_2 >= ... >= mu_m >= -1 of M.
    BuildLevelGraph(s, m);
    const Reach reach = Explore(m);
    if (!reach.connected) return 1.0;
    // A bipartite level graph (two-colourable, no level next to itself)
    // makes -1 an eigenvalue of M: mu_m^2 = 1.
    const bool loops = start_[m] < s.nz_v.size();  // some p(i,i) > 0
    if (reach.two_colourable && !loops) return 1.0;
    // M's rows and columns in an order that saves reduction steps (a
    // permutation keeps the eigenvalues); M is column-major.
    ChainFirstOrder(m);
    const std::size_t rows = PaddedRows(m);
    matrix_.assign(rows * m, 0.0);
    Scatter(s, rows);
    Tridiagonalize(matrix_, m, tri_, work_);
    const auto [mu2, mum] = KthLargestTridiagonal(tri_, {2, static_cast<std::ptrdiff_t>(m)}, 2, true);
    return std::max(mu2 * mu2, mum * mum);
  }
  Eigen::MatrixXd M = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(m), static_cast<Eigen::Index>(G));
  for (std::size_t e = 0; e < s.nz_v.size(); ++e)
    M(static_cast<Eigen::Index>(slot_[s.nz_i[e]]), static_cast<Eigen::Index>(s.nz_j[e])) =
        s.nz_v[e] / std::sqrt(s.px[s.nz_i[e]] * s.py[s.nz_j[e]]);
  if (m <= 160) {
    // Tridiagonalise S, then bisect for its second largest eigenvalue.
    const Eigen::MatrixXd S = M * M.transpose();
    const std::size_t rows = PaddedRows(m);
    matrix_.assign(rows * m, 0.0);
    for (std::size_t j = 0; j < m; ++j)
      for (std::size_t i = 0; i < m; ++i)
        matrix_[i + rows * j] = S(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
    Tridiagonalize(matrix_, m, tri_, work_);
    return KthLargestTridiagonal(tri_, {2, 2})[0];
  }
  // S's top eigenpair is (1, sqrt(p_x)): the largest eigenvalue of
  // S - u u^T is the second of S, found by Lanczos with full
  // reorthogonalisation (matrix-free, O(k m G)).
  Eigen::VectorXd u(static_cast<Eigen::Index>(m));
  for (std::size_t r = 0; r < m; ++r) u(static_cast<Eigen::Index>(r)) = std::sqrt(s.px[rows_[r]]);
  u.normalize();
  return SecondEigenvalue(M, u);
}

}  // namespace lvsi::radiomics::detail

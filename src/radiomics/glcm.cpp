#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <memory>
#include <string_view>
#include <type_traits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "detail/spectrum_kernel.h"
#include "detail/texture.h"
#include "lvsi/core/error.h"
#include "lvsi/core/parallel.h"
#include "lvsi/radiomics/features.h"

namespace lvsi::radiomics {
using namespace std::string_view_literals;  // name comparisons check the length first
namespace {
using detail::kEps;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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

// The AVX2 build of the eigenvalue kernels where UseAvx2Kernels() says so
// (both give the same bits).
const detail::SpectrumKernels& Kernels() {
#if defined(LVSI_AVX2_KERNEL)
  if (UseAvx2Kernels()) return detail::avx2::kKernels;
#endif
  return detail::baseline::kKernels;
}

// A symmetric tridiagonal matrix: diagonal a (n values), off-diagonal b
// (n - 1); off is scratch of the eigenvalue search.
struct Tridiagonal {
  std::vector<double> a, b, off;
};

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

// log2(x + offset), remembered for recent arguments: GLCM entries,
// marginals and their products repeat (they are small counts over one
// total; a symmetric GLCM's p_y mostly equals its p_x), and the same
// argument gives the same bits however it is computed.
class Log2Memo {
 public:
  explicit Log2Memo(double offset) : offset_(offset) { std::fill(std::begin(key_), std::end(key_), kNaN); }
  double operator()(double x) {
    std::uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    const std::size_t slot = static_cast<std::size_t>((bits * 0x9E3779B97F4A7C15ULL) >> 55);  // 9 bits
    if (key_[slot] != x) {
      key_[slot] = x;
      value_[slot] = std::log2(x + offset_);
    }
    return value_[slot];
  }

 private:
  double offset_;
  double key_[512], value_[512];
};

// The second largest eigenvalue of pyradiomics' MCC matrix
// Q(i,j) = sum_k p(i,k) p(j,k) / (p_x(i) p_y(k)) of one angle's GLCM.
// Q has the eigenvalues of the symmetric positive semi-definite S = M M^T,
// M(i,k) = p(i,k) / sqrt(p_x(i) p_y(k)); levels with p_x(i) = 0 only add
// zero eigenvalues, so M is taken over the m levels present.  One solver
// serves a GLCM's angles, keeping its scratch space from one to the next.
class MccSolver {
 public:
  // Room for G levels (their arrays then never grow).
  explicit MccSolver(std::size_t G);
  double SecondEigenvalueOfQ(const AngleStats& s, std::size_t G, bool symmetric);

 private:
  // The graph of a symmetric GLCM's levels present (0..m-1): levels
  // i != j are joined where p(i,j) > 0; the neighbours of v are
  // next_[start_[v] .. start_[v+1]).
  void BuildLevelGraph(const AngleStats& s, std::size_t m);
  std::size_t Degree(std::size_t v) const { return start_[v + 1] - start_[v]; }
  // Whether the graph is connected, and whether it can be two-coloured
  // (has no odd cycle), by one breadth-first search from level 0.
  struct Reach {
    bool connected, two_colourable;
  };
  Reach Explore(std::size_t m);
  // position_: an order of the levels that starts with the longest chain
  // walked from a level with one neighbour, each level of it having
  // exactly one neighbour not yet in the order; the other levels follow
  // as they are.  In this order the chain's columns of M are already
  // tridiagonal below their diagonal, so the Householder reduction skips
  // those (its largest) steps.
  void ChainFirstOrder(std::size_t m);
  // M's entries p(i,j) / sqrt(p_x(i) p_y(j)) into matrix_ (leading
  // dimension rows, zero elsewhere), in the order of position_.
  void Scatter(const AngleStats& s, std::size_t rows);

  std::vector<std::size_t> rows_, slot_, start_, next_, fill_, queue_, mark_, best_, walk_, position_;
  std::vector<int> colour_;
  std::vector<double> matrix_, work_;  // the matrix reduced (see Tridiagonalize); the reduction's scratch
  Tridiagonal tri_;
};

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

}  // namespace

GlcmFeatures::GlcmFeatures(const Roi& roi, const TextureSettings& settings)
    : roi_(roi), settings_(settings) {
  std::string why;
  if (!settings_.IsValid(&why)) throw InvalidArgument(why);
}

const std::vector<FeatureInfo>& GlcmFeatures::Features() {
  static const std::vector<FeatureInfo> kInfos = detail::SortedInfos({
      {"Autocorrelation", false, "QWB0", R"(\sum_{i,j} p(i,j)\,ij. Unitless.)", ""},
      {"JointAverage", false, "60VM", R"(\mu_x = \sum_{i,j} p(i,j)\,i. Unitless.)", "Assumes a symmetric GLCM."},
      {"ClusterProminence", false, "AE86", R"(\sum_{i,j} (i+j-\mu_x-\mu_y)^4 p(i,j).)", ""},
      {"ClusterShade", false, "7NFM", R"(\sum_{i,j} (i+j-\mu_x-\mu_y)^3 p(i,j).)", ""},
      {"ClusterTendency", false, "DG8W", R"(\sum_{i,j} (i+j-\mu_x-\mu_y)^2 p(i,j).)", ""},
      {"Contrast", false, "ACUI", R"(\sum_{i,j} (i-j)^2 p(i,j).)", ""},
      {"Correlation", false, "NI2N", R"(\frac{\sum_{i,j} p(i,j)(i-\mu_x)(j-\mu_y)}{\sigma_x\sigma_y}; 1 when \sigma_x\sigma_y = 0.)", ""},
      {"DifferenceAverage", false, "TF7R", R"(\sum_k k\,p_{x-y}(k).)", ""},
      {"DifferenceEntropy", false, "NTRS", R"(-\sum_k p_{x-y}(k)\log_2(p_{x-y}(k)+\epsilon).)", ""},
      {"DifferenceVariance", false, "D3YU", R"(\sum_k (k-DA)^2 p_{x-y}(k).)", ""},
      {"Dissimilarity", true, "8S9J", R"(\sum_{i,j}|i-j|\,p(i,j) (= DifferenceAverage).)", "pyradiomics deprecates it and computes nothing; lvsi returns DifferenceAverage."},
      {"JointEnergy", false, "8ZQL", R"(\sum_{i,j} p(i,j)^2.)", "IBSI angular second moment."},
      {"JointEntropy", false, "TU9B", R"(-\sum_{i,j} p(i,j)\log_2(p(i,j)+\epsilon).)", ""},
      {"Homogeneity1", true, "", R"(\sum_{i,j} p(i,j)/(1+|i-j|) (= Id).)", "Deprecated in pyradiomics; lvsi returns Id."},
      {"Homogeneity2", true, "", R"(\sum_{i,j} p(i,j)/(1+|i-j|^2) (= Idm).)", "Deprecated in pyradiomics; lvsi returns Idm."},
      {"Imc1", false, "R8DG", R"(\frac{HXY-HXY1}{\max(HX,HY)}; 0 when both entropies are 0.)", ""},
      {"Imc2", false, "JN9H", R"(\sqrt{1-e^{-2(HXY2-HXY)}}; 0 when HXY2 = HXY.)", ""},
      {"Idm", false, "WF0Z", R"(\sum_k p_{x-y}(k)/(1+k^2).)", ""},
      {"MCC", false, "", R"(\sqrt{\lambda_2(Q)}, Q(i,j)=\sum_k \frac{p(i,k)p(j,k)}{p_x(i)p_y(k)}; 1 for a flat region.)", "Not in IBSI 1."},
      {"Idmn", false, "1QCO", R"(\sum_k p_{x-y}(k)/(1+k^2/N_g^2).)", ""},
      {"Id", false, "IB1Z", R"(\sum_k p_{x-y}(k)/(1+k).)", ""},
      {"Idn", false, "NDRX", R"(\sum_k p_{x-y}(k)/(1+k/N_g).)", ""},
      {"InverseVariance", false, "E8JP", R"(\sum_{k\ge1} p_{x-y}(k)/k^2.)", ""},
      {"MaximumProbability", false, "GYBY", R"(\max_{i,j} p(i,j).)", "IBSI joint maximum."},
      {"SumAverage", false, "ZGXS", R"(\sum_k k\,p_{x+y}(k).)", ""},
      {"SumEntropy", false, "P6QZ", R"(-\sum_k p_{x+y}(k)\log_2(p_{x+y}(k)+\epsilon).)", ""},
      {"SumSquares", false, "UR99", R"(\sum_{i,j}(i-\mu_x)^2 p(i,j).)", "IBSI joint variance."},
      {"SumVariance", true, "OEEB", R"(\sum_k (k-SA)^2 p_{x+y}(k) (= ClusterTendency).)", "Deprecated in pyradiomics; lvsi returns ClusterTendency."},
  });
  return kInfos;
}

FeatureList GlcmFeatures::Compute(const std::vector<std::string>& names) const {
  return detail::Named(detail::ResolveNames(Features(), names, "glcm"), Values(names));
}

std::vector<double> GlcmFeatures::Values(const std::vector<std::string>& names) const {
  const auto wanted = detail::ResolveNames(Features(), names, "glcm");
  const Geometry& g = roi_.geometry;
  const std::size_t G = roi_.gray_levels.size();
  const int Ng = roi_.max_level;
  auto angles = detail::GenerateAngles(g.size, settings_.distances, false, settings_.force2d,
                                       settings_.force2d_dimension);
  std::size_t Na = angles.size();
  // Compact levels on the box padded by the largest distance.
  int reach = 1;
  for (int d : settings_.distances) reach = std::max(reach, d);
  const detail::PaddedLevels padded(roi_, static_cast<std::size_t>(reach));
  // Each angle's counts are kept sparse: its entries (i, j, count) in the
  // order first met (the voxels' raster order: deterministic, and no sum
  // below depends on more than that), the angles one after another in flat
  // arrays.  entry_of[i * G + j] is the entry of (i, j) in the angle being
  // counted, or -1; a pair whose neighbour lies outside the ROI goes to a
  // sink cell (no branch on the ROI's shape), whose entry opens the angle's
  // block and is not kept.  The arrays are sized for the most entries an
  // angle can have but never zeroed ahead (an ROI's pairs can far
  // outnumber its entries): an entry is set when it is made.
  const std::size_t sink = G * G;
  std::vector<std::ptrdiff_t> entry_of(G * G + 1, -1);
  const std::size_t pairs = (settings_.symmetrical_glcm ? 2 : 1) * padded.voxels.size();
  const std::size_t capacity = Na * (std::min(pairs, G * G) + 1);
  std::unique_ptr<std::size_t[]> ent_i(new std::size_t[capacity]), ent_j(new std::size_t[capacity]);
  std::unique_ptr<double[]> ent_v(new double[capacity]);
  struct Range {
    std::size_t begin, end;
    std::size_t size() const { return end - begin; }
  };
  std::vector<Range> counts(Na);
  std::size_t next = 0;
  for (std::size_t a = 0; a < Na; ++a) {
    const long delta = padded.Step(angles[a]);
    std::size_t* const ei = ent_i.get();
    std::size_t* const ej = ent_j.get();
    double* const ev = ent_v.get();
    std::ptrdiff_t* const of = entry_of.data();
    const std::size_t sink_entry = next++;
    ev[sink_entry] = 0;
    of[sink] = static_cast<std::ptrdiff_t>(sink_entry);
    auto tally = [&](std::size_t key, std::size_t i, std::size_t j) {
      std::ptrdiff_t k = of[key];
      if (k < 0) {
        k = static_cast<std::ptrdiff_t>(next++);
        of[key] = k;
        ei[k] = i;
        ej[k] = j;
        ev[k] = 0;
      }
      ev[k] += 1;
    };
    for (const std::size_t n : padded.voxels) {
      const int gj = padded.Near(n, delta);
      const bool inside = gj >= 0;
      const std::size_t i = static_cast<std::size_t>(padded.at[n]), j = inside ? static_cast<std::size_t>(gj) : 0;
      tally(inside ? i * G + j : sink, i, j);
      if (settings_.symmetrical_glcm) tally(inside ? j * G + i : sink, j, i);  // P + P^T
    }
    for (std::size_t e = sink_entry + 1; e < next; ++e) of[ei[e] * G + ej[e]] = -1;
    counts[a] = {sink_entry + 1, next};
  }
  if (!settings_.weighting_norm.empty()) {
    // One matrix: the angles' counts weighted and summed, entries in the
    // order first met over the angles; entries whose weighted sum is zero
    // (weights that underflow) are dropped, as zeros of a dense matrix.
    std::vector<std::size_t> wi, wj;
    std::vector<double> wv;
    for (std::size_t a = 0; a < Na; ++a) {
      const double d = detail::AngleDistance(angles[a], g.spacing, settings_.weighting_norm);
      const double w = settings_.weighting_norm == "no_weighting" ? 1.0 : std::exp(-d * d);
      for (std::size_t e = counts[a].begin; e < counts[a].end; ++e) {
        std::ptrdiff_t& k = entry_of[ent_i[e] * G + ent_j[e]];
        if (k < 0) {
          k = static_cast<std::ptrdiff_t>(wv.size());
          wi.push_back(ent_i[e]);
          wj.push_back(ent_j[e]);
          wv.push_back(0.0);
        }
        wv[static_cast<std::size_t>(k)] += ent_v[e] * w;
      }
    }
    std::size_t kept = 0;  // (wv.size() <= the entries counted: room enough)
    for (std::size_t e = 0; e < wv.size(); ++e) {
      entry_of[wi[e] * G + wj[e]] = -1;
      if (wv[e] == 0) continue;
      ent_i[kept] = wi[e];
      ent_j[kept] = wj[e];
      ent_v[kept] = wv[e];
      ++kept;
    }
    counts.assign(1, Range{0, kept});
    Na = 1;
  }
  // Drop empty angles (when there are several) and normalise.
  std::vector<Range> mats;
  for (std::size_t a = 0; a < Na; ++a) {
    double s = 0;
    for (std::size_t e = counts[a].begin; e < counts[a].end; ++e) s += ent_v[e];
    if (s == 0 && Na > 1) continue;
    if (s == 0) {  // no pairs at all in the only matrix: it is NaN, and so is every feature
      return std::vector<double>(wanted.size(), kNaN);
    }
    for (std::size_t e = counts[a].begin; e < counts[a].end; ++e) ent_v[e] /= s;
    mats.push_back(counts[a]);
  }
  std::vector<double> lv(G);
  for (std::size_t i = 0; i < G; ++i) lv[i] = roi_.gray_levels[i];

  // The angles' arrays live in three pools (zero marginals and sums;
  // entry values and levels; entry indices).
  const std::size_t marginals = 2 * G + static_cast<std::size_t>(3 * Ng - 1);
  std::size_t entries = 0;
  for (const auto& p : mats) entries += p.size();
  std::vector<double> marginal_pool(mats.size() * marginals, 0.0), entry_pool(3 * entries);
  std::vector<std::size_t> index_pool(2 * entries);
  std::vector<AngleStats> stats(mats.size());
  Log2Memo log2_eps(kEps), log2_plain(0.0);  // log2(x + eps); log2(x) (x + 0 = x)
  double* next_marginal = marginal_pool.data();
  double* next_entry = entry_pool.data();
  std::size_t* next_index = index_pool.data();
  auto take = [](auto*& next, std::size_t count) {
    Slice<std::remove_reference_t<decltype(*next)>> slice{next, count};
    next += count;
    return slice;
  };
  for (std::size_t a = 0; a < mats.size(); ++a) {
    const auto& p = mats[a];
    AngleStats& s = stats[a];
    s.px = take(next_marginal, G);
    s.py = take(next_marginal, G);
    s.sum_k = take(next_marginal, static_cast<std::size_t>(2 * Ng - 1));
    s.diff_k = take(next_marginal, static_cast<std::size_t>(Ng));
    s.nz_i = take(next_index, p.size());
    s.nz_j = take(next_index, p.size());
    s.nz_v = take(next_entry, p.size());
    s.nz_li = take(next_entry, p.size());
    s.nz_lj = take(next_entry, p.size());
    for (std::size_t e = 0; e < p.size(); ++e) {
      const std::size_t from = p.begin + e;
      s.nz_i[e] = ent_i[from];
      s.nz_j[e] = ent_j[from];
      s.nz_v[e] = ent_v[from];
      s.nz_li[e] = lv[ent_i[from]];
      s.nz_lj[e] = lv[ent_j[from]];
    }
    // Every sum over (i, j) runs over the non-zero entries; the marginal
    // ones over the marginals.  A symmetric GLCM's entries come in adjacent
    // pairs (i, j), (j, i) of equal value (counted together), so p_y(l)
    // adds the same values in the same order as p_x(l): it is p_x to the
    // bit, and every y-side statistic is its x-side twin.
    const bool twin = settings_.symmetrical_glcm;
    for (std::size_t e = 0; e < s.nz_v.size(); ++e) {
      const std::size_t i = s.nz_i[e], j = s.nz_j[e];
      const double v = s.nz_v[e];
      s.px[i] += v;
      if (!twin) s.py[j] += v;
      s.hxy -= v * log2_eps(v);
      s.sum_k[static_cast<std::size_t>(lv[i] + lv[j] - 2)] += v;
      s.diff_k[static_cast<std::size_t>(std::abs(lv[i] - lv[j]))] += v;
    }
    if (twin) std::copy(s.px.begin(), s.px.end(), s.py.begin());
    // (Zero terms of the entropies are skipped: each would subtract -0.)
    for (std::size_t i = 0; i < G; ++i) {
      s.ux += s.px[i] * lv[i];
      if (s.px[i] > 0) s.hx -= s.px[i] * log2_eps(s.px[i]);
      if (twin) continue;
      s.uy += s.py[i] * lv[i];
      if (s.py[i] > 0) s.hy -= s.py[i] * log2_eps(s.py[i]);
    }
    if (twin) {
      s.uy = s.ux;
      s.hy = s.hx;
    }
    double vx = 0, vy = 0;
    for (std::size_t i = 0; i < G; ++i) {
      vx += s.px[i] * (lv[i] - s.ux) * (lv[i] - s.ux);
      if (!twin) vy += s.py[i] * (lv[i] - s.uy) * (lv[i] - s.uy);
    }
    if (twin) vy = vx;
    // HXY1 = -sum p(i,j) log2(p_x(i) p_y(j) + eps) over the non-zero p.
    for (std::size_t e = 0; e < s.nz_v.size(); ++e)
      s.hxy1 -= s.nz_v[e] * log2_eps(s.px[s.nz_i[e]] * s.py[s.nz_j[e]]);
    // HXY2 = -sum p_x(i) p_y(j) log2(p_x(i) p_y(j) + eps) over the pairs of
    // non-zero marginals.  log2(a b + eps) = log2 a + log2 b + log2(1 + e)
    // with e = eps / (a b), tiny (a, b >= 1 / (2N) for N pairs), and
    // log2(1 + e) = e / ln 2 up to a relative e / 2: each pair adds
    // eps / ln 2, the marginals' entropies give the rest.  O(G), not O(G^2).
    // (A flat region gets HXY2 within one unit in the last place of HXY, so
    // its Imc2 is 0, as pyradiomics' is.)
    double plogp_x = 0, plogp_y = 0, sum_x = 0, sum_y = 0, nx = 0, ny = 0;
    for (std::size_t i = 0; i < G; ++i) {
      if (s.px[i] > 0) {
        plogp_x += s.px[i] * log2_plain(s.px[i]);
        sum_x += s.px[i];
        nx += 1;
      }
      if (!twin && s.py[i] > 0) {
        plogp_y += s.py[i] * log2_plain(s.py[i]);
        sum_y += s.py[i];
        ny += 1;
      }
    }
    if (twin) {
      plogp_y = plogp_x;
      sum_y = sum_x;
      ny = nx;
    }
    s.hxy2 = -(plogp_x * sum_y + plogp_y * sum_x) - nx * ny * (kEps / std::log(2.0));
    s.sigx = std::sqrt(vx);
    s.sigy = std::sqrt(vy);
    auto nonzero_range = [](const Slice<double>& v, std::size_t* lo, std::size_t* hi) {
      std::size_t a = 0, b = v.size();
      while (a < b && v[a] == 0) ++a;
      while (b > a && v[b - 1] == 0) --b;
      *lo = a;
      *hi = b;
    };
    nonzero_range(s.sum_k, &s.sum_lo, &s.sum_hi);
    nonzero_range(s.diff_k, &s.diff_lo, &s.diff_hi);
  }

  std::vector<double> angle_values(mats.size());  // (per_angle's, never nested)
  auto per_angle = [&](auto&& fn) {
    for (std::size_t a = 0; a < mats.size(); ++a) angle_values[a] = fn(stats[a]);
    return detail::NanMean(angle_values);
  };
  // The sums over an angle's non-zero entries, all in one pass (computed
  // once, when a feature needs them).  Each is accumulated on its own in
  // the entries' order, so it has the bits of a pass of its own; together
  // their additions overlap instead of waiting on one another.
  struct EntrySums {
    double autocorrelation = 0, prominence = 0, shade = 0, tendency = 0, contrast = 0, correlation = 0, energy = 0,
           squares = 0, maximum = 0;
  };
  std::vector<EntrySums> entry_sums;
  auto entry = [&](std::size_t a) -> const EntrySums& {
    if (entry_sums.empty()) {
      entry_sums.resize(mats.size());
      for (std::size_t b = 0; b < mats.size(); ++b) {
        const AngleStats& s = stats[b];
        EntrySums r;
        for (std::size_t e = 0; e < s.nz_v.size(); ++e) {
          const double p = s.nz_v[e], i = s.nz_li[e], j = s.nz_lj[e];
          const double d = i + j - s.ux - s.uy;
          r.autocorrelation += p * (i * j);
          r.prominence += p * ((d * d) * (d * d));
          r.shade += p * (d * d * d);
          r.tendency += p * (d * d);
          r.contrast += p * ((i - j) * (i - j));
          r.correlation += p * ((i - s.ux) * (j - s.uy));
          r.energy += p * p;
          r.squares += p * ((i - s.ux) * (i - s.ux));
          r.maximum = std::max(r.maximum, p);
        }
        entry_sums[b] = r;
      }
    }
    return entry_sums[a];
  };
  // Likewise the sums over p_{x-y}(k), k = |i - j|.
  struct DiffSums {
    double average = 0, entropy = 0, idm = 0, idmn = 0, id = 0, idn = 0, inverse_variance = 0;
  };
  std::vector<DiffSums> diff_sums;
  auto diff = [&](std::size_t a) -> const DiffSums& {
    if (diff_sums.empty()) {
      diff_sums.resize(mats.size());
      const double ng = static_cast<double>(Ng);
      for (std::size_t b = 0; b < mats.size(); ++b) {
        const AngleStats& s = stats[b];
        DiffSums r;
        for (std::size_t k = s.diff_lo; k < s.diff_hi; ++k) {
          const double p = s.diff_k[k], x = static_cast<double>(k);
          r.average += x * p;
          if (p > 0) r.entropy -= p * log2_eps(p);
          r.idm += 1 / (1 + x * x) * p;
          r.idmn += 1 / (1 + (x * x) / (ng * Ng)) * p;
          r.id += 1 / (1 + x) * p;
          r.idn += 1 / (1 + x / Ng) * p;
          if (k > 0) r.inverse_variance += p / (x * k);
        }
        diff_sums[b] = r;
      }
    }
    return diff_sums[a];
  };
  auto index_of = [&](const AngleStats& s) { return static_cast<std::size_t>(&s - stats.data()); };
  auto from_entries = [&](double EntrySums::*member) {
    return per_angle([&](const AngleStats& s) { return entry(index_of(s)).*member; });
  };
  auto from_diff = [&](double DiffSums::*member) {
    return per_angle([&](const AngleStats& s) { return diff(index_of(s)).*member; });
  };
  auto value = [&](std::string_view f) -> double {
    if (f == "Autocorrelation"sv) return from_entries(&EntrySums::autocorrelation);
    if (f == "JointAverage"sv) {
      double s = 0;
      for (const auto& st : stats) s += st.ux;
      return s / static_cast<double>(stats.size());
    }
    if (f == "ClusterProminence"sv) return from_entries(&EntrySums::prominence);
    if (f == "ClusterShade"sv) return from_entries(&EntrySums::shade);
    if (f == "ClusterTendency"sv || f == "SumVariance"sv) return from_entries(&EntrySums::tendency);
    if (f == "Contrast"sv) return from_entries(&EntrySums::contrast);
    if (f == "Correlation"sv)
      return per_angle([&](const AngleStats& s) {
        if (s.sigx * s.sigy == 0) return 1.0;
        return entry(index_of(s)).correlation / (s.sigx * s.sigy + kEps);
      });
    if (f == "DifferenceAverage"sv || f == "Dissimilarity"sv) return from_diff(&DiffSums::average);
    if (f == "DifferenceEntropy"sv) return from_diff(&DiffSums::entropy);
    if (f == "DifferenceVariance"sv)
      return per_angle([&](const AngleStats& s) {
        const double da = diff(index_of(s)).average;
        double r = 0;
        for (std::size_t k = s.diff_lo; k < s.diff_hi; ++k) {
          const double x = static_cast<double>(k);
          r += (x - da) * (x - da) * s.diff_k[k];
        }
        return r;
      });
    if (f == "JointEnergy"sv) return from_entries(&EntrySums::energy);
    if (f == "JointEntropy"sv) return per_angle([&](const AngleStats& s) { return s.hxy; });
    if (f == "Imc1"sv)
      return per_angle([&](const AngleStats& s) {
        const double div = std::fmax(s.hx, s.hy);
        return div != 0 ? (s.hxy - s.hxy1) / div : 0.0;
      });
    if (f == "Imc2"sv)
      return per_angle([&](const AngleStats& s) {
        if (s.hxy2 == s.hxy) return 0.0;
        const double arg = 1 - std::exp(-2 * (s.hxy2 - s.hxy));
        return arg < 0 ? kNaN : std::sqrt(arg);
      });
    if (f == "Idm"sv || f == "Homogeneity2"sv) return from_diff(&DiffSums::idm);
    if (f == "Idmn"sv) return from_diff(&DiffSums::idmn);
    if (f == "Id"sv || f == "Homogeneity1"sv) return from_diff(&DiffSums::id);
    if (f == "Idn"sv) return from_diff(&DiffSums::idn);
    if (f == "InverseVariance"sv) return from_diff(&DiffSums::inverse_variance);
    if (f == "MaximumProbability"sv) return from_entries(&EntrySums::maximum);
    if (f == "SumAverage"sv)
      return per_angle([&](const AngleStats& s) {
        double r = 0;
        for (std::size_t k = s.sum_lo; k < s.sum_hi; ++k) r += static_cast<double>(k + 2) * s.sum_k[k];
        return r;
      });
    if (f == "SumEntropy"sv)
      return per_angle([&](const AngleStats& s) {
        double h = 0;
        for (std::size_t k = s.sum_lo; k < s.sum_hi; ++k)
          if (s.sum_k[k] > 0) h -= s.sum_k[k] * log2_eps(s.sum_k[k]);
        return h;
      });
    if (f == "SumSquares"sv) return from_entries(&EntrySums::squares);
    if (f == "MCC"sv) {
      if (G < 2) return 1.0;
      std::vector<double> v(mats.size());
      MccSolver solver(G);
      for (std::size_t a = 0; a < mats.size(); ++a) v[a] = solver.SecondEigenvalueOfQ(stats[a], G, settings_.symmetrical_glcm);
      for (double& x : v) x = x < 0 ? 0.0 : std::sqrt(x);
      return detail::NanMean(v);
    }
    throw InvalidArgument("glcm feature '" + std::string(f) + "' is not implemented");
  };
  std::vector<double> out;
  out.reserve(wanted.size());
  for (const auto f : wanted) out.push_back(value(f));
  return out;
}

}  // namespace lvsi::radiomics

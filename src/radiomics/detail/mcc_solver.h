#pragma once
// The eigenvalue problem of GLCM's maximal correlation coefficient (MCC):
// the second largest eigenvalue of pyradiomics' Q matrix of one angle's
// GLCM, by a Householder reduction to tridiagonal form (the kernels of
// spectrum_kernel.h) and a Sturm/Newton search.  Private to the radiomics
// module.
#include <cstddef>
#include <vector>

#include "detail/glcm_angle.h"

namespace lvsi::radiomics::detail {

// A symmetric tridiagonal matrix: diagonal a (n values), off-diagonal b
// (n - 1); off is scratch of the eigenvalue search.
struct Tridiagonal {
  std::vector<double> a, b, off;
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

}  // namespace lvsi::radiomics::detail

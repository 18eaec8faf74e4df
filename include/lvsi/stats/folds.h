#pragma once
/// \file
/// Stratified train/validation splits, stratified K-fold ids and the cases
/// of a fold: the one place the selection, models and deepfeatures modules
/// take their splits from.
#include <Eigen/Core>
#include <cstddef>
#include <vector>

#include "lvsi/stats/export.h"

namespace lvsi::stats {

/// Stratified random split: each class shuffled with `seed`, the first
/// round(fraction * n_class) cases of each class to training (the study:
/// 0.7).  Returns the training and validation row indices, each in
/// increasing order.  Throws InvalidArgument for a fraction outside (0, 1)
/// or labels other than 0/1.
LVSI_STATS_EXPORT void StratifiedSplit(const std::vector<int>& y, double train_fraction, unsigned seed,
                                        std::vector<std::size_t>* train, std::vector<std::size_t>* validation);

/// The cases of one cross-validation fold (test) and of all the others
/// (training), each in their original order.
struct FoldData {
  Eigen::MatrixXd x_train, x_test;
  std::vector<int> y_train, y_test;
};

/// Splits rows of `x` and `y` by `fold_ids` (1..K) for fold `fold`.  Throws
/// InvalidArgument for mismatched sizes or an empty fold.
LVSI_STATS_EXPORT FoldData SplitFold(const Eigen::MatrixXd& x, const std::vector<int>& y,
                                         const std::vector<int>& fold_ids, int fold);

/// Stratified fold ids (1..K): each class shuffled with `seed` and dealt
/// round-robin, so every fold gets its share of both classes.  Throws
/// InvalidArgument when there are fewer cases than folds.
LVSI_STATS_EXPORT std::vector<int> StratifiedFolds(const std::vector<int>& y, int folds, unsigned seed);

/// Repeated stratified K-fold: `repeats` assignments of fold ids 1..K
/// (StratifiedFolds with seeds seed, seed + 1, ...).
LVSI_STATS_EXPORT std::vector<std::vector<int>> RepeatedStratifiedFolds(const std::vector<int>& y, int folds,
                                                                          int repeats, unsigned seed);

}  // namespace lvsi::stats

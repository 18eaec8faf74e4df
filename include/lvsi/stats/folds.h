#pragma once
/// \file
/// Stratified train/validation splits and repeated stratified K-fold.
#include <cstddef>
#include <vector>

#include "lvsi/models/export.h"

namespace lvsi::models {

/// Stratified random split: each class shuffled with `seed`, the first
/// round(fraction * n_class) cases of each class to training (the study:
/// 0.7).  Returns the training and validation row indices, each in
/// increasing order.  Throws InvalidArgument for a fraction outside (0, 1)
/// or labels other than 0/1.
LVSI_MODELS_EXPORT void StratifiedSplit(const std::vector<int>& y, double train_fraction, unsigned seed,
                                        std::vector<std::size_t>* train, std::vector<std::size_t>* validation);

/// Repeated stratified K-fold: `repeats` assignments of fold ids 1..K
/// (selection::StratifiedFolds with seeds seed, seed + 1, ...).
LVSI_MODELS_EXPORT std::vector<std::vector<int>> RepeatedStratifiedFolds(const std::vector<int>& y, int folds,
                                                                          int repeats, unsigned seed);

}  // namespace lvsi::models

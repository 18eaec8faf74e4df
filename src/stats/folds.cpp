#include "lvsi/stats/folds.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "lvsi/core/error.h"

namespace lvsi::stats {

void StratifiedSplit(const std::vector<int>& y, double train_fraction, unsigned seed, std::vector<std::size_t>* train,
                     std::vector<std::size_t>* validation) {
  if (!(train_fraction > 0 && train_fraction < 1)) throw InvalidArgument("split: the training fraction must lie in (0, 1)");
  train->clear();
  validation->clear();
  std::mt19937 rng(seed);
  for (int cls : {0, 1}) {
    std::vector<std::size_t> members;
    for (std::size_t i = 0; i < y.size(); ++i) {
      if (y[i] != 0 && y[i] != 1) throw InvalidArgument("split: labels must be 0 or 1, got " + std::to_string(y[i]));
      if (y[i] == cls) members.push_back(i);
    }
    std::shuffle(members.begin(), members.end(), rng);
    const auto n_train = static_cast<std::size_t>(std::llround(train_fraction * static_cast<double>(members.size())));
    train->insert(train->end(), members.begin(), members.begin() + static_cast<long>(n_train));
    validation->insert(validation->end(), members.begin() + static_cast<long>(n_train), members.end());
  }
  std::sort(train->begin(), train->end());
  std::sort(validation->begin(), validation->end());
}

FoldData SplitFold(const Eigen::MatrixXd& x, const std::vector<int>& y, const std::vector<int>& fold_ids, int fold) {
  if (static_cast<std::size_t>(x.rows()) != y.size() || fold_ids.size() != y.size())
    throw InvalidArgument("cross-validation: " + std::to_string(x.rows()) + " rows, " + std::to_string(y.size()) +
                          " labels and " + std::to_string(fold_ids.size()) + " fold ids");
  std::vector<Eigen::Index> train, test;
  for (std::size_t i = 0; i < y.size(); ++i) (fold_ids[i] == fold ? test : train).push_back(static_cast<Eigen::Index>(i));
  if (test.empty()) throw InvalidArgument("cross-validation: fold " + std::to_string(fold) + " is empty");
  FoldData d;
  d.x_train = x(train, Eigen::all);
  d.x_test = x(test, Eigen::all);
  for (Eigen::Index i : train) d.y_train.push_back(y[static_cast<std::size_t>(i)]);
  for (Eigen::Index i : test) d.y_test.push_back(y[static_cast<std::size_t>(i)]);
  return d;
}

std::vector<int> StratifiedFolds(const std::vector<int>& y, int folds, unsigned seed) {
  if (folds < 2) throw InvalidArgument("cross-validation needs at least 2 folds");
  if (y.size() < static_cast<std::size_t>(folds))
    throw InvalidArgument("cross-validation: " + std::to_string(y.size()) + " cases are fewer than " +
                          std::to_string(folds) + " folds");
  std::mt19937 rng(seed);
  std::vector<int> ids(y.size(), 0);
  int next = 0;  // continue dealing across classes so fold sizes stay balanced
  for (int cls : {0, 1}) {
    std::vector<std::size_t> members;
    for (std::size_t i = 0; i < y.size(); ++i)
      if (y[i] == cls) members.push_back(i);
    std::shuffle(members.begin(), members.end(), rng);
    for (std::size_t i : members) {
      ids[i] = next + 1;
      next = (next + 1) % folds;
    }
  }
  return ids;
}

std::vector<std::vector<int>> RepeatedStratifiedFolds(const std::vector<int>& y, int folds, int repeats, unsigned seed) {
  if (repeats < 1) throw InvalidArgument("repeated K-fold: repeats must be at least 1");
  std::vector<std::vector<int>> out;
  for (int r = 0; r < repeats; ++r) out.push_back(StratifiedFolds(y, folds, seed + static_cast<unsigned>(r)));
  return out;
}

}  // namespace lvsi::stats

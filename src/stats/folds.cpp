#include "lvsi/models/split.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "lvsi/core/error.h"
#include "lvsi/selection/lasso.h"

namespace lvsi::models {

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

std::vector<std::vector<int>> RepeatedStratifiedFolds(const std::vector<int>& y, int folds, int repeats, unsigned seed) {
  if (repeats < 1) throw InvalidArgument("repeated K-fold: repeats must be at least 1");
  std::vector<std::vector<int>> out;
  for (int r = 0; r < repeats; ++r) out.push_back(selection::StratifiedFolds(y, folds, seed + static_cast<unsigned>(r)));
  return out;
}

}  // namespace lvsi::models

#pragma once
/// \file
/// Stratified splits, moved to lvsi::stats (lvsi/stats/folds.h) in 0.2; the
/// old names remain here for one minor release.
#include "lvsi/stats/folds.h"

namespace lvsi::models {

using stats::RepeatedStratifiedFolds;
using stats::StratifiedSplit;

}  // namespace lvsi::models

#pragma once
/// \file
/// Moved to lvsi::stats (lvsi/stats/statistics.h) in 0.2, so that statistics come
/// without the reporting layer's Cairo and JSON; the old names remain here
/// for one minor release.
#include "lvsi/stats/statistics.h"

namespace lvsi::evaluation {

using stats::BonferroniAdjust;
using stats::CheckBinaryLabels;
using stats::ChiSquareTest;
using stats::FisherExactTest;
using stats::HolmAdjust;
using stats::IccResult;
using stats::IntraclassCorrelation;
using stats::MannWhitneySettings;
using stats::MannWhitneyU;
using stats::MidRanks;
using stats::StudentTTest;
using stats::TestResult;
using stats::WelchTTest;

}  // namespace lvsi::evaluation

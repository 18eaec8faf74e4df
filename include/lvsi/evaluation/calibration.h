#pragma once
/// \file
/// Moved to lvsi::stats (lvsi/stats/calibration.h) in 0.2, so that statistics come
/// without the reporting layer's Cairo and JSON; the old names remain here
/// for one minor release.
#include "lvsi/stats/calibration.h"

namespace lvsi::evaluation {

using stats::BrierScore;
using stats::CalibrationBin;
using stats::CalibrationCurve;
using stats::CalibrationFit;
using stats::CalibrationInterceptSlope;
using stats::HosmerLemeshow;
using stats::HosmerLemeshowResult;
using stats::NetBenefit;
using stats::NetBenefitTreatAll;

}  // namespace lvsi::evaluation

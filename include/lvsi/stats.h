#pragma once
/// \file
/// Umbrella header of the stats module (lvsi::stats): classical tests and
/// agreement, ROC/AUC/DeLong and metrics at a cut-off, calibration and
/// decision curves, stratified splits and folds.

#include "lvsi/stats/calibration.h"
#include "lvsi/stats/folds.h"
#include "lvsi/stats/roc.h"
#include "lvsi/stats/statistics.h"

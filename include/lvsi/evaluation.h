#pragma once
/// \file
/// Umbrella header of the evaluation module (lvsi::evaluation).

#include "lvsi/evaluation/calibration.h"
#include "lvsi/evaluation/figures.h"
#include "lvsi/evaluation/report.h"
#include "lvsi/evaluation/roc.h"
#include "lvsi/evaluation/statistics.h"
#include "lvsi/evaluation/study_report.h"

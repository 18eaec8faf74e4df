#pragma once
/// \file
/// Moved to lvsi::stats (lvsi/stats/roc.h) in 0.2, so that statistics come
/// without the reporting layer's Cairo and JSON; the old names remain here
/// for one minor release.
#include "lvsi/stats/roc.h"

namespace lvsi::evaluation {

using stats::Auc;
using stats::AucResult;
using stats::BootstrapAuc;
using stats::ClassificationMetrics;
using stats::ClopperPearson;
using stats::DeLongAuc;
using stats::DeLongTest;
using stats::MetricsAt;
using stats::PairedDeLongTest;
using stats::RocCurve;
using stats::RocPoint;
using stats::UnpairedDeLongTest;
using stats::YoudenOptimal;

}  // namespace lvsi::evaluation

#pragma once
/// \file
/// Umbrella header of the models module (lvsi::models).

#include "lvsi/models/fit.h"
#include "lvsi/models/logistic.h"
#include "lvsi/models/pipeline.h"
#include "lvsi/models/split.h"
#include "lvsi/models/svm.h"

#pragma once
/// \file
/// Umbrella header of the selection module (lvsi::selection).

#include "lvsi/selection/lasso.h"
#include "lvsi/selection/pipeline.h"

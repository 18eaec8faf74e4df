#pragma once
/// \file
/// Umbrella header of the deepfeatures module (lvsi::deepfeatures).

#include "lvsi/deepfeatures/resnet.h"
#include "lvsi/deepfeatures/training.h"
#include "lvsi/deepfeatures/cohort.h"

#pragma once
/// \file
/// Umbrella header of the preprocessing module (lvsi::preprocessing).

#include "lvsi/preprocessing/adc.h"
#include "lvsi/preprocessing/discretization.h"
#include "lvsi/preprocessing/filters.h"
#include "lvsi/preprocessing/image_ops.h"
#include "lvsi/preprocessing/slice.h"

#pragma once
/// \file
/// Umbrella header of the core module (lvsi::core).

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/core/feature_table.h"
#include "lvsi/core/geometry.h"
#include "lvsi/core/logging.h"
#include "lvsi/core/parallel.h"
#include "lvsi/core/program.h"
#include "lvsi/core/progress.h"
#include "lvsi/core/sha1.h"
#include "lvsi/core/volume.h"
#include "lvsi/version.h"

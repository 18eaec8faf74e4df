#pragma once
/// \file
/// Everything this lvsi offers (deepfeatures only when it was built with it).

#include "lvsi/version.h"
#include "lvsi/core.h"
#include "lvsi/io.h"
#include "lvsi/preprocessing.h"
#include "lvsi/stats.h"
#include "lvsi/evaluation.h"
#include "lvsi/radiomics.h"
#include "lvsi/selection.h"
#include "lvsi/models.h"
#if LVSI_WITH_DEEPFEATURES
#include "lvsi/deepfeatures.h"
#endif

#pragma once
/// \file
/// Everything lvsi offers.

#include "lvsi/core.h"
#include "lvsi/io.h"
#include "lvsi/preprocessing.h"
#include "lvsi/evaluation.h"
#include "lvsi/radiomics.h"
#include "lvsi/selection.h"
#include "lvsi/models.h"
#include "lvsi/deepfeatures.h"

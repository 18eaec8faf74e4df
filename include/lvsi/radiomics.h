#pragma once
/// \file
/// Umbrella header of the radiomics module (lvsi::radiomics).

#include "lvsi/radiomics/cohort.h"
#include "lvsi/radiomics/extractor.h"
#include "lvsi/radiomics/features.h"
#include "lvsi/radiomics/ibsi.h"
#include "lvsi/radiomics/roi.h"
#include "lvsi/radiomics/settings.h"

#pragma once
/// \file
/// Umbrella header of the models module (lvsi::models).

#include "lvsi/models/svm.h"

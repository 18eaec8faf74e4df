#pragma once
/// \file
/// Everything lvsi offers.

#include "lvsi/core.h"
#include "lvsi/io.h"

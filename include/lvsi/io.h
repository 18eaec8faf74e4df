#pragma once
/// \file
/// Umbrella header of the io module (lvsi::io).

#include "lvsi/io/image_io.h"
#include "lvsi/io/manifest.h"
#include "lvsi/io/mask.h"
#include "lvsi/io/rtstruct.h"
#include "lvsi/io/table_io.h"
#include "lvsi/io/synthetic.h"

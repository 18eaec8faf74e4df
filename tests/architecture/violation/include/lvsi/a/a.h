#pragma once
#include "lvsi/core/volume.h"

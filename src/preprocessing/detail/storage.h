#pragma once
// Values as an image of a given voxel type stores them.  Private to
// lvsi_preprocessing.

#include "lvsi/preprocessing/image_ops.h"

namespace lvsi::preprocessing::detail {

/// `v` stored as `type` the way SimpleITK casts: clamped to the type's
/// range and truncated towards zero (float32 rounds to float).
double CastToStorage(double v, StoragePixelType type);

}  // namespace lvsi::preprocessing::detail

#pragma once
/// \file
/// Conversion between lvsi volumes and itk::Image.  Header-only: include it
/// only where ITK interop is the point; it needs ITK's headers (find_package
/// (ITK) in the consumer).  The rest of lvsi's public API is free of ITK.

#include <itkImage.h>
#include <itkImportImageFilter.h>

#include <algorithm>
#include <vector>

#include "lvsi/core/volume.h"

namespace lvsi {

/// Copies an lvsi volume into a new itk::Image<TPixel, 3> with the same
/// geometry (values cast to TPixel).
template <typename TPixel, typename T>
typename itk::Image<TPixel, 3>::Pointer ToItkImage(const Volume<T>& volume) {
  using ImageType = itk::Image<TPixel, 3>;
  const Geometry& g = volume.geometry();
  auto image = ImageType::New();
  typename ImageType::RegionType region;
  typename ImageType::SpacingType spacing;
  typename ImageType::PointType origin;
  typename ImageType::DirectionType direction;
  for (unsigned d = 0; d < 3; ++d) {
    region.SetSize(d, g.size[d]);
    region.SetIndex(d, 0);
    spacing[d] = g.spacing[d];
    origin[d] = g.origin[d];
    for (unsigned c = 0; c < 3; ++c) direction(d, c) = g.direction[3 * d + c];
  }
  image->SetRegions(region);
  image->SetSpacing(spacing);
  image->SetOrigin(origin);
  image->SetDirection(direction);
  image->Allocate();
  TPixel* out = image->GetBufferPointer();
  std::transform(volume.data(), volume.data() + volume.size(), out,
                 [](T v) { return static_cast<TPixel>(v); });
  return image;
}

/// Reads the geometry of an ITK image (its largest possible region).
template <typename TImage>
Geometry GeometryOf(const TImage* image) {
  Geometry g;
  const auto size = image->GetLargestPossibleRegion().GetSize();
  for (unsigned d = 0; d < 3; ++d) {
    g.size[d] = size[d];
    g.spacing[d] = image->GetSpacing()[d];
    g.origin[d] = image->GetOrigin()[d];
    for (unsigned c = 0; c < 3; ++c) g.direction[3 * d + c] = image->GetDirection()(d, c);
  }
  return g;
}

/// Copies a 3-D ITK image (whose buffered region is its largest possible
/// region) into an lvsi volume of element type T.
template <typename T, typename TImage>
Volume<T> FromItkImage(const TImage* image) {
  const Geometry g = GeometryOf(image);
  const auto* in = image->GetBufferPointer();
  // Converting construction: one pass, no zero-fill first.
  return Volume<T>(g, std::vector<T>(in, in + g.NumVoxels()));
}

}  // namespace lvsi

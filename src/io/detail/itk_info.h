#pragma once
// What an ITK image IO read from a header, as lvsi's ImageInfo: used by
// lvsi_io and its DICOM plugin.  Private to lvsi_io.

#include <itkImageIOBase.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

#include "lvsi/core/error.h"
#include "lvsi/core/geometry.h"
#include "lvsi/io/image_io.h"

namespace lvsi::io::detail {

/// Throws FormatError naming `path` when the header read by `io` claims
/// more than kMaxVoxels voxels (times `slices`, the files of a DICOM
/// series): refused before anything is allocated.
inline void CheckVoxelLimit(const itk::ImageIOBase& io, const std::string& path, std::size_t slices = 1) {
  std::array<std::size_t, 3> size{1, 1, 1};
  std::size_t beyond = 1;  // dimensions past the third (only 1 is read)
  for (unsigned d = 0; d < io.GetNumberOfDimensions(); ++d) {
    const std::size_t n = io.GetDimensions(d);
    if (d < 3) size[d] = n;
    else beyond = std::max(beyond, n);
  }
  size[2] = std::max<std::size_t>(size[2], 1);
  const std::size_t voxels = CheckedVoxelCount({size[0], size[1], CheckedVoxelCount({size[2], slices, beyond})});
  if (voxels > kMaxVoxels)
    throw FormatError(path, "the header claims " + std::to_string(size[0]) + " x " + std::to_string(size[1]) + " x " +
                                std::to_string(size[2]) + (slices > 1 ? " x " + std::to_string(slices) + " files" : "") +
                                " voxels, more than lvsi's limit of 2^31; the file is damaged or not an image lvsi can "
                                "hold");
}

/// Stored voxel type (lvsi's names) and geometry of an IO whose
/// ReadImageInformation has run; missing dimensions become 1 voxel.
inline ImageInfo InfoOf(const itk::ImageIOBase& io) {
  ImageInfo info;
  switch (io.GetComponentType()) {
    case itk::IOComponentEnum::CHAR: info.pixel_type = "int8"; break;
    case itk::IOComponentEnum::UCHAR: info.pixel_type = "uint8"; break;
    case itk::IOComponentEnum::SHORT: info.pixel_type = "int16"; break;
    case itk::IOComponentEnum::USHORT: info.pixel_type = "uint16"; break;
    case itk::IOComponentEnum::INT: info.pixel_type = "int32"; break;
    case itk::IOComponentEnum::UINT: info.pixel_type = "uint32"; break;
    case itk::IOComponentEnum::LONG:
    case itk::IOComponentEnum::LONGLONG: info.pixel_type = "int64"; break;
    case itk::IOComponentEnum::ULONG:
    case itk::IOComponentEnum::ULONGLONG: info.pixel_type = "uint64"; break;
    case itk::IOComponentEnum::FLOAT: info.pixel_type = "float32"; break;
    default: info.pixel_type = "float64";
  }
  const unsigned dims = io.GetNumberOfDimensions();
  for (unsigned d = 0; d < 3; ++d) {
    info.geometry.size[d] = d < dims ? io.GetDimensions(d) : 1;
    info.geometry.spacing[d] = d < dims ? io.GetSpacing(d) : 1.0;
    info.geometry.origin[d] = d < dims ? io.GetOrigin(d) : 0.0;
    for (unsigned c = 0; c < 3; ++c)
      info.geometry.direction[3 * d + c] = (c < dims && d < dims) ? io.GetDirection(c)[d] : (c == d ? 1.0 : 0.0);
  }
  return info;
}

/// fn(T{}) with T the C++ type of a stored voxel type named as ImageInfo
/// names it ("int8" .. "float64"); double for the 64-bit integers and any
/// other name.  One dispatch for every reader.
template <class Fn>
decltype(auto) WithPixelType(const std::string& type, Fn&& fn) {
  if (type == "int8") return fn(std::int8_t{});
  if (type == "uint8") return fn(std::uint8_t{});
  if (type == "int16") return fn(std::int16_t{});
  if (type == "uint16") return fn(std::uint16_t{});
  if (type == "int32") return fn(std::int32_t{});
  if (type == "uint32") return fn(std::uint32_t{});
  if (type == "float32") return fn(float{});
  return fn(double{});
}

}  // namespace lvsi::io::detail

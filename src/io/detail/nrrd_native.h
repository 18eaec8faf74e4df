#pragma once
// A direct reader for the common NRRD layout (attached raw or gzip data,
// scalar 3-D, space directions and origin), giving exactly what ITK's
// NrrdImageIO gives; anything else is left to ITK.  Private to lvsi_io.

#include <optional>
#include <string>
#include <vector>

#include "lvsi/core/volume.h"

namespace lvsi::io::detail {

/// What the header says, when the native reader can handle the file.
struct NrrdLayout {
  Geometry geometry;
  std::string pixel_type;       ///< lvsi's names: "int16", "float32", ...
  std::size_t component_bytes = 0;
  bool gzip = false;
  bool big_endian = false;
  std::size_t data_offset = 0;  ///< Where the attached data begin in the file.
};

/// The layout of `path`, or nullopt when the file uses something the
/// native reader leaves to ITK (detached data, other encodings, spaces
/// other than LPS/RAS, non-domain axes, skips, ...).  Reads only the header.
std::optional<NrrdLayout> ParseNrrdHeader(const std::string& path);

/// The voxels of `path` converted to T, or nullopt when the native reader
/// cannot read them (then ITK reads the file and reports any problem).
template <typename T>
std::optional<Volume<T>> ReadNrrdNative(const std::string& path, const NrrdLayout& layout);

}  // namespace lvsi::io::detail

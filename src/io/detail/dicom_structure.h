#pragma once
// A check of a DICOM file's element structure, made before GDCM reads it.
// Private to lvsi's DICOM plugin.

#include <string>

namespace lvsi::io::detail {

/// Walks the data elements of the DICOM Part 10 file `path` (file meta
/// group, then the data set in explicit or implicit VR, little or big
/// endian), into sequences and items, and throws FormatError naming the
/// file and the first element that is malformed: a value length beyond the
/// bytes that hold it, an invalid VR, an item or delimiter out of place,
/// nesting deeper than 64.  GDCM trusts these lengths (a 1 KiB file could
/// make it allocate 4 GiB) and asserts on some misplaced delimiters.
/// A file without the "DICM" prefix or a transfer syntax is refused; a
/// deflated data set is left to GDCM.
void CheckDicomStructure(const std::string& path);

}  // namespace lvsi::io::detail

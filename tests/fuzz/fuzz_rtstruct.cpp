// DICOM RT Structure Sets: listing the ROIs and rasterising the first.
#include <cstdlib>
#include <string>

#include "fuzz_util.h"
#include "lvsi/core/error.h"
#include "lvsi/io/rtstruct.h"

// In process, so that libFuzzer sees the coverage of lvsi's structure check
// and of GDCM, and an abort that passes the check is a finding (users'
// programs read DICOM in a child process, which would hide it).
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  setenv("LVSI_DICOM_IN_PROCESS", "1", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = lvsi::fuzz::WriteInput(data, size, ".dcm");
  try {
    const auto rois = lvsi::io::ListRtStructRois(path);
    if (!rois.empty()) {
      lvsi::Geometry g;
      g.size = {16, 16, 4};
      g.spacing = {2, 2, 5};
      g.origin = {-16, -16, -10};
      lvsi::io::ReadRtStructMask(path, rois.front().name, g);
    }
  } catch (const lvsi::Error&) {
  }
  return 0;
}

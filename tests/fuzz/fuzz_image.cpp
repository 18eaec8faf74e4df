// The image readers (lvsi's NRRD reader, ITK's NRRD, NIfTI and MetaImage
// readers behind lvsi's checks): the first byte picks the format, the rest
// is the file.  Every input must give an image or an lvsi::Error.
#include <string>

#include "fuzz_util.h"
#include "lvsi/core/error.h"
#include "lvsi/io/image_io.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const char* kExtensions[] = {".nrrd", ".nii", ".nii.gz", ".mha"};
  const std::string path = lvsi::fuzz::WriteInput(data + 1, size - 1, kExtensions[data[0] % 4]);
  try {
    lvsi::io::ReadImageInfo(path);
  } catch (const lvsi::Error&) {
  }
  try {
    const lvsi::Image image = lvsi::io::ReadImage(path);
    (void)image.size();
  } catch (const lvsi::Error&) {
  }
  try {
    lvsi::io::ImageReadSettings settings;
    settings.component = data[0] / 4 % 3;
    const lvsi::LabelImage labels = lvsi::io::ReadLabelImage(path, data[0] >= 128 ? settings : lvsi::io::ImageReadSettings{});
    (void)labels.size();
  } catch (const lvsi::Error&) {
  }
  return 0;
}

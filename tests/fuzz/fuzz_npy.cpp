// NumPy .npy arrays (the deep-feature program's input).
#include <string>

#include "fuzz_util.h"
#include "lvsi/core/error.h"
#include "lvsi/deepfeatures/resnet.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = lvsi::fuzz::WriteInput(data, size, ".npy");
  try {
    std::vector<long> shape;
    const std::vector<float> values = lvsi::deepfeatures::ReadNpyFloat32(path, &shape);
    std::size_t count = 1;
    for (long d : shape) count *= static_cast<std::size_t>(d);
    if (count != values.size()) std::abort();
  } catch (const lvsi::Error&) {
  }
  return 0;
}

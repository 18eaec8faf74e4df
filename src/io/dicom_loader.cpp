// Loads the DICOM plugin (see dicom_api.h) on first use.
#include <dlfcn.h>

#include <filesystem>
#include <mutex>

#include "detail/dicom_api.h"
#include "lvsi/core/error.h"

namespace lvsi::io::detail {

const DicomApi& Dicom() {
  static const DicomApi* api = nullptr;
  static std::once_flag once;
  static std::string failure;
  std::call_once(once, [] {
    // Next to this library first (build tree and installed tree alike),
    // then the loader's search path.
    Dl_info self{};
    std::vector<std::string> candidates;
    if (dladdr(reinterpret_cast<void*>(&Dicom), &self) && self.dli_fname)
      candidates.push_back((std::filesystem::path(self.dli_fname).parent_path() / "liblvsi_io_dicom.so").string());
    candidates.push_back("liblvsi_io_dicom.so");
    for (const auto& path : candidates) {
      void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!handle) {
        if (failure.empty()) failure = dlerror();
        continue;
      }
      using Entry = const DicomApi* (*)();
      auto entry = reinterpret_cast<Entry>(dlsym(handle, "lvsi_io_dicom_api"));
      const DicomApi* candidate = entry ? entry() : nullptr;
      if (candidate && candidate->version == kDicomApiVersion) {
        api = candidate;
        return;
      }
      failure = path + " is not a DICOM plugin of this lvsi version";
    }
  });
  if (!api) throw IoError("liblvsi_io_dicom.so", "DICOM support cannot be loaded: " + failure);
  return *api;
}

}  // namespace lvsi::io::detail

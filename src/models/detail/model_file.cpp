#include "detail/model_file.h"

#include "lvsi/core/error.h"
#include "lvsi/version.h"

namespace lvsi::models::detail {

nlohmann::json NewModelJson(const char* format, int version) {
  nlohmann::json j;
  j["format"] = format;
  j["version"] = version;
  j["lvsi_version"] = Version();
  return j;
}

nlohmann::json ParseModelJson(const std::string& text, const std::string& source, const char* format, int oldest,
                              int newest, const std::string& what) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw ModelError(source + ": not an lvsi " + what + " file (" + e.what() + ")");
  }
  if (!j.is_object() || j.value("format", std::string()) != format)
    throw ModelError(source + ": not an lvsi " + what + " file (format '" +
                     (j.is_object() ? j.value("format", std::string("none")) : std::string("none")) + "')");
  const int found = j.value("version", -1);
  if (found < oldest || found > newest)
    throw ModelError(source + ": " + what + " file version " + std::to_string(found) + " (written by lvsi " +
                     j.value("lvsi_version", std::string("?")) + "); this lvsi " + Version() + " reads version " +
                     (oldest == newest ? std::to_string(newest)
                                       : std::to_string(oldest) + " to " + std::to_string(newest)));
  return j;
}

}  // namespace lvsi::models::detail

#include "detail/model_file.h"

#include <cmath>

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
  auto text_of = [&](const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string("none");
  };
  if (!j.is_object() || text_of("format") != format)
    throw ModelError(source + ": not an lvsi " + what + " file (format '" + (j.is_object() ? text_of("format") : "none") +
                     "')");
  const auto version = j.find("version");
  const int found = version != j.end() && version->is_number_integer() ? version->get<int>() : -1;
  if (found < oldest || found > newest)
    throw ModelError(source + ": " + what + " file version " + std::to_string(found) + " (written by lvsi " +
                     text_of("lvsi_version") + "); this lvsi " + Version() + " reads version " +
                     (oldest == newest ? std::to_string(newest)
                                       : std::to_string(oldest) + " to " + std::to_string(newest)));
  return j;
}

void CheckField(bool valid, const std::string& source, const std::string& what, const std::string& field,
                const std::string& rule) {
  if (!valid) throw ModelError(source + ": invalid " + what + " file: '" + field + "' " + rule);
}

void CheckFinite(const std::vector<double>& values, const std::string& source, const std::string& what,
                 const std::string& field) {
  for (std::size_t n = 0; n < values.size(); ++n)
    CheckField(std::isfinite(values[n]), source, what, field,
               "must hold finite numbers (value " + std::to_string(n) + " is not)");
}

}  // namespace lvsi::models::detail

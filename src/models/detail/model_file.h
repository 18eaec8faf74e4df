#pragma once
// The common header of lvsi's model files (JSON): format name, format
// version, and the lvsi version that wrote them.
#include <nlohmann/json.hpp>
#include <string>

namespace lvsi::models::detail {

/// A JSON object with the header fields filled in.
nlohmann::json NewModelJson(const char* format, int version);

/// Parses `text` and checks its format and that its version is one of
/// `oldest`..`newest` (the caller reads older layouts); `what` names the kind
/// of file in messages ("SVM model").  Throws ModelError naming `source`:
/// not JSON, another format, or another version (with the versions and the
/// lvsi version that wrote the file).
nlohmann::json ParseModelJson(const std::string& text, const std::string& source, const char* format, int oldest,
                              int newest, const std::string& what);

}  // namespace lvsi::models::detail

#pragma once
// The common header of lvsi's model files (JSON): format name, format
// version, and the lvsi version that wrote them.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

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

/// Throws ModelError "<source>: invalid <what> file: '<field>' <rule>"
/// unless `valid`: the field-by-field check of a model file's values.
void CheckField(bool valid, const std::string& source, const std::string& what, const std::string& field,
                const std::string& rule);

/// CheckField for every value of a list: each must be finite.
void CheckFinite(const std::vector<double>& values, const std::string& source, const std::string& what,
                 const std::string& field);

}  // namespace lvsi::models::detail

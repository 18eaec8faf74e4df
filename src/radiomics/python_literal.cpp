#include "detail/python_literal.h"

#include <yaml-cpp/yaml.h>

#include <regex>

#include "lvsi/core/csv.h"

namespace lvsi::radiomics::detail {
namespace {

std::string Literal(const YAML::Node& n) {
  if (!n || n.IsNull()) return "None";
  if (n.IsSequence()) {
    std::string out = "[";
    for (std::size_t k = 0; k < n.size(); ++k) out += (k ? ", " : "") + Literal(n[k]);
    return out + "]";
  }
  if (n.IsMap()) {
    std::string out = "{";
    bool first = true;
    for (auto it = n.begin(); it != n.end(); ++it, first = false)
      out += (first ? "" : ", ") + Literal(it->first) + ": " + Literal(it->second);
    return out + "}";
  }
  const std::string& t = n.Scalar();
  if (n.Tag() == "!") return "'" + t + "'";  // quoted in the YAML: a string
  // PyYAML's YAML 1.1 scalars: booleans, integers, floats; the rest strings.
  static const std::regex kTrue("^(true|True|TRUE|yes|Yes|YES|on|On|ON)$");
  static const std::regex kFalse("^(false|False|FALSE|no|No|NO|off|Off|OFF)$");
  static const std::regex kNull("^(~|null|Null|NULL)$");
  static const std::regex kInt("^[-+]?(0|[1-9][0-9_]*)$");
  static const std::regex kFloat("^[-+]?(\\.[0-9]+|[0-9][0-9_]*\\.[0-9_]*)([eE][-+][0-9]+)?$");
  if (std::regex_match(t, kTrue)) return "True";
  if (std::regex_match(t, kFalse)) return "False";
  if (std::regex_match(t, kNull)) return "None";
  if (std::regex_match(t, kInt)) {
    std::string digits;
    for (char c : t)
      if (c != '_' && c != '+') digits += c;
    return digits;
  }
  double v;
  if (std::regex_match(t, kFloat) && ParseDouble(t, &v)) return FormatPythonFloat(v);
  std::string quoted = "'";
  for (char c : t) quoted += c == '\'' ? std::string("\\'") : std::string(1, c);
  return quoted + "'";
}

}  // namespace

std::string PythonLiteral(const std::string& yaml_text) {
  try {
    return Literal(YAML::Load(yaml_text));
  } catch (const YAML::Exception&) {
    return "'" + yaml_text + "'";
  }
}

}  // namespace lvsi::radiomics::detail

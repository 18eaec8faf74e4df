#include "detail/python_literal.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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
  if (std::regex_match(t, kFloat) && ParseDouble(t, &v)) return PyFloat(v);
  std::string quoted = "'";
  for (char c : t) quoted += c == '\'' ? std::string("\\'") : std::string(1, c);
  return quoted + "'";
}

}  // namespace

// Python's repr() of a float, as pyradiomics' diagnostics print it: the
// shortest digits that read back to the value, positional for decimal
// exponents -4..15 (with ".0" when whole), else d.ddde+XX.
std::string PyFloat(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  const std::string sci(buf, res.ptr);  // [-]d[.ddd]e[+-]XX
  const std::size_t e = sci.find('e');
  const int exponent = std::stoi(sci.substr(e + 1));
  const bool negative = sci[0] == '-';
  std::string digits;
  for (std::size_t n = negative ? 1 : 0; n < e; ++n)
    if (sci[n] != '.') digits += sci[n];
  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char tail[16];
    std::snprintf(tail, sizeof tail, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out + tail;
  }
  if (exponent < 0) return out + "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
  const std::size_t whole = static_cast<std::size_t>(exponent) + 1;
  if (digits.size() <= whole) return out + digits + std::string(whole - digits.size(), '0') + ".0";
  return out + digits.substr(0, whole) + "." + digits.substr(whole);
}

std::string PythonLiteral(const std::string& yaml_text) {
  try {
    return Literal(YAML::Load(yaml_text));
  } catch (const YAML::Exception&) {
    return "'" + yaml_text + "'";
  }
}

}  // namespace lvsi::radiomics::detail

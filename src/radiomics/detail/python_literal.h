#pragma once
// Values printed as Python prints them, for pyradiomics' diagnostics.

#include <string>

namespace lvsi::radiomics::detail {

/// Python's repr() of a float: the shortest digits that read back to the
/// value, positional for decimal exponents -4..15 (with ".0" when whole),
/// else d.ddde+XX; nan, inf, -inf.
std::string PyFloat(double v);

/// The Python literal of a YAML value as pyradiomics reads it with PyYAML:
/// None, True/False, whole numbers, floats (repr), quoted strings, lists
/// [a, b] and dicts {'k': v}.
std::string PythonLiteral(const std::string& yaml_text);

}  // namespace lvsi::radiomics::detail

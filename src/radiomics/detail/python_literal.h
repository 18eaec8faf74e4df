#pragma once
// Values printed as Python prints them, for pyradiomics' diagnostics.

#include <string>

namespace lvsi::radiomics::detail {

/// The Python literal of a YAML value as pyradiomics reads it with PyYAML:
/// None, True/False, whole numbers, floats (repr), quoted strings, lists
/// [a, b] and dicts {'k': v}.
std::string PythonLiteral(const std::string& yaml_text);

}  // namespace lvsi::radiomics::detail

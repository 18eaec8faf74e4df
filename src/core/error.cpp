#include "lvsi/core/error.h"

#include <utility>

namespace lvsi {
namespace {
std::string JoinProblems(const std::string& path, const std::vector<std::string>& problems) {
  std::string text = path + ": " + std::to_string(problems.size()) + " problem" +
                     (problems.size() == 1 ? "" : "s");
  for (const auto& p : problems) text += "\n  " + p;
  return text;
}
}  // namespace

Error::Error(const std::string& what) : std::runtime_error(what) {}
Error::~Error() = default;
InvalidArgument::InvalidArgument(const std::string& what) : Error(what) {}
InvalidArgument::~InvalidArgument() = default;
IoError::IoError(const std::string& path, const std::string& problem)
    : Error(path + ": " + problem), path_(path), problem_(problem) {}
IoError::~IoError() = default;
OutputError::OutputError(const std::string& path, const std::string& problem) : IoError(path, problem) {}
OutputError::~OutputError() = default;
FormatError::FormatError(const std::string& path, const std::string& problem)
    : IoError(path, problem) {}
FormatError::~FormatError() = default;
namespace {
const char* InputName(Input input) { return input == Input::kMask ? "mask" : "image"; }
}  // namespace

InputError::InputError(const std::string& path, const std::string& problem)
    : Error(path + ": " + problem), path_(path), problem_(problem) {}
InputError::InputError(Input input, const std::string& problem)
    : Error(std::string(InputName(input)) + ": " + problem), input_(input), problem_(problem) {}
InputError::~InputError() = default;
DataError::DataError(const std::string& path, const std::string& problem) : InputError(path, problem) {}
DataError::DataError(Input input, const std::string& problem) : InputError(input, problem) {}
DataError::~DataError() = default;
GeometryError::GeometryError(const std::string& path, const std::string& problem) : InputError(path, problem) {}
GeometryError::GeometryError(Input input, const std::string& problem) : InputError(input, problem) {}
GeometryError::~GeometryError() = default;
ManifestError::ManifestError(const std::string& path, std::vector<std::string> problems)
    : IoError(path, JoinProblems(path, problems).substr(path.size() + 2)),
      problems_(std::move(problems)) {}
ManifestError::~ManifestError() = default;
bool Invalid(std::string* why, const std::string& reason) {
  if (why) *why = reason;
  return false;
}

ModelError::ModelError(const std::string& what) : Error(what) {}
ModelError::~ModelError() = default;

Interrupted::Interrupted() : Error("interrupted") {}
Interrupted::~Interrupted() = default;

}  // namespace lvsi

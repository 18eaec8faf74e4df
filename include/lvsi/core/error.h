#pragma once
/// \file
/// The lvsi error hierarchy.  Every failure the library reports is an
/// lvsi::Error (a std::runtime_error), so callers can catch one type.

#include <stdexcept>
#include <string>
#include <vector>

#include "lvsi/core/export.h"

namespace lvsi {

/// Base of every exception lvsi throws.
class LVSI_CORE_EXPORT Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what);
  ~Error() override;
};

/// A caller passed a value outside the documented domain (bad settings,
/// mismatched lengths, an unknown name).
class LVSI_CORE_EXPORT InvalidArgument : public Error {
 public:
  explicit InvalidArgument(const std::string& what);
  ~InvalidArgument() override;
};

/// A file could not be read or written.  what() names the file and the
/// problem; path() returns the file alone.
class LVSI_CORE_EXPORT IoError : public Error {
 public:
  IoError(const std::string& path, const std::string& problem);
  ~IoError() override;
  /// The file or folder concerned.
  const std::string& path() const noexcept { return path_; }
  /// The problem, without the path.
  const std::string& problem() const noexcept { return problem_; }

 private:
  std::string path_;
  std::string problem_;
};

/// A file exists but its format is unsupported, corrupt or truncated.
class LVSI_CORE_EXPORT FormatError : public IoError {
 public:
  FormatError(const std::string& path, const std::string& problem);
  ~FormatError() override;
};

/// Image content that the pipeline cannot use: empty mask, a label absent
/// from a mask, non-finite voxels.
class LVSI_CORE_EXPORT DataError : public IoError {
 public:
  DataError(const std::string& path, const std::string& problem);
  ~DataError() override;
};

/// Two images whose grids (size, spacing, origin, direction) disagree.
class LVSI_CORE_EXPORT GeometryError : public IoError {
 public:
  GeometryError(const std::string& path, const std::string& problem);
  ~GeometryError() override;
};

/// A cohort manifest with one or more problems; problems() lists each,
/// with its line number, so that all can be fixed at once.
class LVSI_CORE_EXPORT ManifestError : public IoError {
 public:
  ManifestError(const std::string& path, std::vector<std::string> problems);
  ~ManifestError() override;
  const std::vector<std::string>& problems() const noexcept { return problems_; }

 private:
  std::vector<std::string> problems_;
};

/// A model or pipeline that cannot be trained, loaded or applied.
class LVSI_CORE_EXPORT ModelError : public Error {
 public:
  explicit ModelError(const std::string& what);
  ~ModelError() override;
};

}  // namespace lvsi

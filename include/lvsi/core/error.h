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

/// A file or folder could not be written: a full disk, a read-only file
/// system, missing permission, or an output that would overwrite one of the
/// operation's inputs.  Whatever the file held before is left as it was.
class LVSI_CORE_EXPORT OutputError : public IoError {
 public:
  OutputError(const std::string& path, const std::string& problem);
  ~OutputError() override;
};

/// A file exists but its format is unsupported, corrupt or truncated.
class LVSI_CORE_EXPORT FormatError : public IoError {
 public:
  FormatError(const std::string& path, const std::string& problem);
  ~FormatError() override;
};

/// Which input of an operation on volumes in memory a DataError or
/// GeometryError is about (a file's errors name the file instead).
enum class Input {
  kImage,  ///< The intensity image.
  kMask,   ///< The mask or label map.
};

/// A problem with an image or mask, found either in a file (path() names
/// it) or in volumes in memory (input() says which; path() is empty).
/// what() starts with the file, or with "image" / "mask".  The base of
/// DataError and GeometryError.
class LVSI_CORE_EXPORT InputError : public Error {
 public:
  ~InputError() override;
  /// The file concerned; empty for volumes in memory.
  const std::string& path() const noexcept { return path_; }
  /// Which input, for volumes in memory (kImage for a file's error).
  Input input() const noexcept { return input_; }
  /// The problem, without the file or input.
  const std::string& problem() const noexcept { return problem_; }

 protected:
  InputError(const std::string& path, const std::string& problem);
  InputError(Input input, const std::string& problem);

 private:
  std::string path_;
  Input input_ = Input::kImage;
  std::string problem_;
};

/// Content of an image or mask that the pipeline cannot use: an empty mask,
/// a label absent from a mask, non-finite voxels.
class LVSI_CORE_EXPORT DataError : public InputError {
 public:
  DataError(const std::string& path, const std::string& problem);  ///< About the file `path`.
  DataError(Input input, const std::string& problem);              ///< About a volume in memory.
  ~DataError() override;
};

/// Two images whose grids (size, spacing, origin, direction) disagree.
class LVSI_CORE_EXPORT GeometryError : public InputError {
 public:
  GeometryError(const std::string& path, const std::string& problem);
  GeometryError(Input input, const std::string& problem);
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

/// Work stopped because RequestInterrupt() was called (e.g. Ctrl-C in the
/// Python package); nothing it was writing is left half-written.
class LVSI_CORE_EXPORT Interrupted : public Error {
 public:
  Interrupted();
  ~Interrupted() override;
};

/// The tail of an IsValid(std::string* why): stores `reason` in *why (when
/// `why` is not null) and returns false.
LVSI_CORE_EXPORT bool Invalid(std::string* why, const std::string& reason);

/// Throws InvalidArgument("<who>: <reason>") unless `settings.IsValid`: the
/// check every function taking a *Settings struct makes on entry.
template <class Settings>
void CheckValid(const Settings& settings, const std::string& who) {
  std::string why;
  if (!settings.IsValid(&why)) throw InvalidArgument(who + ": " + why);
}

}  // namespace lvsi

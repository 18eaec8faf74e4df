# FindLIBSVM
# ----------
# Finds libsvm (Debian: libsvm-dev) and defines the imported target
# LIBSVM::LIBSVM, plus LIBSVM_FOUND, LIBSVM_INCLUDE_DIRS, LIBSVM_LIBRARIES and
# LIBSVM_VERSION (from LIBSVM_VERSION in svm.h).
find_path(LIBSVM_INCLUDE_DIR NAMES svm.h PATH_SUFFIXES libsvm)
find_library(LIBSVM_LIBRARY NAMES svm libsvm)
if(LIBSVM_INCLUDE_DIR AND EXISTS "${LIBSVM_INCLUDE_DIR}/svm.h")
  file(STRINGS "${LIBSVM_INCLUDE_DIR}/svm.h" _libsvm_version_line REGEX "^#define LIBSVM_VERSION [0-9]+")
  string(REGEX REPLACE "^#define LIBSVM_VERSION ([0-9]+).*" "\\1" _libsvm_version "${_libsvm_version_line}")
  if(_libsvm_version)
    math(EXPR _major "${_libsvm_version} / 100")
    math(EXPR _minor "${_libsvm_version} % 100")
    set(LIBSVM_VERSION "${_major}.${_minor}")
  endif()
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LIBSVM
  REQUIRED_VARS LIBSVM_LIBRARY LIBSVM_INCLUDE_DIR
  VERSION_VAR LIBSVM_VERSION)
if(LIBSVM_FOUND)
  set(LIBSVM_INCLUDE_DIRS "${LIBSVM_INCLUDE_DIR}")
  set(LIBSVM_LIBRARIES "${LIBSVM_LIBRARY}")
  if(NOT TARGET LIBSVM::LIBSVM)
    add_library(LIBSVM::LIBSVM UNKNOWN IMPORTED)
    set_target_properties(LIBSVM::LIBSVM PROPERTIES
      IMPORTED_LOCATION "${LIBSVM_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${LIBSVM_INCLUDE_DIR}")
  endif()
endif()
mark_as_advanced(LIBSVM_INCLUDE_DIR LIBSVM_LIBRARY)

# FindDNNL
# --------
# Finds oneDNN (Debian: libdnnl-dev) for CPU use and defines the imported
# target DNNL::dnnl, plus DNNL_FOUND, DNNL_INCLUDE_DIRS, DNNL_LIBRARIES and
# DNNL_VERSION (from oneapi/dnnl/dnnl_version.h).
#
# oneDNN's own CMake package is not used: Debian builds it with the OpenCL GPU
# runtime, so its dnnl-config.cmake requires the OpenCL headers (a package
# libdnnl-dev only recommends) and fails the whole configure without them,
# even under QUIET.  lvsi uses the CPU engine only, which needs neither.
find_path(DNNL_INCLUDE_DIR NAMES oneapi/dnnl/dnnl.hpp)
find_library(DNNL_LIBRARY NAMES dnnl)
if(DNNL_INCLUDE_DIR AND EXISTS "${DNNL_INCLUDE_DIR}/oneapi/dnnl/dnnl_version.h")
  file(STRINGS "${DNNL_INCLUDE_DIR}/oneapi/dnnl/dnnl_version.h" _dnnl_version_lines
       REGEX "^#define DNNL_VERSION_(MAJOR|MINOR|PATCH) [0-9]+")
  foreach(_part MAJOR MINOR PATCH)
    string(REGEX REPLACE ".*#define DNNL_VERSION_${_part} ([0-9]+).*" "\\1" _dnnl_${_part} "${_dnnl_version_lines}")
  endforeach()
  set(DNNL_VERSION "${_dnnl_MAJOR}.${_dnnl_MINOR}.${_dnnl_PATCH}")
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(DNNL
  REQUIRED_VARS DNNL_LIBRARY DNNL_INCLUDE_DIR
  VERSION_VAR DNNL_VERSION)
if(DNNL_FOUND)
  set(DNNL_INCLUDE_DIRS "${DNNL_INCLUDE_DIR}")
  set(DNNL_LIBRARIES "${DNNL_LIBRARY}")
  if(NOT TARGET DNNL::dnnl)
    add_library(DNNL::dnnl UNKNOWN IMPORTED)
    set_target_properties(DNNL::dnnl PROPERTIES
      IMPORTED_LOCATION "${DNNL_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${DNNL_INCLUDE_DIR}")
  endif()
endif()
mark_as_advanced(DNNL_INCLUDE_DIR DNNL_LIBRARY)

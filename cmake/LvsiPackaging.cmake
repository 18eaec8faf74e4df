# Debian packages through CPack: `cpack -G DEB` in the build folder (or
# `cmake --build build --target package`) makes
#   lvsi_<version>_<arch>.deb      the shared libraries, the DICOM plugin, the
#                                  programs and the study's parameter files;
#   lvsi-dev_<version>_<arch>.deb  headers and the CMake package (depends on
#                                  lvsi of the same version and on Eigen).
# lvsi's Depends are computed from its binaries by dpkg-shlibdeps, so they name
# exactly the Debian library packages the programs and libraries load.
set(CPACK_PACKAGE_NAME lvsi)
set(CPACK_PACKAGE_VENDOR "lvsi developers")
set(CPACK_PACKAGE_CONTACT "lvsi developers <lvsi@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_COMPONENTS_ALL runtime dev)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME lvsi)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION science)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_GENERATE_SHLIBS ON)  # shlibs file and ldconfig trigger
# Debian's LibTorch calls the system BLAS; the reference BLAS is 10x slower.
# The Python package (in /usr/lib/python3/dist-packages) imports numpy, and
# PyYAML for parameter files.
set(_lvsi_recommends "")
if(LVSI_WITH_DEEPFEATURES)
  list(APPEND _lvsi_recommends libopenblas0-pthread)
endif()
if(LVSI_PYTHON_BUILD)
  list(APPEND _lvsi_recommends python3-numpy python3-yaml)
endif()
list(JOIN _lvsi_recommends ", " CPACK_DEBIAN_RUNTIME_PACKAGE_RECOMMENDS)
# lvsi's own libraries are in the package itself; dpkg-shlibdeps finds them
# there instead of asking for another package.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS
    ${PROJECT_BINARY_DIR}/src/core ${PROJECT_BINARY_DIR}/src/io ${PROJECT_BINARY_DIR}/src/preprocessing
    ${PROJECT_BINARY_DIR}/src/radiomics ${PROJECT_BINARY_DIR}/src/evaluation ${PROJECT_BINARY_DIR}/src/selection
    ${PROJECT_BINARY_DIR}/src/models ${PROJECT_BINARY_DIR}/src/deepfeatures)
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION
  "MRI radiomics and deep-learning prediction of LVSI: libraries and programs\n"
  "pyradiomics-exact radiomics, ResNet-50 deep features, feature selection,\n"
  "SVM models and the study's evaluation (lvsi_radiomics, lvsi_extract_cohort,\n"
  "lvsi_evaluate, lvsi_habitat, lvsi_study, lvsi_predict, the shared libraries\n"
  "and the Python package lvsi).")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME lvsi-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
# The public headers use Eigen; CMake finds the package with find_package(lvsi).
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "libeigen3-dev (>= 3.3)")
set(CPACK_DEBIAN_DEV_DESCRIPTION
  "MRI radiomics and deep-learning prediction of LVSI: development files\n"
  "Headers and the CMake package: find_package(lvsi [COMPONENTS ...]) and\n"
  "lvsi::lvsi or lvsi::<module>.")

include(CPack)
cpack_add_component(runtime DISPLAY_NAME "lvsi libraries and programs")
cpack_add_component(dev DISPLAY_NAME "lvsi headers and CMake package" DEPENDS runtime)

# lvsi_add_module(NAME SOURCES ... PUBLIC_DEPS ... PRIVATE_DEPS ...)
#
# One shared library per module: target lvsi_<name>, alias lvsi::<name>,
# exported as lvsi::<name> in an export set of its own (the package component
# <name>, see cmake/lvsiConfig.cmake.in), with a generated export header
# lvsi/<name>/export.h.  The module's lvsi dependencies (public and private:
# a shared library's private lvsi dependencies are imported targets of the
# consumer too) are recorded for the package's component closure.
function(lvsi_add_module name)
  cmake_parse_arguments(M "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  set(target lvsi_${name})
  add_library(${target} ${M_SOURCES})
  add_library(lvsi::${name} ALIAS ${target})
  string(TOUPPER ${name} upper)
  generate_export_header(${target}
    BASE_NAME LVSI_${upper}
    EXPORT_FILE_NAME ${PROJECT_BINARY_DIR}/include/lvsi/${name}/export.h)
  set_target_properties(${target} PROPERTIES
    EXPORT_NAME ${name}
    OUTPUT_NAME lvsi_${name}
    VERSION ${PROJECT_VERSION}
    SOVERSION ${LVSI_SOVERSION})
  target_include_directories(${target}
    PUBLIC
      $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
      $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
      $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    PRIVATE ${PROJECT_SOURCE_DIR}/src/${name})
  target_compile_features(${target} PUBLIC cxx_std_17)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  target_link_libraries(${target} PUBLIC ${M_PUBLIC_DEPS} PRIVATE ${M_PRIVATE_DEPS})
  install(TARGETS ${target} EXPORT lvsi_${name}Targets
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
  install(EXPORT lvsi_${name}Targets NAMESPACE lvsi:: DESTINATION ${LVSI_CMAKE_DIR} COMPONENT dev)
  install(FILES ${PROJECT_BINARY_DIR}/include/lvsi/${name}/export.h
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/lvsi/${name} COMPONENT dev)
  set(deps "")
  foreach(dep IN LISTS M_PUBLIC_DEPS M_PRIVATE_DEPS)
    if(dep MATCHES "^lvsi::(.+)$")
      list(APPEND deps ${CMAKE_MATCH_1})
    endif()
  endforeach()
  set_property(GLOBAL APPEND PROPERTY LVSI_MODULES ${name})
  set_property(GLOBAL PROPERTY LVSI_MODULE_DEPS_${name} "${deps}")
endfunction()

# lvsi_use_itk(TARGET [PUBLIC|PRIVATE] MODULES ITKModule ...): the named ITK
# modules (and what they depend on) as dependencies of TARGET, PRIVATE unless
# said otherwise; headers as system headers so that ITK's warnings do not
# drown ours.  Each target names the ITK modules its sources include, so that
# nothing else (GDCM, say, outside the DICOM plugin) is on its link line.
function(lvsi_use_itk target)
  cmake_parse_arguments(U "PUBLIC;PRIVATE" "" "MODULES" ${ARGN})
  set(scope PRIVATE)
  if(U_PUBLIC)
    set(scope PUBLIC)
  endif()
  itk_module_config(_lvsi_itk ${U_MODULES})
  target_include_directories(${target} SYSTEM ${scope} ${_lvsi_itk_INCLUDE_DIRS})
  target_compile_definitions(${target} ${scope} ${LVSI_ITK_DEFINITIONS})
  target_link_libraries(${target} ${scope} ${_lvsi_itk_LIBRARIES})
endfunction()

# lvsi_add_module(NAME SOURCES ... PUBLIC_DEPS ... PRIVATE_DEPS ...)
#
# One shared library per module: target lvsi_<name>, alias lvsi::<name>,
# exported as lvsi::<name>, with a generated export header
# lvsi/<name>/export.h and SOVERSION = major version.
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
    SOVERSION ${PROJECT_VERSION_MAJOR})
  target_include_directories(${target}
    PUBLIC
      $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
      $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
      $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_features(${target} PUBLIC cxx_std_17)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  target_link_libraries(${target} PUBLIC ${M_PUBLIC_DEPS} PRIVATE ${M_PRIVATE_DEPS})
  install(TARGETS ${target} EXPORT lvsiTargets
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES ${PROJECT_BINARY_DIR}/include/lvsi/${name}/export.h
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/lvsi/${name})
endfunction()

# lvsi_use_itk(TARGET): ITK as a private dependency (headers as system
# headers so that ITK's warnings do not drown ours).
function(lvsi_use_itk target)
  target_include_directories(${target} SYSTEM PRIVATE ${LVSI_ITK_INCLUDE_DIRS})
  target_compile_definitions(${target} PRIVATE ${LVSI_ITK_DEFINITIONS})
  target_link_libraries(${target} PRIVATE ${LVSI_ITK_LIBRARIES})
endfunction()

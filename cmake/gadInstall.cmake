include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(GAD_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/gad)

install(TARGETS gad gad_report EXPORT gadTargets)
install(DIRECTORY include/gad DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT gadTargets NAMESPACE gad:: DESTINATION ${GAD_CMAKE_DIR})

configure_package_config_file(cmake/gadConfig.cmake.in
  ${PROJECT_BINARY_DIR}/gadConfig.cmake
  INSTALL_DESTINATION ${GAD_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/gadConfigVersion.cmake
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES
  ${PROJECT_BINARY_DIR}/gadConfig.cmake
  ${PROJECT_BINARY_DIR}/gadConfigVersion.cmake
  DESTINATION ${GAD_CMAKE_DIR})

# Build-tree export: find_package(gad) works with -Dgad_DIR=<build dir> without installing.
export(EXPORT gadTargets NAMESPACE gad:: FILE ${PROJECT_BINARY_DIR}/gadTargets.cmake)

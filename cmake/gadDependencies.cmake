# The dependencies of gad::gad, shared by the build tree and the installed
# gadConfig.cmake so that both resolve them the same way.
# Debian's libtorch 1.13.1 reports itself as 1.13.0.
find_package(Torch 1.13 REQUIRED)
find_package(Boost 1.66 REQUIRED CONFIG)   # Boost.Hana is header-only: Boost::headers
find_package(ZLIB REQUIRED)         # gzipped IDX files

# Imported targets are local to the directory that found them. When gad is
# added with add_subdirectory, the parent links gad::gad -> torch from its own
# scope, so promote what was just imported here to global visibility.
if(NOT CMAKE_SOURCE_DIR STREQUAL PROJECT_SOURCE_DIR)
  get_directory_property(gad_imported_targets IMPORTED_TARGETS)
  foreach(target IN LISTS gad_imported_targets)
    get_target_property(already_global ${target} IMPORTED_GLOBAL)
    if(NOT already_global)
      set_target_properties(${target} PROPERTIES IMPORTED_GLOBAL TRUE)
    endif()
  endforeach()
endif()

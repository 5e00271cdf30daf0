# The dependencies of gad::gad, shared by the build tree and the installed
# gadConfig.cmake so that both resolve them the same way.
# Debian's libtorch 1.13.1 reports itself as 1.13.0.
find_package(Torch 1.13 REQUIRED)
find_package(Boost 1.66 REQUIRED)   # Boost.Hana is header-only: Boost::headers
find_package(ZLIB REQUIRED)         # gzipped IDX files

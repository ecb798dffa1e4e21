# cmake -DROOT=<source tree> -P cmake/check_include_layering.cmake
# The include half of cmake/Layering.cmake on any tree, without configuring a build (its test
# runs it on a tree with one include pointing up).
cmake_minimum_required(VERSION 3.22)
include(${CMAKE_CURRENT_LIST_DIR}/Layering.cmake)
if(NOT ROOT)
  message(FATAL_ERROR "usage: cmake -DROOT=<source tree> -P check_include_layering.cmake")
endif()
clippo_check_include_layering("${ROOT}")
message(STATUS "include layering: ok")

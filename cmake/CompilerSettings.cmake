# Warnings, ccache, sanitizers: one place for every target's compile flags.
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_C_COMPILER_LAUNCHER "${CCACHE_PROGRAM}")
  set(CMAKE_CXX_COMPILER_LAUNCHER "${CCACHE_PROGRAM}")
endif()

add_library(clippo_warnings INTERFACE)
target_compile_options(clippo_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                       -Wnon-virtual-dtor -Wimplicit-fallthrough)
if(CLIPPO_WERROR)
  target_compile_options(clippo_warnings INTERFACE -Werror)
endif()

if(CLIPPO_BUILD_FUZZ)
  # Every library the fuzzers link is instrumented for coverage and checked by ASan/UBSan.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
elseif(CLIPPO_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# Registers a library of this project: warnings on, includes rooted at the repo.
function(clippo_library name)
  add_library(${name} STATIC ${ARGN})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE clippo_warnings)
  set_property(GLOBAL APPEND PROPERTY CLIPPO_LIBRARIES ${name})  # for cmake/Layering.cmake
endfunction()

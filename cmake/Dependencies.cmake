# Every third-party dependency comes from Debian (scripts/setup.sh installs them).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
pkg_check_modules(FREETYPE REQUIRED IMPORTED_TARGET freetype2)
pkg_check_modules(HARFBUZZ REQUIRED IMPORTED_TARGET harfbuzz)
pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-uc)
pkg_check_modules(PNG REQUIRED IMPORTED_TARGET libpng)
pkg_check_modules(WEBP REQUIRED IMPORTED_TARGET libwebp)
# librsvg draws the corpus builder's SVG sources (datasets/corpus). Optional: a machine without
# it (the GPU machine) builds everything else, and drawing an SVG there is one clear error.
pkg_check_modules(RSVG IMPORTED_TARGET librsvg-2.0)
find_package(JPEG REQUIRED)
find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)
find_package(ZLIB REQUIRED)
# LibTorch: Debian's CPU build (1.13) here, or a CUDA build (2.x) given with
# -DCMAKE_PREFIX_PATH=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)').
find_package(Torch REQUIRED)
if(NOT CLIPPO_TRAINER_ONLY)
  # FAISS: Debian ships it as a static library only, so its BLAS, LAPACK and OpenMP come along.
  find_library(FAISS_LIBRARY NAMES faiss REQUIRED)
  find_path(FAISS_INCLUDE_DIR faiss/Index.h REQUIRED)
  find_package(BLAS REQUIRED)
  find_package(LAPACK REQUIRED)
  find_package(OpenMP REQUIRED)
  find_package(Boost 1.74 REQUIRED)  # api/http: Boost.Beast (header-only); tests: a local HTTP server
endif()

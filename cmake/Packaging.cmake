# `cmake --install build --prefix P` and the Debian package (`cpack -G DEB` in build/): the binary
# and the files it reads, in the layout core/base/install_layout.h looks for next to it, so an
# installed clippo needs no source tree.
install(TARGETS clippo RUNTIME DESTINATION bin)
install(TARGETS clippo_sentencepiece LIBRARY DESTINATION lib/clippo)  # loaded at run time (dlopen)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/web/ DESTINATION share/clippo/web)
install(FILES ${PROJECT_SOURCE_DIR}/api/http/openapi.json DESTINATION share/clippo)
install(FILES ${PROJECT_SOURCE_DIR}/models/default.npz ${PROJECT_SOURCE_DIR}/models/README.md
        DESTINATION share/clippo/models)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME clippo)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "clippo developers <clippo@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "multilingual image/text search with CLIPPO (one ViT reads pixels and rendered text)")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)  # the build keeps debug info; the package does not
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
# Library dependencies as Debian package names, found by dpkg-shlibdeps from the binaries; the
# fonts the renderers read at run time by hand.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "unifont, fonts-unifont, fonts-noto-core")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "fonts-noto-cjk, fonts-noto-color-emoji, unicode-cldr-core, iso-codes")
include(CPack)

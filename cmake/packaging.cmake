# packaging.cmake - how bellows is installed (cmake --install) and packed as a .deb (cpack).
#
#   bin/bellows                                      the program (no window or sound)
#   libexec/bellows/bellows-live                     the same with the window and tones:
#                                                    bellows runs it for run, demo, assess
#   share/bellows/fonts/                             its font (found from bin/, see ui_session.c)
#   share/man/man1/bellows.1.gz, bellows-CMD.1.gz    made at build time from the --help texts
#   share/bash-completion/completions/bellows        likewise
#   lib/udev/rules.d/70-bellows-belt.rules           the belt's serial port for the user
#   share/applications/bellows.desktop
#   share/icons/hicolor/scalable/apps/bellows.svg
include(GNUInstallDirs)

# Man pages and completion: cmake/gen_docs.sh runs the built bellows for its help texts.
set(BEL_DOCS_DIR ${PROJECT_BINARY_DIR}/docs)
add_custom_command(
    OUTPUT ${BEL_DOCS_DIR}/stamp
    COMMAND sh ${PROJECT_SOURCE_DIR}/cmake/gen_docs.sh $<TARGET_FILE:bellows> ${BEL_DOCS_DIR}
            "${BELLOWS_VERSION_STRING}"
    COMMAND ${CMAKE_COMMAND} -E touch ${BEL_DOCS_DIR}/stamp
    DEPENDS bellows ${PROJECT_SOURCE_DIR}/cmake/gen_docs.sh ${PROJECT_SOURCE_DIR}/cmake/help2man.awk
    COMMENT "Man pages and bash completion from 'bellows CMD --help'"
    VERBATIM)
add_custom_target(bellows_docs ALL DEPENDS ${BEL_DOCS_DIR}/stamp)

install(TARGETS bellows RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS bellows-live RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/bellows)
install(FILES assets/fonts/DejaVuSans.ttf assets/fonts/LICENSE-DejaVu.txt
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bellows/fonts)
install(DIRECTORY ${BEL_DOCS_DIR}/man/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
        FILES_MATCHING PATTERN "*.1.gz")
install(FILES ${BEL_DOCS_DIR}/bellows.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME bellows)
# Before 73-seat-late.rules, which turns the uaccess tag into the user's access.
set(BELLOWS_UDEV_RULES_DIR lib/udev/rules.d CACHE STRING
    "Where the udev rule goes (relative: under the install prefix)")
install(FILES hardware/udev/70-bellows-belt.rules DESTINATION ${BELLOWS_UDEV_RULES_DIR})
install(FILES assets/bellows.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES assets/icons/bellows.svg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)

# cpack -G DEB: bellows_VERSION_ARCH.deb, Depends from dpkg-shlibdeps.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME bellows)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "bellows maintainers <bellows@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "breath and belly-expansion biofeedback")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "A stretch-sensor belt around the belly (optionally a second one around the
chest), read by an Arduino, tells bellows how you breathe, breath by breath.
It follows each inhale and exhale, notices a held-in belly or a held breath,
guides relaxed diaphragmatic breathing with a window and soft tones, and
records every session for before/after comparisons.")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)

# `cmake --install <build> [--prefix PREFIX]` (docs/cli.md, "Installing"):
#   bin/ttcgames                                    the program
#   share/man/man1/ttcgames.1                       its man page, made at build time by help2man when it is found
#   share/bash-completion/completions/ttcgames      bash completion (scripts/ttcgames-completion.bash)
#   share/doc/ttcgames/                             README.md and docs/
#   share/ttcgames/python/ttcgames/                 the Python package (PYTHONPATH=PREFIX/share/ttcgames/python)
#   share/ttcgames/scripts/plot_results.py          the figures script (finds the package beside it)
#   share/ttcgames/inputs/                          the shipped scenarios and data
include(GNUInstallDirs)

install(TARGETS ttcgames_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
get_target_property(_ttcg_library_type ttcgames TYPE)
if(_ttcg_library_type STREQUAL "SHARED_LIBRARY")  # BUILD_SHARED_LIBS=ON: the library goes beside, found by RPATH
  install(TARGETS ttcgames LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  set_target_properties(ttcgames_cli PROPERTIES INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
endif()

install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY python/ttcgames DESTINATION ${CMAKE_INSTALL_DATADIR}/ttcgames/python
        PATTERN __pycache__ EXCLUDE)
install(PROGRAMS scripts/plot_results.py DESTINATION ${CMAKE_INSTALL_DATADIR}/ttcgames/scripts)
install(DIRECTORY inputs DESTINATION ${CMAKE_INSTALL_DATADIR}/ttcgames)
install(FILES scripts/ttcgames-completion.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME ttcgames)

# The man page: help2man (Debian package help2man) on the built program, with a section per subcommand.
find_program(TTCG_HELP2MAN help2man DOC "help2man, for the man page (optional)")
if(TTCG_HELP2MAN)
  set(TTCG_MAN_PAGE ${PROJECT_BINARY_DIR}/ttcgames.1)
  add_custom_command(
    OUTPUT ${TTCG_MAN_PAGE}
    COMMAND ${CMAKE_COMMAND} -DTTCGAMES=$<TARGET_FILE:ttcgames_cli> -DHELP2MAN=${TTCG_HELP2MAN}
            -DVERSION=${PROJECT_VERSION} -DOUTPUT=${TTCG_MAN_PAGE} -P ${PROJECT_SOURCE_DIR}/cmake/man_page.cmake
    DEPENDS ttcgames_cli ${PROJECT_SOURCE_DIR}/cmake/man_page.cmake
    COMMENT "Man page ttcgames.1 (help2man)"
    VERBATIM)
  add_custom_target(ttcgames_man ALL DEPENDS ${TTCG_MAN_PAGE})
  install(FILES ${TTCG_MAN_PAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "help2man not found: no man page (apt-get install help2man)")
endif()

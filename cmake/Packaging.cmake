# Debian package (CPack DEB generator): `scripts/package.sh` builds loanrisk_<version>_amd64.deb.
# Only the binary, its service unit and an example configuration are installed; the web assets are
# embedded in the binary.
include(GNUInstallDirs)

install(TARGETS loanrisk RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/deb/loanrisk.service DESTINATION lib/systemd/system
        COMPONENT runtime)
# Absolute destination: /etc is outside the /usr prefix; marked as a conffile so upgrades keep edits.
install(FILES ${PROJECT_SOURCE_DIR}/deploy/loanrisk.toml DESTINATION /etc/loanrisk COMPONENT runtime)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/deployment.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT runtime)

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "loanrisk")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "loanrisk maintainers <loanrisk@example.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # loanrisk_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "loanrisk maintainers <loanrisk@example.com>")
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# The synopsis line is CPACK_PACKAGE_DESCRIPTION_SUMMARY; this is the extended description.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "One binary validates loan CSVs, trains and evaluates gradient-boosted models, tracks runs, keeps a model registry and serves predictions over HTTP (loanrisk serve).")
# Runtime dependencies are computed by dpkg-shlibdeps from the binary's actual shared libraries.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA "${PROJECT_SOURCE_DIR}/deploy/deb/conffiles")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)

# Every third-party dependency is a Debian 12 package installed by scripts/setup.sh.
find_package(xgboost CONFIG REQUIRED)
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(CLI11 CONFIG QUIET)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenMP REQUIRED)
if(LOANRISK_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()

# CLI11 from Debian ships a header only; provide the target when its CMake config is absent.
if(NOT TARGET CLI11::CLI11)
  find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)
  add_library(CLI11::CLI11 INTERFACE IMPORTED)
  target_include_directories(CLI11::CLI11 INTERFACE ${CLI11_INCLUDE_DIR})
endif()

# Tracking store backends: SQLite (the embedded default) and libpqxx 6.4 for a shared PostgreSQL.
find_package(SQLite3 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)
# Local users' tokens: argon2id hashes and random bytes from libsodium.
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)

# JWT signatures of the identity provider's tokens, and TLS (Boost.Beast over OpenSSL).
find_package(OpenSSL 3 REQUIRED)

# HTTP server: Boost.Beast/Asio, header-only in Debian's libboost-dev 1.74.
find_package(Boost 1.74 REQUIRED)

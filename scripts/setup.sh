#!/usr/bin/env bash
# Installs every system package loanrisk needs on Debian 12. Idempotent: when everything is already
# installed it returns in well under a second without touching the network.
set -euo pipefail

DEB_PACKAGES=(
  g++ cmake ninja-build pkg-config clang-format git
  libxgboost-dev xgboost
  libeigen3-dev nlohmann-json3-dev libsimdjson-dev
  libsqlite3-dev libpqxx-dev libsodium-dev libssl-dev postgresql-15 postgresql-client-15
  libboost-dev libcli11-dev libtomlplusplus-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # the fuzz targets (docs/fuzzing.md): clang, its libFuzzer and sanitizer runtimes, its OpenMP
  clang libclang-rt-14-dev libomp-dev
  # deployment checks (tests/deploy/): linters, the .deb's dependency computation, HTTP probes; certificates for the TLS tests
  yamllint shellcheck dpkg-dev curl openssl
  # the web app's end-to-end tests drive Debian's Chromium
  chromium
  # a real OpenID Connect provider for the identity tests (scripts/with-oidc.sh, tests/oidc/):
  # dbconfig-sqlite3 named so that apt does not pick MariaDB for glewlwyd's database
  glewlwyd dbconfig-sqlite3 rnbyc sqlite3 jq
  # interoperability tests (tests/interop/): Debian's optuna opens an exported study (pandas and
  # scikit-learn for its trials_dataframe and fANOVA importances), PyYAML reads an MLflow export
  python3-optuna python3-pandas python3-sklearn python3-yaml
)
# Node.js for the npm tools and the web app: Debian's, unless a node and npm are already on the PATH
# (playwright-core needs Node >= 18).
command -v node >/dev/null && command -v npm >/dev/null || DEB_PACKAGES+=(nodejs npm)

# `scripts/setup.sh --bench` adds the Python stack the benchmarks compare against (never a runtime
# dependency of loanrisk).
if [ "${1:-}" = "--bench" ]; then
  DEB_PACKAGES+=(wrk valgrind python3-pandas python3-scipy python3-sklearn python3-xgboost python3-optuna)
fi

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# action-validator (the GitHub Actions schema check) from npm, pinned by tools/package-lock.json and
# installed inside the repository; skipped when the lock file has not changed since the last install.
TOOLS_DIR="$(cd "$(dirname "$0")/.." && pwd)/tools"
if [ ! -x "$TOOLS_DIR/node_modules/.bin/action-validator" ] ||
  [ "$TOOLS_DIR/package-lock.json" -nt "$TOOLS_DIR/node_modules/.package-lock.json" ]; then
  echo "setup: npm ci in $TOOLS_DIR" >&2
  (cd "$TOOLS_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

# The web app's npm packages (echarts, embedded by the build; the devDependencies playwright-core for
# the e2e tests, prettier and eslint for scripts/check-web.sh), installed from the committed lock
# file only when it changed since the last install.
WEB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/web"
if ! cmp -s "$WEB_DIR/package-lock.json" "$WEB_DIR/node_modules/.loanrisk-installed-lock" 2>/dev/null; then
  echo "setup: npm ci in web/" >&2
  (cd "$WEB_DIR" && npm ci --include=dev --no-audit --no-fund --loglevel=error &&
    cp package-lock.json node_modules/.loanrisk-installed-lock)
fi

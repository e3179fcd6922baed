#!/usr/bin/env bash
# Installs every system package loanrisk needs on Debian 12. Idempotent: when everything is already
# installed it returns in well under a second without touching the network.
set -euo pipefail

DEB_PACKAGES=(
  g++ cmake ninja-build pkg-config clang-format git
  libxgboost-dev xgboost
  libeigen3-dev nlohmann-json3-dev libsimdjson-dev
  libsqlite3-dev libpqxx-dev postgresql-15 postgresql-client-15
  libboost-dev libcli11-dev libtomlplusplus-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  chromium
)
# Node 20 or newer is used when present (playwright-core needs >= 18); otherwise Debian's.
command -v node >/dev/null && command -v npm >/dev/null || DEB_PACKAGES+=(nodejs npm)

# `scripts/setup.sh --bench` adds the Python stack the benchmarks compare against (never a runtime
# dependency of loanrisk).
if [ "${1:-}" = "--bench" ]; then
  DEB_PACKAGES+=(wrk python3-pandas python3-scipy python3-sklearn python3-xgboost python3-optuna)
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

# The web app's npm packages (echarts, embedded by the build; playwright-core for the e2e tests),
# installed from the committed lock file only when it changed since the last install.
WEB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/web"
if ! cmp -s "$WEB_DIR/package-lock.json" "$WEB_DIR/node_modules/.loanrisk-installed-lock" 2>/dev/null; then
  echo "setup: npm ci in web/" >&2
  (cd "$WEB_DIR" && npm ci --no-audit --no-fund --loglevel=error &&
    cp package-lock.json node_modules/.loanrisk-installed-lock)
fi

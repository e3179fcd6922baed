#!/usr/bin/env bash
# Builds the Debian package: a Release build without sanitizers in build/package (reused when
# present), then CPack. Prints the path of the .deb on the last line of stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
BUILD_DIR=${LOANRISK_PACKAGE_BUILD_DIR:-build/package}
JOBS=${LOANRISK_JOBS:-$(nproc)}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLOANRISK_SANITIZE=OFF \
  -DLOANRISK_BUILD_TESTS=OFF -DLOANRISK_BUILD_BENCH=OFF >&2
cmake --build "$BUILD_DIR" -j"$JOBS" --target loanrisk >&2
(cd "$BUILD_DIR" && cpack -G DEB >&2)
version=$(sed -n 's/^project(loanrisk VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
deb="$BUILD_DIR/loanrisk_${version}_$(dpkg --print-architecture).deb"
if [ ! -f "$deb" ]; then
  echo "package: CPack finished but $deb is missing; look at the CPack output above" >&2
  exit 1
fi
echo "$(pwd)/$deb"

#!/usr/bin/env bash
# Checks deploy/Dockerfile without a Docker engine: its runtime stage is debian:bookworm-slim, runs as
# a non-root user with a health check, and every package it installs exists in Debian 12; every
# shared library `ldd` lists for the packaged (Release) binary comes from one of those packages, a
# dependency of one, or a package already in the base image; and so does every Depends of the .deb
# (the stage installs it with dpkg -i, which does not fetch dependencies).
set -euo pipefail
ROOT=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
DOCKERFILE=${2:-$ROOT/deploy/Dockerfile}
cd "$ROOT"

fail() {
  echo "deploy dockerfile: FAILED: $*" >&2
  exit 1
}

# Packages of debian:bookworm-slim itself (priority "required", plus libstdc++6 which apt needs)
# that a C++ binary's ldd commonly names. Only what the base image is known to contain.
BASE_PACKAGES=(
  libc6 libgcc-s1 libstdc++6 gcc-12-base zlib1g libzstd1 liblzma5 libbz2-1.0 liblz4-1
  libcrypt1 libgcrypt20 libgpg-error0 libsystemd0 libcap2 libselinux1 libpcre2-8-0 libtinfo6
  libudev1 libgmp10 libidn2-0 libunistring2 libnettle8 libhogweed6 libgnutls30 libp11-kit0
  libtasn1-6 libffi8 libmd0 libacl1 libattr1 libaudit1 libblkid1 libmount1 libuuid1
)

grep -q '^VERSION_CODENAME=bookworm' /etc/os-release ||
  fail "this check compares against Debian 12 (bookworm) package lists; this machine is not bookworm"
libc_policy=$(apt-cache policy libc6)
grep -q 'Candidate: [0-9]' <<<"$libc_policy" ||
  fail "apt's package lists are empty, so packages cannot be checked; run apt-get update"
[ -f "$DOCKERFILE" ] || fail "$DOCKERFILE does not exist"

# The runtime stage: from the last FROM to the end, continuation lines joined, comments dropped.
stage=$(awk '/^[[:space:]]*FROM[[:space:]]/ { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' \
  "$DOCKERFILE" | grep -v '^[[:space:]]*#' | sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta')
from=$(head -n 1 <<<"$stage")
grep -Eq '^FROM[[:space:]]+debian:bookworm-slim([[:space:]]|$)' <<<"$from" ||
  fail "the runtime stage starts with '$from'; it must be FROM debian:bookworm-slim"
grep -Eq '^USER[[:space:]]+' <<<"$stage" || fail "the runtime stage has no USER (it must not run as root)"
grep -Eq '^USER[[:space:]]+(root|0)([:[:space:]]|$)' <<<"$stage" && fail "the runtime stage runs as root"
grep -Eq '^HEALTHCHECK .*/healthz' <<<"$stage" || fail "the runtime stage has no HEALTHCHECK on /healthz"
grep -Eq '^EXPOSE[[:space:]]+8080' <<<"$stage" || fail "the runtime stage does not EXPOSE 8080"
grep -Eq '^VOLUME' <<<"$stage" || fail "the runtime stage declares no VOLUME for the store"

# Package names: the words after `apt-get install` in RUN lines, up to the next && ; or |.
mapfile -t runtime < <(grep -E '^RUN .*apt-get( -[^ ]+)* install' <<<"$stage" |
  sed -E 's/.*apt-get( -[^ ]+)* install//' | sed -E 's/(&&|;|\|).*//' | tr ' ' '\n' |
  grep -Ev '^(-.*)?$' | sort -u)
[ ${#runtime[@]} -gt 0 ] || fail "found no 'apt-get install' in the runtime stage of $DOCKERFILE"
echo "runtime packages: ${runtime[*]}"

# One apt-cache call for all (each call re-reads the package lists): "name candidate" per package.
policy=$(apt-cache policy "${runtime[@]}" |
  awk '/^[^ ]/ { sub(/:$/, ""); name = $1 } /^  Candidate:/ { print name, $2 }')
for p in "${runtime[@]}"; do
  candidate=$(awk -v p="$p" '$1 == p { print $2 }' <<<"$policy")
  if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
    fail "package '$p' of the runtime stage does not exist in Debian 12 (apt-cache policy $p" \
      "shows no installable version)"
  fi
done

# Everything the runtime stage's apt-get brings in: the named packages and their dependencies.
provided=$(
  printf '%s\n' "${BASE_PACKAGES[@]}"
  apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances "${runtime[@]}" | sed -E 's/^ *[|]?(Pre)?Depends: //; s/^ *//' |
    grep -v '^<' | sed 's/:.*//'
)
provided=$(sort -u <<<"$provided")
# Virtual names those packages provide (e.g. libspdlog1.10 provides libspdlog1.10-fmt9, which is
# what dpkg-shlibdeps writes into the .deb's Depends).
mapfile -t provided_list <<<"$provided"
virtual=$(apt-cache show --no-all-versions "${provided_list[@]}" 2>/dev/null | sed -n 's/^Provides: //p' |
  tr ',' '\n' | sed -E 's/^ *//; s/[ (].*//' || true)
provided=$(printf '%s\n%s\n' "$provided" "$virtual" | grep -v '^$' | sort -u)
is_provided() { grep -qx "$1" <<<"$provided"; }

# The packaged binary, as the image gets it: built by scripts/package.sh and taken from the .deb.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/loanrisk-dockerfile.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
nice -n 10 scripts/package.sh >"$WORK/package.out" 2>"$WORK/package.err" ||
  fail "scripts/package.sh exited with $?: $(tail -n 30 "$WORK/package.err")"
DEB=$(tail -n 1 "$WORK/package.out")
dpkg -x "$DEB" "$WORK/root" || fail "dpkg -x could not unpack $DEB"
BIN="$WORK/root/usr/bin/loanrisk"

ldd_out=$(ldd "$BIN") || fail "ldd $BIN failed"
if grep -q 'not found' <<<"$ldd_out"; then
  fail "the packaged binary has unresolved libraries on this machine: $(grep 'not found' <<<"$ldd_out")"
fi
mapfile -t libs < <(awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 } $1 ~ /^\// && $2 ~ /^\(/ { print $1, $1 }' \
  <<<"$ldd_out")

# Which installed package owns each library. usrmerge: dpkg knows a file under one spelling (/lib or
# /usr/lib, the link or its target), so ask for all of them in one dpkg -S call (each call is slow).
spellings() {
  local real
  real=$(readlink -f "$1")
  printf '%s\n' "$1" "$real" "${1#/usr}" "/usr$1" "${real#/usr}" "/usr$real"
}
mapfile -t candidates < <(for l in "${libs[@]}"; do spellings "${l#* }"; done | sort -u)
declare -A owner_of
while IFS= read -r line; do
  pkg=${line%%: /*}
  owner_of[${line#*: }]=${pkg%%[:,]*}
done < <(dpkg -S "${candidates[@]}" 2>/dev/null || true) # "pkg:arch: /path" per known file
owner() {
  local c
  while read -r c; do
    if [ -n "${owner_of[$c]:-}" ]; then
      echo "${owner_of[$c]}"
      return
    fi
  done < <(spellings "$1")
}

count=0
for l in "${libs[@]}"; do
  lib=${l%% *}
  path=${l#* }
  pkg=$(owner "$path")
  [ -n "$pkg" ] || fail "no installed package owns $path ($lib); the image could not provide it"
  is_provided "$pkg" ||
    fail "$lib ($path) comes from package '$pkg', which the runtime stage of $DOCKERFILE neither" \
      "installs nor gets through a dependency; add $pkg to its apt-get install line"
  printf '  %-28s %s\n' "$lib" "$pkg"
  count=$((count + 1))
done
[ "$count" -gt 0 ] || fail "ldd listed no libraries for $BIN: $ldd_out"

# dpkg -i of the .deb in the runtime stage needs each Depends already there.
depends=$(dpkg-deb --field "$DEB" Depends | tr ',' '\n' | sed -E 's/^ *//; s/[ (].*//; s/\|.*//')
while read -r d; do
  [ -z "$d" ] || is_provided "$d" ||
    fail "the .deb depends on '$d', which the runtime stage does not install; add it to $DOCKERFILE"
done <<<"$depends"
echo "deploy dockerfile: ok ($count libraries, ${#runtime[@]} runtime packages)"

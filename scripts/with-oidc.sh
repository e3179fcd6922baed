#!/usr/bin/env bash
# Starts a private, throwaway OpenID Connect provider (Debian's glewlwyd) on 127.0.0.1, runs the given
# command with LOANRISK_TEST_OIDC_* pointing at it, and stops it and deletes its folder afterwards,
# even when the command fails or is interrupted. Usage: scripts/with-oidc.sh COMMAND [ARGS...]
# What it sets up (users, roles, clients, keys, token lifetimes): tests/oidc/README.md.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TPL="$REPO/tests/oidc"
SCHEMA=/usr/share/dbconfig-common/data/glewlwyd/install/sqlite3

if [ $# -eq 0 ]; then
  echo "usage: scripts/with-oidc.sh COMMAND [ARGS...]" >&2
  exit 2
fi
for tool in glewlwyd rnbyc; do
  if ! command -v "$tool" >/dev/null; then
    echo "with-oidc: '$tool' not found; install Debian's glewlwyd and rnbyc packages (scripts/setup.sh)" >&2
    exit 2
  fi
done
if [ ! -r "$SCHEMA" ]; then
  echo "with-oidc: $SCHEMA (glewlwyd's SQLite schema) is missing; reinstall the glewlwyd package (scripts/setup.sh)" >&2
  exit 2
fi
for tool in sqlite3 curl jq; do
  command -v "$tool" >/dev/null || { echo "with-oidc: '$tool' not found; install it (scripts/setup.sh)" >&2; exit 2; }
done

START=$(date +%s.%N)
ROOT=$(mktemp -d /tmp/loanrisk-oidc.XXXXXX)
GLW_PID=

# shellcheck disable=SC2317  # reached through the EXIT trap
stop_provider() {
  if [ -n "$GLW_PID" ]; then
    kill "$GLW_PID" 2>/dev/null || true
    # glewlwyd exits within milliseconds on SIGTERM; do not let a hung one block the exit.
    for _ in $(seq 50); do kill -0 "$GLW_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$GLW_PID" 2>/dev/null || true
    wait "$GLW_PID" 2>/dev/null || true
  fi
  rm -rf "$ROOT"
}
trap stop_provider EXIT
trap 'exit 130' INT TERM

fail() {
  echo "with-oidc: $*" >&2
  if [ -s "$ROOT/glewlwyd.log" ]; then
    echo "with-oidc: last lines of glewlwyd's log:" >&2
    tail -n 20 "$ROOT/glewlwyd.log" >&2
  fi
  exit 1
}

# A free port: ask the kernel for one, fall back to a fixed one when python3 is absent. Debian's
# python3 first: a pyenv shim earlier on the PATH takes half a second just to start.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
PORT=${LOANRISK_OIDC_PORT:-$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 54593)}
BASE="http://127.0.0.1:$PORT"
ISSUER="$BASE/api/oidc"
# Token lifetimes in seconds; the caller may preset them through the variables exported below.
TOKEN_TTL=${LOANRISK_TEST_OIDC_TOKEN_TTL:-3600}
SHORT_TTL=${LOANRISK_TEST_OIDC_SHORT_TTL:-3}
for ttl in "$TOKEN_TTL" "$SHORT_TTL"; do
  [[ "$ttl" =~ ^[1-9][0-9]*$ ]] || fail "token lifetimes must be positive integers of seconds, not '$ttl'"
done

# --- Signing keys (JWKS with private keys, made by rnbyc from Rhonabwy, glewlwyd's JOSE library).
# Generation 1: one RSA key (RS256, the default signer) and one P-256 key (ES256, used only for the
# client that asks for ES256). The "foreign" key signs tokens of the same issuer string that the
# issuer's JWKS never lists. Key ids carry a random part so that two runs never share a kid.
mkdir -p "$ROOT/keys" "$ROOT/bin"
rand() { od -An -N4 -tx1 /dev/urandom | tr -d ' \n'; }
# rnbyc writes private keys to -o and public ones to -p (without -p, -o would get both).
new_keys() { # new_keys GEN OUT.jwks: writes the private JWKS [rsa, ec] and OUT.pub.jwks
  rnbyc -j -g RSA2048 -k "rs256-g$1-$(rand)" -a RS256 -g EC256 -k "es256-g$1-$(rand)" -a ES256 \
    -o "$2" -p "${2%.jwks}.pub.jwks" -n 0 ||
    fail "rnbyc could not generate keys"
}
new_keys 1 "$ROOT/keys/current.jwks"
echo 1 >"$ROOT/keys/generation"
rnbyc -j -g RSA2048 -k "foreign-rs256-$(rand)" -a RS256 \
  -o "$ROOT/keys/foreign.jwks" -p "$ROOT/keys/foreign.pub.jwks" -n 0 ||
  fail "rnbyc could not generate the foreign key"

# --- Database: the package's schema, then our scopes and property formats.
# One transaction (the schema has none: statement by statement it takes seconds of fsyncs), and WAL
# mode, which the file keeps, so that glewlwyd's own writes each cost one fsync instead of several.
{ echo 'BEGIN;'; cat "$SCHEMA" "$TPL/provision.sql"; echo 'COMMIT;'; } | sqlite3 -bail "$ROOT/glewlwyd.db" ||
  fail "could not load $SCHEMA and $TPL/provision.sql into SQLite"
sqlite3 "$ROOT/glewlwyd.db" 'PRAGMA journal_mode=WAL;' >/dev/null || fail "could not switch SQLite to WAL mode"
sed -e "s|@PORT@|$PORT|g" -e "s|@ROOT@|$ROOT|g" "$TPL/glewlwyd.conf.in" >"$ROOT/glewlwyd.conf"

# --- Start and wait for the HTTP server (it answers 404 on an unknown path once it listens).
glewlwyd -c "$ROOT/glewlwyd.conf" >"$ROOT/glewlwyd.out" 2>&1 &
GLW_PID=$!
up=
for _ in $(seq 150); do
  kill -0 "$GLW_PID" 2>/dev/null || { cat "$ROOT/glewlwyd.out" >&2; fail "glewlwyd exited at startup (port $PORT taken?)"; }
  if curl -s -o /dev/null "$BASE/api/"; then up=1; break; fi
  sleep 0.1
done
[ -n "$up" ] || fail "glewlwyd did not answer on $BASE within 15 s"

# --- Configure through the admin REST API as the package's default admin (admin/password).
JAR="$ROOT/admin.cookies"
api() { # api METHOD PATH JSON: fails loudly with glewlwyd's answer on a non-2xx status
  local code
  code=$(curl -s -o "$ROOT/api.out" -w '%{http_code}' -b "$JAR" -X "$1" -H 'Content-Type: application/json' \
    --data-binary @- "$BASE/api$2" <<<"$3") || code=000
  [ "${code:0:1}" = 2 ] || fail "admin API $1 $2 answered HTTP $code: $(cat "$ROOT/api.out")"
}
curl -s -f -o /dev/null -c "$JAR" -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"password"}' "$BASE/api/auth/" ||
  fail "admin login (admin/password from the package's schema) failed"

# Users (with their 'roles' property) and clients, from the fixtures.
jq -c '.[]' "$TPL/users.json" >"$ROOT/users.jsonl" || fail "$TPL/users.json is not valid JSON"
while read -r user; do api POST /user/ "$user"; done <"$ROOT/users.jsonl"
jq -c '.[]' "$TPL/clients.json" >"$ROOT/clients.jsonl" || fail "$TPL/clients.json is not valid JSON"
while read -r client; do api POST /client/ "$client"; done <"$ROOT/clients.jsonl"

# Three OIDC plugin instances sharing one issuer string, each at /api/<name>/:
#   oidc          the provider under test: discovery, JWKS, tokens valid for TOKEN_TTL seconds;
#   oidc-short    same keys, tokens valid for SHORT_TTL seconds (glewlwyd has no per-client
#                 lifetime, so a second instance is the way to get short-lived tokens);
#   oidc-foreign  its own key, absent from the issuer's JWKS (tokens a verifier must refuse).
plugin() { # plugin NAME TTL JWKS-FILE
  jq --arg iss "$ISSUER" --rawfile jwks "$3" --argjson ttl "$2" --arg name "$1" \
    '{"module": "oidc", "name": $name, "display_name": ("loanrisk test " + $name), "enabled": true,
      "parameters": (. + {"iss": $iss, "jwks-private": $jwks, "access-token-duration": $ttl,
                          "default-kid": ($jwks | fromjson | .keys[0].kid)})}' \
    "$TPL/plugin-oidc.json" >"$ROOT/plugin.json" || fail "$TPL/plugin-oidc.json is not valid JSON"
  api POST /mod/plugin/ "$(cat "$ROOT/plugin.json")"
}
plugin oidc "$TOKEN_TTL" "$ROOT/keys/current.jwks"
plugin oidc-short "$SHORT_TTL" "$ROOT/keys/current.jwks"
plugin oidc-foreign "$TOKEN_TTL" "$ROOT/keys/foreign.jwks"
rm -f "$ROOT/users.jsonl" "$ROOT/clients.jsonl" "$ROOT/plugin.json" "$ROOT/api.out" "$JAR"

# --- Ready when the discovery document answers with our issuer.
got=$(curl -s -f "$ISSUER/.well-known/openid-configuration" | jq -r .issuer 2>/dev/null) || got=
[ "$got" = "$ISSUER" ] || fail "discovery at $ISSUER/.well-known/openid-configuration gave issuer '$got'"
ELAPSED=$(awk -v s="$START" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')

# State for scripts/oidc-token.sh, and one-path commands for the tests (no arguments needed).
cat >"$ROOT/state.env" <<EOF
OIDC_BASE=$BASE
OIDC_ISSUER=$ISSUER
OIDC_REPO=$REPO
EOF
for cmd in oidc-token:"" oidc-rotate:--rotate oidc-foreign-token:--foreign; do
  printf '#!/usr/bin/env bash\nLOANRISK_TEST_OIDC_DIR=%q exec %q %s "$@"\n' "$ROOT" "$REPO/scripts/oidc-token.sh" \
    "${cmd#*:}" >"$ROOT/bin/${cmd%%:*}"
  chmod +x "$ROOT/bin/${cmd%%:*}"
done

export LOANRISK_TEST_OIDC_DIR="$ROOT"
export LOANRISK_TEST_OIDC_ISSUER="$ISSUER"
export LOANRISK_TEST_OIDC_DISCOVERY_URL="$ISSUER/.well-known/openid-configuration"
export LOANRISK_TEST_OIDC_JWKS_URI="$ISSUER/jwks"
export LOANRISK_TEST_OIDC_AUDIENCE=loanrisk-api
export LOANRISK_TEST_OIDC_OTHER_AUDIENCE=other-api
export LOANRISK_TEST_OIDC_ROLE_CLAIM=roles
export LOANRISK_TEST_OIDC_TOKEN_TTL="$TOKEN_TTL"
export LOANRISK_TEST_OIDC_SHORT_TTL="$SHORT_TTL"
export LOANRISK_TEST_OIDC_TOKEN_CMD="$ROOT/bin/oidc-token"
export LOANRISK_TEST_OIDC_ROTATE_CMD="$ROOT/bin/oidc-rotate"
export LOANRISK_TEST_OIDC_FOREIGN_TOKEN_CMD="$ROOT/bin/oidc-foreign-token"
echo "with-oidc: glewlwyd $(glewlwyd -v 2>/dev/null | grep -o '[0-9][0-9.]*' | head -n1) issuer $ISSUER (ready in ${ELAPSED}s)" >&2
set +e
"$@"
rc=$?
set -e
exit $rc

#!/usr/bin/env bash
# Prints one access token (a signed JWT) from the glewlwyd OIDC provider that scripts/with-oidc.sh
# started, obtained with a real OAuth2 password grant against its token endpoint. Also rotates the
# provider's signing keys. Needs LOANRISK_TEST_OIDC_DIR (set by with-oidc.sh, and by the
# LOANRISK_TEST_OIDC_*_CMD wrappers it exports). Details: tests/oidc/README.md.
#
#   oidc-token.sh [--user NAME] [--audience loanrisk|other] [--alg rs256|es256] [--short|--expired]
#   oidc-token.sh --foreign [--user NAME] [--audience ...]   same issuer string, unpublished key
#   oidc-token.sh --rotate [--drop-old]                      new signing keys; prints the new RS256 kid
set -euo pipefail

usage() {
  sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
die() { echo "oidc-token: $*" >&2; exit 1; }

user=alice audience=loanrisk alg=rs256 instance=oidc mode=token drop_old='' wait_expiry=
while [ $# -gt 0 ]; do
  case "$1" in
    --user) user=${2:?--user needs a name}; shift 2 ;;
    --audience) audience=${2:?--audience needs loanrisk or other}; shift 2 ;;
    --alg) alg=${2:?--alg needs rs256 or es256}; shift 2 ;;
    --short) instance=oidc-short; shift ;;
    --expired) instance=oidc-short; wait_expiry=1; shift ;;
    --foreign) instance=oidc-foreign; shift ;;
    --rotate) mode=rotate; shift ;;
    --drop-old) drop_old=1; shift ;;
    -h | --help) usage ;;
    *) echo "oidc-token: unknown argument '$1'" >&2; usage ;;
  esac
done

ROOT=${LOANRISK_TEST_OIDC_DIR:-}
if [ -z "$ROOT" ] || [ ! -r "$ROOT/state.env" ]; then
  die "LOANRISK_TEST_OIDC_DIR is not set or not a running provider's folder; run under scripts/with-oidc.sh"
fi
# shellcheck source=/dev/null
. "$ROOT/state.env"
TPL="$OIDC_REPO/tests/oidc"

# --- Key rotation ----------------------------------------------------------------------------------
# New RSA + EC keys go first in the plugin's private JWKS: glewlwyd signs with the first key of the
# wanted type, and publishes the public half of every key it holds. The previous generation stays
# published (tokens it signed still verify) unless --drop-old. Both instances that serve the issuer's
# keys (oidc, oidc-short) are updated through the admin API, then reset to reload their keys.
rotate() {
  local keys="$ROOT/keys" gen jar body kid
  exec 9>"$keys/lock"
  flock 9 # no token request and no other rotation meanwhile (see the token part below)
  gen=$(($(cat "$keys/generation") + 1))
  rnbyc -j -g RSA2048 -k "rs256-g$gen-$(rand)" -a RS256 -g EC256 -k "es256-g$gen-$(rand)" -a ES256 \
    -o "$keys/next.jwks" -p "$keys/next.pub.jwks" -n 0 || die "rnbyc could not generate keys"
  if [ -n "$drop_old" ]; then
    cp "$keys/next.jwks" "$keys/published.jwks"
  else
    jq -c -s '{keys: (.[0].keys + .[1].keys)}' "$keys/next.jwks" "$keys/current.jwks" >"$keys/published.jwks"
  fi
  kid=$(jq -r '.keys[0].kid' "$keys/next.jwks")

  jar=$(mktemp "$ROOT/rotate-cookies.XXXXXX")
  body=$(mktemp "$ROOT/rotate-body.XXXXXX")
  curl -s -f -o /dev/null -c "$jar" -H 'Content-Type: application/json' \
    -d '{"username":"admin","password":"password"}' "$OIDC_BASE/api/auth/" || die "admin login failed"
  for name in oidc oidc-short; do
    curl -s -f -b "$jar" "$OIDC_BASE/api/mod/plugin/$name" |
      jq --rawfile jwks "$keys/published.jwks" --arg kid "$kid" \
        '{"module": .module, "name": .name, "display_name": .display_name,
          "parameters": (.parameters + {"jwks-private": $jwks, "default-kid": $kid})}' \
        >"$body" || die "could not read plugin '$name' from the admin API"
    curl -s -f -o /dev/null -b "$jar" -X PUT -H 'Content-Type: application/json' --data-binary "@$body" \
      "$OIDC_BASE/api/mod/plugin/$name" || die "updating plugin '$name' failed (see $ROOT/glewlwyd.log)"
    curl -s -f -o /dev/null -b "$jar" -X PUT "$OIDC_BASE/api/mod/plugin/$name/reset" ||
      die "reloading plugin '$name' failed (see $ROOT/glewlwyd.log)"
  done
  rm -f "$jar" "$body"
  mv "$keys/current.jwks" "$keys/previous.jwks"
  mv "$keys/next.jwks" "$keys/current.jwks"
  mv "$keys/next.pub.jwks" "$keys/current.pub.jwks"
  echo "$gen" >"$keys/generation"

  curl -s -f "$OIDC_ISSUER/jwks" | jq -e --arg kid "$kid" 'any(.keys[]; .kid == $kid)' >/dev/null ||
    die "the issuer's JWKS does not list the new kid $kid after rotation"
  echo "$kid"
}

rand() { od -An -N4 -tx1 /dev/urandom | tr -d ' \n'; }

if [ "$mode" = rotate ]; then
  rotate
  exit 0
fi

# --- Token -----------------------------------------------------------------------------------------
# Glewlwyd's password grant puts the granted scope list in "aud", so the audience is chosen by asking
# for exactly one API scope, with the client registered for that API.
case "$audience" in
  loanrisk | loanrisk-api) scope=loanrisk-api client=loanrisk-cli ;;
  other | other-api) scope=other-api client=other-client ;;
  *) die "--audience must be 'loanrisk' or 'other', not '$audience'" ;;
esac
case "$alg" in
  rs256 | RS256) ;;
  es256 | ES256)
    [ "$scope" = loanrisk-api ] || die "--alg es256 exists only for the loanrisk audience"
    client=loanrisk-cli-es256 ;;
  *) die "--alg must be rs256 or es256, not '$alg'" ;;
esac

password=$(jq -r --arg u "$user" '.[] | select(.username == $u) | .password' "$TPL/users.json")
[ -n "$password" ] || die "no test user '$user' (users: $(jq -r '[.[].username] | join(", ")' "$TPL/users.json"))"
secret=$(jq -r --arg c "$client" '.[] | select(.client_id == $c) | .client_secret' "$TPL/clients.json")

# One token request at a time (a lock that --rotate takes too). glewlwyd 2.7.5 is not safe here:
# concurrent grants on two plugin instances race on its shared SQLite connection ("Error executing
# sql query", HTTP 500), and a plugin reload during a request gives 404s or a 500 from a destroyed
# mutex. A grant takes ~20 ms, so parallel tests hardly wait.
exec 9>"$ROOT/keys/lock"
flock 9
response=$(curl -s -u "$client:$secret" --data-urlencode grant_type=password \
  --data-urlencode "username=$user" --data-urlencode "password=$password" --data-urlencode "scope=$scope" \
  "$OIDC_BASE/api/$instance/token") || die "could not reach $OIDC_BASE/api/$instance/token"
flock -u 9
token=$(jq -r '.access_token // empty' <<<"$response" 2>/dev/null) || token=
[ -n "$token" ] || die "no access token from $instance for $user: $response"

if [ -n "$wait_expiry" ]; then
  # Wait until "exp" is strictly in the past, so the token is expired (with zero leeway) when printed.
  payload=$(cut -d. -f2 <<<"$token" | tr '_-' '/+')
  while [ $((${#payload} % 4)) -ne 0 ]; do payload+="="; done # base64url drops the padding
  exp=$(base64 -d <<<"$payload" | jq -r .exp)
  while [ "$(date +%s)" -le "$exp" ]; do sleep 0.2; done
fi
printf '%s\n' "$token"

#!/usr/bin/env bash
# Builds the Debian package with scripts/package.sh, checks its control fields, unpacks it into a
# scratch root (dpkg -x) and runs the unpacked binary: --version, then train a small bundle and serve
# it on 127.0.0.1 (healthz, readyz, one prediction). Also checks that serve writes nothing outside
# its store: the working folder, $TMPDIR and $HOME stay empty (what a read-only root file system
# needs).
set -euo pipefail
ROOT=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT"

fail() {
  echo "deploy deb: FAILED: $*" >&2
  exit 1
}
step() { echo "== $*"; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/loanrisk-deb.XXXXXX")
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

step "build the package (scripts/package.sh)"
nice -n 10 scripts/package.sh >"$WORK/package.out" 2>"$WORK/package.err" ||
  fail "scripts/package.sh exited with $?; its output: $(tail -n 30 "$WORK/package.err")"
DEB=$(tail -n 1 "$WORK/package.out")
[ -f "$DEB" ] || fail "scripts/package.sh printed '$DEB', which is not a file"

step "control fields of $DEB"
version=$(sed -n 's/^project(loanrisk VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
arch=$(dpkg --print-architecture)
[ "$(basename "$DEB")" = "loanrisk_${version}_${arch}.deb" ] ||
  fail "file name is $(basename "$DEB"), expected loanrisk_${version}_${arch}.deb"
field() { dpkg-deb --field "$DEB" "$1"; }
[ "$(field Package)" = loanrisk ] || fail "Package is '$(field Package)', expected loanrisk"
[ "$(field Version)" = "$version" ] || fail "Version is '$(field Version)', expected $version (CMakeLists.txt)"
[ "$(field Architecture)" = "$arch" ] || fail "Architecture is '$(field Architecture)', expected $arch"
depends=$(field Depends)
echo "Depends: $depends"
# dpkg-shlibdeps must have found the libraries the binary links (not an empty or hand-written list).
depends_names=$(tr ',' '\n' <<<"$depends" | sed -E 's/^ *//; s/[ (].*//')
for lib in libc6 libstdc++6 libxgboost0 libsqlite3-0 libpqxx-6.4; do
  grep -qxF "$lib" <<<"$depends_names" ||
    fail "Depends lacks $lib; is CPACK_DEBIAN_PACKAGE_SHLIBDEPS on in cmake/Packaging.cmake?"
done
conffiles=$(dpkg-deb --info "$DEB" conffiles 2>/dev/null || true)
grep -qx /etc/loanrisk/loanrisk.toml <<<"$conffiles" ||
  fail "/etc/loanrisk/loanrisk.toml is not a conffile (deploy/deb/conffiles)"

step "unpack into a scratch root"
SCRATCH="$WORK/root"
dpkg -x "$DEB" "$SCRATCH" || fail "dpkg -x could not unpack $DEB"
LR="$SCRATCH/usr/bin/loanrisk"
for f in usr/bin/loanrisk usr/lib/systemd/system/loanrisk.service etc/loanrisk/loanrisk.toml \
  usr/share/doc/loanrisk/deployment.md; do
  [ -e "$SCRATCH/$f" ] || fail "the package does not install /$f"
done

step "loanrisk --version"
out=$("$LR" --version) || fail "'loanrisk --version' exited with $?"
echo "$out"
grep -q "loanrisk $version" <<<"$out" || fail "--version says '$out', expected 'loanrisk $version ...'"

step "train a small bundle with the packaged binary, register it as the champion"
STORE="sqlite:///$WORK/store/loanrisk.db"
"$LR" synth --rows 3000 --seed 7 --out "$WORK/book.csv" >/dev/null || fail "synth exited with $?"
"$LR" train --data "$WORK/book.csv" --out "$WORK/bundle" --store "$STORE" --register loan-default \
  --alias champion --override --reason "deploy test: first start" >"$WORK/train.out" 2>&1 ||
  fail "train exited with $?: $(tail -n 20 "$WORK/train.out")"

RUN="$WORK/run" # working folder, TMPDIR and HOME of the server: must stay empty
mkdir -p "$RUN/cwd" "$RUN/tmp" "$RUN/home"
url=""
# start_server CONFIG [VAR=VALUE...]: serves with that config on a free port; sets $url.
start_server() {
  local config=$1
  shift
  (cd "$RUN/cwd" && exec env TMPDIR="$RUN/tmp" HOME="$RUN/home" LOANRISK_STORE="$STORE" "$@" \
    "$LR" serve --config "$config" --host 127.0.0.1 --port 0) >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SERVER_PID=$!
  url=""
  for _ in $(seq 1 300); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/serve.out" || true)
    [ -n "$url" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || fail "serve --config $config exited early: $(cat "$WORK/serve.err")"
    sleep 0.1
  done
  [ -n "$url" ] || fail "serve did not say where it listens within 30 s: $(cat "$WORK/serve.err")"
  echo "serving at $url"
}
stop_server() {
  kill -TERM "$SERVER_PID"
  local rc=0
  wait "$SERVER_PID" || rc=$?
  SERVER_PID=""
  [ "$rc" -eq 0 ] || fail "serve exited with $rc after SIGTERM: $(tail -n 20 "$WORK/serve.err")"
}
get() { curl -fsS --max-time 10 "$url$1" || fail "GET $1 failed"; }
applicant='{"customer_id": "c-1", "credit_lines_outstanding": 2, "loan_amt_outstanding": 4000,
  "total_debt_outstanding": 9000, "income": 60000, "years_employed": 4, "fico_score": 640}'
# predict [CURL ARGS...]: prints the HTTP status, the body goes to $WORK/predict.json.
predict() {
  curl -sS --max-time 10 -o "$WORK/predict.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "$applicant" "$@" "$url/api/v1/predict" || fail "POST /api/v1/predict did not get an answer"
}

# The packaged config names models:/loan-default@champion, as a deployed server follows it.
step "serve the champion on 127.0.0.1 with the packaged example config"
start_server "$SCRATCH/etc/loanrisk/loanrisk.toml"
get /healthz >/dev/null
get /readyz >/dev/null
status=$(predict)
[ "$status" = 200 ] || fail "POST /api/v1/predict answered $status: $(cat "$WORK/predict.json")"
answer=$(cat "$WORK/predict.json")
echo "predict: $answer"
python3 -c '
import json, sys
a = json.loads(sys.argv[1])
r = a["predictions"][0]
pd = r["pd"]
assert 0 <= pd <= 1, f"pd {pd} is not a probability"
assert r["decision"] in ("approve", "decline"), r["decision"]
assert a["model"]["name"] == "loan-default", a["model"]
' "$answer" || fail "the prediction is not a PD with a decision from loan-default: $answer"
step "stop the server"
stop_server

# The Kubernetes ConfigMap's loanrisk.toml must be valid too; it requires the API token.
step "serve with the loanrisk.toml of deploy/k8s/configmap.yaml (token required)"
python3 -c '
import sys, yaml
print(yaml.safe_load(open(sys.argv[1]))["data"]["loanrisk.toml"], end="")
' deploy/k8s/configmap.yaml >"$WORK/k8s.toml" || fail "cannot read loanrisk.toml from deploy/k8s/configmap.yaml"
start_server "$WORK/k8s.toml" LOANRISK_API_TOKEN=deploy-test-token
get /readyz >/dev/null
status=$(predict)
[ "$status" = 401 ] || fail "predict without a token answered $status, expected 401 (require_token_for_predict)"
status=$(predict -H 'Authorization: Bearer deploy-test-token')
[ "$status" = 200 ] || fail "predict with the token answered $status: $(cat "$WORK/predict.json")"
stop_server

step "serve wrote nothing outside its store"
stray=$(find "$RUN" -mindepth 2 | sed "s#^$RUN/##")
[ -z "$stray" ] || fail "serve wrote outside its store (read-only root would break): $stray"
[ -f "$WORK/store/loanrisk.db" ] || fail "the store $STORE was not used (no database file)"
echo "deploy deb: ok ($DEB)"

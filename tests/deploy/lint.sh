#!/usr/bin/env bash
# Lints the deployment side of the repository: yamllint on every YAML file, shellcheck on every shell
# script, and the GitHub Actions schema (action-validator) on every workflow.
set -euo pipefail
ROOT=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT"

fail() {
  echo "deploy lint: $*" >&2
  exit 1
}
need() {
  [ -x "$(command -v "$1" 2>/dev/null)" ] || [ -x "$1" ] || fail "$1 is not installed; run scripts/setup.sh"
}

# Every file of the tree except build outputs, dependencies and git's own files.
list() {
  find . \( -name .git -o -name build -o -name 'build-*' -o -name node_modules -o -name out \) -prune \
    -o -type f \( "$@" \) -print | sort
}

need yamllint
need shellcheck
VALIDATOR=tools/node_modules/.bin/action-validator
need "$VALIDATOR"

mapfile -t yaml < <(list -name '*.yml' -o -name '*.yaml')
[ ${#yaml[@]} -gt 0 ] || fail "no YAML file found under $ROOT"
echo "yamllint: ${#yaml[@]} files"
yamllint -c .yamllint --strict "${yaml[@]}" || fail "yamllint found problems (above); fix the YAML"

mapfile -t scripts < <(list -name '*.sh' -o -path ./.ci/run)
[ ${#scripts[@]} -gt 0 ] || fail "no shell script found under $ROOT"
echo "shellcheck: ${#scripts[@]} scripts"
shellcheck "${scripts[@]}" || fail "shellcheck found problems (above); fix the scripts"

mapfile -t workflows < <(list -path './.github/workflows/*.yml' -o -path './.github/workflows/*.yaml')
[ ${#workflows[@]} -gt 0 ] || fail "no workflow under .github/workflows"
for w in "${workflows[@]}"; do
  echo "action-validator: $w"
  "$VALIDATOR" "$w" || fail "$w does not match the GitHub Actions schema (errors above)"
done
# The ECS task definition: valid JSON, and what cd.yml and the issue rely on.
TASKDEF=deploy/ecs/task-definition.json
echo "task definition: $TASKDEF"
python3 - "$TASKDEF" <<'PY' || fail "$TASKDEF is incomplete (above)"
import json, sys
d = json.load(open(sys.argv[1]))
c = {x["name"]: x for x in d["containerDefinitions"]}["loanrisk"]  # cd.yml's CONTAINER_NAME
assert "/healthz" in " ".join(c["healthCheck"]["command"]), "healthCheck must probe /healthz"
assert c["logConfiguration"]["logDriver"] == "awslogs", "logConfiguration must use awslogs"
secrets = {s["name"]: s["valueFrom"] for s in c["secrets"]}
assert ":secretsmanager:" in secrets["LOANRISK_ADMIN_TOKEN"], "admin token from Secrets Manager"
assert c["readonlyRootFilesystem"] and c["user"] != "root", "read-only root, non-root user"
env = {e["name"]: e["value"] for e in c["environment"]}
assert env.get("LOANRISK_OIDC_ISSUER"), "an identity source: serve refuses 0.0.0.0 without one"
PY
echo "deploy lint: ok"

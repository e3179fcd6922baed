#!/usr/bin/env bash
# Checks the web app and its end-to-end tests the way check-format.sh checks the C++: prettier
# (layout, .prettierrc.json) and eslint (bugs: undefined names, unused variables, imports that do not
# resolve, import cycles, a module importing the entry module main.js; web/eslint.config.js).
# Fails listing every finding and the command that fixes it. `--fix` rewrites the files instead.
# The tools are web/'s devDependencies, installed by scripts/setup.sh (npm ci in web/).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=web/node_modules/.bin
for tool in prettier eslint; do
  if [ ! -x "$BIN/$tool" ]; then
    echo "$BIN/$tool is missing: run scripts/setup.sh (it runs npm ci in web/)" >&2
    exit 1
  fi
done
FILES=(web/index.html web/app web/eslint.config.js tests/e2e tests/web)
JS_FILES=(web/app web/eslint.config.js tests/e2e tests/web)
ESLINT=("$BIN/eslint" --config web/eslint.config.js --max-warnings 0)

if [ "${1:-}" = "--fix" ]; then
  "$BIN/prettier" --write --log-level warn "${FILES[@]}"
  "${ESLINT[@]}" --fix "${JS_FILES[@]}"
  exit
fi

status=0
if ! bad=$("$BIN/prettier" --list-different "${FILES[@]}"); then
  if [ -z "$bad" ]; then
    echo "prettier failed (above)"
    exit 1
  fi
  echo "not prettier-formatted (run: $BIN/prettier --write FILE, or scripts/check-web.sh --fix):"
  echo "$bad"
  status=1
fi

# The rules that keep the entry module out of every import graph must stay errors for the pages.
if ! "${ESLINT[@]}" --print-config web/app/pages/models.js | node -e '
  const rules = JSON.parse(require("fs").readFileSync(0, "utf8")).rules || {};
  const off = ["import/no-restricted-paths", "import/no-cycle"].filter(r => [].concat(rules[r])[0] !== 2);
  for (const r of off) console.log("web/eslint.config.js: " + r + " must be an error for web/app/pages");
  process.exit(off.length ? 1 : 0);'; then
  echo "(these rules keep main.js, the entry module, imported by nobody and the imports acyclic)"
  status=1
fi

if ! "${ESLINT[@]}" "${JS_FILES[@]}"; then
  echo "eslint found problems (above): fix the code (scripts/check-web.sh --fix fixes what it can)"
  status=1
fi

[ "$status" -eq 0 ] && echo "all web files are prettier-formatted and eslint-clean"
exit "$status"

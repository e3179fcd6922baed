#!/usr/bin/env bash
# The layering, enforced: every layer under src/loanrisk/ (and the CLI in src/cli) may include only
# its own headers and those of the layers its CMakeLists.txt links, directly or through them; and a
# layer may link only layers added before it in src/CMakeLists.txt, so dependencies point one way.
# Prints each include that climbs (file:line, the layer it reaches, the fix) and exits 1 on any.
set -euo pipefail
cd "$(dirname "$0")/.."

# Layer order, lowest first, as src/CMakeLists.txt adds them; the CLI comes last.
mapfile -t order < <(sed -n 's|^add_subdirectory(loanrisk/\([a-z_]*\))|\1|p' src/CMakeLists.txt)
order+=(cli)
declare -A rank deps closure
for i in "${!order[@]}"; do rank[${order[$i]}]=$i; done

# The loanrisk_* libraries a layer's CMakeLists.txt links.
direct_deps() {
  local file=src/loanrisk/$1/CMakeLists.txt
  [ "$1" = cli ] && file=src/cli/CMakeLists.txt
  { tr '\n' ' ' <"$file" | grep -o 'loanrisk_[a-z_]*' || true; } | sed 's/^loanrisk_//' |
    { grep -vx -e layer -e "$1" -e target_defaults -e embed_web -e build_info || true; } |
    sort -u | tr '\n' ' '
}

status=0
for layer in "${order[@]}"; do
  deps[$layer]=$(direct_deps "$layer")
  for d in ${deps[$layer]}; do
    if [ -z "${rank[$d]:-}" ]; then
      echo "layers: $layer links loanrisk_$d, which is not a layer in src/CMakeLists.txt" >&2
      status=1
    elif [ "${rank[$d]}" -ge "${rank[$layer]}" ]; then
      echo "layers: $layer links loanrisk_$d, a layer added after it in src/CMakeLists.txt:" \
        "move the code $layer needs down, or $layer up" >&2
      status=1
    fi
  done
done

# Closures, lowest layer first (a layer's dependencies are all earlier, checked above).
for layer in "${order[@]}"; do
  c=" $layer "
  for d in ${deps[$layer]}; do c+=" ${closure[$d]:-$d} "; done
  closure[$layer]=$(tr ' ' '\n' <<<"$c" | grep -v '^$' | sort -u | tr '\n' ' ')
done

for layer in "${order[@]}"; do
  dir=src/loanrisk/$layer
  [ "$layer" = cli ] && dir=src/cli
  while IFS=: read -r file line target; do
    [ -z "$file" ] && continue
    if [[ " ${closure[$layer]} " != *" $target "* ]]; then
      echo "$file:$line: $layer includes loanrisk/$target/, which it does not link" \
        "(it reaches: ${closure[$layer]% }); move the code down a layer or link" \
        "loanrisk_$target in $dir/CMakeLists.txt if $target is below $layer" >&2
      status=1
    fi
  done < <(grep -nE '^#include "loanrisk/[a-z_]+/' "$dir"/*.cpp "$dir"/*.hpp 2>/dev/null |
    sed -E 's|^([^:]+):([0-9]+):#include "loanrisk/([a-z_]+)/.*|\1:\2:\3|')
done
if [ "$status" -eq 0 ]; then
  echo "layers: ${#order[@]} layers, every include points down (${order[*]})"
fi
exit "$status"

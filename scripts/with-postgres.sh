#!/usr/bin/env bash
# Starts a private, throwaway PostgreSQL 15 cluster on 127.0.0.1, runs the given command with
# LOANRISK_TEST_PG_URI pointing at it, and stops and deletes the cluster afterwards, even when the
# command fails or is interrupted. Usage: scripts/with-postgres.sh COMMAND [ARGS...]
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PGBIN/initdb" ]; then
  echo "with-postgres: $PGBIN/initdb not found; install postgresql-15 (scripts/setup.sh)" >&2
  exit 1
fi
# initdb refuses root: run the server as the postgres user then; otherwise as ourselves.
if [ "$(id -u)" -eq 0 ]; then
  AS=(runuser -u postgres --)
else
  AS=()
fi

PGROOT=$(mktemp -d /tmp/loanrisk-pg.XXXXXX)
chmod 755 "$PGROOT"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PGROOT"

# shellcheck disable=SC2317  # reached through the EXIT trap
stop_cluster() {
  "${AS[@]}" "$PGBIN/pg_ctl" -D "$PGROOT/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PGROOT"
}
trap stop_cluster EXIT
trap 'exit 130' INT TERM

# A free port: ask the kernel for one, fall back to the default when python3 is absent.
PGPORT=${LOANRISK_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 55432)}

"${AS[@]}" "$PGBIN/initdb" -D "$PGROOT/data" -U postgres --auth=trust -E UTF8 --no-locale >"$PGROOT/initdb.log" 2>&1 ||
  { cat "$PGROOT/initdb.log" >&2; exit 1; }
"${AS[@]}" "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" -w -t 30 \
  -o "-p $PGPORT -c listen_addresses=127.0.0.1 -k $PGROOT -c max_connections=200" start >/dev/null ||
  { cat "$PGROOT/server.log" >&2; exit 1; }
"${AS[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres loanrisk

export LOANRISK_TEST_PG_URI="postgresql://postgres@127.0.0.1:$PGPORT/loanrisk"
echo "with-postgres: PostgreSQL 15 on $LOANRISK_TEST_PG_URI" >&2
set +e
"$@"
rc=$?
set -e
exit $rc
